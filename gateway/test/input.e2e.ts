import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCode } from '@credit-gateway/sources';
import { startStack, type Stack } from './support/stack.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ populationSize: 100 });
});
afterAll(async () => {
  await stack?.close();
});

const NAME =
  'query($code: CreditCode!) { enterprise(code: $code) { code marketRegulation { registration { name } } } }';

async function post(body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  const response = await fetch(`${stack.gatewayUrl}/graphql`, { method: 'POST', headers, body });
  return { status: response.status, body: (await response.json()) as any };
}

describe('credit codes are validated at the gateway, with the precise reason', () => {
  it.each([
    ['9150015', 'a unified social credit code has 18 characters, got 7'],
    ['91500155MA5UQ01CXDX', 'a unified social credit code has 18 characters, got 19'],
    ['91500155MA5UO01CXD', "illegal character 'O' at position 13: allowed are 0-9 and A-Y except I, O, S, V, Z"],
    ['91500155MA5UQ01CXE', "check character at position 18 should be 'D', got 'E'"],
    ['91500155MA5UQ01C1D', "organization code check character at position 17 should be 'X', got '1'"],
    ['91350100M000100Y4Z', "check character at position 18 should be '3', got 'Z'"],
  ])('%s is refused: %s', async (code, reason) => {
    const { status, body } = await stack.query(NAME, { code });
    expect(status).toBe(200);
    expect(body.data).toBeUndefined();
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0].extensions).toEqual({ code: 'INVALID_CREDIT_CODE', reason, input: code });
    expect(body.errors![0].message).toContain(reason);
  });

  it('gives the same error for a code written inline in the query', async () => {
    const { body } = await stack.query('{ enterprise(code: "91500155MA5UQ01CXE") { code } }');
    expect(body).toMatchInlineSnapshot(`
      {
        "errors": [
          {
            "extensions": {
              "code": "INVALID_CREDIT_CODE",
              "input": "91500155MA5UQ01CXE",
              "reason": "check character at position 18 should be 'D', got 'E'",
            },
            "message": "Invalid unified social credit code: check character at position 18 should be 'D', got 'E'",
          },
        ],
      }
    `);
  });

  it('trims, upper-cases and folds full-width input before checking it', async () => {
    const { body } = await stack.query(NAME, { code: ' ９１５００１５５ma5uq01cxd ' });
    expect(body.errors).toBeUndefined();
    expect(body.data.enterprise).toEqual({
      code: demoCode('clean-sme'),
      marketRegulation: { registration: { name: '重庆清泉精密机械有限公司' } },
    });
  });

  it('refuses a bad code inside a batch, naming its position', async () => {
    const { body } = await stack.query('query($codes: [CreditCode!]!) { enterprises(codes: $codes) { code } }', {
      codes: [demoCode('clean-sme'), '91500155MA5UQ01CXE'],
    });
    expect(body.data).toBeUndefined();
    expect(body.errors![0].message).toContain('codes[1]');
    expect(body.errors![0].extensions.code).toBe('INVALID_CREDIT_CODE');
  });
});

describe('ID numbers are validated under GB 11643, and never echoed', () => {
  it.each([
    ['51010719820315451', 'a resident ID number has 18 characters, got 17'],
    ['510107198202305412', 'positions 7-14 must be a real past birth date'],
    ['510107198203154518', "check character at position 18 should be '7', got '8'"],
  ])('%s is refused', async (idNumber, reason) => {
    const { body } = await stack.query('query($id: IdNumber!) { person(idNumber: $id) { idNumber } }', {
      id: idNumber,
    });
    expect(body.errors![0].extensions).toEqual({ code: 'INVALID_ID_NUMBER', reason });
    expect(JSON.stringify(body)).not.toContain(idNumber);
  });
});

describe('bad requests get a clear GraphQL error, never a crash', () => {
  it('malformed JSON', async () => {
    const { status, body } = await post('{"query": ');
    expect(status).toBe(400);
    expect(body).toMatchInlineSnapshot(`
      {
        "errors": [
          {
            "extensions": {
              "code": "BAD_REQUEST",
            },
            "message": "Request body is not valid JSON",
          },
        ],
      }
    `);
  });

  it('no query', async () => {
    const { status, body } = await post('{"variables": {}}');
    expect(status).toBe(400);
    expect(body.errors[0].extensions.code).toBe('BAD_REQUEST');
  });

  it('a syntax error', async () => {
    const { status, body } = await post(JSON.stringify({ query: '{ enterprise(code: "x") { code ' }));
    expect(status).toBe(200);
    expect(body).toMatchInlineSnapshot(`
      {
        "errors": [
          {
            "extensions": {
              "code": "GRAPHQL_PARSE_FAILED",
            },
            "locations": [
              {
                "column": 32,
                "line": 1,
              },
            ],
            "message": "Syntax Error: Expected Name, found <EOF>.",
          },
        ],
      }
    `);
  });

  it('a syntax error answers 400 to a client that accepts application/graphql-response+json', async () => {
    const response = await fetch(`${stack.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: '{' }),
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/graphql-response+json');
    expect(((await response.json()) as any).errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('an unknown field', async () => {
    const { body } = await post(
      JSON.stringify({ query: '{ enterprise(code: "91500155MA5UQ01CXD") { creditScore } }' }),
    );
    expect(body).toMatchInlineSnapshot(`
      {
        "errors": [
          {
            "extensions": {
              "code": "GRAPHQL_VALIDATION_FAILED",
            },
            "locations": [
              {
                "column": 44,
                "line": 1,
              },
            ],
            "message": "Cannot query field "creditScore" on type "Enterprise". Did you mean "creditRecords" or "creditLists"?",
          },
        ],
      }
    `);
  });

  it('an alias reserved for introspection', async () => {
    const { body } = await post(
      JSON.stringify({ query: '{ __typename: enterprise(code: "91500155MA5UQ01CXD") { code } }' }),
    );
    expect(body).toEqual({
      errors: [
        {
          message: "The alias '__typename' is reserved: names beginning with '__' belong to introspection",
          locations: [{ line: 1, column: 3 }],
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        },
      ],
    });
  });

  it('a missing variable', async () => {
    const { body } = await post(JSON.stringify({ query: NAME }));
    expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('a body that is too large', async () => {
    const { status, body } = await post(JSON.stringify({ query: `{ __typename } #${'x'.repeat(1_100_000)}` }));
    expect(status).toBe(413);
    expect(body.errors[0].extensions.code).toBe('BAD_REQUEST');
  });

  it('a wrong content type and a wrong method', async () => {
    expect((await post('query=x', { 'content-type': 'text/plain' })).status).toBe(415);
    const response = await fetch(`${stack.gatewayUrl}/graphql`, { method: 'DELETE' });
    expect(response.status).toBe(405);
    expect(((await response.json()) as any).errors[0].extensions.code).toBe('BAD_REQUEST');
  });

  it('serves queries over GET too', async () => {
    const url = new URL('/graphql', stack.gatewayUrl);
    url.searchParams.set('query', NAME);
    url.searchParams.set('variables', JSON.stringify({ code: demoCode('clean-sme') }));
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(((await response.json()) as any).data.enterprise.code).toBe(demoCode('clean-sme'));
  });

  it('a subscription', async () => {
    const { body } = await post(
      JSON.stringify({ query: 'subscription { enterprise(code: "91500155MA5UQ01CXD") { code } }' }),
    );
    expect(body.errors[0].extensions.code).toMatch(/GRAPHQL_VALIDATION_FAILED|OPERATION_NOT_SUPPORTED/);
  });
});
