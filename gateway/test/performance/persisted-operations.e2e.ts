import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envName, silentLogger, type SubgraphName } from '@credit-gateway/common';
import { loadConfig, startGateway, type RunningGateway } from '../../src/server.js';
import { startStack, type Stack } from '../support/stack.js';

// The real Redis of the development machine: these tests fail, never skip, when it is not there.
const REDIS_URL = 'redis://127.0.0.1:6379';
const RUN = randomUUID();
const APQ_PREFIX = `cg:apq:test:${RUN}:`;

const APPROVAL_CHECK = `query ApprovalCheck($code: CreditCode!) {
  enterprise(code: $code) {
    code
    marketRegulation { registration { name status } }
    procurement { banned }
  }
}`;
const NAME_ONLY = 'query NameOnly($code: CreditCode!) { enterprise(code: $code) { code } }';
const CODE = '91500112MA60YD7K76';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const persisted = (query: string) => ({ persistedQuery: { version: 1, sha256Hash: sha256(query) } });

let stack: Stack;
let workDir: string;
let redis: Redis;
const gateways: RunningGateway[] = [];

/** Another gateway in front of the stack's subgraphs, with its own settings. */
async function gateway(env: Record<string, string>): Promise<string> {
  const subgraphs = Object.entries(stack.subgraphUrls) as [SubgraphName, string][];
  const running = await startGateway(
    loadConfig({
      PORT: '0',
      ...stack.gatewayEnv,
      REGISTER_DIR: join(workDir, `register-${gateways.length}`),
      ...Object.fromEntries(subgraphs.map(([name, url]) => [`SUBGRAPH_${envName(name)}_URL`, url])),
      ...env,
    }),
    silentLogger(),
  );
  gateways.push(running);
  return running.url;
}

async function post(url: string, body: Record<string, unknown>) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await stack.headers()) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as { data?: any; errors?: any[] } };
}

beforeAll(async () => {
  stack = await startStack({ populationSize: 100 });
  workDir = await mkdtemp(join(tmpdir(), 'credit-gateway-apq-'));
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 0 });
});
afterAll(async () => {
  for (const running of gateways) await running.close();
  await stack?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
  if (redis) {
    const keys = await redis.keys(`${APQ_PREFIX}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  }
});

describe('automatic persisted queries', () => {
  it('asks for the query, remembers it in Redis, then answers the hash alone on every replica', async () => {
    const env = { REDIS_URL, APQ_PREFIX, RATE_LIMIT_PREFIX: `cg:rl:test:${RUN}:` };
    const [first, second] = [await gateway(env), await gateway(env)];
    const variables = { code: CODE };

    const unknown = await post(first, { variables, extensions: persisted(APPROVAL_CHECK) });
    expect(unknown).toEqual({
      status: 200,
      body: { errors: [{ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }] },
    });

    const full = await post(first, { query: APPROVAL_CHECK, variables, extensions: persisted(APPROVAL_CHECK) });
    expect(full.body.errors).toBeUndefined();
    expect(full.body.data.enterprise.code).toBe(CODE);
    expect(await redis.get(`${APQ_PREFIX}${sha256(APPROVAL_CHECK)}`)).toBe(APPROVAL_CHECK);
    expect(await redis.ttl(`${APQ_PREFIX}${sha256(APPROVAL_CHECK)}`)).toBeGreaterThan(0);

    // The other replica never saw the query: it finds it in Redis.
    const byHash = await post(second, { variables, extensions: persisted(APPROVAL_CHECK) });
    expect(byHash.body).toEqual(full.body);
  });

  it('answers a hash over GET', async () => {
    const url = await gateway({});
    await post(url, { query: NAME_ONLY, variables: { code: CODE }, extensions: persisted(NAME_ONLY) });
    const search = new URLSearchParams({
      variables: JSON.stringify({ code: CODE }),
      extensions: JSON.stringify(persisted(NAME_ONLY)),
    });
    const response = await fetch(`${url}/graphql?${search}`, { headers: await stack.headers() });
    expect(await response.json()).toEqual({ data: { enterprise: { code: CODE } } });
  });

  it('keeps queries in the process when Redis is unreachable', async () => {
    const url = await gateway({ REDIS_URL: 'redis://127.0.0.1:1', APQ_PREFIX });
    await post(url, { query: NAME_ONLY, variables: { code: CODE }, extensions: persisted(NAME_ONLY) });
    const byHash = await post(url, { variables: { code: CODE }, extensions: persisted(NAME_ONLY) });
    expect(byHash.body).toEqual({ data: { enterprise: { code: CODE } } });
  });

  it('refuses a query that does not match its hash, and never stores it', async () => {
    const url = await gateway({ REDIS_URL, APQ_PREFIX, RATE_LIMIT_PREFIX: `cg:rl:test:${RUN}:` });
    const forged = { persistedQuery: { version: 1, sha256Hash: sha256(APPROVAL_CHECK) } };
    const { body } = await post(url, { query: NAME_ONLY, variables: { code: CODE }, extensions: forged });
    expect(body.errors).toEqual([
      { message: 'provided sha does not match query', extensions: { code: 'BAD_REQUEST' } },
    ]);
    expect(await redis.get(`${APQ_PREFIX}${sha256(NAME_ONLY)}`)).toBeNull();
  });

  it('stores queries in the cache’s Redis, which evicts, never in the rate limits’ Redis', async () => {
    const url = await gateway({
      REDIS_URL: 'redis://127.0.0.1:1',
      CACHE_REDIS_URL: REDIS_URL,
      APQ_PREFIX,
      RATE_LIMIT_PREFIX: `cg:rl:test:${RUN}:`,
    });
    const query = `${NAME_ONLY} # cache redis`;
    await post(url, { query, variables: { code: CODE }, extensions: persisted(query) });
    await expect.poll(() => redis.get(`${APQ_PREFIX}${sha256(query)}`)).toBe(query);
  });

  it('answers a registered query longer than APQ_MAX_QUERY_BYTES without storing it', async () => {
    const url = await gateway({ REDIS_URL, APQ_PREFIX, APQ_MAX_QUERY_BYTES: '1024' });
    const query = `${NAME_ONLY} # ${'x'.repeat(1_100)}`;
    const full = await post(url, { query, variables: { code: CODE }, extensions: persisted(query) });
    expect(full.body).toEqual({ data: { enterprise: { code: CODE } } });
    const byHash = await post(url, { variables: { code: CODE }, extensions: persisted(query) });
    expect(byHash.body.errors?.[0]?.extensions).toEqual({ code: 'PERSISTED_QUERY_NOT_FOUND' });
    expect(await redis.get(`${APQ_PREFIX}${sha256(query)}`)).toBeNull();
  });

  it('with APQ off, says persisted queries are not supported and still answers full queries', async () => {
    const url = await gateway({ APQ: 'false' });
    const byHash = await post(url, { variables: { code: CODE }, extensions: persisted(NAME_ONLY) });
    expect(byHash.body.errors?.[0]?.extensions).toEqual({ code: 'PERSISTED_QUERY_NOT_SUPPORTED' });
    const full = await post(url, { query: NAME_ONLY, variables: { code: CODE }, extensions: persisted(NAME_ONLY) });
    expect(full.body).toEqual({ data: { enterprise: { code: CODE } } });
  });
});

describe('safelist', () => {
  let url: string;
  beforeAll(async () => {
    const file = join(workDir, 'safelist.json');
    await writeFile(file, JSON.stringify({ [sha256(APPROVAL_CHECK)]: APPROVAL_CHECK }));
    url = await gateway({ SAFELIST_FILE: file, SAFELIST_ONLY: 'true' });
  });

  it('answers a safelisted operation by its hash alone, or sent in full', async () => {
    const byHash = await post(url, { variables: { code: CODE }, extensions: persisted(APPROVAL_CHECK) });
    expect(byHash.body.data.enterprise.code).toBe(CODE);
    const full = await post(url, { query: APPROVAL_CHECK, variables: { code: CODE } });
    expect(full.body).toEqual(byHash.body);
  });

  it.each([
    ['sent in full', { query: NAME_ONLY }],
    ['sent by hash', { extensions: persisted(NAME_ONLY) }],
    ['registered with its hash', { query: NAME_ONLY, extensions: persisted(NAME_ONLY) }],
  ])('refuses any other operation %s', async (_, request) => {
    const { status, body } = await post(url, { ...request, variables: { code: CODE } });
    expect({ status, body }).toEqual({
      status: 200,
      body: {
        errors: [
          {
            message: 'This gateway answers only the operations on its safelist',
            extensions: { code: 'PERSISTED_QUERY_NOT_IN_SAFELIST' },
          },
        ],
      },
    });
  });

  it('refuses to start with SAFELIST_ONLY and no safelist', () => {
    expect(() => loadConfig({ ...stack.gatewayEnv, SAFELIST_ONLY: 'true' })).toThrow(
      'SAFELIST_ONLY=true needs SAFELIST_FILE',
    );
  });
});
