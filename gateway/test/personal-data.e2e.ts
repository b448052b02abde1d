import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  isEnumType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  type IntrospectionQuery,
} from 'graphql';
import { findIdNumberProblem, type Tier } from '@credit-gateway/common';
import { DEMO_PEOPLE, DEMO_SUBJECTS } from '@credit-gateway/sources';
import { startStack, type As, type Stack } from './support/stack.js';

/**
 * The scan that rebuilt full ID numbers from masked ones, run against the product: everything a
 * masking tier can read about the demo subjects, every field the schema lets it reach, must not
 * give back the digits the mask hides.
 */
let stack: Stack;
let schema: GraphQLSchema;

beforeAll(async () => {
  stack = await startStack({ populationSize: 100 });
  const { body } = await stack.query(getIntrospectionQuery(), {}, { tier: 'GOVERNMENT' });
  schema = buildClientSchema(body.data as IntrospectionQuery);
});
afterAll(async () => {
  await stack?.close();
});

const MAX_DEPTH = 14;

/** A value for a required argument, or undefined when the scan cannot make one up. */
function argumentValue(field: GraphQLField<unknown, unknown>, name: string, code: string): string | undefined {
  const argument = field.args.find((a) => a.name === name)!;
  const type = getNamedType(argument.type);
  if (type.name === 'CreditCode') return JSON.stringify(code);
  if (type.name === 'Int') return '12';
  if (isEnumType(type)) return type.getValues()[0]!.name;
  return undefined;
}

/** Every field reachable below `type`, each type followed once on a path, to the depth limit. */
function selectAll(type: GraphQLObjectType, code: string, path: ReadonlySet<string>, depth: number): string {
  const selections: string[] = [];
  for (const field of Object.values(type.getFields())) {
    const required = field.args.filter((a) => isNonNullType(a.type) && a.defaultValue === undefined);
    const values = required.map((a) => [a.name, argumentValue(field, a.name, code)] as const);
    if (values.some(([, value]) => value === undefined)) continue;
    const args = values.length ? `(${values.map(([n, v]) => `${n}: ${v}`).join(', ')})` : '';
    const named = getNamedType(field.type);
    if (isScalarType(named) || isEnumType(named)) {
      selections.push(`${field.name}${args}`);
    } else if (isObjectType(named) && !path.has(named.name) && depth < MAX_DEPTH) {
      const below = selectAll(named, code, new Set([...path, named.name]), depth + 1);
      if (below) selections.push(`${field.name}${args} { ${below} }`);
    }
  }
  return selections.join(' ');
}

/** One query per demo subject and demo person, each selecting everything reachable from it. */
function everythingQueries(): string[] {
  const query = schema.getQueryType()!;
  const enterprise = getNamedType(query.getFields()['enterprise']!.type) as GraphQLObjectType;
  const person = getNamedType(query.getFields()['person']!.type) as GraphQLObjectType;
  return [
    ...[...DEMO_SUBJECTS.keys()].map(
      (code) => `{ enterprise(code: "${code}") { ${selectAll(enterprise, code, new Set(['Enterprise']), 2)} } }`,
    ),
    // A person looked up by number: whoever asks knows the number, but not what the rest adds to it.
    ...Object.values(DEMO_PEOPLE).map(
      ({ idNumber }) => `{ person(idNumber: "${idNumber}") { ${selectAll(person, '', new Set(['Person']), 2)} } }`,
    ),
  ];
}

/** Everything the tier reads, every query's data in one list. */
async function readEverything(as: As): Promise<{ data: unknown[]; errors: { extensions: { code: string } }[] }> {
  const answers = [];
  for (const query of everythingQueries()) answers.push((await stack.query(query, {}, as)).body);
  return { data: answers.map((a) => a.data), errors: answers.flatMap((a) => a.errors ?? []) };
}

function strings(value: unknown, into: string[] = []): string[] {
  if (typeof value === 'string') into.push(value);
  else if (Array.isArray(value)) for (const item of value) strings(item, into);
  else if (value !== null && typeof value === 'object') for (const item of Object.values(value)) strings(item, into);
  return into;
}

const FULL_ID = /(?<![0-9A-Za-z])\d{17}[\dX](?![0-9A-Za-z])/g;
const MASKED_ID = /(?<![0-9A-Za-z])(\d{10})\*{4}(\d{3}[\dX])(?![0-9A-Za-z])/g;

const MASKING: [Tier, As][] = [
  ['PUBLIC', { anonymous: true }],
  ['AUTHORIZED', { tier: 'AUTHORIZED', client: 'lender', purpose: 'LOAN_APPROVAL' }],
  ['ANALYST', { tier: 'ANALYST', client: 'analyst-workbench', purpose: null }],
];

describe('a masking tier cannot rebuild an ID number from what it can read', () => {
  it('reaches every field about the demo subjects and their people', async () => {
    const clear = await readEverything({ tier: 'GOVERNMENT' });
    expect(clear.errors).toEqual([]);
    const text = JSON.stringify(clear.data);
    // The scan reads what it must: birth dates, genders, names and ID numbers in the clear.
    expect(text).toContain('"birthDate":"1975-08-22"');
    expect(text).toContain(DEMO_PEOPLE.taxFinanceOfficer.idNumber);
  });

  it.each(MASKING)('%s', async (_tier, as) => {
    const clear = await readEverything({ tier: 'GOVERNMENT' });
    const realIds = new Set(strings(clear.data).flatMap((s) => s.match(FULL_ID) ?? []));
    const read = await readEverything(as);
    for (const error of read.errors)
      expect(['UNAUTHORIZED_FIELD_OR_TYPE', 'CONSENT_REQUIRED']).toContain(error.extensions.code);
    const seen = strings(read.data);

    // No full, check-valid ID number anywhere, not even quoted inside a text.
    const full = seen.flatMap((s) => s.match(FULL_ID) ?? []).filter((id) => findIdNumberProblem(id) === null);
    expect(full).toEqual([]);

    // Every masked number seen belongs to a real person, and no other value gives back its hidden
    // birth month and day: no text holds the birth date in any spelling, and no candidate date in
    // the masked year completes the number to one that passes its check character uniquely.
    const masked = [...new Set(seen.flatMap((s) => [...s.matchAll(MASKED_ID)].map((m) => m[0])))];
    expect(masked.length).toBeGreaterThan(0);
    for (const value of masked) {
      const real = [...realIds].find(
        (id) => id.slice(0, 10) === value.slice(0, 10) && id.slice(14) === value.slice(14),
      );
      expect(real, `${value} is a masked real number`).toBeDefined();
      const [year, month, day] = [real!.slice(6, 10), real!.slice(10, 12), real!.slice(12, 14)];
      const spellings = [
        `${year}-${month}-${day}`,
        `${year}${month}${day}`,
        `${year}/${month}/${day}`,
        `${year}年${Number(month)}月${Number(day)}日`,
        `${month}-${day}`,
        `${month}${day}`,
      ];
      const datesInYear = seen.flatMap((s) =>
        [...s.matchAll(new RegExp(`${year}-(\\d{2})-(\\d{2})`, 'g'))].map((m) => `${m[1]}${m[2]}`),
      );
      const completions = new Set(
        datesInYear
          .map((monthDay) => `${value.slice(0, 10)}${monthDay}${value.slice(14)}`)
          .filter((id) => findIdNumberProblem(id) === null),
      );
      expect(completions.has(real!), `${value} completed from a date in ${year}`).toBe(false);
      for (const spelling of spellings.slice(0, 4)) {
        expect(
          seen.some((s) => s.includes(spelling)),
          `${value}: ${spelling} is returned`,
        ).toBe(false);
      }
    }
  });
});
