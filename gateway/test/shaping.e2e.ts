import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCode, population, populationCandidate } from '@credit-gateway/sources';
import { startStack, type Stack } from './support/stack.js';

let stack: Stack;

beforeAll(async () => {
  // The alias attack sends 49,500 codes: about 1 MB, at the default body limit.
  stack = await startStack({
    populationSize: 600,
    gatewayEnv: {
      BODY_LIMIT_BYTES: String(4 * 1024 * 1024),
      // One request a minute for analysts, to see a throttled request registered with its subjects.
      RATE_LIMITS: 'ANALYST=1/1m',
    },
  });
});
afterAll(async () => {
  await stack?.close();
});

/** 40 fragments, each spreading the next twice: a 2 KB document with 2⁴⁰ paths through its spreads. */
function exponentialDocument(levels = 40): string {
  const fragments = Array.from(
    { length: levels },
    (_, i) => `fragment F${i} on Enterprise { ...F${i + 1} ...F${i + 1} }`,
  );
  fragments.push(
    `fragment F${levels} on Enterprise { code marketRegulation { registration { name legalRepresentative { name person { idNumber } } } } }`,
  );
  return `query Exponential($code: CreditCode!) { enterprise(code: $code) { ...F0 } } ${fragments.join(' ')}`;
}

describe('a document whose fragments spread each other exponentially', () => {
  it('is answered like the fields it stands for, and the gateway keeps answering', async () => {
    const query = exponentialDocument();
    expect(query.length).toBeLessThan(2_500);
    const code = demoCode('partial-debtor');
    const [exponential, after] = await Promise.all([
      stack.query(query, { code }, { tier: 'PUBLIC', anonymous: true }),
      stack.query('{ __typename }', {}, { tier: 'PUBLIC', anonymous: true }),
    ]);
    expect(exponential.body).toEqual({
      data: {
        enterprise: {
          code,
          marketRegulation: {
            registration: {
              name: '重庆渝东建筑工程有限公司',
              legalRepresentative: { name: '周德明', person: { idNumber: '5001121975****6133' } },
            },
          },
        },
      },
    });
    expect(after.body).toEqual({ data: { __typename: 'Query' } });
  });
});

describe('introspection is priced at the size of its answer', () => {
  it('refuses many aliases of the whole schema, and answers it asked once', async () => {
    const fragment =
      'fragment F on __Schema { types { name description fields { name description args { name description } type { name } } } }';
    const query = `{ ${Array.from({ length: 800 }, (_, i) => `a${i}: __schema { ...F }`).join(' ')} } ${fragment}`;
    const { body } = await stack.query(query, {}, { tier: 'GOVERNMENT' });
    expect(body.data).toBeUndefined();
    expect(body.errors?.map((error: { extensions?: { code?: string } }) => error.extensions?.code)).toEqual([
      'QUERY_TOO_COSTLY',
    ]);
    const once = await stack.query(`{ __schema { ...F } } ${fragment}`, {}, { tier: 'GOVERNMENT' });
    expect(once.body.errors).toBeUndefined();
    expect(once.body.data.__schema.types.length).toBeGreaterThan(100);
  });
});

describe("an operation's cost is kept between requests only when no variable can change it", () => {
  /** Each code costs 20,832 at the default list estimate (the person ↔ restrictions cycle twice): 500 are over MAX_COST. */
  const CYCLE = `query Cycle($codes: [CreditCode!]!) { enterprises(codes: $codes) { courts { consumptionRestrictions {
    boundPersons { person { courts { consumptionRestrictions { boundPersons { person { courts { consumptionRestrictions {
    boundPersons { name } } } } } } } } } } } } }`;
  const errorCodes = (body: { errors?: { extensions?: { code?: string } }[] }): (string | undefined)[] =>
    (body.errors ?? []).map((error) => error.extensions?.code);

  it('prices the same text by each request’s own list, whatever came before', async () => {
    const codes = [...population(600)].slice(0, 500);
    const large = await stack.query(CYCLE, { codes }, { tier: 'GOVERNMENT' });
    expect(errorCodes(large.body)).toEqual(['QUERY_TOO_COSTLY']);
    const small = await stack.query(CYCLE, { codes: codes.slice(0, 1) }, { tier: 'GOVERNMENT' });
    expect(errorCodes(small.body)).not.toContain('QUERY_TOO_COSTLY');
    expect(small.body.data.enterprises).toHaveLength(1);
    const again = await stack.query(CYCLE, { codes }, { tier: 'GOVERNMENT' });
    expect(errorCodes(again.body)).toEqual(['QUERY_TOO_COSTLY']);
  });

  it('refuses an over-cost operation every time it comes, whatever its variables', async () => {
    const aliases = Array.from({ length: 101 }, (_, i) => `a${i}: enterprise(code: $code) { code }`).join(' ');
    const query = `query Costly($code: CreditCode!) { ${aliases} }`;
    for (const code of [demoCode('wage-arrears'), demoCode('partial-debtor'), demoCode('wage-arrears')]) {
      const { body } = await stack.query(query, { code }, { tier: 'GOVERNMENT' });
      expect(errorCodes(body)).toEqual(['QUERY_TOO_COSTLY']);
    }
  });
});

describe('the subjects one request names are bounded per tier, across aliases and arguments', () => {
  const BATCH = 'query Batch($codes: [CreditCode!]!) { enterprises(codes: $codes) { code } }';

  it('refuses 99 aliases of a 500-code batch before any subgraph is called', async () => {
    const aliases = Array.from({ length: 99 }, (_, i) => i);
    const query = `query Aliases(${aliases.map((i) => `$c${i}: [CreditCode!]!`).join(', ')}) { ${aliases
      .map((i) => `a${i}: enterprises(codes: $c${i}) { code }`)
      .join(' ')} }`;
    const variables = Object.fromEntries(
      aliases.map((i) => [`c${i}`, Array.from({ length: 500 }, (_, j) => populationCandidate(i * 500 + j))]),
    );
    await stack.resetStats();
    const { status, body } = await stack.query(query, variables, { tier: 'GOVERNMENT' });
    expect(status).toBe(200);
    expect(body).toEqual({
      errors: [
        {
          message: 'The request names 49500 subjects; a GOVERNMENT caller may name at most 1000 in one request',
          extensions: { code: 'TOO_MANY_SUBJECTS', subjects: 49_500, maximum: 1_000, tier: 'GOVERNMENT' },
        },
      ],
    });
    expect(Object.values(stack.subgraphRequests()).every((count) => count === 0)).toBe(true);
  });

  it('counts literal lists and single arguments too, each subject once', async () => {
    const codes = [...population(60)].slice(0, 51);
    const literal = `{ a: enterprises(codes: [${codes
      .slice(0, 30)
      .map((c) => `"${c}"`)
      .join(', ')}]) { code } ${codes
      .slice(30)
      .map((code, i) => `e${i}: enterprise(code: "${code}") { code }`)
      .join(' ')} again: enterprise(code: "${codes[0]}") { code } }`;
    const refused = await stack.query(literal, {}, { anonymous: true });
    expect(refused.body.errors?.[0].extensions).toEqual({
      code: 'TOO_MANY_SUBJECTS',
      subjects: 51,
      maximum: 50,
      tier: 'PUBLIC',
    });
    const allowed = await stack.query(BATCH, { codes: [...codes.slice(0, 50), codes[0]] }, { anonymous: true });
    expect(allowed.body.errors).toBeUndefined();
    expect(allowed.body.data.enterprises).toHaveLength(51);
  });

  it("still answers an approval system's batch of 500", async () => {
    const codes = [...population(600)].slice(0, 500);
    const { body } = await stack.query(BATCH, { codes }, { tier: 'GOVERNMENT' });
    expect(body.errors).toBeUndefined();
    expect(body.data.enterprises.map((e: { code: string }) => e.code)).toEqual(codes);
  });
});

describe('the query register finds a request under every subject it reached or named', () => {
  const RECORDS = `query Records($code: CreditCode!) {
    enterprise(code: $code) { queryRecords(first: 200) { client tier purpose operationName outcome } }
  }`;
  const PERSON_RECORDS = `query PersonRecords($id: IdNumber!) {
    person(idNumber: $id) { queryRecords(first: 200) { client tier purpose operationName outcome } }
  }`;
  const records = async (code: string) =>
    (await stack.query(RECORDS, { code }, { tier: 'GOVERNMENT', client: 'register-review' })).body.data.enterprise
      .queryRecords as {
      client: string | null;
      tier: string;
      purpose: string | null;
      operationName: string | null;
      outcome: string;
    }[];

  it('a court-feed read is found under the debtors it returned, companies and people', async () => {
    const { body } = await stack.query(
      `query Feed($since: DateTime!) { debtorRestrictions(changedSince: $since, first: 50) {
        edges { node { debtorCode debtorIdNumber boundPersons { idNumber } } } } }`,
      { since: '2020-01-01T00:00:00+08:00' },
      { tier: 'JUDICIAL', client: 'court-feed-reader', purpose: 'ENFORCEMENT_LINKAGE' },
    );
    expect(body.errors).toBeUndefined();
    const nodes = body.data.debtorRestrictions.edges.map((e: any) => e.node);
    const codes = [...new Set(nodes.map((n: any) => n.debtorCode).filter(Boolean))] as string[];
    const people = [
      ...new Set(
        nodes.flatMap((n: any) => [n.debtorIdNumber, ...n.boundPersons.map((p: any) => p.idNumber)]).filter(Boolean),
      ),
    ] as string[];
    expect(codes.length).toBeGreaterThan(0);
    expect(people.length).toBeGreaterThan(0);
    for (const code of codes) {
      expect(await records(code)).toContainEqual({
        client: 'court-feed-reader',
        tier: 'JUDICIAL',
        purpose: 'ENFORCEMENT_LINKAGE',
        operationName: null,
        outcome: 'OK',
      });
    }
    const person = await stack.query(
      PERSON_RECORDS,
      { id: people[0] },
      { tier: 'GOVERNMENT', client: 'register-review' },
    );
    expect(person.body.data.person.queryRecords).toContainEqual(
      expect.objectContaining({ client: 'court-feed-reader', outcome: 'OK' }),
    );
  });

  it('an over-cost refusal is found under the code it named', async () => {
    const code = demoCode('wage-arrears');
    const aliases = Array.from({ length: 101 }, (_, i) => `a${i}: enterprise(code: "${code}") { code }`).join(' ');
    const { body } = await stack.query(
      `query Costly { ${aliases} }`,
      {},
      { tier: 'GOVERNMENT', client: 'costly-caller' },
    );
    expect(body.errors?.[0].extensions.code).toBe('QUERY_TOO_COSTLY');
    expect(await records(code)).toContainEqual({
      client: 'costly-caller',
      tier: 'GOVERNMENT',
      purpose: 'ADMINISTRATIVE_LICENSING',
      operationName: null,
      outcome: 'REJECTED',
    });
  });

  it('refusals before the document is read, or because it cannot be, name their subjects too', async () => {
    const valid = demoCode('deregistered');
    const batch = await stack.query(
      'query BadBatch($codes: [CreditCode!]!) { enterprises(codes: $codes) { code } }',
      { codes: [valid, '91500155MA5UQ01CXE'] },
      { tier: 'GOVERNMENT', client: 'bad-batch-caller' },
    );
    expect(batch.body.errors?.[0].extensions.code).toBe('INVALID_CREDIT_CODE');
    const invalid = await stack.query(
      `query Invalid { enterprise(code: "${demoCode('social-org')}") { noSuchField } }`,
      {},
      { tier: 'GOVERNMENT', client: 'invalid-caller' },
    );
    expect(invalid.body.errors?.[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const noPurpose = await stack.query(
      'query NoPurpose($code: CreditCode!) { enterprise(code: $code) { code } }',
      { code: demoCode('individual-business') },
      { tier: 'GOVERNMENT', client: 'no-purpose-caller', purpose: null },
    );
    expect(noPurpose.body.errors?.[0].extensions.code).toBe('PURPOSE_REQUIRED');
    const badToken = await stack.query(
      'query BadToken($code: CreditCode!) { enterprise(code: $code) { code } }',
      { code: demoCode('farmer-coop') },
      { anonymous: true },
      { authorization: 'Bearer not-a-token', 'x-credit-purpose': 'BAD-TOKEN-PROBE' },
    );
    expect(badToken.status).toBe(401);
    const ANALYST = { tier: 'ANALYST', client: 'throttled-analyst', purpose: null } as const;
    const first = await stack.query('{ __typename }', {}, ANALYST);
    expect(first.status).toBe(200);
    const throttled = await stack.query(
      'query Throttled($code: CreditCode!) { enterprise(code: $code) { code } }',
      { code: demoCode('legacy-registration') },
      ANALYST,
    );
    expect(throttled.status).toBe(429);

    expect(await records(valid)).toContainEqual(
      expect.objectContaining({ client: 'bad-batch-caller', outcome: 'REJECTED' }),
    );
    expect(await records(demoCode('social-org'))).toContainEqual(
      expect.objectContaining({ client: 'invalid-caller', outcome: 'REJECTED' }),
    );
    expect(await records(demoCode('individual-business'))).toContainEqual(
      expect.objectContaining({ client: 'no-purpose-caller', purpose: null, outcome: 'REJECTED' }),
    );
    expect(await records(demoCode('legacy-registration'))).toContainEqual(
      expect.objectContaining({ client: 'throttled-analyst', tier: 'ANALYST', outcome: 'REJECTED' }),
    );
    expect(await records(demoCode('farmer-coop'))).toContainEqual(
      expect.objectContaining({ tier: 'PUBLIC', purpose: 'BAD-TOKEN-PROBE', outcome: 'REJECTED' }),
    );
  });
});
