import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCode } from '@credit-gateway/sources';
import { startStack, type Stack } from './support/stack.js';

/**
 * Whatever a caller sends, however deep or large, it gets a 4xx with a code it can switch on and a
 * message of ours: never a 500, never a stack size, a file path or a library's name.
 */
let stack: Stack;
let headers: Record<string, string>;

beforeAll(async () => {
  stack = await startStack({ populationSize: 100 });
  headers = { 'content-type': 'application/json', ...(await stack.headers({ tier: 'GOVERNMENT' })) };
});
afterAll(async () => {
  await stack?.close();
});

const INTERNAL_TEXT = /call stack|RangeError|TypeError|node_modules|\.js:\d|\.ts:\d|graphql-js|apollo|at \w+ \(/i;
const REQUEST_CODES = [
  'QUERY_TOO_DEEP',
  'QUERY_TOO_COSTLY',
  'BAD_REQUEST',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
];

async function post(body: string) {
  const response = await fetch(`${stack.gatewayUrl}/graphql`, {
    method: 'POST',
    headers: { ...headers, accept: 'application/graphql-response+json' },
    body,
  });
  return { status: response.status, text: await response.text() };
}

async function get(parameters: Record<string, string>) {
  const response = await fetch(`${stack.gatewayUrl}/graphql?${new URLSearchParams(parameters)}`, {
    headers: { ...(await stack.headers({ tier: 'GOVERNMENT' })), accept: 'application/graphql-response+json' },
  });
  return { status: response.status, text: await response.text() };
}

function expectCodedRefusal({ status, text }: { status: number; text: string }) {
  expect(status).toBeGreaterThanOrEqual(400);
  expect(status).toBeLessThan(500);
  const body = JSON.parse(text) as { errors?: { message: string; extensions?: { code?: string } }[] };
  expect(body.errors?.length).toBeGreaterThan(0);
  for (const error of body.errors ?? []) expect(REQUEST_CODES).toContain(error.extensions?.code);
  expect(text).not.toMatch(INTERNAL_TEXT);
}

const nested = (depth: number, open: string, inner: string, close: string) =>
  open.repeat(depth) + inner + close.repeat(depth);

/** Deep documents of every shape a caller can nest: selections, lists, objects, arguments. */
const deepDocument = fc.oneof(
  fc.integer({ min: 65, max: 20_000 }).map((n) => `{ ${nested(n, 'enterprise(code: "x") { ', 'code', ' }')} }`),
  fc
    .integer({ min: 65, max: 50_000 })
    .map((n) => `{ enterprises(codes: ${nested(n, '[', `"${demoCode('clean-sme')}"`, ']')}) { code } }`),
  fc.integer({ min: 65, max: 50_000 }).map((n) => `{ enterprise(code: ${nested(n, '{a: ', '1', '}')}) { code } }`),
  fc.integer({ min: 65, max: 20_000 }).map((n) => `query ${nested(n, '(', '$a: Int', ')')} { __typename }`),
  // Flat but huge: the token limit stops the parser.
  fc.integer({ min: 10_001, max: 60_000 }).map((n) => `{ ${'__typename '.repeat(n)} }`),
  // Fragment chains nest no brackets: the token limit bounds them.
  fc
    .integer({ min: 1_500, max: 6_000 })
    .map(
      (n) =>
        `{ ...F0 } ` +
        Array.from({ length: n }, (_, i) => `fragment F${i} on Query { ...F${i + 1} }`).join(' ') +
        ` fragment F${n} on Query { __typename }`,
    ),
);

describe('deep or huge input is refused with a code, never a 500', () => {
  it('documents nested past the limit, in any shape', async () => {
    await fc.assert(
      fc.asyncProperty(deepDocument, async (query) => {
        expectCodedRefusal(await post(JSON.stringify({ query })));
      }),
      { numRuns: 25 },
    );
  });

  it('a long chain of fragments within the token limit is answered, never a 500', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 100, max: 1_400 }), async (n) => {
        const query =
          `{ ...F0 } ` +
          Array.from({ length: n }, (_, i) => `fragment F${i} on Query { ...F${i + 1} }`).join(' ') +
          ` fragment F${n} on Query { __typename }`;
        const { status, text } = await post(JSON.stringify({ query }));
        expect(text).not.toMatch(INTERNAL_TEXT);
        if (status === 200) expect(JSON.parse(text)).toEqual({ data: { __typename: 'Query' } });
        else expectCodedRefusal({ status, text });
      }),
      { numRuns: 10 },
    );
  });

  it('documents whose fields merge hundreds of times over are refused before validation compares them', async () => {
    const code = demoCode('clean-sme');
    const repeated = fc.oneof(
      fc.integer({ min: 26, max: 2_000 }).map((n) => `{ ${`enterprise(code: "${code}") { code } `.repeat(n)} }`),
      fc
        .tuple(fc.integer({ min: 6, max: 40 }), fc.integer({ min: 6, max: 40 }))
        .map(([outer, inner]) => `{ ${`enterprise(code: "${code}") { ${'code '.repeat(inner)} } `.repeat(outer)} }`),
      fc.integer({ min: 26, max: 800 }).map((n) => {
        const names = Array.from({ length: n }, (_, i) => `F${i}`);
        return `{ enterprise(code: "${code}") { ${names.map((f) => `...${f}`).join(' ')} } } ${names
          .map((f) => `fragment ${f} on Enterprise { code }`)
          .join(' ')}`;
      }),
    );
    await fc.assert(
      fc.asyncProperty(
        repeated.filter((query) => query.length < 60_000 && (query.match(/code/g) ?? []).length > 26),
        async (query) => {
          const answer = await post(JSON.stringify({ query }));
          expectCodedRefusal(answer);
          const body = JSON.parse(answer.text) as { errors: { extensions: { code: string } }[] };
          expect(['QUERY_TOO_COSTLY', 'GRAPHQL_PARSE_FAILED']).toContain(body.errors[0]!.extensions.code);
        },
      ),
      { numRuns: 15 },
    );
  });

  it('the same documents sent with GET', async () => {
    await fc.assert(
      fc.asyncProperty(
        deepDocument.filter((query) => query.length < 200_000),
        async (query) => {
          expectCodedRefusal(await get({ query }));
        },
      ),
      { numRuns: 10 },
    );
  });

  it('variables, extensions and whole bodies nested deep, as arrays or objects', async () => {
    const deepJson = fc
      .tuple(fc.integer({ min: 65, max: 100_000 }), fc.boolean())
      .map(([n, arrays]) => (arrays ? nested(n, '[', '1', ']') : nested(n, '{"a":', '1', '}')));
    const query = '{ __typename }';
    await fc.assert(
      fc.asyncProperty(deepJson, fc.constantFrom('variables', 'extensions', 'body'), async (json, where) => {
        const body =
          where === 'body'
            ? `{"query":${JSON.stringify(query)},"x":${json}}`
            : `{"query":"${query}","${where}":{"v":${json}}}`;
        expectCodedRefusal(await post(body));
        // A query string stays within the header limit (512 KB once percent-encoded).
        if (where !== 'body' && json.length < 30_000)
          expectCodedRefusal(await get({ query, [where]: `{"v":${json}}` }));
      }),
      { numRuns: 20 },
    );
  });

  it('says what it refused, in a message of its own', async () => {
    const query = `{ ${nested(3_300, 'enterprise(code: "x") { ', 'code', ' }')} }`;
    const { status, text } = await post(JSON.stringify({ query }));
    expect(status).toBe(400);
    expect(JSON.parse(text)).toMatchInlineSnapshot(`
      {
        "errors": [
          {
            "extensions": {
              "code": "QUERY_TOO_DEEP",
              "maximum": 64,
            },
            "message": "The document nests braces, brackets or parentheses deeper than 64 levels; it was not parsed",
          },
        ],
      }
    `);
    const variables = await post(`{"query":"{ __typename }","variables":${nested(100_000, '{"a":', '1', '}')}}`);
    expect(JSON.parse(variables.text)).toMatchInlineSnapshot(`
      {
        "errors": [
          {
            "extensions": {
              "code": "BAD_REQUEST",
            },
            "message": "Request body nests deeper than 64 levels",
          },
        ],
      }
    `);
  });

  it('still answers a real operation right after', async () => {
    const { status, text } = await post(
      JSON.stringify({ query: '{ enterprise(code: "' + demoCode('clean-sme') + '") { code } }' }),
    );
    expect(status).toBe(200);
    expect(JSON.parse(text)).toEqual({ data: { enterprise: { code: demoCode('clean-sme') } } });
  });
});
