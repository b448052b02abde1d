import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '@credit-gateway/common';
import { createRateLimiter, DEFAULT_RATE_LIMITS } from '../../src/limits/rate-limit.js';
import { hashTag, keySlot, type RedisProvider } from '../../src/redis/provider.js';
import { privateRedis, redisProvider, type PrivateRedis } from '../support/redis.js';

// The real Redis of the development machine (the state role here), and a private redis-server (the
// cache role) that the tests take away and bring back. These tests fail, never skip, without them.
const REDIS_URL = 'redis://127.0.0.1:6379';
const RUN = `cg:test:provider:${randomUUID()}:`;

let admin: Redis;
let cache: PrivateRedis;
let cacheAdmin: Redis;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  admin = new Redis(REDIS_URL);
  cache = await privateRedis();
  cacheAdmin = new Redis(cache.url, { retryStrategy: () => 50 });
  cacheAdmin.on('error', () => undefined);
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  const keys = await admin.keys(`${RUN}*`);
  if (keys.length > 0) await admin.del(...keys);
  await admin.quit();
  cacheAdmin?.disconnect();
  await cache?.kill();
});

let providers = 0;
/** A provider of the run's own: the state role on the shared Redis, the cache role on the private one. */
function provider(env: Record<string, string> = {}): RedisProvider {
  const made = redisProvider({
    REDIS_URL,
    CACHE_REDIS_URL: cache.url,
    RATE_LIMIT_PREFIX: `${RUN}${++providers}:rl:`,
    CACHE_PREFIX: `${RUN}${providers}:entity:`,
    CACHE_EVICT_CHANNEL: `${RUN}${providers}:evict`,
    APQ_PREFIX: `${RUN}${providers}:apq:`,
    ...env,
  });
  cleanups.push(() => made.close());
  return made;
}

const subscribers = async (redis: Redis, channel: string) =>
  ((await redis.pubsub('NUMSUB', channel)) as [string, number])[1];

describe('Redis provider: roles and keyspaces', () => {
  it('connects nothing until a keyspace is used, then each role once', async () => {
    const redis = provider();
    expect(redis.health()).toEqual({
      state: { status: 'idle', cluster: false, keyspaces: { rateLimits: `${RUN}${providers}:rl:` } },
      cache: {
        status: 'idle',
        cluster: false,
        keyspaces: { entities: `${RUN}${providers}:entity:`, persistedOperations: `${RUN}${providers}:apq:` },
      },
    });
    const entities = redis.keyspace('entities');
    // The two keyspaces of the cache role share its one command connection; the state has its own.
    expect(entities.client()).toBe(redis.keyspace('persistedOperations').client());
    expect(redis.keyspace('rateLimits').client()).not.toBe(entities.client());
    await vi.waitFor(() => expect(redis.health().state.status).toBe('up'), { timeout: 10_000 });
    await vi.waitFor(() => expect(redis.health().cache.status).toBe('up'), { timeout: 10_000 });
  });

  it("writes each keyspace's keys, under its prefix, to its role's Redis", async () => {
    const redis = provider();
    const rateLimits = redis.keyspace('rateLimits');
    const entities = redis.keyspace('entities');
    const persisted = redis.keyspace('persistedOperations');
    await vi.waitFor(() =>
      expect([rateLimits, entities].map((keyspace) => keyspace.available())).toEqual([true, true]),
    );

    const rateKey = rateLimits.key(hashTag('client:c1'), 'tier', 'PUBLIC');
    const entityKey = entities.key('tax', hashTag('e1'), 'scope');
    const queryKey = persisted.key('0a1b');
    expect([rateKey, entityKey, queryKey]).toEqual([
      `${RUN}${providers}:rl:{client:c1}:tier:PUBLIC`,
      `${RUN}${providers}:entity:tax:{e1}:scope`,
      `${RUN}${providers}:apq:0a1b`,
    ]);
    await rateLimits.client()!.set(rateKey, 'state');
    await entities.client()!.set(entityKey, 'entity');
    await persisted.client()!.set(queryKey, 'query');
    expect(await admin.mget(rateKey, entityKey, queryKey)).toEqual(['state', null, null]);
    expect(await cacheAdmin.mget(rateKey, entityKey, queryKey)).toEqual([null, 'entity', 'query']);
    await cacheAdmin.del(entityKey, queryKey);
  });

  it('puts persisted queries in the state role when there is no cache Redis', async () => {
    const redis = provider({ CACHE_REDIS_URL: '' });
    const persisted = redis.keyspace('persistedOperations');
    expect(persisted.client()).toBe(redis.keyspace('rateLimits').client());
    expect(redis.keyspace('entities').shared).toBe(false);
    expect(redis.health().cache.status).toBe('memory');
    expect(redis.health().state.keyspaces).toEqual({
      rateLimits: `${RUN}${providers}:rl:`,
      persistedOperations: `${RUN}${providers}:apq:`,
    });
  });

  it('refuses a hash tag holding a brace, which would move the key to another slot', () => {
    expect(hashTag('client:c1')).toBe('{client:c1}');
    expect(() => hashTag('a}b')).toThrow('A hash tag cannot hold a brace');
    expect(() => hashTag('')).toThrow('A hash tag cannot be empty');
  });

  it('computes the Cluster slot of a key as CLUSTER KEYSLOT does, hash tags and all', () => {
    // What a Redis 7 node in Cluster mode answers to CLUSTER KEYSLOT for each key.
    const slots = {
      somekey: 11058,
      'foo{hash_tag}': 2515,
      hash_tag: 2515,
      // An empty first tag is no tag: the whole key is hashed.
      'foo{}{bar}': 8363,
      'foo{{bar}}zap': 4015,
      'foo{bar}{zap}': 5061,
      '{}': 15257,
      'a{b': 13340,
    };
    expect(Object.fromEntries(Object.keys(slots).map((key) => [key, keySlot(key)]))).toEqual(slots);
  });

  it("scans its own keys only, reading the prefix's glob characters as themselves", async () => {
    const prefix = `${RUN}[scan]*:`;
    const redis = provider({ REDIS_URL: '', CACHE_REDIS_URL: REDIS_URL, CACHE_PREFIX: prefix });
    const entities = redis.keyspace('entities');
    await vi.waitFor(() => expect(entities.available()).toBe(true));
    const mine = [`${prefix}tax:{a}:x`, `${prefix}tax:{b}:y`];
    // What the pattern would also match if its brackets and star were read as a glob.
    const others = [`${prefix}courts:{a}:x`, `${RUN}sXYZ:tax:{c}:z`, `${RUN}[scan]other:tax:{d}`];
    for (const key of [...mine, ...others]) await admin.set(key, '1');
    const found: string[] = [];
    for await (const key of entities.scan('tax:')) found.push(key);
    expect(found.sort()).toEqual(mine);
  });

  it('reports the memory in use on its Redis', async () => {
    const entities = provider().keyspace('entities');
    await vi.waitFor(() => expect(entities.available()).toBe(true));
    const info = await cacheAdmin.info('memory');
    const used = await entities.usedMemory();
    expect(Number.isFinite(used)).toBe(true);
    // Within a tenth of what the server itself reported a moment before.
    expect(Math.abs(used - Number(/^used_memory:(\d+)/m.exec(info)![1]))).toBeLessThan(used / 10);
    expect(entities.maxBytes).toBe(256 * 1024 * 1024);
    expect(provider().keyspace('rateLimits').maxBytes).toBeUndefined();
  });
});

describe('Redis provider: the in-memory fallback', () => {
  it('keeps a role without a URL in this process: no client, no connection, messages delivered here', async () => {
    const redis = provider({ REDIS_URL: '', CACHE_REDIS_URL: '' });
    const entities = redis.keyspace('entities');
    expect([entities.shared, entities.client(), entities.available()]).toEqual([false, undefined, false]);
    expect(redis.health()).toMatchObject({ state: { status: 'memory' }, cache: { status: 'memory' } });

    const heard: string[][] = [[], []];
    entities.subscribe((message) => void heard[0]!.push(message));
    const stop = entities.subscribe((message) => void heard[1]!.push(message));
    await entities.publish('first');
    stop();
    await entities.publish('second');
    expect(heard).toEqual([['first', 'second'], ['first']]);
    expect(await entities.usedMemory()).toBe(0);
    expect(() => redis.keyspace('persistedOperations').subscribe(() => undefined)).toThrow(
      'The persistedOperations keyspace has no channel',
    );
  });

  it('lets the rate limits count in memory on a state role without a URL', async () => {
    const limiter = createRateLimiter({
      redis: provider({ REDIS_URL: '' }).keyspace('rateLimits'),
      limits: {
        ...DEFAULT_RATE_LIMITS,
        tiers: { ...DEFAULT_RATE_LIMITS.tiers, PUBLIC: { limit: 2, periodMs: 60_000 } },
      },
      logger: silentLogger(),
    });
    const check = () => limiter.check({ tier: 'PUBLIC', client: null, ip: '10.0.0.1' });
    expect(limiter.isShared()).toBe(false);
    expect((await check()).allowed).toBe(true);
    expect((await check()).allowed).toBe(true);
    expect(await check()).toMatchObject({ allowed: false, scope: 'tier' });
    await limiter.close();
  });
});

describe('Redis provider: pub/sub, health, down and back, close', () => {
  it("delivers a message to every replica's subscribers, its own included", async () => {
    const env = { CACHE_REDIS_URL: REDIS_URL, CACHE_EVICT_CHANNEL: `${RUN}evict:replicas` };
    const [a, b] = [provider(env).keyspace('entities'), provider(env).keyspace('entities')];
    const heard: string[] = [];
    a.subscribe((message) => void heard.push(`a:${message}`));
    b.subscribe((message) => void heard.push(`b:${message}`));
    await vi.waitFor(async () => expect(await subscribers(admin, env.CACHE_EVICT_CHANNEL)).toBe(2), {
      timeout: 10_000,
    });
    await vi.waitFor(() => expect(a.available()).toBe(true));
    await a.publish('evict-1');
    await vi.waitFor(() => expect(heard.sort()).toEqual(['a:evict-1', 'b:evict-1']));
  });

  it('fails commands at once while its Redis is down, and reconnects and resubscribes when it is back', async () => {
    const redis = provider();
    const entities = redis.keyspace('entities');
    const channel = `${RUN}${providers}:evict`;
    const client = entities.client()!;
    const heard: string[] = [];
    entities.subscribe((message) => void heard.push(message));
    await vi.waitFor(async () => expect(await subscribers(cacheAdmin, channel)).toBe(1), { timeout: 10_000 });
    await vi.waitFor(() => expect(redis.health().cache).toMatchObject({ status: 'up', subscriber: 'up' }));
    const key = entities.key('down-and-back');
    await client.set(key, 'before');

    await cache.kill();
    await vi.waitFor(() => expect(redis.health().cache).toMatchObject({ status: 'down', subscriber: 'down' }), {
      timeout: 10_000,
    });
    expect(entities.available()).toBe(false);
    // Refused, not queued: a request waiting on this would otherwise hang until Redis returns.
    await expect(client.get(key)).rejects.toThrow();
    await expect(entities.publish('lost')).rejects.toThrow();
    // The state role is another connection, untouched.
    expect(redis.keyspace('rateLimits').client()!.status).not.toBe('end');

    await cache.start();
    await vi.waitFor(() => expect(redis.health().cache).toMatchObject({ status: 'up', subscriber: 'up' }), {
      timeout: 15_000,
    });
    // The server came back empty; the connection works again, and the subscription came back with it.
    expect(entities.client()).toBe(client);
    expect(await client.get(key)).toBeNull();
    await vi.waitFor(async () => expect(await subscribers(cacheAdmin, channel)).toBe(1), { timeout: 10_000 });
    await entities.publish('after');
    await vi.waitFor(() => expect(heard).toEqual(['after']));
  });

  it('closes every connection once, and opens none after', async () => {
    const redis = provider({ CACHE_REDIS_URL: REDIS_URL, CACHE_EVICT_CHANNEL: `${RUN}evict:close` });
    const state = redis.keyspace('rateLimits').client()!;
    const entities = redis.keyspace('entities');
    const cacheClient = entities.client()!;
    entities.subscribe(() => undefined);
    await vi.waitFor(async () => expect(await subscribers(admin, `${RUN}evict:close`)).toBe(1), { timeout: 10_000 });
    await vi.waitFor(() => expect(redis.health().state.status).toBe('up'));

    await Promise.all([redis.close(), redis.close()]);
    expect([state.status, cacheClient.status]).toEqual(['end', 'end']);
    await vi.waitFor(async () => expect(await subscribers(admin, `${RUN}evict:close`)).toBe(0));
    expect(redis.health()).toMatchObject({ state: { status: 'closed' }, cache: { status: 'closed' } });
    await redis.close();

    const unused = provider();
    await unused.close();
    expect(unused.keyspace('rateLimits').client()).toBeUndefined();
    expect(unused.health()).toMatchObject({ state: { status: 'closed' }, cache: { status: 'closed' } });
  });
});
