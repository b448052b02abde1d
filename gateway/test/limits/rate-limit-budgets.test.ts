import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '@credit-gateway/common';
import type { RedisClient } from '../../src/redis/provider.js';
import { redisProvider } from '../support/redis.js';
import {
  createRateLimiter,
  RefusalSampler,
  type RateDecision,
  type RateLimiter,
  type RateLimits,
} from '../../src/limits/rate-limit.js';

/**
 * The budgets that many client names cannot multiply (per tier, per address), the subjects
 * budget and failed authentications: the same behaviour in memory and through the real Redis of
 * the development machine, shared by two replicas.
 */
const REDIS_URL = 'redis://127.0.0.1:6379';
const RUN_PREFIX = `cg:rl:budgets:${randomUUID()}:`;
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
  tierTotal: { PUBLIC: perMinute(8) },
  address: { PUBLIC: perMinute(5) },
  subjects: { PUBLIC: perMinute(10) },
  authFailures: perMinute(3),
};

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(async () => {
  const admin = new Redis(REDIS_URL);
  const keys = await admin.keys(`${RUN_PREFIX}*`);
  if (keys.length > 0) await admin.del(...keys);
  await admin.quit();
});

let runs = 0;
/** Two replicas: one in-memory limiter answering for both, or two sharing Redis. */
async function replicas(backend: 'memory' | 'redis', limits: RateLimits = LIMITS): Promise<RateLimiter[]> {
  if (backend === 'memory') {
    const limiter = createRateLimiter({ limits, logger: silentLogger(), now: () => 0 });
    cleanups.push(() => limiter.close());
    return [limiter, limiter];
  }
  const prefix = `${RUN_PREFIX}${++runs}:`;
  const made = [0, 1].map(() => {
    const provider = redisProvider({ REDIS_URL, RATE_LIMIT_PREFIX: prefix, REDIS_TIMEOUT_MS: '2000' });
    const limiter = createRateLimiter({ limits, logger: silentLogger(), redis: provider.keyspace('rateLimits') });
    cleanups.push(
      () => provider.close(),
      () => limiter.close(),
    );
    return limiter;
  });
  await vi.waitFor(() => expect(made.every((limiter) => limiter.isShared())).toBe(true), { timeout: 10_000 });
  return made;
}

const refusedBy = (decisions: RateDecision[]) => decisions.filter((d) => !d.allowed).map((d) => d.scope);

describe.each(['memory', 'redis'] as const)('rate budgets (%s)', (backend) => {
  it('bounds what many PUBLIC client names take together from one address', async () => {
    const [a, b] = await replicas(backend);
    const decisions: RateDecision[] = [];
    for (let i = 0; i < 20; i++) {
      decisions.push(await (i % 2 ? a! : b!).check({ tier: 'PUBLIC', client: `name-${i}`, ip: '10.0.0.1' }));
    }
    expect(decisions.filter((d) => d.allowed)).toHaveLength(5);
    expect(new Set(refusedBy(decisions))).toEqual(new Set(['address']));
    // Another address still has its own.
    expect((await a!.check({ tier: 'PUBLIC', client: 'name-0', ip: '10.0.0.2' })).allowed).toBe(true);
  });

  it('bounds a whole tier whatever the names and addresses, leaving other tiers alone', async () => {
    const [a, b] = await replicas(backend);
    const decisions: RateDecision[] = [];
    for (let i = 0; i < 20; i++) {
      decisions.push(await (i % 2 ? a! : b!).check({ tier: 'PUBLIC', client: `name-${i}`, ip: `10.0.1.${i}` }));
    }
    expect(decisions.filter((d) => d.allowed)).toHaveLength(8);
    expect(new Set(refusedBy(decisions))).toEqual(new Set(['tier-total']));
    const refusal = decisions.find((d) => !d.allowed)!;
    expect(refusal).toMatchObject({ scope: 'tier-total', limit: 8, periodMs: 60_000, remaining: 0 });
    expect(refusal.retryAfterMs).toBeGreaterThan(0);
    expect((await a!.check({ tier: 'GOVERNMENT', client: 'approvals', ip: '10.0.1.1' })).allowed).toBe(true);
  });

  it('spends subjects all or none, per caller, and nothing for a request naming none', async () => {
    const [a, b] = await replicas(backend);
    const caller = { tier: 'PUBLIC' as const, client: null, ip: '10.0.2.1' };
    expect(await a!.consume(caller, 0)).toBeNull();
    expect(await a!.consume(caller, 6)).toMatchObject({ allowed: true, scope: 'subjects', remaining: 4 });
    const refused = await b!.consume(caller, 5);
    expect(refused).toMatchObject({ allowed: false, scope: 'subjects', limit: 10 });
    expect(refused!.retryAfterMs).toBeGreaterThan(0);
    // The refused five were not spent: four still fit.
    expect(await b!.consume(caller, 4)).toMatchObject({ allowed: true, remaining: 0 });
    expect(await a!.consume({ ...caller, ip: '10.0.2.2' }, 10)).toMatchObject({ allowed: true });
    // A tier without a subjects budget spends nothing.
    expect(await a!.consume({ tier: 'GOVERNMENT', client: 'approvals', ip: '10.0.2.1' }, 500)).toBeNull();
  });

  it('throttles failed authentications per address; looking spends nothing', async () => {
    const [a, b] = await replicas(backend);
    for (let i = 0; i < 10; i++) expect(await a!.checkAuthFailures('10.0.3.1')).toMatchObject({ allowed: true });
    for (let i = 0; i < 3; i++)
      expect(await (i % 2 ? a! : b!).recordAuthFailure('10.0.3.1')).toMatchObject({ allowed: true });
    expect(await b!.checkAuthFailures('10.0.3.1')).toMatchObject({ allowed: false, scope: 'auth', limit: 3 });
    expect(await a!.checkAuthFailures('10.0.3.2')).toMatchObject({ allowed: true });
    const off = await replicas(backend, { ...LIMITS, authFailures: null });
    expect(await off[0]!.checkAuthFailures('10.0.3.1')).toBeNull();
  });
});

describe('many client names cannot multiply a budget (in memory, any traffic)', () => {
  it('never allows an address more than its ceiling, nor a tier more than its total', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ name: fc.integer({ min: 0, max: 40 }), address: fc.integer({ min: 0, max: 3 }) }), {
          maxLength: 120,
        }),
        async (requests) => {
          const limiter = createRateLimiter({ limits: LIMITS, logger: silentLogger(), now: () => 0 });
          const perAddress = new Map<number, number>();
          let total = 0;
          for (const { name, address } of requests) {
            const decision = await limiter.check({ tier: 'PUBLIC', client: `name-${name}`, ip: `10.9.0.${address}` });
            if (!decision.allowed) continue;
            total++;
            perAddress.set(address, (perAddress.get(address) ?? 0) + 1);
          }
          await limiter.close();
          expect(total).toBeLessThanOrEqual(8);
          for (const count of perAddress.values()) expect(count).toBeLessThanOrEqual(5);
          // Below every ceiling, nothing is refused: with one name per address, min(3, 5) each.
          if (requests.length > 0) expect(total).toBeGreaterThan(0);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('registering throttled authentication refusals', () => {
  it('registers the first refusal of an address per period and counts the rest', () => {
    const clock = { ms: 0 };
    const sampler = new RefusalSampler(60_000, () => clock.ms);
    expect(sampler.take('10.0.0.1')).toEqual({ register: true, skipped: 0 });
    for (let i = 0; i < 99; i++) expect(sampler.take('10.0.0.1').register).toBe(false);
    expect(sampler.take('10.0.0.2')).toEqual({ register: true, skipped: 0 });
    clock.ms = 60_000;
    expect(sampler.take('10.0.0.1')).toEqual({ register: true, skipped: 99 });
  });
});

/**
 * A real Redis behind the one rule of a Redis Cluster that matters here: one script call may only
 * touch keys of one hash tag (one slot). The limiter then decides group by group.
 */
function asCluster(inner: Redis) {
  const tag = (key: string) => /\{[^}]*\}/.exec(key)?.[0] ?? key;
  const sameSlot = (count: number, keys: unknown[]) => {
    const tags = new Set(keys.slice(0, count).map((key) => tag(String(key))));
    if (tags.size > 1) throw new Error("CROSSSLOT Keys in request don't hash to the same slot");
  };
  const calls: string[][] = [];
  return {
    calls,
    client: {
      get status() {
        return inner.status;
      },
      on: (event: string, listener: (...args: unknown[]) => void) => inner.on(event, listener),
      off: (event: string, listener: (...args: unknown[]) => void) => inner.off(event, listener),
      nodes: () => [inner],
      once: (event: string, listener: (...args: unknown[]) => void) => inner.once(event, listener),
      quit: () => inner.quit(),
      disconnect: () => inner.disconnect(),
      evalsha: (sha: string, count: number, ...rest: (string | number)[]) => {
        sameSlot(count, rest);
        calls.push(rest.slice(0, count).map(String));
        return inner.evalsha(sha, count, ...rest);
      },
      eval: (script: string, count: number, ...rest: (string | number)[]) => {
        sameSlot(count, rest);
        return inner.eval(script, count, ...rest);
      },
    },
  };
}

describe('rate budgets on a Redis Cluster (one slot per script call)', () => {
  it('decides a request slot by slot, and spends nothing when one slot refuses', async () => {
    // Closed by the provider, which connected it.
    const inner = new Redis(REDIS_URL);
    await vi.waitFor(() => expect(inner.status).toBe('ready'));
    const cluster = asCluster(inner);
    const provider = redisProvider(
      { REDIS_URL, REDIS_CLUSTER: 'true', RATE_LIMIT_PREFIX: `${RUN_PREFIX}cluster:`, REDIS_TIMEOUT_MS: '2000' },
      { connect: () => cluster.client as unknown as RedisClient },
    );
    const limiter = createRateLimiter({
      limits: LIMITS,
      logger: silentLogger(),
      redis: provider.keyspace('rateLimits'),
    });
    cleanups.push(
      () => provider.close(),
      () => limiter.close(),
    );
    expect(limiter.isShared()).toBe(true);
    // Five names from one address spend the address budget; every call stayed within one slot.
    for (let i = 0; i < 5; i++) {
      expect(await limiter.check({ tier: 'PUBLIC', client: `c-${i}`, ip: '10.0.4.1' })).toMatchObject({
        allowed: true,
      });
    }
    expect(cluster.calls.length).toBeGreaterThan(5);
    const refused = await limiter.check({ tier: 'PUBLIC', client: 'c-0', ip: '10.0.4.1' });
    expect(refused).toMatchObject({ allowed: false, scope: 'address' });
    // The refusal spent none of c-0's own budget (3 a minute, 1 spent): two more from elsewhere.
    expect(await limiter.check({ tier: 'PUBLIC', client: 'c-0', ip: '10.0.4.2' })).toMatchObject({ allowed: true });
    expect(await limiter.check({ tier: 'PUBLIC', client: 'c-0', ip: '10.0.4.3' })).toMatchObject({ allowed: true });
    expect(await limiter.check({ tier: 'PUBLIC', client: 'c-0', ip: '10.0.4.4' })).toMatchObject({
      allowed: false,
      scope: 'tier',
    });
    // And the tier total (8) counted the seven allowed, across slots.
    expect(await limiter.check({ tier: 'PUBLIC', client: 'c-9', ip: '10.0.4.5' })).toMatchObject({ allowed: true });
    expect(await limiter.check({ tier: 'PUBLIC', client: 'c-10', ip: '10.0.4.6' })).toMatchObject({
      allowed: false,
      scope: 'tier-total',
    });
    // Never a CROSSSLOT refusal, which would have sent the checks to memory.
    expect(limiter.isShared()).toBe(true);
  });
});
