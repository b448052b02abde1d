import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.js';

const REGISTRATION =
  'query Registration($code: CreditCode!) { enterprise(code: $code) { code marketRegulation { registration { name } } } }';
const CODE = '91500112MA60YD7K76';

describe.each([
  ['on', 'true', 1],
  ['off', 'false', 2],
])('with DEDUPE %s', (_, dedupe, fetches) => {
  let stack: Stack;
  beforeAll(async () => {
    // Merging would also send the two together: this is about deduplication alone.
    stack = await startStack({
      populationSize: 100,
      sourceTimeoutMs: 10_000,
      gatewayEnv: { DEDUPE: dedupe, MERGE_FETCHES: 'false' },
    });
  });
  afterAll(async () => {
    await stack?.close();
  });
  afterEach(async () => {
    await stack.clearFaults();
  });

  it(`two identical requests in flight together reach the subgraph ${fetches === 1 ? 'once' : 'twice'}`, async () => {
    // The department answers slowly, so that the second request arrives while the first waits.
    await stack.setFaults('market', { delayMs: 1_500 });
    await stack.resetStats();
    const [first, second] = await Promise.all([
      stack.query(REGISTRATION, { code: CODE }),
      stack.query(REGISTRATION, { code: CODE }),
    ]);
    expect(first.body.errors).toBeUndefined();
    expect(second.body).toEqual(first.body);
    expect(stack.subgraphRequests().market).toBe(fetches);
  });

  it('requests with different access are never shared', async () => {
    await stack.setFaults('market', { delayMs: 1_500 });
    await stack.resetStats();
    const answers = await Promise.all([
      stack.query(REGISTRATION, { code: CODE }),
      stack.query(REGISTRATION, { code: CODE }, { tier: 'JUDICIAL', purpose: 'ENFORCEMENT' }),
      stack.query(REGISTRATION, { code: CODE }, { purpose: 'SUPERVISION' }),
    ]);
    for (const answer of answers) expect(answer.body.errors).toBeUndefined();
    expect(stack.subgraphRequests().market).toBe(3);
  });
});
