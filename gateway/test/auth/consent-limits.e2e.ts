import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCode } from '@credit-gateway/sources';
import { startStack, type Stack } from '../support/stack.js';

/** Bounds on the x-credit-consent header, through HTTP: a coded 400, never a 500. */
let stack: Stack;
const CODE = demoCode('clean-sme');
const QUERY = 'query($code: CreditCode!) { enterprise(code: $code) { code } }';
const LENDER = { tier: 'AUTHORIZED' as const, client: 'xinyidai-bank-001', purpose: 'LOAN_APPROVAL' };

beforeAll(async () => {
  stack = await startStack({ populationSize: 200, gatewayEnv: { CONSENT_MAX_HEADER_BYTES: '65536' } });
});
afterAll(() => stack?.close());

async function withConsentHeader(value: string) {
  const response = await fetch(`${stack.gatewayUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await stack.headers(LENDER)), 'x-credit-consent': value },
    body: JSON.stringify({ query: QUERY, variables: { code: CODE } }),
  });
  return { status: response.status, body: (await response.json()) as { data?: unknown; errors: any[] } };
}

describe('x-credit-consent bounds', () => {
  it('answers more than CONSENT_MAX_PER_REQUEST (500) consents with 400 BATCH_TOO_LARGE', async () => {
    const { status, body } = await withConsentHeader(Array.from({ length: 501 }, () => 'a.b.c').join(','));
    expect(status).toBe(400);
    expect(body.errors).toMatchInlineSnapshot(`
      [
        {
          "extensions": {
            "argument": "x-credit-consent",
            "code": "BATCH_TOO_LARGE",
            "maximum": 500,
            "size": 501,
          },
          "message": "'x-credit-consent' holds 501 items; at most 500 are allowed in one request",
        },
      ]
    `);
  });

  it('answers a header over CONSENT_MAX_HEADER_BYTES with 400 BAD_REQUEST, before reading a consent', async () => {
    const { status, body } = await withConsentHeader(`${'a'.repeat(70_000)}.b.c`);
    expect(status).toBe(400);
    expect(body.errors).toMatchInlineSnapshot(`
      [
        {
          "extensions": {
            "bytes": 70004,
            "code": "BAD_REQUEST",
            "header": "x-credit-consent",
            "maximum": 65536,
          },
          "message": "The x-credit-consent header holds 70004 bytes; at most 65536 are allowed",
        },
      ]
    `);
  });

  it('still answers within the bounds', async () => {
    const { status, body } = await withConsentHeader(Array.from({ length: 500 }, () => 'a.b.c').join(','));
    expect(status).toBe(200);
    expect(body.data).toEqual({ enterprise: { code: CODE } });
  });
});
