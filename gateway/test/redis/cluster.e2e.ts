import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envName, silentLogger, type SubgraphName } from '@credit-gateway/common';
import { DEMO_SUBJECTS, demoCode } from '@credit-gateway/sources';
import { entityId } from '../../src/cache/entity-cache.js';
import { sha256 } from '../../src/performance/persisted-operations.js';
import { hashTag, keySlot, type RedisKeyspace } from '../../src/redis/provider.js';
import { loadConfig, startGateway } from '../../src/server.js';
import { entityCacheMetrics, scrape, serveMetrics } from '../support/metrics.js';
import { startRedisCluster, type LocalRedisCluster } from '../support/redis-cluster.js';
import { redisProvider } from '../support/redis.js';
import { startStack, type As, type Stack } from '../support/stack.js';

/**
 * Gateway replicas on a real Redis Cluster (six local redis-server nodes, three primaries and
 * their replicas), reached over HTTP only: rate budgets, the entity cache, persisted queries and
 * evictions shared across replicas, and answers that stay right while a primary fails over. The
 * stack's own gateway, with no cache and no Redis, gives the reference answers.
 */
const RUN = `cg-cluster-${randomUUID()}:`;
const SME = demoCode('clean-sme');
const CODES = [...DEMO_SUBJECTS.keys()];
const SCHEMA = '{ __schema { queryType { name } } }';

const PROFILE = /* GraphQL */ `
  query Profile($code: CreditCode!) {
    enterprise(code: $code) {
      code
      tax {
        publishedGrades {
          year
          grade
        }
      }
      courts {
        dishonestDebtorRecords {
          caseNumber
          status
        }
      }
      procurement {
        banned
      }
    }
  }
`;

const SEVERAL = /* GraphQL */ `
  query Several($codes: [CreditCode!]!) {
    enterprises(codes: $codes) {
      code
      tax {
        publishedGrades {
          year
          grade
        }
      }
      courts {
        dishonestDebtorRecords {
          caseNumber
        }
      }
    }
  }
`;

interface Answer {
  status: number;
  body: { data?: any; errors?: { message: string; extensions?: { code?: unknown } }[] };
}

interface Replica {
  url: string;
  metricsUrl: string;
  env: Record<string, string>;
}

let cluster: LocalRedisCluster;
let stack: Stack;
const closers: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  cluster = await startRedisCluster();
  stack = await startStack({ populationSize: 200 });
});

afterAll(async () => {
  for (const closer of closers.reverse()) await closer.close();
  await stack?.close();
  await cluster?.close();
});

/** The Redis environment of a group of replicas: both roles on the cluster, keyspaces of its own. */
function clusterEnv(group: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    REDIS_URL: cluster.urls[0]!,
    REDIS_CLUSTER: 'true',
    // Another seed node for the cache: either one finds the whole cluster.
    CACHE_REDIS_URL: cluster.urls[1]!,
    CACHE_REDIS_CLUSTER: 'true',
    // Every node, so that a replica starting while its URL's node is down still finds the cluster.
    REDIS_CLUSTER_SEEDS: nodeList(),
    CACHE_REDIS_CLUSTER_SEEDS: nodeList(),
    // Generous, so that a loaded machine does not turn a slow answer into a fallback to memory.
    REDIS_TIMEOUT_MS: '2000',
    CACHE_REDIS_TIMEOUT_MS: '2000',
    RATE_LIMIT_PREFIX: `${RUN}${group}:rl:`,
    CACHE_PREFIX: `${RUN}${group}:entity:`,
    CACHE_EVICT_CHANNEL: `${RUN}${group}:evict`,
    APQ_PREFIX: `${RUN}${group}:apq:`,
    ENTITY_CACHE: 'true',
    CACHE_TTLS: 'market=600,tax=600,courts=600,social-security=600,procurement=600',
    ...extra,
  };
}

const nodeList = () => cluster.nodes.map((node) => `127.0.0.1:${node.port}`).join(',');

let replicas = 0;
/** A gateway replica in front of the stack's subgraphs, once both its Redis roles are connected. */
async function replica(env: Record<string, string>): Promise<Replica> {
  const gateway = await startGateway(
    loadConfig({
      PORT: '0',
      ...stack.gatewayEnv,
      REGISTER_DIR: `${stack.gatewayEnv['REGISTER_DIR']}-cluster-${++replicas}`,
      ...Object.fromEntries(
        Object.entries(stack.subgraphUrls).map(([name, url]) => [`SUBGRAPH_${envName(name as SubgraphName)}_URL`, url]),
      ),
      ...env,
    }),
    silentLogger(),
  );
  closers.push(gateway);
  const metrics = await serveMetrics(gateway.gateway.metrics);
  closers.push(metrics);
  await until('both Redis roles up', async () => {
    const page = await scrape(metrics.metricsUrl);
    const up = (role: string) =>
      page.value('credit_gateway_redis_status', { role, connection: 'command', status: 'up' }) === 1;
    return up('state') && up('cache');
  });
  return { url: gateway.url, metricsUrl: metrics.metricsUrl, env };
}

/** Polls `check` until it holds; the test fails, naming `what`, if it never does. */
async function until(what: string, check: () => Promise<boolean>, attempts = 300): Promise<void> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what}: never happened`);
}

async function post(url: string, body: Record<string, unknown>, as?: As): Promise<Answer> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await stack.headers(as)) },
    body: JSON.stringify(body),
    // A hang fails the test with its own error rather than the test's timeout.
    signal: AbortSignal.timeout(30_000),
  });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

const query = (url: string, text: string, variables: Record<string, unknown>, as?: As) =>
  post(url, { query: text, variables }, as);

/** The entity keyspace of a provider of the gateway's own, configured as `env`'s replicas, once connected. */
async function publisherLike(env: Record<string, string>): Promise<RedisKeyspace> {
  const provider = redisProvider(env);
  closers.push(provider);
  const entities = provider.keyspace('entities');
  await until('the publisher connected', () => Promise.resolve(entities.available()));
  return entities;
}

describe('rate limits on a Redis Cluster', () => {
  it('shares one budget between two replicas: spent on one, refused on the other', async () => {
    // The client's own ceiling too, slow enough that its key is still there to look at.
    const env = clusterEnv('rate', { RATE_LIMITS: 'GOVERNMENT=4/1m', RATE_LIMIT_CLIENT: '10/1m' });
    const [a, b] = [await replica(env), await replica(env)];
    const as: As = { client: `cluster-budget-${randomUUID()}` };
    const spent = [];
    for (let i = 0; i < 4; i++) spent.push(await query(a.url, SCHEMA, {}, as));
    expect(spent.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    const refused = await query(b.url, SCHEMA, {}, as);
    expect(refused.status).toBe(429);
    expect(refused.body.errors).toEqual([
      {
        message: expect.stringMatching(/^Too many requests: this tier may send 4 per 1m; retry in \d+ s$/),
        extensions: {
          code: 'RATE_LIMITED',
          scope: 'tier',
          limit: 4,
          period: '1m',
          retryAfterMs: expect.any(Number),
        },
      },
    ]);
    // Another caller still has its own budget on either replica.
    expect((await query(b.url, SCHEMA, {}, { client: `cluster-other-${randomUUID()}` })).status).toBe(200);

    // The caller's buckets, which one script checks together, sit in one slot under its hashed tag.
    const tag = hashTag(`client:${sha256(as.client!).slice(0, 32)}`);
    const keys = await cluster.keys(`${env['RATE_LIMIT_PREFIX']}${tag}*`);
    expect(keys.map((key) => key.slice(`${env['RATE_LIMIT_PREFIX']}${tag}`.length)).sort()).toEqual([
      ':client',
      ':tier:GOVERNMENT',
    ]);
    const slots = await cluster.keySlots(keys);
    expect(slots).toEqual([keySlot(keys[0]!), keySlot(keys[0]!)]);
  });
});

describe('the entity cache, persisted queries and evictions on a Redis Cluster', () => {
  let c: Replica;
  let d: Replica;
  let env: Record<string, string>;
  beforeAll(async () => {
    env = clusterEnv('cache');
    c = await replica(env);
    d = await replica(env);
  });

  it('shares entries between replicas, each entity with its index in one slot, entities across nodes', async () => {
    const reference = await query(stack.gatewayUrl, SEVERAL, { codes: CODES });
    expect(reference.body.errors).toBeUndefined();
    const written = await query(c.url, SEVERAL, { codes: CODES });
    expect(written).toEqual(reference);
    // The writes are not awaited by the answer: wait until every section's entries are in.
    const prefix = env['CACHE_PREFIX']!;
    const entityKeys = (source: string) => cluster.keys(`${prefix}${source}:*`);
    await until('the entries in Redis', async () => (await entityKeys('courts')).length >= CODES.length);

    await stack.resetStats();
    const read = await query(d.url, SEVERAL, { codes: CODES });
    expect(read).toEqual(reference);
    const requests = stack.subgraphRequests();
    expect([requests.market, requests.tax, requests.courts]).toEqual([0, 0, 0]);

    // Every entity's entries and its eviction index share the entity's hash tag, hence its slot;
    // the index of an entity also names the root answer that holds it, in a slot of its own.
    const indexes = await cluster.keys(`${prefix}idx:*`);
    expect(indexes.length).toBeGreaterThanOrEqual(CODES.length);
    const all = [...indexes, ...(await entityKeys('tax')), ...(await entityKeys('courts'))];
    const slots = await cluster.keySlots(all);
    const slotOf = new Map(all.map((key, index) => [key, slots[index]!]));
    for (const key of all) expect(keySlot(key)).toBe(slotOf.get(key));
    for (const key of all.filter((each) => !each.startsWith(`${prefix}idx:`))) {
      const tag = /\{([^}]+)\}/.exec(key)![1]!;
      expect(slotOf.get(key)).toBe(slotOf.get(`${prefix}idx:${hashTag(tag)}`));
    }
    // The enterprises' entries sit on more than one primary: one read spanned several nodes.
    const primaries = new Set(
      await Promise.all(CODES.map((code) => cluster.primaryOf(keySlot(hashTag(entityId('Enterprise', { code })))))),
    );
    expect(primaries.size).toBeGreaterThan(1);
    for (const replicaUrl of [c.metricsUrl, d.metricsUrl])
      expect((await entityCacheMetrics(replicaUrl)).redisErrors).toBe(0);
  });

  it('serves a query persisted on one replica from the other', async () => {
    const text = `${PROFILE}\n# persisted ${randomUUID()}`;
    const hash = sha256(text);
    const persisted = { persistedQuery: { version: 1, sha256Hash: hash } };
    const unknown = await post(d.url, { variables: { code: SME }, extensions: persisted });
    expect(unknown.body.errors?.map((error) => error.extensions?.code)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    const registered = await post(c.url, { query: text, variables: { code: SME }, extensions: persisted });
    expect(registered.body.errors).toBeUndefined();
    await until('the query in Redis', async () => (await cluster.keys(`${env['APQ_PREFIX']}${hash}`)).length === 1);
    const byHash = await post(d.url, { variables: { code: SME }, extensions: persisted });
    expect(byHash).toEqual(registered);
  });

  it('drops an evicted entity, then a whole source, from every replica and from every primary', async () => {
    const sme = entityId('Enterprise', { code: SME });
    await query(c.url, PROFILE, { code: SME });
    await until('the entries in Redis', async () => (await cluster.keys(`${env['CACHE_PREFIX']}*${sme}*`)).length > 2);
    // D reads them, and keeps them in its memory too.
    await query(d.url, PROFILE, { code: SME });
    const evictions = async () =>
      Promise.all([c, d].map(async (each) => (await entityCacheMetrics(each.metricsUrl)).evictions));
    const before = await evictions();

    // Published through a seed node neither replica subscribed on, as any replica publishes.
    const publisher = await publisherLike({ ...env, CACHE_REDIS_URL: cluster.urls[2]! });
    await publisher.publish(JSON.stringify({ typename: 'Enterprise', key: { code: SME } }));
    await until('the eviction on both replicas', async () =>
      (await evictions()).every((count, index) => count > before[index]!),
    );
    // The entity's index, its entries and the root answers that held it: gone from every primary.
    expect(await cluster.keys(`${env['CACHE_PREFIX']}*${sme}*`)).toEqual([]);
    for (const each of [d, c]) {
      await stack.resetStats();
      const answer = await query(each.url, PROFILE, { code: SME });
      expect(answer.body.errors).toBeUndefined();
      // D dropped its own copy: it asks the sources again, and C then finds D's fresh entries.
      expect(stack.subgraphRequests()).toMatchObject(each === d ? { market: 1, tax: 1 } : { market: 0, tax: 0 });
      await until('the entries in Redis', async () => {
        const [tax, market] = await Promise.all([
          cluster.keys(`${env['CACHE_PREFIX']}tax:*${sme}*`),
          cluster.keys(`${env['CACHE_PREFIX']}market:*`),
        ]);
        return tax.length > 0 && market.length > 0;
      });
    }

    const afterEntity = await evictions();
    await publisher.publish(JSON.stringify({ source: 'tax' }));
    await until('the source eviction on both replicas', async () =>
      (await evictions()).every((count, index) => count > afterEntity[index]!),
    );
    expect(await cluster.keys(`${env['CACHE_PREFIX']}tax:*`)).toEqual([]);
    expect((await cluster.keys(`${env['CACHE_PREFIX']}courts:*`)).length).toBeGreaterThan(0);
    await stack.resetStats();
    await query(c.url, PROFILE, { code: SME });
    expect(stack.subgraphRequests()).toMatchObject({ tax: 1, courts: 0, procurement: 0 });
  });

  it('builds every key family of one entity into one slot, as the cluster computes slots', async () => {
    const entities = await publisherLike(env);
    const hex = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 32, maxLength: 32 });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<SubgraphName>('market', 'tax', 'courts', 'procurement', 'social-security'),
        hex,
        fc.string({ maxLength: 40 }),
        async (subgraph, eid, scope) => {
          const keys = [entities.key(subgraph, hashTag(eid), scope), entities.key('idx', hashTag(eid))];
          const slots = await cluster.keySlots(keys);
          expect(slots).toEqual([keySlot(keys[0]!), keySlot(keys[0]!)]);
        },
      ),
      { numRuns: 100 },
    );
    // And the slot function agrees with the cluster on any text, braces and all.
    await fc.assert(
      fc.asyncProperty(
        fc.string({
          unit: fc.oneof(fc.constantFrom('{', '}'), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })),
          maxLength: 30,
        }),
        async (key) => {
          expect(await cluster.keySlots([key])).toEqual([keySlot(key)]);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('a primary failing over under load', () => {
  it('answers right or with a coded error throughout, then shares the cache again', async () => {
    // One entry in each replica's memory: nearly every answer is read from the cluster.
    const env = clusterEnv('failover', { CACHE_LRU_ENTRIES: '1' });
    const e = await replica(env);
    const f = await replica(env);
    // Every request names the enterprise whose primary is killed, besides another or all.
    const requests = [
      { text: PROFILE, variables: { code: SME } },
      ...CODES.filter((code) => code !== SME).map((code) => ({ text: SEVERAL, variables: { codes: [code, SME] } })),
      { text: SEVERAL, variables: { codes: CODES } },
    ];
    const reference = await Promise.all(requests.map((each) => query(stack.gatewayUrl, each.text, each.variables)));
    for (const answer of reference) expect([answer.status, answer.body.errors]).toEqual([200, undefined]);
    for (const each of requests) await query(e.url, each.text, each.variables);

    const outcomes: { answer: Answer; expected: Answer; afterFailover: boolean }[] = [];
    let failedOver = false;
    let stop = false;
    const worker = async (worker: number) => {
      for (let i = worker; !stop; i += 4) {
        const which = i % requests.length;
        const answer = await query(i % 2 === 0 ? e.url : f.url, requests[which]!.text, requests[which]!.variables);
        outcomes.push({ answer, expected: reference[which]!, afterFailover: failedOver });
      }
    };
    const load = Promise.all([0, 1, 2, 3].map(worker));
    // The primary of the enterprise every request names.
    const primary = await cluster.primaryOf(keySlot(hashTag(entityId('Enterprise', { code: SME }))));
    const promoted = await cluster.killPrimary(primary);
    failedOver = true;
    expect(promoted).not.toBe(primary);
    await until('answers after the failover', async () => outcomes.filter((each) => each.afterFailover).length >= 40);
    stop = true;
    await load;

    for (const { answer, expected } of outcomes) {
      const errors = answer.body.errors ?? [];
      for (const error of errors) expect(error.extensions?.code, error.message).toEqual(expect.any(String));
      if (errors.length === 0) {
        expect(answer).toEqual(expected);
        continue;
      }
      // An error errs on the safe side: whatever data comes with it is the right data, or none.
      expect(answer.status === 200 || (answer.status >= 400 && answer.status < 600)).toBe(true);
      expectPartOf(answer.body.data ?? null, expected.body.data);
    }
    expect(outcomes.length).toBeGreaterThan(40);
    // The load did reach the primary that went away.
    const redisErrors = await Promise.all(
      [e, f].map(async (each) => (await entityCacheMetrics(each.metricsUrl)).redisErrors),
    );
    expect(redisErrors.some((count) => count > 0)).toBe(true);

    // A replica starting now, its URLs naming the dead primary, finds the cluster through the other
    // nodes; on the new primary the replicas share entries again: the evicted source is fetched by
    // one replica, then read by the newcomer from Redis.
    const dead = `redis://127.0.0.1:${primary}`;
    const g = await replica({ ...env, REDIS_URL: dead, CACHE_REDIS_URL: dead });
    const publisher = await publisherLike({ ...env, CACHE_REDIS_URL: dead });
    await until(
      'the cache shared again after the failover',
      async () => {
        await publisher.publish(JSON.stringify({ source: 'tax' }));
        await until('no tax entries', async () => (await cluster.keys(`${env['CACHE_PREFIX']}tax:*`)).length === 0);
        await query(e.url, PROFILE, { code: SME });
        await until('the tax entry', async () => (await cluster.keys(`${env['CACHE_PREFIX']}tax:*`)).length > 0);
        await stack.resetStats();
        const answer = await query(g.url, PROFILE, { code: SME });
        expect(answer).toEqual(reference[0]);
        return stack.subgraphRequests().tax === 0;
      },
      20,
    );
  });
});

/** `actual` is `expected` with some values (and lists) possibly null: nothing in it is wrong. */
function expectPartOf(actual: unknown, expected: unknown): void {
  if (actual === null) return;
  if (Array.isArray(actual)) {
    expect(Array.isArray(expected)).toBe(true);
    expect(actual.length).toBe((expected as unknown[]).length);
    actual.forEach((item, index) => expectPartOf(item, (expected as unknown[])[index]));
    return;
  }
  if (typeof actual === 'object') {
    expect(typeof expected).toBe('object');
    for (const [field, value] of Object.entries(actual))
      expectPartOf(value, (expected as Record<string, unknown>)[field]);
    return;
  }
  expect(actual).toEqual(expected);
}
