import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { afterEach, describe, expect, it } from 'vitest';
import { ConsentRequiredError, silentLogger, type InternalClaims, type InternalSigner } from '@credit-gateway/common';
import type { Access, RequestContext } from '../../src/pipeline/context.js';
import { NO_HOOKS } from '../../src/pipeline/hooks.js';
import { SubgraphFetch } from '../../src/pipeline/subgraph-fetch.js';

/** A subgraph stand-in that holds every answer until released, and counts what reaches it. */
interface TestSubgraph {
  url: string;
  requests: { authorization: string | undefined; body: string }[];
  connections: number;
  /** Requests received and not yet answered. */
  waiting(): number;
  release(): void;
  close(): Promise<void>;
}

async function testSubgraph(answer: (body: string) => { status: number; body: string } = defaultAnswer) {
  const held: (() => void)[] = [];
  const arrivals: (() => void)[] = [];
  const subgraph = {
    requests: [] as TestSubgraph['requests'],
    connections: 0,
  };
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      subgraph.requests.push({ authorization: request.headers.authorization, body });
      held.push(() => {
        const { status, body: text } = answer(body);
        response.writeHead(status, { 'content-type': 'application/json' }).end(text);
      });
      for (const arrived of arrivals.splice(0)) arrived();
    });
  });
  server.on('connection', () => subgraph.connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(subgraph, {
    url: `http://127.0.0.1:${port}/graphql`,
    waiting: () => held.length,
    /** Resolves once `count` requests are held. */
    async arrived(count: number): Promise<void> {
      while (held.length < count) await new Promise<void>((resolve) => arrivals.push(resolve));
    },
    release: () => {
      for (const send of held.splice(0)) send();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

function defaultAnswer(body: string) {
  const { variables } = JSON.parse(body) as { variables?: { code?: string } };
  return { status: 200, body: JSON.stringify({ data: { enterprise: { code: variables?.code ?? null } } }) };
}

const QUERY = 'query Q($code: String) { enterprise(code: $code) { code } }';

/** A GOVERNMENT caller of client `client`: access the tests tell apart by its token, `token-<client>`. */
function access(client = 'a', overrides: Partial<Access> = {}): Access {
  return { tier: 'GOVERNMENT', client, purpose: null, consents: {}, department: null, ...overrides };
}

/** Signs `token-<client>`, or with `fresh`, a new token on every signing, as signings at different times would. */
function testSigner(fresh = false): InternalSigner & { signed: InternalClaims[] } {
  const signed: InternalClaims[] = [];
  return {
    signed,
    sign: (claims) => {
      signed.push(claims);
      return Promise.resolve(fresh ? `token-${signed.length}` : `token-${claims.client ?? 'public'}`);
    },
  };
}

/** The request context a subgraph fetch reads: a fresh one per call unless one is given. */
function context(claims: Access, requestId = 'request-1'): RequestContext {
  return {
    requestId,
    logger: silentLogger(),
    hooks: NO_HOOKS,
    access: claims,
    accessKey: undefined,
    internalToken: undefined,
    staleSources: new Set(),
    consentDenials: undefined,
  } as unknown as RequestContext;
}

function options(
  code: string,
  claims: Access | RequestContext = access(),
  query = QUERY,
  requestId = 'request-1',
): GraphQLDataSourceProcessOptions<RequestContext> {
  return {
    kind: 'incoming operation',
    request: { query, variables: { code } },
    context: 'requestId' in claims ? claims : context(claims, requestId),
  } as unknown as GraphQLDataSourceProcessOptions<RequestContext>;
}

const CODE = '91500112MA60YD7K76';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(
  performance: { dedupe: boolean; subgraphConnections: number; mergeFetches?: boolean },
  answer?: typeof defaultAnswer,
  signer = testSigner(),
) {
  const subgraph = await testSubgraph(answer);
  cleanups.push(() => subgraph.close());
  const source = new SubgraphFetch('market', subgraph.url, {
    timeoutMs: 5_000,
    performance: { mergeFetches: false, ...performance },
    signer,
  });
  cleanups.push(() => source.close());
  return { subgraph, source, signer };
}

describe('subgraph fetches', () => {
  it('sends two identical fetches in flight once, and both get the answer', async () => {
    const { subgraph, source } = await setUp({ dedupe: true, subgraphConnections: 8 });
    const first = source.process(options('91500112MA60YD7K76'));
    const second = source.process(options('91500112MA60YD7K76'));
    await subgraph.arrived(1);
    subgraph.release();
    const answers = await Promise.all([first, second]);
    expect(subgraph.requests).toHaveLength(1);
    expect(answers).toEqual([
      { data: { enterprise: { code: '91500112MA60YD7K76' } } },
      { data: { enterprise: { code: '91500112MA60YD7K76' } } },
    ]);
    // Each caller gets its own copy: the planner may change what it is handed.
    expect(answers[0]).not.toBe(answers[1]);
  });

  it('sends fetches that differ in variables or access separately', async () => {
    const { subgraph, source } = await setUp({ dedupe: true, subgraphConnections: 8 });
    const pending = [
      source.process(options('91500112MA60YD7K76', access('a'))),
      source.process(options('91500155MA5UQ01CXD', access('a'))),
      source.process(options('91500112MA60YD7K76', access('b'))),
    ];
    await subgraph.arrived(3);
    subgraph.release();
    await Promise.all(pending);
    expect(subgraph.requests.map((r) => r.authorization).sort()).toEqual([
      'Bearer token-a',
      'Bearer token-a',
      'Bearer token-b',
    ]);
  });

  it('shares a fetch between requests with the same access, each with its own internal token', async () => {
    const { subgraph, source } = await setUp({ dedupe: true, subgraphConnections: 8 }, undefined, testSigner(true));
    const same = { client: 'approval', purpose: 'ADMINISTRATIVE_LICENSING' };
    const pending = [
      source.process(options(CODE, access(same.client, same))),
      source.process(options(CODE, access(same.client, same))),
      source.process(options(CODE, access(same.client, { ...same, tier: 'ANALYST' }))),
      source.process(options(CODE, access(same.client, { ...same, purpose: 'LOAN_APPROVAL' }))),
      source.process(options(CODE, access(same.client, { ...same, consents: { [CODE]: ['TAX_PAYMENTS'] } }))),
    ];
    await subgraph.arrived(4);
    subgraph.release();
    await Promise.all(pending);
    expect(subgraph.requests).toHaveLength(4);
  });

  it('signs once per request, on its first fetch, and keys nothing on the token', async () => {
    const signer = testSigner(true);
    const { subgraph, source } = await setUp({ dedupe: true, subgraphConnections: 8 }, undefined, signer);
    const request = context(access('a'));
    const pending = [source.process(options(CODE, request)), source.process(options('91500155MA5UQ01CXD', request))];
    await subgraph.arrived(2);
    subgraph.release();
    await Promise.all(pending);
    expect(signer.signed).toEqual([access('a')]);
    expect(subgraph.requests.map((r) => r.authorization)).toEqual(['Bearer token-1', 'Bearer token-1']);
  });

  it('sends a fetch again once the identical one has been answered', async () => {
    const { subgraph, source } = await setUp({ dedupe: true, subgraphConnections: 8 });
    const first = source.process(options('91500112MA60YD7K76'));
    await subgraph.arrived(1);
    subgraph.release();
    await first;
    const second = source.process(options('91500112MA60YD7K76'));
    await subgraph.arrived(1);
    subgraph.release();
    await second;
    expect(subgraph.requests).toHaveLength(2);
  });

  it('with DEDUPE off, sends every fetch', async () => {
    const { subgraph, source } = await setUp({ dedupe: false, subgraphConnections: 8 });
    const pending = [source.process(options('91500112MA60YD7K76')), source.process(options('91500112MA60YD7K76'))];
    await subgraph.arrived(2);
    subgraph.release();
    await Promise.all(pending);
    expect(subgraph.requests).toHaveLength(2);
  });

  it('keeps connections alive and opens no more than SUBGRAPH_CONNECTIONS', async () => {
    const { subgraph, source } = await setUp({ dedupe: true, subgraphConnections: 2 });
    const codes = ['91500112MA60YD7K76', '91500155MA5UQ01CXD', '91110000600037341L', '91310000132200821H'];
    const pending = codes.map((code) => source.process(options(code)));
    await subgraph.arrived(2);
    // The other two wait for a connection of the pool.
    expect(subgraph.waiting()).toBe(2);
    subgraph.release();
    await subgraph.arrived(2);
    subgraph.release();
    await Promise.all(pending);
    for (const code of codes) {
      const next = source.process(options(code));
      await subgraph.arrived(1);
      subgraph.release();
      await next;
    }
    expect(subgraph.requests).toHaveLength(8);
    expect(subgraph.connections).toBe(2);
  });

  it('notes the consents the subgraph found missing in the request context, as it decided them', async () => {
    const refusal = new ConsentRequiredError({ field: 'TaxSection.payments', consent: 'TAX_PAYMENTS', subject: CODE });
    const { subgraph, source } = await setUp({ dedupe: true, subgraphConnections: 8 }, () => ({
      status: 200,
      body: JSON.stringify({
        data: { enterprise: { tax: { payments: null } } },
        errors: [
          { ...refusal.toJSON(), path: ['enterprise', 'tax', 'payments'] },
          { message: 'department down', path: ['enterprise', 'tax'], extensions: { code: 'SOURCE_UNAVAILABLE' } },
        ],
      }),
    }));
    const request = context(access('a', { tier: 'AUTHORIZED' }));
    const answer = source.process(options(CODE, request));
    await subgraph.arrived(1);
    subgraph.release();
    expect((await answer).errors).toHaveLength(2);
    expect(request.consentDenials).toEqual([{ field: 'TaxSection.payments', consent: 'TAX_PAYMENTS', subject: CODE }]);
  });

  it('maps an error status and a body that is not JSON to the department errors', async () => {
    const { subgraph, source } = await setUp({ dedupe: true, subgraphConnections: 2 }, (body) =>
      body.includes('91500112MA60YD7K76') ? { status: 503, body: '{}' } : { status: 200, body: 'not json' },
    );
    const unavailable = source.process(options('91500112MA60YD7K76'));
    const garbage = source.process(options('91500155MA5UQ01CXD'));
    await subgraph.arrived(2);
    subgraph.release();
    const codes = (await Promise.all([unavailable, garbage])).map((r) => r.errors?.[0]?.extensions?.['code']);
    expect(codes).toEqual(['SOURCE_UNAVAILABLE', 'SOURCE_BAD_RESPONSE']);
  });
});

/** A subgraph that answers merged operations as a GraphQL server would: each copy under its alias. */
function mergingAnswer(body: string): { status: number; body: string } {
  const { query, variables = {} } = JSON.parse(body) as { query: string; variables?: Record<string, string> };
  if (query.startsWith('mutation')) return defaultAnswer(body);
  const data: Record<string, unknown> = {};
  const errors: unknown[] = [];
  for (const [name, code] of Object.entries(variables)) {
    const alias = name === 'code' ? 'enterprise' : name.replace(/code$/, 'enterprise');
    if (code === 'NOT-A-CODE') return { status: 400, body: JSON.stringify({ errors: [{ message: 'bad code' }] }) };
    if (code === '91110000600037341L') {
      data[alias] = null;
      errors.push({ message: 'department down', path: [alias, 'code'], extensions: { code: 'SOURCE_UNAVAILABLE' } });
    } else data[alias] = { code };
  }
  return { status: 200, body: JSON.stringify(errors.length > 0 ? { data, errors } : { data }) };
}

describe('merged fetches', () => {
  const codes = ['91500112MA60YD7K76', '91500155MA5UQ01CXD', '91310000132200821H'];

  it('sends queries with the same text and access started together as one request, and splits the answer', async () => {
    const { subgraph, source } = await setUp(
      { dedupe: true, subgraphConnections: 8, mergeFetches: true },
      mergingAnswer,
    );
    const pending = codes.map((code, i) => source.process(options(code, access('a'), QUERY, `request-${i}`)));
    await subgraph.arrived(1);
    subgraph.release();
    const answers = await Promise.all(pending);
    expect(answers).toEqual(codes.map((code) => ({ data: { enterprise: { code } } })));
    expect(subgraph.requests).toHaveLength(1);
    const sent = JSON.parse(subgraph.requests[0]!.body) as { query: string; variables: unknown };
    expect(sent.query).toBe(
      'query Q($_0_code: String, $_1_code: String, $_2_code: String) {\n' +
        '  _0_enterprise: enterprise(code: $_0_code) {\n    code\n  }\n' +
        '  _1_enterprise: enterprise(code: $_1_code) {\n    code\n  }\n' +
        '  _2_enterprise: enterprise(code: $_2_code) {\n    code\n  }\n}',
    );
    expect(sent.variables).toEqual({ _0_code: codes[0], _1_code: codes[1], _2_code: codes[2] });
    expect(source.metrics).toMatchObject({ requests: 1, operations: 3, merged: 3, unmerged: 0 });
  });

  it('never merges fetches with different access, and never mutations', async () => {
    const { subgraph, source } = await setUp(
      { dedupe: true, subgraphConnections: 8, mergeFetches: true },
      mergingAnswer,
    );
    const mutation = 'mutation M($code: String) { enterprise(code: $code) { code } }';
    const pending = [
      source.process(options(codes[0]!, access('a'))),
      source.process(options(codes[1]!, access('b'))),
      source.process(options(codes[0]!, access('a'), mutation)),
      source.process(options(codes[1]!, access('a'), mutation)),
    ];
    await subgraph.arrived(4);
    subgraph.release();
    await Promise.all(pending);
    expect(subgraph.requests).toHaveLength(4);
    expect(source.metrics.merged).toBe(0);
  });

  it('gives an error on one copy’s path to that copy alone, with the path it would have had', async () => {
    const { subgraph, source } = await setUp(
      { dedupe: true, subgraphConnections: 8, mergeFetches: true },
      mergingAnswer,
    );
    const pending = [codes[0]!, '91110000600037341L'].map((code) => source.process(options(code)));
    await subgraph.arrived(1);
    subgraph.release();
    const [clean, failed] = await Promise.all(pending);
    expect(clean).toEqual({ data: { enterprise: { code: codes[0] } } });
    expect(failed).toEqual({
      data: { enterprise: null },
      errors: [
        { message: 'department down', path: ['enterprise', 'code'], extensions: { code: 'SOURCE_UNAVAILABLE' } },
      ],
    });
  });

  it('sends each copy alone when one spoils the merged request, so the others are still answered', async () => {
    const { subgraph, source } = await setUp(
      { dedupe: true, subgraphConnections: 8, mergeFetches: true },
      mergingAnswer,
    );
    const pending = [codes[0]!, 'NOT-A-CODE', codes[1]!].map((code) => source.process(options(code)));
    await subgraph.arrived(1);
    subgraph.release();
    await subgraph.arrived(3);
    subgraph.release();
    const [first, bad, third] = await Promise.all(pending);
    expect(first).toEqual({ data: { enterprise: { code: codes[0] } } });
    expect(third).toEqual({ data: { enterprise: { code: codes[1] } } });
    expect(bad?.errors?.[0]?.extensions?.['code']).toBe('SOURCE_BAD_RESPONSE');
    expect(subgraph.requests).toHaveLength(4);
    expect(source.metrics).toMatchObject({ requests: 4, merged: 3, unmerged: 3 });
  });

  it('fails every copy when the subgraph cannot be reached at all', async () => {
    const { subgraph, source } = await setUp({ dedupe: true, subgraphConnections: 8, mergeFetches: true }, () => ({
      status: 503,
      body: '{}',
    }));
    const pending = codes.map((code) => source.process(options(code)));
    await subgraph.arrived(1);
    subgraph.release();
    const answers = await Promise.all(pending);
    expect(answers.map((answer) => answer.errors?.[0]?.extensions?.['code'])).toEqual([
      'SOURCE_UNAVAILABLE',
      'SOURCE_UNAVAILABLE',
      'SOURCE_UNAVAILABLE',
    ]);
    expect(subgraph.requests).toHaveLength(1);
  });
});
