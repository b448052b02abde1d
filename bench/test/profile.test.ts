import { readFileSync } from 'node:fs';
import { buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { DEPARTMENT_FIELDS, profileQuery } from '../src/profile.js';

const supergraph = readFileSync(new URL('../../schema/supergraph.graphql', import.meta.url), 'utf8');

const SDL = `
directive @access(tiers: [Tier!]!) on FIELD_DEFINITION
enum Tier { PUBLIC GOVERNMENT JUDICIAL }
scalar CreditCode
type Query { enterprise(code: CreditCode!): Enterprise }
type Enterprise { code: CreditCode! ${DEPARTMENT_FIELDS.map((f) => `${f}: Section`).join(' ')} }
type Section {
  known: Boolean!
  secret: String @access(tiers: [JUDICIAL])
  open: String @access(tiers: [PUBLIC, GOVERNMENT])
  months(count: Int = 12): [Int!]
  page(first: Int!): [Int!]
  one: One
}
type One { a: Int two: Two }
type Two { b: Int three: Three }
type Three { c: Int }
`;

describe('the whole department profile query', () => {
  it('selects every readable field to depth 3 below each section, and says what it left out', () => {
    const profile = profileQuery(SDL, 'GOVERNMENT');
    const section = '{ known open months one { a two { b } } }';
    expect(profile.query).toBe(
      `query DepartmentProfile($code: CreditCode!) { enterprise(code: $code) { code ${DEPARTMENT_FIELDS.map((f) => `${f} ${section}`).join(' ')} } }`,
    );
    expect(profile.leaves).toBe(5 * 5);
    expect(profile.skipped).toEqual(['Section.page (required argument)', 'Section.secret (not for GOVERNMENT)']);
  });

  it('is a valid operation against the API schema of the composed supergraph', () => {
    const profile = profileQuery(supergraph, 'GOVERNMENT');
    const schema = buildSchema(supergraph, { assumeValidSDL: true });
    expect(validate(schema, parse(profile.query))).toEqual([]);
    for (const field of DEPARTMENT_FIELDS) expect(profile.query).toContain(` ${field} { known readAt `);
    expect(profile.leaves).toBeGreaterThan(100);
  });
});
