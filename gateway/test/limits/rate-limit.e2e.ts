import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SUBJECTS } from '@credit-gateway/sources';
import { mintCallerToken } from '../../src/auth/index.js';
import { startStack, type Stack } from '../support/stack.js';

/**
 * Budgets many client names cannot multiply, subjects counted, failed authentications
 * throttled: through HTTP, the gateway and its register. The stack's gateway counts in memory.
 */
let stack: Stack;
const CODES = [...DEMO_SUBJECTS.keys()].slice(0, 3);
const LIST = 'query($codes: [CreditCode!]!) { enterprises(codes: $codes) { code } }';

beforeAll(async () => {
  stack = await startStack({
    populationSize: 200,
    gatewayEnv: {
      RATE_LIMITS: 'PUBLIC=3/1m',
      RATE_LIMIT_ADDRESS: 'PUBLIC=5/1m',
      RATE_LIMIT_TIER_TOTAL: 'PUBLIC=100/1m',
      RATE_LIMIT_SUBJECTS: 'PUBLIC=100/1m,GOVERNMENT=5/1m',
      RATE_LIMIT_AUTH_FAILURES: '3/1m',
    },
  });
});
afterAll(() => stack?.close());

async function post(headers: Record<string, string>, query: string, variables?: Record<string, unknown>) {
  const response = await fetch(`${stack.gatewayUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: (await response.json()) as { data?: any; errors?: any[] },
  };
}

/** Every record in the stack gateway's register. */
function records(): { errorCodes: string[]; tier: string; outcome: string }[] {
  return readdirSync(stack.registerDir)
    .filter((file) => file.endsWith('.jsonl'))
    .flatMap((file) =>
      readFileSync(join(stack.registerDir, file), 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as { errorCodes: string[]; tier: string; outcome: string }),
    );
}

describe('rate budgets through HTTP', () => {
  it('gives twenty PUBLIC client names from one address the address budget, not twenty budgets', async () => {
    const statuses: number[] = [];
    let refusal: Awaited<ReturnType<typeof post>> | undefined;
    for (let i = 0; i < 20; i++) {
      const token = await mintCallerToken({ tier: 'PUBLIC', client: `public-name-${i}`, dir: stack.keysDir });
      const answer = await post({ authorization: `Bearer ${token}` }, '{ __schema { queryType { name } } }');
      statuses.push(answer.status);
      if (answer.status === 429) refusal ??= answer;
    }
    expect(statuses.filter((status) => status === 200)).toHaveLength(5);
    expect(statuses.filter((status) => status === 429)).toHaveLength(15);
    expect(Number(refusal!.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(refusal!.body.errors).toEqual([
      {
        message: expect.stringMatching(
          /^Too many requests: this address at this tier may send 5 per 1m; retry in \d+ s$/,
        ),
        extensions: {
          code: 'RATE_LIMITED',
          scope: 'address',
          limit: 5,
          period: '1m',
          retryAfterMs: expect.any(Number),
        },
      },
    ]);
  });

  it('counts the subjects a request names (查询量), refusing with 429 before anything is fetched', async () => {
    const government = await stack.headers({ tier: 'GOVERNMENT', client: 'subjects-test' });
    const first = await post(government, LIST, { codes: CODES });
    expect(first.status).toBe(200);
    expect(first.body.data.enterprises.map((e: { code: string }) => e.code)).toEqual(CODES);
    await stack.resetStats();
    const second = await post(government, LIST, { codes: CODES });
    expect(second.status).toBe(429);
    expect(Number(second.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(second.body.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED', scope: 'subjects', limit: 5 });
    expect(stack.subgraphRequests().market).toBe(0);
    // Two subjects still fit the budget the refused three did not spend.
    expect((await post(government, LIST, { codes: CODES.slice(0, 2) })).status).toBe(200);
  });

  it('throttles an address sending bad tokens, unverified, and registers only the first refusal', async () => {
    const before = records().length;
    const bad = { authorization: 'Bearer a.b.c' };
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await post(bad, '{ __typename }')).status);
    expect(statuses).toEqual([401, 401, 401, ...Array.from({ length: 9 }, () => 429)]);
    const throttled = await post(bad, '{ __typename }');
    expect(throttled.body.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED', scope: 'auth', limit: 3 });
    // A good token from the same address waits too: no token is verified until the address recovers.
    const good = await post(await stack.headers(), '{ __schema { queryType { name } } }');
    expect(good.status).toBe(429);
    const added = records().slice(before);
    expect(added.map((record) => record.errorCodes)).toEqual([
      ['UNAUTHENTICATED'],
      ['UNAUTHENTICATED'],
      ['UNAUTHENTICATED'],
      ['RATE_LIMITED'],
    ]);
  });
});
