import { isScalarType, type GraphQLSchema } from 'graphql';
import type { IdentifierArgument } from './identifier-arguments.js';

/** 18 upper-case letters and digits standing on their own: the shape of a credit code or ID number. */
const IDENTIFIER_SHAPE = /(?<![0-9A-Za-z])[0-9A-Z]{17}[0-9A-Z](?![0-9A-Za-z])/g;

/**
 * Most candidates looked at in one refused request's text: more than any tier may name in one
 * request (MAX_SUBJECTS_PER_REQUEST), and a bound on the work a refusal costs, a throttled one above
 * all, whatever the body holds.
 */
export const MAX_NAMED_CANDIDATES = 2_000;

/** What the register names when no better source of identifiers is at hand. */
const NAMED = '(named in the request)';
const REACHED = '(returned in the answer)';

/**
 * The credit codes and ID numbers written anywhere in a request's text, found without parsing it:
 * a request refused before its document is read, or because it could not be read (too deep, not
 * valid, an invalid code beside valid ones), still names the subjects it tried to reach, so the
 * register can answer "who asked about this subject". Each candidate must pass the product's own
 * scalars (check characters, allow-list), so arbitrary text names no one.
 */
export function subjectsNamedInText(schema: GraphQLSchema, texts: readonly string[]): IdentifierArgument[] {
  const creditCode = schema.getType('CreditCode');
  const idNumber = schema.getType('IdNumber');
  const codes = new Set<string>();
  const idNumbers = new Set<string>();
  let examined = 0;
  for (const text of texts) {
    for (const [candidate] of text.matchAll(IDENTIFIER_SHAPE)) {
      if (++examined > MAX_NAMED_CANDIDATES) return identifiers(codes, idNumbers, NAMED);
      if (isScalarType(idNumber) && /^\d{17}[\dX]$/.test(candidate)) {
        const parsed = parsesAs(idNumber.parseValue.bind(idNumber), candidate);
        if (parsed) idNumbers.add(parsed);
      }
      if (isScalarType(creditCode)) {
        const parsed = parsesAs(creditCode.parseValue.bind(creditCode), candidate);
        if (parsed) codes.add(parsed);
      }
    }
  }
  return identifiers(codes, idNumbers, NAMED);
}

/**
 * The subjects named by a request refused before its document was looked at (bad token, no
 * purpose, rate limited): found in its query string and in the body already read. Nothing is
 * executed.
 */
export function subjectsNamedInRequest(schema: GraphQLSchema, url: URL, body: unknown): IdentifierArgument[] {
  const texts = [...url.searchParams.values()];
  if (body !== undefined) texts.push(JSON.stringify(body));
  return subjectsNamedInText(schema, texts);
}

/** The subjects an answer reached, as identifier lists the register's subject keys take. */
export function reachedIdentifiers(reached: {
  codes: ReadonlySet<string>;
  idNumbers: ReadonlySet<string>;
}): IdentifierArgument[] {
  return identifiers(reached.codes, reached.idNumbers, REACHED);
}

function identifiers(codes: ReadonlySet<string>, idNumbers: ReadonlySet<string>, argument: string) {
  const found: IdentifierArgument[] = [];
  if (codes.size > 0) found.push({ scalar: 'CreditCode', argument, values: [...codes] });
  if (idNumbers.size > 0) found.push({ scalar: 'IdNumber', argument, values: [...idNumbers] });
  return found;
}

function parsesAs(parse: (value: unknown) => unknown, candidate: string): string | null {
  try {
    const value = parse(candidate);
    return typeof value === 'string' ? value : null;
  } catch {
    return null;
  }
}
