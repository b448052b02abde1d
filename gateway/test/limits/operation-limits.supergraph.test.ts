import { readFileSync } from 'node:fs';
import { ApolloGateway } from '@apollo/gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  execute,
  getIntrospectionQuery,
  getNamedType,
  isNonNullType,
  isObjectType,
  parse,
  specifiedRules,
  validate,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { silentLogger } from '@credit-gateway/common';
import {
  checkOperationCost,
  DEFAULT_LIST_SIZE,
  DEFAULT_MAX_COST,
  DEFAULT_MAX_INTROSPECTION_COST,
  DEFAULT_MAX_DEPTH,
  maxDepthRule,
  operationCost,
} from '../../src/limits/operation-limits.js';

// The defaults are argued from the product's own schema: these tests hold them to it as it grows.
const SUPERGRAPH = new URL('../../../schema/supergraph.graphql', import.meta.url);
const LIMITS = {
  maxCost: DEFAULT_MAX_COST,
  maxIntrospectionCost: DEFAULT_MAX_INTROSPECTION_COST,
  listSize: DEFAULT_LIST_SIZE,
};

let gateway: ApolloGateway;
let schema: GraphQLSchema;

beforeAll(async () => {
  gateway = new ApolloGateway({ supergraphSdl: readFileSync(SUPERGRAPH, 'utf8'), logger: silentLogger() });
  ({ schema } = await gateway.load());
});

afterAll(() => gateway.stop());

/** Every field of a type, each object type followed once on a path. */
function everyField(type: GraphQLObjectType, path: ReadonlySet<string>): string {
  const parts: string[] = [];
  for (const field of Object.values(type.getFields())) {
    // A field that needs an argument the caller must choose (a decision context, say) is not part of a generic profile.
    if (field.args.some((arg) => isNonNullType(arg.type) && arg.defaultValue === undefined)) continue;
    const named = getNamedType(field.type);
    if (!isObjectType(named)) parts.push(field.name);
    else if (!path.has(named.name))
      parts.push(`${field.name} { ${everyField(named, new Set([...path, named.name]))} }`);
  }
  return parts.join(' ');
}

function depthErrors(query: string) {
  return validate(schema, parse(query), [...specifiedRules, maxDepthRule(DEFAULT_MAX_DEPTH)]).map((e) => e.toJSON());
}

const codes = (count: number) => Array.from({ length: count }, () => '91500155MA5UQ01CXD');

describe('operation limits on the product schema, at their defaults', () => {
  it('let a batch of 500 full profiles through', () => {
    // Every department's section and the credit rules; the query register (queryRecords), objections,
    // repairs, commitments and the loop's cases and receipts are audit and workflow, not a profile.
    const enterprise = schema.getType('Enterprise') as GraphQLObjectType;
    const workflow = ['QueryRecord', 'Objection', 'CreditRepair', 'CreditCommitment', 'JointCase', 'CheckReceipt'];
    const profile = everyField(enterprise, new Set(['Query', 'Enterprise', ...workflow]));
    const query = `query Full($codes: [CreditCode!]!) { enterprises(codes: $codes) { ${profile} } }`;
    expect(depthErrors(query)).toEqual([]);
    const cost = operationCost(schema, parse(query), 'Full', { codes: codes(500) });
    // Counted for real: every one of the 500 profiles costs more than a thousand.
    expect(cost).toBeGreaterThan(500 * 1_000);
    expect(cost).toBeLessThanOrEqual(DEFAULT_MAX_COST);
  });

  it("let the README's queries through", () => {
    const queries = {
      ApprovalCheck: `query ApprovalCheck($code: CreditCode!) { enterprise(code: $code) { code
        marketRegulation { registration { name status } abnormalOperations { listedOn removedOn } seriousIllegalListings { listedOn removedOn } }
        tax { creditGrades { year grade } majorViolations { caseNature publicityEndsOn } }
        courts { dishonestDebtorRecords { caseNumber status } }
        socialSecurity { wageArrearsListings { listedOn removedOn } } procurement { banned } } }`,
      CreditEasyPortrait: `query CreditEasyPortrait($code: CreditCode!) { enterprise(code: $code) {
        marketRegulation { registration { name establishedOn registeredCapital { amount currency } } }
        tax { creditGrades { year grade score } payments { period taxType amount } }
        socialSecurity { insuredHeadcount contributionStatus contributions(months: 12) { period amountDue amountPaid } }
        procurement { contracts { signedOn purchaser amount } } courts { dishonestDebtorRecords { caseNumber status } } } }`,
      DebtorRestrictions: `query DebtorRestrictions($code: CreditCode!, $person: IdNumber!) {
        enterprise(code: $code) { courts {
          dishonestDebtorRecords { caseNumber enforcingCourt performance performedPart unperformedPart status }
          consumptionRestrictions { caseNumber court issuedOn status restrictedItems boundPersons { name role person { idNumber } } } } }
        person(idNumber: $person) { courts { consumptionRestrictions { caseNumber role restrictedItems status } } } }`,
    };
    for (const [name, query] of Object.entries(queries)) {
      expect({ name, errors: depthErrors(query) }).toEqual({ name, errors: [] });
      const variables = { code: '91500112MA60YD7K76', person: '500112197508226133' };
      expect({ name, refused: checkOperationCost(schema, parse(query), name, variables, LIMITS) }).toEqual({
        name,
        refused: null,
      });
    }
  });

  it("let GraphiQL's schema query through", () => {
    const query = getIntrospectionQuery({ schemaDescription: true, inputValueDeprecation: true });
    expect(depthErrors(query)).toEqual([]);
    expect(checkOperationCost(schema, parse(query), undefined, {}, LIMITS)).toBeNull();
  });

  it('refuse following the person and restrictions cycle past the depth limit', () => {
    const hop = (inner: string) => `courts { consumptionRestrictions { boundPersons { person { ${inner} } } } }`;
    const twoHops = `{ enterprise(code: "91500112MA60YD7K76") { ${hop(hop('idNumber'))} } }`;
    expect(depthErrors(twoHops)).toEqual([]);
    const fourHops = `{ enterprise(code: "91500112MA60YD7K76") { ${hop(hop(hop(hop('idNumber'))))} } }`;
    expect(depthErrors(fourHops).map((error) => error.extensions)).toEqual([
      { code: 'QUERY_TOO_DEEP', depth: 18, maximum: DEFAULT_MAX_DEPTH },
    ]);
  });

  it('refuse a batch that follows the cycle as deep as depth allows, and let one subject do it', () => {
    const hop = (inner: string) => `courts { consumptionRestrictions { boundPersons { person { ${inner} } } } }`;
    const selection = hop(hop(hop('idNumber')));
    const batch = `query Deep($codes: [CreditCode!]!) { enterprises(codes: $codes) { ${selection} } }`;
    expect(depthErrors(batch)).toEqual([]);
    expect(checkOperationCost(schema, parse(batch), 'Deep', { codes: codes(500) }, LIMITS)?.extensions).toMatchObject({
      code: 'QUERY_TOO_COSTLY',
      maximum: DEFAULT_MAX_COST,
    });
    expect(checkOperationCost(schema, parse(batch), 'Deep', { codes: codes(1) }, LIMITS)).toBeNull();
  });
});

describe('introspection, priced at the schema’s own sizes', () => {
  const FRAGMENT =
    'fragment F on __Schema { types { name description fields { name description args { name description } type { name } } } }';
  const aliases = (count: number) =>
    parse(`{ ${Array.from({ length: count }, (_, i) => `a${i}: __schema { ...F }`).join(' ')} } ${FRAGMENT}`);

  it('lets GraphiQL’s own introspection query through', () => {
    expect(checkOperationCost(schema, parse(getIntrospectionQuery()), undefined, {}, LIMITS)).toBeNull();
  });

  it('costs at least one field per field of the answer', () => {
    const document = aliases(1);
    const answer = JSON.stringify(execute({ schema, document }).valueOf());
    // Each answered name is a field the price counted: the price is never below the answer.
    const names = answer.match(/"name":/g)?.length ?? 0;
    expect(operationCost(schema, document, undefined, {})).toBeGreaterThanOrEqual(names);
  });

  it('refuses dozens of aliases of the whole schema, which would make megabytes of answer', () => {
    expect(checkOperationCost(schema, aliases(40), undefined, {}, LIMITS)?.extensions).toMatchObject({
      code: 'QUERY_TOO_COSTLY',
      part: 'introspection',
    });
    // Hundreds are past the whole operation's maximum as well.
    for (const count of [300, 800]) {
      expect(checkOperationCost(schema, aliases(count), undefined, {}, LIMITS)?.extensions['code']).toBe(
        'QUERY_TOO_COSTLY',
      );
    }
  });
});
