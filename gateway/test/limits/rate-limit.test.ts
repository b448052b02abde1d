import { describe, expect, it } from 'vitest';
import { ConfigError, EnvReader, type Tier } from '@credit-gateway/common';
import {
  createRateLimiter,
  DEFAULT_RATE_LIMITS,
  formatPeriod,
  parseRate,
  rateLimitedError,
  readRateLimitConfig,
  retryAfterSeconds,
  type RateDecision,
  type RateLimits,
} from '../../src/limits/rate-limit.js';
import { readRedisConfig } from '../../src/redis/config.js';
import { recordingLogger } from './support.js';

const perSecond = (limit: number) => ({ limit, periodMs: 1_000 });

const LIMITS: RateLimits = {
  tiers: {
    PUBLIC: perSecond(3),
    AUTHORIZED: perSecond(5),
    GOVERNMENT: perSecond(4),
    JUDICIAL: perSecond(4),
    ANALYST: perSecond(2),
  },
  client: perSecond(6),
};

/** An in-memory limiter on a clock the test moves. */
function memoryLimiter(limits: RateLimits = LIMITS, memoryCapacity?: number) {
  const clock = { ms: 0 };
  const { logger, entries } = recordingLogger();
  const limiter = createRateLimiter({ limits, logger, now: () => clock.ms, memoryCapacity });
  return { limiter, clock, entries };
}

const allowed = (scope: RateDecision['scope'], limit: number, remaining: number): RateDecision => ({
  allowed: true,
  scope,
  limit,
  periodMs: 1_000,
  remaining,
  retryAfterMs: 0,
});

const denied = (scope: RateDecision['scope'], limit: number, retryAfterMs: number): RateDecision => ({
  allowed: false,
  scope,
  limit,
  periodMs: 1_000,
  remaining: 0,
  retryAfterMs,
});

describe('rate limiter in memory', () => {
  it('gives each PUBLIC address its own budget, and refills it one request per period / limit', async () => {
    const { limiter, clock, entries } = memoryLimiter();
    const from = (ip: string) => limiter.check({ tier: 'PUBLIC', client: null, ip });
    expect(await from('10.0.0.1')).toEqual(allowed('tier', 3, 2));
    expect(await from('10.0.0.1')).toEqual(allowed('tier', 3, 1));
    expect(await from('10.0.0.1')).toEqual(allowed('tier', 3, 0));
    // One request per 333.333 ms comes back: the next is 333.332 ms away, rounded up.
    expect(await from('10.0.0.1')).toEqual(denied('tier', 3, 334));
    expect(await from('10.0.0.2')).toEqual(allowed('tier', 3, 2));
    clock.ms = 333;
    expect(await from('10.0.0.1')).toEqual(denied('tier', 3, 1));
    clock.ms = 334;
    expect(await from('10.0.0.1')).toEqual(allowed('tier', 3, 0));
    expect(await from('10.0.0.1')).toEqual(denied('tier', 3, 333));
    // A full period of quiet gives the whole budget back.
    clock.ms = 2_000;
    expect(await from('10.0.0.1')).toEqual(allowed('tier', 3, 2));
    expect(limiter.isShared()).toBe(false);
    expect(entries).toEqual([]);
  });

  it('lets no second burst through at a window edge', async () => {
    const { limiter, clock } = memoryLimiter();
    const check = () => limiter.check({ tier: 'PUBLIC', client: null, ip: '10.0.0.1' });
    clock.ms = 999;
    for (let i = 0; i < 3; i++) expect((await check()).allowed).toBe(true);
    // Fixed one-second windows would start counting afresh here and allow three more.
    clock.ms = 1_001;
    expect(await check()).toEqual(denied('tier', 3, 332));
  });

  it('holds a steady caller to the rate over a long run', async () => {
    const { limiter, clock } = memoryLimiter();
    let passed = 0;
    // A request every 10 ms for 10 s: the burst of 3, then one each 333.333 ms, the 30th of
    // which would fall at 10 s.
    for (clock.ms = 0; clock.ms < 10_000; clock.ms += 10) {
      if ((await limiter.check({ tier: 'PUBLIC', client: null, ip: '10.0.0.1' })).allowed) passed++;
    }
    expect(passed).toBe(3 + 29);
  });

  it("caps a client across all its tokens' tiers, and names the client limit when it decides", async () => {
    const { limiter } = memoryLimiter();
    const as = (tier: Tier, client = 'lender-1') => limiter.check({ tier, client, ip: '10.0.0.9' });
    expect(await as('AUTHORIZED')).toEqual(allowed('tier', 5, 4));
    expect(await as('AUTHORIZED')).toEqual(allowed('tier', 5, 3));
    expect(await as('AUTHORIZED')).toEqual(allowed('tier', 5, 2));
    expect(await as('AUTHORIZED')).toEqual(allowed('tier', 5, 1));
    expect(await as('GOVERNMENT')).toEqual(allowed('client', 6, 1));
    expect(await as('GOVERNMENT')).toEqual(allowed('client', 6, 0));
    expect(await as('GOVERNMENT')).toEqual(denied('client', 6, 167));
    expect(await as('AUTHORIZED')).toEqual(denied('client', 6, 167));
    // Another client of the same address and tiers has its own budgets.
    expect(await as('GOVERNMENT', 'court-7')).toEqual(allowed('tier', 4, 3));
  });

  it('counts a refused request against no limit', async () => {
    const { limiter, clock } = memoryLimiter();
    const check = () => limiter.check({ tier: 'ANALYST', client: 'analyst-1' });
    expect(await check()).toEqual(allowed('tier', 2, 1));
    expect(await check()).toEqual(allowed('tier', 2, 0));
    for (let i = 0; i < 10; i++) expect(await check()).toEqual(denied('tier', 2, 500));
    // The client ceiling counted the 2 allowed requests only: with this one, 3 more fit.
    expect(await limiter.check({ tier: 'AUTHORIZED', client: 'analyst-1' })).toEqual(allowed('client', 6, 3));
    clock.ms = 500;
    expect(await check()).toEqual(allowed('tier', 2, 0));
  });

  it('applies the tier limit alone when there is no client ceiling', async () => {
    const { limiter } = memoryLimiter({ ...LIMITS, client: null });
    for (let i = 0; i < 5; i++) await limiter.check({ tier: 'AUTHORIZED', client: 'lender-1' });
    expect(await limiter.check({ tier: 'GOVERNMENT', client: 'lender-1' })).toEqual(allowed('tier', 4, 3));
  });

  it('forgets the least recently seen callers beyond its capacity', async () => {
    const { limiter } = memoryLimiter(LIMITS, 2);
    const from = (ip: string) => limiter.check({ tier: 'PUBLIC', client: null, ip });
    for (let i = 0; i < 3; i++) await from('10.0.0.1');
    expect((await from('10.0.0.1')).allowed).toBe(false);
    await from('10.0.0.2');
    await from('10.0.0.3');
    expect(await from('10.0.0.1')).toEqual(allowed('tier', 3, 2));
  });
});

describe('rate limit config', () => {
  /** The limits, and where they are counted: the Redis section's state role and rate-limit keyspace. */
  function read(env: Record<string, string>) {
    const reader = new EnvReader(env);
    const { limits } = readRateLimitConfig(reader);
    const redis = readRedisConfig(reader);
    reader.done();
    return {
      redisUrl: redis.roles.state.url,
      redisCluster: redis.roles.state.cluster,
      prefix: redis.keyspaces.rateLimits.prefix,
      limits,
    };
  }

  it('defaults to per-minute limits by tier, a client ceiling and no Redis', () => {
    expect(read({})).toEqual({
      redisUrl: undefined,
      redisCluster: false,
      prefix: 'cg:rl:',
      limits: {
        tiers: {
          PUBLIC: { limit: 60, periodMs: 60_000 },
          AUTHORIZED: { limit: 600, periodMs: 60_000 },
          GOVERNMENT: { limit: 3_000, periodMs: 60_000 },
          JUDICIAL: { limit: 3_000, periodMs: 60_000 },
          ANALYST: { limit: 300, periodMs: 60_000 },
        },
        client: { limit: 6_000, periodMs: 60_000 },
        tierTotal: {
          PUBLIC: { limit: 1_200, periodMs: 60_000 },
          AUTHORIZED: { limit: 12_000, periodMs: 60_000 },
          GOVERNMENT: { limit: 60_000, periodMs: 60_000 },
          JUDICIAL: { limit: 60_000, periodMs: 60_000 },
          ANALYST: { limit: 6_000, periodMs: 60_000 },
        },
        address: {
          PUBLIC: { limit: 120, periodMs: 60_000 },
          AUTHORIZED: { limit: 1_200, periodMs: 60_000 },
          GOVERNMENT: { limit: 6_000, periodMs: 60_000 },
          JUDICIAL: { limit: 6_000, periodMs: 60_000 },
          ANALYST: { limit: 600, periodMs: 60_000 },
        },
        subjects: {
          PUBLIC: { limit: 600, periodMs: 60_000 },
          AUTHORIZED: { limit: 30_000, periodMs: 60_000 },
          GOVERNMENT: { limit: 150_000, periodMs: 60_000 },
          JUDICIAL: { limit: 150_000, periodMs: 60_000 },
          ANALYST: { limit: 15_000, periodMs: 60_000 },
        },
        authFailures: { limit: 30, periodMs: 60_000 },
      },
    });
  });

  it('reads every variable; tiers left out keep their default', () => {
    expect(
      read({
        REDIS_URL: 'rediss://gateway:secret@redis.internal:6380/2',
        REDIS_CLUSTER: 'true',
        RATE_LIMITS: ' PUBLIC = 10/30s , ANALYST=100/h',
        RATE_LIMIT_CLIENT: 'off',
        RATE_LIMIT_TIER_TOTAL: 'PUBLIC=100/1m,GOVERNMENT=off',
        RATE_LIMIT_ADDRESS: 'PUBLIC=20/1m',
        RATE_LIMIT_SUBJECTS: 'PUBLIC=50/10s,ANALYST=off',
        RATE_LIMIT_AUTH_FAILURES: 'off',
        RATE_LIMIT_PREFIX: 'credit:rl:',
      }),
    ).toEqual({
      redisUrl: 'rediss://gateway:secret@redis.internal:6380/2',
      redisCluster: true,
      prefix: 'credit:rl:',
      limits: {
        tiers: {
          ...DEFAULT_RATE_LIMITS.tiers,
          PUBLIC: { limit: 10, periodMs: 30_000 },
          ANALYST: { limit: 100, periodMs: 3_600_000 },
        },
        client: null,
        tierTotal: {
          PUBLIC: { limit: 100, periodMs: 60_000 },
          AUTHORIZED: DEFAULT_RATE_LIMITS.tierTotal!.AUTHORIZED,
          JUDICIAL: DEFAULT_RATE_LIMITS.tierTotal!.JUDICIAL,
          ANALYST: DEFAULT_RATE_LIMITS.tierTotal!.ANALYST,
        },
        address: { ...DEFAULT_RATE_LIMITS.address, PUBLIC: { limit: 20, periodMs: 60_000 } },
        subjects: {
          PUBLIC: { limit: 50, periodMs: 10_000 },
          AUTHORIZED: DEFAULT_RATE_LIMITS.subjects!.AUTHORIZED,
          GOVERNMENT: DEFAULT_RATE_LIMITS.subjects!.GOVERNMENT,
          JUDICIAL: DEFAULT_RATE_LIMITS.subjects!.JUDICIAL,
        },
        authFailures: null,
      },
    });
  });

  it('reports every problem at once, without repeating a Redis URL', () => {
    let error: unknown;
    try {
      read({
        RATE_LIMITS: 'PUBLIC=sixty,ROOT=1/1m,ANALYST=1/1m,ANALYST=2/1m,JUDICIAL=0/1m,GOVERNMENT=5/2d,AUTHORIZED',
        RATE_LIMIT_CLIENT: 'lots',
        RATE_LIMIT_TIER_TOTAL: 'PUBLIC=many,NOBODY=1/1m',
        RATE_LIMIT_AUTH_FAILURES: 'some',
        RATE_LIMIT_PREFIX: 'cg:{rl}:',
        REDIS_URL: 'http://gateway:secret@redis.internal',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const rate = 'a count per period such as 60/1m, 10/30s or 5/500ms (at most one day)';
    expect((error as ConfigError).problems).toEqual([
      `RATE_LIMITS: PUBLIC must be ${rate}, got 'PUBLIC=sixty'`,
      "RATE_LIMITS: 'ROOT' is not a tier; use PUBLIC, AUTHORIZED, GOVERNMENT, JUDICIAL, ANALYST",
      'RATE_LIMITS sets ANALYST twice',
      `RATE_LIMITS: JUDICIAL must be ${rate}, got 'JUDICIAL=0/1m'`,
      `RATE_LIMITS: GOVERNMENT must be ${rate}, got 'GOVERNMENT=5/2d'`,
      `RATE_LIMITS: AUTHORIZED must be ${rate}, got 'AUTHORIZED'`,
      `RATE_LIMIT_CLIENT must be 'off' or ${rate}, got 'lots'`,
      `RATE_LIMIT_TIER_TOTAL: PUBLIC must be 'off' or ${rate}, got 'PUBLIC=many'`,
      "RATE_LIMIT_TIER_TOTAL: 'NOBODY' is not a tier; use PUBLIC, AUTHORIZED, GOVERNMENT, JUDICIAL, ANALYST",
      `RATE_LIMIT_AUTH_FAILURES must be 'off' or ${rate}, got 'some'`,
      "RATE_LIMIT_PREFIX must be 1 to 64 letters, digits or ':._-', got 'cg:{rl}:'",
      'REDIS_URL must be a redis:// or rediss:// URL',
    ]);
  });

  it('parses and prints rates', () => {
    expect(['60/1m', '60/m', '10/30s', '5/500ms', '1000/1h', '1/1d'].map(parseRate)).toEqual([
      { limit: 60, periodMs: 60_000 },
      { limit: 60, periodMs: 60_000 },
      { limit: 10, periodMs: 30_000 },
      { limit: 5, periodMs: 500 },
      { limit: 1_000, periodMs: 3_600_000 },
      { limit: 1, periodMs: 86_400_000 },
    ]);
    expect(['', '60', '60/', '60/1w', '-1/1m', '1.5/1m', '60/0s'].map(parseRate)).toEqual(Array(7).fill(null));
    expect([60_000, 30_000, 500, 90_000, 3_600_000, 1_500].map(formatPeriod)).toEqual([
      '1m',
      '30s',
      '500ms',
      '90s',
      '1h',
      '1500ms',
    ]);
  });
});

describe('refusal', () => {
  it('is RATE_LIMITED, naming the limit and when to retry', () => {
    const decision = denied('tier', 60, 2_500);
    expect(rateLimitedError({ ...decision, periodMs: 60_000 }).toJSON()).toMatchInlineSnapshot(`
      {
        "extensions": {
          "code": "RATE_LIMITED",
          "limit": 60,
          "period": "1m",
          "retryAfterMs": 2500,
          "scope": "tier",
        },
        "message": "Too many requests: this tier may send 60 per 1m; retry in 3 s",
      }
    `);
    expect(rateLimitedError(denied('client', 6_000, 10)).message).toBe(
      'Too many requests: this client across all its tokens may send 6000 per 1s; retry in 1 s',
    );
  });

  it('asks for at least a second in Retry-After', () => {
    expect([1, 999, 1_000, 1_001, 2_500].map((ms) => retryAfterSeconds(denied('tier', 1, ms)))).toEqual([
      1, 1, 1, 2, 3,
    ]);
  });
});
