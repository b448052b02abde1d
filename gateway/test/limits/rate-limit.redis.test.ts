import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { silentLogger, type Logger, type Tier } from '@credit-gateway/common';
import {
  createRateLimiter,
  type RateDecision,
  type RateLimiter,
  type RateLimits,
} from '../../src/limits/rate-limit.js';
import { redisProvider } from '../support/redis.js';
import { closedPort, recordingLogger, tcpProxy } from './support.js';

// The real Redis of the development machine: these tests fail, never skip, when it is not there.
const REDIS = { host: '127.0.0.1', port: 6379 };
const REDIS_URL = `redis://${REDIS.host}:${REDIS.port}`;
const RUN_PREFIX = `cg:rl:test:${randomUUID()}:`;

const perMinute = (limit: number) => ({ limit, periodMs: 60_000 });
const LIMITS: RateLimits = {
  tiers: {
    PUBLIC: perMinute(3),
    AUTHORIZED: perMinute(5),
    GOVERNMENT: perMinute(4),
    JUDICIAL: perMinute(4),
    ANALYST: perMinute(2),
  },
  client: perMinute(6),
};

let admin: Redis;
let testCount = 0;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  admin = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  await admin.connect();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  const keys = await admin.keys(`${RUN_PREFIX}*`);
  if (keys.length > 0) await admin.del(...keys);
  await admin.quit();
});

/** A prefix of its own for each test, under the run's prefix. */
function nextPrefix(): string {
  return `${RUN_PREFIX}${++testCount}:`;
}

interface ReplicaOptions {
  prefix: string;
  /** REDIS_URL of the replica's provider. */
  url?: string;
  logger?: Logger;
  limits?: RateLimits;
  redisRetryMs?: number;
}

/** A replica's limiter on the state keyspace of a provider of its own. */
function limiter({ prefix, url = REDIS_URL, ...options }: ReplicaOptions): RateLimiter {
  const provider = redisProvider({ REDIS_URL: url, RATE_LIMIT_PREFIX: prefix });
  cleanups.push(() => provider.close());
  const created = createRateLimiter({
    limits: LIMITS,
    logger: silentLogger(),
    ...options,
    redis: provider.keyspace('rateLimits'),
  });
  cleanups.push(() => created.close());
  return created;
}

async function shared(...limiters: RateLimiter[]): Promise<void> {
  await vi.waitFor(() => expect(limiters.map((l) => l.isShared())).toEqual(limiters.map(() => true)), {
    timeout: 10_000,
    interval: 20,
  });
}

const allowed = (scope: RateDecision['scope'], limit: number, remaining: number): RateDecision => ({
  allowed: true,
  scope,
  limit,
  periodMs: 60_000,
  remaining,
  retryAfterMs: 0,
});

function expectDenied(decision: RateDecision, scope: RateDecision['scope'], limit: number, intervalMs: number): void {
  expect(decision).toEqual({
    allowed: false,
    scope,
    limit,
    periodMs: 60_000,
    remaining: 0,
    retryAfterMs: expect.any(Number),
  });
  // The next request is due one interval (period / limit) after the last allowed one.
  expect(decision.retryAfterMs).toBeGreaterThan(0);
  expect(decision.retryAfterMs).toBeLessThanOrEqual(intervalMs);
}

describe('rate limits shared through Redis', () => {
  it('give replicas one budget per caller', async () => {
    const prefix = nextPrefix();
    const a = limiter({ prefix });
    const b = limiter({ prefix });
    await shared(a, b);
    const from = (replica: RateLimiter, ip: string) => replica.check({ tier: 'PUBLIC', client: null, ip });
    expect(await from(a, '10.0.0.1')).toEqual(allowed('tier', 3, 2));
    expect(await from(b, '10.0.0.1')).toEqual(allowed('tier', 3, 1));
    expect(await from(a, '10.0.0.1')).toEqual(allowed('tier', 3, 0));
    expectDenied(await from(b, '10.0.0.1'), 'tier', 3, 20_000);
    expectDenied(await from(a, '10.0.0.1'), 'tier', 3, 20_000);
    expect(await from(b, '10.0.0.2')).toEqual(allowed('tier', 3, 2));
  });

  it("cap a client across its tokens' tiers on every replica", async () => {
    const prefix = nextPrefix();
    const a = limiter({ prefix });
    const b = limiter({ prefix });
    await shared(a, b);
    const as = (replica: RateLimiter, tier: Tier, client = 'lender-1') => replica.check({ tier, client });
    expect(await as(a, 'AUTHORIZED')).toEqual(allowed('tier', 5, 4));
    expect(await as(b, 'AUTHORIZED')).toEqual(allowed('tier', 5, 3));
    expect(await as(a, 'AUTHORIZED')).toEqual(allowed('tier', 5, 2));
    expect(await as(b, 'AUTHORIZED')).toEqual(allowed('tier', 5, 1));
    expect(await as(a, 'GOVERNMENT')).toEqual(allowed('client', 6, 1));
    expect(await as(b, 'GOVERNMENT')).toEqual(allowed('client', 6, 0));
    expectDenied(await as(a, 'GOVERNMENT'), 'client', 6, 10_000);
    expectDenied(await as(b, 'AUTHORIZED'), 'client', 6, 10_000);
    expect(await as(a, 'GOVERNMENT', 'court-7')).toEqual(allowed('tier', 4, 3));
  });

  it('roll: a refused caller is allowed again once its retry time has passed', async () => {
    const prefix = nextPrefix();
    const fast = limiter({
      prefix,
      limits: { ...LIMITS, tiers: { ...LIMITS.tiers, PUBLIC: { limit: 2, periodMs: 1_000 } } },
    });
    await shared(fast);
    const check = () => fast.check({ tier: 'PUBLIC', client: null, ip: '10.0.0.1' });
    expect((await check()).allowed).toBe(true);
    expect((await check()).allowed).toBe(true);
    const refused = await check();
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(500);
    await sleep(refused.retryAfterMs + 20);
    expect(await check()).toEqual({
      allowed: true,
      scope: 'tier',
      limit: 2,
      periodMs: 1_000,
      remaining: 0,
      retryAfterMs: 0,
    });
  });

  it("keep one check's keys in one Cluster slot, under the caller's hashed hash tag, expiring", async () => {
    const prefix = nextPrefix();
    const replica = limiter({ prefix });
    await shared(replica);
    await replica.check({ tier: 'GOVERNMENT', client: 'lender-1' });
    await replica.check({ tier: 'PUBLIC', client: null, ip: '10.0.0.1' });
    const keys = (await admin.keys(`${prefix}*`)).sort();
    const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(keys).toEqual([
      expect.stringMatching(new RegExp(`^${escaped}\\{client:[0-9a-f]{32}\\}:client$`)),
      expect.stringMatching(new RegExp(`^${escaped}\\{client:[0-9a-f]{32}\\}:tier:GOVERNMENT$`)),
      expect.stringMatching(new RegExp(`^${escaped}\\{ip:[0-9a-f]{32}\\}:tier:PUBLIC$`)),
    ]);
    const tag = (key: string) => /\{[^}]*\}/.exec(key)?.[0];
    expect(tag(keys[0]!)).toBe(tag(keys[1]!));
    expect(keys.join(' ')).not.toMatch(/lender-1|10\.0\.0\.1/);
    for (const key of keys) {
      const ttl = await admin.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60_000);
    }
  });

  it("leave the provider's connection open when closed, for the other users of the role", async () => {
    const provider = redisProvider({ REDIS_URL, RATE_LIMIT_PREFIX: nextPrefix() });
    cleanups.push(() => provider.close());
    const keyspace = provider.keyspace('rateLimits');
    const replica = createRateLimiter({ limits: LIMITS, logger: silentLogger(), redis: keyspace });
    await shared(replica);
    await replica.close();
    expect(keyspace.client()?.status).toBe('ready');
    expect(provider.health().state.status).toBe('up');
  });
});

describe('rate limits without Redis', () => {
  it('are counted in memory when Redis is unreachable, logging the outage once', async () => {
    const { logger, entries } = recordingLogger();
    const replica = limiter({
      prefix: nextPrefix(),
      url: `redis://127.0.0.1:${await closedPort()}`,
      logger,
    });
    const check = () => replica.check({ tier: 'PUBLIC', client: null, ip: '10.0.0.1' });
    expect(await check()).toEqual(allowed('tier', 3, 2));
    expect(await check()).toEqual(allowed('tier', 3, 1));
    expect(await check()).toEqual(allowed('tier', 3, 0));
    expectDenied(await check(), 'tier', 3, 20_000);
    // Several reconnection attempts fail meanwhile; the outage is logged once.
    await vi.waitFor(() => expect(entries.length).toBeGreaterThan(0), { timeout: 10_000, interval: 20 });
    await sleep(1_000);
    expect(entries.map((entry) => [entry.level, entry.message])).toEqual([
      ['warn', 'Redis is unavailable: rate limits are counted in this replica until it returns'],
    ]);
    expect(replica.isShared()).toBe(false);
  });

  it('are counted in memory while Redis is away, and shared again when it returns', async () => {
    const proxy = await tcpProxy(REDIS);
    cleanups.push(() => proxy.close());
    const prefix = nextPrefix();
    const { logger, entries } = recordingLogger();
    const direct = limiter({ prefix });
    const proxied = limiter({ prefix, url: `redis://127.0.0.1:${proxy.port}`, logger, redisRetryMs: 50 });
    await shared(direct, proxied);
    const from = (replica: RateLimiter) => replica.check({ tier: 'PUBLIC', client: null, ip: '10.0.0.1' });
    await from(direct);
    await from(direct);
    await from(direct);
    expectDenied(await from(proxied), 'tier', 3, 20_000);

    await proxy.stop();
    await vi.waitFor(() => expect(proxied.isShared()).toBe(false), { timeout: 10_000, interval: 20 });
    // Redis's count is out of reach: this replica starts its own.
    expect(await from(proxied)).toEqual(allowed('tier', 3, 2));
    await vi.waitFor(() => expect(entries.length).toBe(1), { timeout: 10_000, interval: 20 });

    await proxy.start();
    await shared(proxied);
    expectDenied(await from(proxied), 'tier', 3, 20_000);
    expect(entries.map((entry) => [entry.level, entry.message])).toEqual([
      ['warn', 'Redis is unavailable: rate limits are counted in this replica until it returns'],
      ['info', 'Redis is back: rate limits are shared by the replicas again'],
    ]);
  });

  it('answer from memory when Redis hangs, and go back to it when it answers again', async () => {
    const proxy = await tcpProxy(REDIS);
    cleanups.push(() => proxy.close());
    const prefix = nextPrefix();
    const { logger, entries } = recordingLogger();
    const direct = limiter({ prefix });
    const proxied = limiter({ prefix, url: `redis://127.0.0.1:${proxy.port}`, logger, redisRetryMs: 50 });
    await shared(direct, proxied);
    const from = (replica: RateLimiter) => replica.check({ tier: 'PUBLIC', client: null, ip: '10.0.0.1' });
    await from(direct);
    await from(direct);
    await from(direct);

    proxy.hang(true);
    // No reply comes while hung: without the limiter's timeout this check would wait for ever.
    expect(await from(proxied)).toEqual(allowed('tier', 3, 2));
    expect(entries.map((entry) => [entry.level, entry.message, entry.fields])).toEqual([
      [
        'warn',
        'Redis is unavailable: rate limits are counted in this replica until it returns',
        { err: expect.any(String) },
      ],
    ]);

    proxy.hang(false);
    await shared(proxied);
    expectDenied(await from(proxied), 'tier', 3, 20_000);
    expect(entries.map((entry) => entry.level)).toEqual(['warn', 'info']);
  });
});
