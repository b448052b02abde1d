import { BodyError, CreditGatewayError, exceedsJsonNesting, MAX_JSON_NESTING } from '@credit-gateway/common';

/**
 * Most tokens `parse` reads before giving up. GraphiQL's introspection query is about 350 tokens
 * and a full profile about 1,500: 10,000 leaves room for any real operation and bounds the parser's
 * work on anything else.
 */
export const MAX_DOCUMENT_TOKENS = 10_000;

/**
 * Deepest nesting of `{`, `[` and `(` a document may have, measured on its text before it is
 * parsed. The parser, validation and every later walk recurse once per level; the depth limit
 * (MAX_DEPTH, 15 by default) is only checked after parsing, so without this a few thousand levels
 * of selections, list literals or object literals would exhaust the stack first. A document within
 * MAX_DEPTH fields nests about twice as deep in brackets (selection set plus arguments), so 64
 * refuses nothing a real operation needs.
 */
export const MAX_DOCUMENT_NESTING = 64;

export class DocumentTooDeepError extends CreditGatewayError {
  constructor(maximum: number) {
    super(
      'QUERY_TOO_DEEP',
      `The document nests braces, brackets or parentheses deeper than ${maximum} levels; it was not parsed`,
      { extensions: { maximum } },
    );
  }
}

/**
 * Whether a GraphQL document's text nests deeper than `maxDepth`, found in one pass without
 * recursion. Strings, block strings and comments are skipped, as the lexer skips them, so a
 * bracket inside a string literal does not count.
 */
export function exceedsDocumentNesting(text: string, maxDepth: number): boolean {
  let depth = 0;
  let index = 0;
  const length = text.length;
  while (index < length) {
    const char = text[index];
    if (char === '#') {
      while (index < length && text[index] !== '\n' && text[index] !== '\r') index++;
    } else if (char === '"') {
      if (text.startsWith('"""', index)) {
        index += 3;
        while (index < length && !text.startsWith('"""', index)) index += text.startsWith('\\"""', index) ? 4 : 1;
        index += 2;
      } else {
        index++;
        while (index < length && text[index] !== '"' && text[index] !== '\n') index += text[index] === '\\' ? 2 : 1;
      }
    } else if (char === '{' || char === '[' || char === '(') {
      if (++depth > maxDepth) return true;
    } else if (char === '}' || char === ']' || char === ')') {
      depth--;
    }
    index++;
  }
  return false;
}

/**
 * A GET request carries `variables` and `extensions` as JSON text in its query string: they are
 * held to the same nesting limit as a POST body, before anything parses them.
 */
export function checkQueryStringNesting(parameters: URLSearchParams): void {
  for (const name of ['variables', 'extensions']) {
    const text = parameters.get(name);
    if (text !== null && exceedsJsonNesting(text, MAX_JSON_NESTING)) {
      throw new BodyError(400, `'${name}' nests deeper than ${MAX_JSON_NESTING} levels`);
    }
  }
}
