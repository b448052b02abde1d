import { describe, expect, it } from 'vitest';
import { buildSchema, getIntrospectionQuery, parse, specifiedRules, validate, type GraphQLError } from 'graphql';
import { ConfigError, EnvReader } from '@credit-gateway/common';
import {
  checkOperationCost,
  DEFAULT_LIST_SIZE,
  DEFAULT_MAX_COST,
  DEFAULT_MAX_INTROSPECTION_COST,
  DEFAULT_MAX_DEPTH,
  maxDepthRule,
  measureOperation,
  operationCost,
  readOperationLimitsConfig,
  ROOT_FIELD_COST,
} from '../../src/limits/operation-limits.js';

const schema = buildSchema(`
  scalar CreditCode
  interface Node { id: ID! }
  type Query {
    enterprise(code: CreditCode!): Enterprise
    enterprises(codes: [CreditCode!]!): [Enterprise]!
    node(id: ID!): Node
  }
  type Enterprise implements Node {
    id: ID!
    code: CreditCode!
    name: String
    tags: [String!]!
    courts: Courts
    contributions(months: Int = 12): [Contribution!]
  }
  type Courts { records: [Record!]! }
  type Record { caseNumber: String! persons: [Person!]! }
  type Person implements Node { id: ID! name: String courts: Courts }
  type Contribution { period: String! }
`);

function depthErrors(query: string, maxDepth: number): ReturnType<GraphQLError['toJSON']>[] {
  return validate(schema, parse(query), [...specifiedRules, maxDepthRule(maxDepth)]).map((error) => error.toJSON());
}

/** Field cost alone, without the root-field surcharge, so that counts read plainly. */
function fieldsCost(query: string, variables: Record<string, unknown> = {}, listSize = 5): number {
  return operationCost(schema, parse(query), undefined, variables, { listSize, rootFieldCost: 0 });
}

/** GraphiQL asks for the schema with graphql's own introspection query and these options. */
const GRAPHIQL_INTROSPECTION = getIntrospectionQuery({ schemaDescription: true, inputValueDeprecation: true });

describe('maxDepthRule', () => {
  it('counts every field on the deepest path, the root field and the leaf included', () => {
    const query = '{ enterprise(code: "x") { courts { records { caseNumber } } } }';
    expect(depthErrors(query, 4)).toEqual([]);
    expect(depthErrors(query, 3)).toMatchInlineSnapshot(`
      [
        {
          "extensions": {
            "code": "QUERY_TOO_DEEP",
            "depth": 4,
            "maximum": 3,
          },
          "locations": [
            {
              "column": 46,
              "line": 1,
            },
          ],
          "message": "The operation is 4 fields deep; at most 3 are allowed",
        },
      ]
    `);
  });

  it('follows named and inline fragments, and reports the deepest field inside them', () => {
    const query = `
      query Deep { enterprise(code: "x") { ...Sections } }
      fragment Sections on Enterprise { courts { ... on Courts { records { ...Persons } } } }
      fragment Persons on Record { persons { name } }
    `;
    expect(depthErrors(query, 5)).toEqual([]);
    expect(depthErrors(query, 4)).toEqual([
      {
        message: 'The operation is 5 fields deep; at most 4 are allowed',
        locations: [{ line: 4, column: 46 }],
        extensions: { code: 'QUERY_TOO_DEEP', depth: 5, maximum: 4 },
      },
    ]);
  });

  it('measures each operation of a document on its own', () => {
    const query = `
      query Shallow { enterprise(code: "x") { code } }
      query Deep { enterprise(code: "x") { courts { records { caseNumber } } } }
    `;
    expect(depthErrors(query, 3).map((error) => error.extensions)).toEqual([
      { code: 'QUERY_TOO_DEEP', depth: 4, maximum: 3 },
    ]);
  });

  it('counts introspection fields like any other', () => {
    expect(depthErrors('{ __schema { types { fields { type { name } } } } }', 4)).toEqual([
      {
        message: 'The operation is 5 fields deep; at most 4 are allowed',
        locations: [{ line: 1, column: 38 }],
        extensions: { code: 'QUERY_TOO_DEEP', depth: 5, maximum: 4 },
      },
    ]);
  });

  it("lets GraphiQL's schema query through at the default, and nothing a level deeper", () => {
    expect(depthErrors(GRAPHIQL_INTROSPECTION, DEFAULT_MAX_DEPTH)).toEqual([]);
    expect(depthErrors(GRAPHIQL_INTROSPECTION, DEFAULT_MAX_DEPTH - 1).map((error) => error.extensions)).toEqual([
      { code: 'QUERY_TOO_DEEP', depth: DEFAULT_MAX_DEPTH, maximum: DEFAULT_MAX_DEPTH - 1 },
    ]);
  });

  it('survives a fragment cycle, which graphql-js refuses in the same pass', () => {
    const query = `
      { enterprise(code: "x") { courts { ...Loop } } }
      fragment Loop on Courts { records { persons { courts { ...Loop } } } }
    `;
    expect(depthErrors(query, 3).map((error) => error.message)).toEqual([
      'The operation is 5 fields deep; at most 3 are allowed',
      'Cannot spread fragment "Loop" within itself.',
    ]);
  });

  it('measures a document that spreads fragments exponentially many times in linear time', () => {
    // Each fragment spreads the next twice: walking every spread would take 2^40 steps.
    const levels = 40;
    const fragments = Array.from(
      { length: levels },
      (_, i) =>
        `fragment F${i} on Courts { records { persons { a: courts { ...F${i + 1} } b: courts { ...F${i + 1} } } } }`,
    ).join('\n');
    const query = `{ enterprise(code: "x") { courts { ...F0 } } }\n${fragments}\nfragment F${levels} on Courts { records { caseNumber } }`;
    const errors = validate(schema, parse(query), [maxDepthRule(DEFAULT_MAX_DEPTH)]);
    expect(errors.map((error) => error.extensions)).toEqual([
      { code: 'QUERY_TOO_DEEP', depth: 2 + 3 * levels + 2, maximum: DEFAULT_MAX_DEPTH },
    ]);
  });
});

describe('operationCost', () => {
  it('costs 1 a field, a list of scalars included', () => {
    expect(fieldsCost('{ enterprise(code: "x") { code name tags } }')).toBe(4);
    expect(fieldsCost('{ enterprise(code: "x") { __typename code } }')).toBe(3);
  });

  it('multiplies a list by the length of its credit codes, inline or by variable', () => {
    expect(fieldsCost('{ enterprises(codes: ["a", "b", "c"]) { code name } }')).toBe(1 + 3 * 2);
    // An input list also takes one value on its own, as a list of one.
    expect(fieldsCost('{ enterprises(codes: "a") { code name } }')).toBe(1 + 2);
    const byVariable = 'query Batch($codes: [CreditCode!]!) { enterprises(codes: $codes) { code name } }';
    expect(fieldsCost(byVariable, { codes: ['a', 'b'] })).toBe(1 + 2 * 2);
    expect(fieldsCost(byVariable, { codes: Array.from({ length: 500 }, (_, i) => String(i)) })).toBe(1 + 500 * 2);
    expect(fieldsCost(byVariable, { codes: [] })).toBe(1);
  });

  it('multiplies a list by its size argument, its default when left out', () => {
    expect(fieldsCost('{ enterprise(code: "x") { contributions(months: 24) { period } } }')).toBe(1 + 1 + 24);
    expect(fieldsCost('{ enterprise(code: "x") { contributions { period } } }')).toBe(1 + 1 + 12);
    expect(
      fieldsCost('query Q($m: Int) { enterprise(code: "x") { contributions(months: $m) { period } } }', { m: 36 }),
    ).toBe(1 + 1 + 36);
  });

  it('multiplies any other list by the list size estimate, at every level', () => {
    const query = '{ enterprise(code: "x") { courts { records { caseNumber persons { name } } } } }';
    // enterprise + courts + records × (caseNumber + persons × name)
    expect(fieldsCost(query, {}, 5)).toBe(1 + 1 + 1 + 5 * (1 + 1 + 5 * 1));
    expect(fieldsCost(query, {}, 10)).toBe(1 + 1 + 1 + 10 * (1 + 1 + 10 * 1));
  });

  it('counts fields sharing a response key once, merging their selections as execution does', () => {
    const query = `
      {
        enterprise(code: "x") { code code name ...Names courts { records { caseNumber } } }
        enterprise(code: "x") { name courts { records { caseNumber persons { name } } } }
      }
      fragment Names on Enterprise { name code }
    `;
    expect(fieldsCost(query)).toBe(1 + 2 + 1 + 1 + 5 * (1 + 1 + 5));
  });

  it('counts aliased copies as separate fields, each root field with its surcharge', () => {
    const query = '{ a: enterprise(code: "x") { code } b: enterprise(code: "x") { c1: code c2: code } }';
    expect(fieldsCost(query)).toBe(2 + 3);
    expect(operationCost(schema, parse(query), undefined, {})).toBe(2 + 3 + 2 * ROOT_FIELD_COST);
  });

  it('refuses hundreds of aliased root fields that a batch of the same subjects would answer', () => {
    const aliased = `{ ${Array.from({ length: 100 }, (_, i) => `e${i}: enterprise(code: "x") { code }`).join(' ')} }`;
    const limits = {
      maxCost: DEFAULT_MAX_COST,
      maxIntrospectionCost: DEFAULT_MAX_INTROSPECTION_COST,
      listSize: DEFAULT_LIST_SIZE,
    };
    expect(checkOperationCost(schema, parse(aliased), undefined, {}, limits)?.toJSON()).toMatchInlineSnapshot(`
      {
        "extensions": {
          "code": "QUERY_TOO_COSTLY",
          "cost": 10000200,
          "maximum": 10000000,
        },
        "message": "The operation costs 10000200; at most 10000000 is allowed: ask for fewer fields, subjects or aliases",
      }
    `);
    const batch = 'query Batch($codes: [CreditCode!]!) { enterprises(codes: $codes) { code } }';
    const codes = Array.from({ length: 100 }, () => 'x');
    expect(operationCost(schema, parse(batch), undefined, { codes })).toBe(ROOT_FIELD_COST + 1 + 100);
    expect(checkOperationCost(schema, parse(batch), undefined, { codes }, limits)).toBeNull();
    const fewer = `{ ${Array.from({ length: 99 }, (_, i) => `e${i}: enterprise(code: "x") { code }`).join(' ')} }`;
    expect(checkOperationCost(schema, parse(fewer), undefined, {}, limits)).toBeNull();
  });

  it('honours @skip and @include with the request variables', () => {
    const query = `
      query Q($withCourts: Boolean!, $noName: Boolean!) {
        enterprise(code: "x") {
          name @skip(if: $noName)
          courts @include(if: $withCourts) { records { caseNumber } }
          ... @include(if: $withCourts) { code }
        }
      }
    `;
    expect(fieldsCost(query, { withCourts: true, noName: false })).toBe(1 + 1 + (1 + 1 + 5) + 1);
    expect(fieldsCost(query, { withCourts: false, noName: true })).toBe(1);
  });

  it('costs an abstract type as its most costly possible type', () => {
    const query = `{
      node(id: "1") {
        id
        ... on Enterprise { courts { records { caseNumber } } }
        ... on Person { name }
      }
    }`;
    expect(fieldsCost(query)).toBe(1 + 1 + (1 + 1 + 5));
  });

  it('counts introspection without the root-field surcharge: the gateway answers it alone', () => {
    expect(operationCost(schema, parse('{ __schema { queryType { name } } }'), undefined, {})).toBe(3);
    expect(operationCost(schema, parse(GRAPHIQL_INTROSPECTION), undefined, {})).toBeLessThan(DEFAULT_MAX_COST);
  });

  it('chooses the named operation', () => {
    const document = parse(`
      query One { enterprise(code: "x") { code } }
      query Batch($codes: [CreditCode!]!) { enterprises(codes: $codes) { code } }
    `);
    expect(operationCost(schema, document, 'One', {}, { rootFieldCost: 0 })).toBe(2);
    expect(operationCost(schema, document, 'Batch', { codes: ['a', 'b'] }, { rootFieldCost: 0 })).toBe(3);
    expect(() => operationCost(schema, document, 'Missing', {})).toThrow("No operation named 'Missing'");
  });

  it('counts a document that spreads fragments exponentially many times without walking every copy', () => {
    const levels = 40;
    const fragments = Array.from(
      { length: levels },
      (_, i) =>
        `fragment F${i} on Person { a: courts { records { persons { ...F${i + 1} } } } b: courts { records { persons { ...F${i + 1} } } } }`,
    ).join('\n');
    const query = `{ node(id: "1") { ...F0 } }\n${fragments}\nfragment F${levels} on Person { name }`;
    expect(operationCost(schema, parse(query), undefined, {})).toBe(Number.MAX_SAFE_INTEGER);
  });
});

describe('measureOperation: whether the cost depends on the variables', () => {
  const reads = (query: string, variables: Record<string, unknown> = {}): boolean =>
    measureOperation(schema, parse(query), undefined, variables).readsVariables;

  it('does not when no list is sized by a variable and nothing is skipped or included', () => {
    expect(
      reads('query ($code: CreditCode!) { enterprise(code: $code) { name tags courts { records { caseNumber } } } }', {
        code: 'x',
      }),
    ).toBe(false);
    expect(reads('{ enterprises(codes: ["a", "b"]) { name contributions(months: 6) { period } } }')).toBe(false);
    expect(reads('{ ...Q } fragment Q on Query { enterprise(code: "x") { name } }')).toBe(false);
  });

  it('does when a list is sized by a variable, even one inside a list, or a directive is read', () => {
    expect(reads('query ($codes: [CreditCode!]!) { enterprises(codes: $codes) { name } }', { codes: ['a'] })).toBe(
      true,
    );
    expect(reads('query ($code: CreditCode!) { enterprises(codes: ["a", $code]) { name } }', { code: 'b' })).toBe(true);
    expect(reads('query ($m: Int) { enterprise(code: "x") { contributions(months: $m) { period } } }', { m: 36 })).toBe(
      true,
    );
    expect(
      reads('query ($s: Boolean!) { enterprise(code: "x") { courts @skip(if: $s) { records { caseNumber } } } }', {
        s: false,
      }),
    ).toBe(true);
    expect(reads('{ enterprise(code: "x") { name @include(if: true) } }')).toBe(true);
  });

  it('gives the same cost for every request of an operation that does not read them', () => {
    const query =
      'query ($code: CreditCode!) { enterprise(code: $code) { tags courts { records { persons { name } } } } }';
    expect(operationCost(schema, parse(query), undefined, { code: 'a' })).toBe(
      operationCost(schema, parse(query), undefined, { code: 'b' }),
    );
  });
});

describe('readOperationLimitsConfig', () => {
  function read(env: Record<string, string>) {
    const reader = new EnvReader(env);
    const limits = readOperationLimitsConfig(reader);
    reader.done();
    return limits;
  }

  it('defaults', () => {
    expect(read({})).toEqual({ maxDepth: 15, maxCost: 10_000_000, maxIntrospectionCost: 1_500_000, listSize: 5 });
  });

  it('reads every variable', () => {
    expect(
      read({ MAX_DEPTH: '10', MAX_COST: '50000', MAX_INTROSPECTION_COST: '7000', LIST_SIZE_ESTIMATE: '3' }),
    ).toEqual({
      maxDepth: 10,
      maxCost: 50_000,
      maxIntrospectionCost: 7_000,
      listSize: 3,
    });
  });

  it('reports every problem at once', () => {
    let error: unknown;
    try {
      read({ MAX_DEPTH: '0', MAX_COST: 'lots', LIST_SIZE_ESTIMATE: '2.5' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      "MAX_DEPTH must be a whole number from 1 to 1000, got '0'",
      "MAX_COST must be a whole number from 1 to 1000000000, got 'lots'",
      "LIST_SIZE_ESTIMATE must be a whole number from 1 to 10000, got '2.5'",
    ]);
  });
});
