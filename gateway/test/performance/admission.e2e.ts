import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { population } from '@credit-gateway/sources';
import { startStack, type Stack } from '../support/stack.js';

const REGISTRATION =
  'query Registration($code: CreditCode!) { enterprise(code: $code) { code marketRegulation { registration { name } } } }';

// Merging and deduplication off, so that every request is its own department call.
describe.each([
  ['1', 1],
  ['32', 3],
])('with MAX_CONCURRENT_REQUESTS=%s', (limit, inFlight) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      populationSize: 100,
      sourceTimeoutMs: 10_000,
      gatewayEnv: { MAX_CONCURRENT_REQUESTS: limit, MERGE_FETCHES: 'false', DEDUPE: 'false' },
    });
  });
  afterAll(async () => {
    await stack?.close();
  });
  afterEach(async () => {
    await stack.clearFaults();
  });

  it(`works on ${inFlight} of three requests at once, and answers all three`, async () => {
    await stack.setFaults('market', { delayMs: 300 });
    await stack.resetStats();
    const codes = [...population(100)].slice(0, 3);
    const answers = await Promise.all(codes.map((code) => stack.query(REGISTRATION, { code })));
    answers.forEach((answer, i) => {
      expect(answer.body.errors).toBeUndefined();
      expect(answer.body.data.enterprise.code).toBe(codes[i]);
    });
    expect((await stack.standInStats('market')).peakInFlight).toBe(inFlight);
  });
});
