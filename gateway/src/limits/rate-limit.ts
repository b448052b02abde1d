import { createHash } from 'node:crypto';
import { createRedisClient, type RedisClient } from '../redis.js';
import { CreditGatewayError, TIERS, type EnvReader, type Logger, type Tier } from '@credit-gateway/common';

/** At most `limit` requests in any `periodMs`, with a burst of up to `limit` after a quiet period. */
export interface Rate {
  limit: number;
  periodMs: number;
}

/**
 * - `tiers`: each caller of a tier gets its own budget at that tier's rate. A caller is its client
 *   id; a PUBLIC caller has none and is its IP address.
 * - `client`: a ceiling on one client across all its tokens and tiers, so that many tokens cannot
 *   multiply a client's budget; null for none.
 */
export interface RateLimits {
  tiers: Readonly<Record<Tier, Rate>>;
  client: Rate | null;
}

export interface RateLimitConfig {
  /** Shared by the replicas; each replica counts on its own when unset. */
  redisUrl: string | undefined;
  /** `redisUrl` names one node of a Redis Cluster. */
  redisCluster: boolean;
  prefix: string;
  limits: RateLimits;
}

const MINUTE = 60_000;

export const DEFAULT_RATE_LIMITS: RateLimits = {
  tiers: {
    PUBLIC: { limit: 60, periodMs: MINUTE },
    AUTHORIZED: { limit: 600, periodMs: MINUTE },
    GOVERNMENT: { limit: 3_000, periodMs: MINUTE },
    JUDICIAL: { limit: 3_000, periodMs: MINUTE },
    ANALYST: { limit: 300, periodMs: MINUTE },
  },
  // Twice the largest tier: a client can run two busy systems before its tokens share one budget.
  client: { limit: 6_000, periodMs: MINUTE },
};

export const DEFAULT_RATE_LIMIT_PREFIX = 'cg:rl:';

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: MINUTE, h: 60 * MINUTE, d: 24 * 60 * MINUTE };

/** Parses `60/1m`, `10/30s`, `5/500ms` or `1000/h`; null when the text is not a rate. */
export function parseRate(text: string): Rate | null {
  const match = /^(\d+)\s*\/\s*(\d*)\s*(ms|s|m|h|d)$/.exec(text.trim());
  if (!match) return null;
  const [, limitText = '', countText = '', unit = ''] = match;
  const limit = Number(limitText);
  const periodMs = (countText === '' ? 1 : Number(countText)) * (UNITS[unit] ?? 0);
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1_000_000_000) return null;
  if (periodMs < 1 || periodMs > UNITS['d']!) return null;
  return { limit, periodMs };
}

export function formatPeriod(periodMs: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = UNITS[unit]!;
    if (periodMs % size === 0) return `${periodMs / size}${unit}`;
  }
  return `${periodMs}ms`;
}

const RATE_SYNTAX = 'a count per period such as 60/1m, 10/30s or 5/500ms (at most one day)';

/**
 * Reads REDIS_URL, REDIS_CLUSTER, RATE_LIMITS (`PUBLIC=60/1m,AUTHORIZED=600/1m,…`: tiers left out
 * keep their default), RATE_LIMIT_CLIENT (a rate, or `off`) and RATE_LIMIT_PREFIX (`cg:rl:`).
 * Every problem is recorded on the reader.
 */
export function readRateLimitConfig(reader: EnvReader): RateLimitConfig {
  const tiers: Record<Tier, Rate> = { ...DEFAULT_RATE_LIMITS.tiers };
  const seen = new Set<string>();
  for (const entry of reader.list('RATE_LIMITS')) {
    const separator = entry.indexOf('=');
    const tier = (separator < 0 ? entry : entry.slice(0, separator)).trim();
    const rate = separator < 0 ? null : parseRate(entry.slice(separator + 1));
    if (!(TIERS as readonly string[]).includes(tier)) {
      reader.problem(`RATE_LIMITS: '${tier}' is not a tier; use ${TIERS.join(', ')}`);
    } else if (seen.has(tier)) {
      reader.problem(`RATE_LIMITS sets ${tier} twice`);
    } else if (!rate) {
      reader.problem(`RATE_LIMITS: ${tier} must be ${RATE_SYNTAX}, got '${entry}'`);
    } else {
      tiers[tier as Tier] = rate;
    }
    seen.add(tier);
  }

  let client = DEFAULT_RATE_LIMITS.client;
  const clientText = reader.optionalString('RATE_LIMIT_CLIENT');
  if (clientText?.toLowerCase() === 'off') client = null;
  else if (clientText !== undefined) {
    client = parseRate(clientText) ?? DEFAULT_RATE_LIMITS.client;
    if (!parseRate(clientText))
      reader.problem(`RATE_LIMIT_CLIENT must be 'off' or ${RATE_SYNTAX}, got '${clientText}'`);
  }

  const prefix = reader.string('RATE_LIMIT_PREFIX', DEFAULT_RATE_LIMIT_PREFIX);
  // A brace would become the key's Redis Cluster hash tag and split a check across slots.
  if (!/^[A-Za-z0-9:._-]{1,64}$/.test(prefix)) {
    reader.problem(`RATE_LIMIT_PREFIX must be 1 to 64 letters, digits or ':._-', got '${prefix}'`);
  }

  const redisUrl = reader.optionalString('REDIS_URL');
  if (redisUrl !== undefined && !isRedisUrl(redisUrl)) {
    // The URL may carry a password: it is not repeated.
    reader.problem('REDIS_URL must be a redis:// or rediss:// URL');
  }
  return {
    redisUrl: redisUrl !== undefined && isRedisUrl(redisUrl) ? redisUrl : undefined,
    redisCluster: reader.bool('REDIS_CLUSTER', false),
    prefix,
    limits: { tiers, client },
  };
}

function isRedisUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '';
  } catch {
    return false;
  }
}

export interface RateLimitKey {
  tier: Tier;
  /** The authenticated client; null for a PUBLIC caller. */
  client: string | null;
  /** The caller's address: a PUBLIC caller's budget is kept per address. */
  ip?: string;
}

export interface RateDecision {
  allowed: boolean;
  /** The limit that decided: the one refusing, or when allowed the one with the least left. */
  scope: 'tier' | 'client';
  limit: number;
  periodMs: number;
  /** Requests the deciding limit still allows right now. */
  remaining: number;
  /** 0 when allowed; else how long until one more request is allowed. */
  retryAfterMs: number;
}

export interface RateLimiter {
  check(key: RateLimitKey): Promise<RateDecision>;
  /** Whether checks are counted in Redis, shared by the replicas, rather than in this replica. */
  isShared(): boolean;
  close(): Promise<void>;
}

export type { RedisClient } from '../redis.js';

export interface RateLimiterOptions {
  /** A URL (the limiter owns and closes the client) or a client the caller owns. None: memory only. */
  redis?: { url: string; cluster?: boolean } | RedisClient;
  prefix: string;
  limits: RateLimits;
  logger: Logger;
  /** Longest wait for Redis before a check is answered from memory. */
  redisTimeoutMs?: number;
  /** After Redis fails, checks stay in memory this long before trying it again. */
  redisRetryMs?: number;
  /** Clock of the in-memory limiter, in milliseconds. */
  now?: () => number;
  /** Callers the in-memory limiter keeps; the least recently seen are forgotten first. */
  memoryCapacity?: number;
}

interface Bucket {
  key: string;
  scope: RateDecision['scope'];
  rate: Rate;
}

/**
 * GCRA over every limit of one caller in one round trip: a request counts against all of them or
 * none. A caller may send `limit` requests at once after a quiet period, then one per
 * `period / limit`; unlike fixed windows, no window edge lets a second burst through right after
 * the first. Each key holds the caller's theoretical arrival time in microseconds of Redis's own
 * clock, so that replicas with skewed clocks agree, and expires once the caller's budget is full.
 * KEYS[i]: a limit's state; ARGV[2i-1], ARGV[2i]: its limit and period in microseconds.
 * Returns { allowed, index of the deciding limit, remaining, retry after in microseconds }.
 */
const GCRA_SCRIPT = `
if redis.replicate_commands then redis.replicate_commands() end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local arrivals = {}
local denied, deniedRetry = 0, 0
for i = 1, #KEYS do
  local limit, period = tonumber(ARGV[2 * i - 1]), tonumber(ARGV[2 * i])
  local interval = math.max(1, math.floor(period / limit))
  local tat = tonumber(redis.call('GET', KEYS[i]) or '0') or 0
  if tat < now then tat = now end
  arrivals[i] = tat + interval
  local retry = arrivals[i] - period - now
  if retry > deniedRetry then denied, deniedRetry = i, retry end
end
if denied > 0 then return {0, denied, 0, deniedRetry} end
local tightest, least = 1, -1
for i = 1, #KEYS do
  local limit, period = tonumber(ARGV[2 * i - 1]), tonumber(ARGV[2 * i])
  local interval = math.max(1, math.floor(period / limit))
  redis.call('SET', KEYS[i], string.format('%.0f', arrivals[i]), 'PX', math.ceil((arrivals[i] - now) / 1000))
  local remaining = math.min(limit - 1, math.floor((period - (arrivals[i] - now)) / interval))
  if least < 0 or remaining < least then tightest, least = i, remaining end
end
return {1, tightest, least, 0}
`;
const GCRA_SHA = createHash('sha1').update(GCRA_SCRIPT).digest('hex');

/** The same GCRA, for one replica, when Redis is not configured or not answering. */
class MemoryLimiter {
  private readonly arrivals = new Map<string, number>();

  constructor(
    private readonly now: () => number,
    private readonly capacity: number,
  ) {}

  check(buckets: readonly Bucket[]): RateDecision {
    const now = Math.round(this.now() * 1000);
    const next = buckets.map((bucket) => {
      const period = bucket.rate.periodMs * 1000;
      const interval = Math.max(1, Math.floor(period / bucket.rate.limit));
      const arrival = Math.max(this.arrivals.get(bucket.key) ?? 0, now) + interval;
      return { bucket, period, interval, arrival, retry: arrival - period - now };
    });
    let denied: (typeof next)[number] | undefined;
    for (const candidate of next) if (candidate.retry > (denied?.retry ?? 0)) denied = candidate;
    if (denied) return decision(false, denied.bucket, 0, denied.retry);
    let tightest: { bucket: Bucket; remaining: number } | undefined;
    for (const { bucket, period, interval, arrival } of next) {
      this.arrivals.delete(bucket.key);
      this.arrivals.set(bucket.key, arrival);
      const remaining = Math.min(bucket.rate.limit - 1, Math.floor((period - (arrival - now)) / interval));
      if (!tightest || remaining < tightest.remaining) tightest = { bucket, remaining };
    }
    // Forgetting a caller only gives it a fresh budget; memory stays bounded.
    for (const key of this.arrivals.keys()) {
      if (this.arrivals.size <= this.capacity) break;
      this.arrivals.delete(key);
    }
    return decision(true, tightest!.bucket, tightest!.remaining, 0);
  }
}

function decision(allowed: boolean, bucket: Bucket, remaining: number, retryMicros: number): RateDecision {
  return {
    allowed,
    scope: bucket.scope,
    limit: bucket.rate.limit,
    periodMs: bucket.rate.periodMs,
    remaining: Math.max(0, remaining),
    retryAfterMs: allowed ? 0 : Math.ceil(retryMicros / 1000),
  };
}

/** A client id or an address, hashed: a fixed key shape, no braces, nothing readable at rest. */
function callerTag(kind: 'client' | 'ip', value: string): string {
  return `{${kind}:${createHash('sha256').update(value).digest('hex').slice(0, 32)}}`;
}

/**
 * The keys of one check share the caller's hash tag, so that they live in one Redis Cluster slot
 * and one script can update them together.
 */
function bucketsFor(prefix: string, limits: RateLimits, key: RateLimitKey): Bucket[] {
  // Callers without a client id or an address, if any, share one budget.
  const caller = key.client !== null ? callerTag('client', key.client) : callerTag('ip', key.ip ?? 'unknown');
  const buckets: Bucket[] = [
    { key: `${prefix}${caller}:tier:${key.tier}`, scope: 'tier', rate: limits.tiers[key.tier] },
  ];
  if (key.client !== null && limits.client) {
    buckets.push({ key: `${prefix}${caller}:client`, scope: 'client', rate: limits.client });
  }
  return buckets;
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Rate limits shared by the gateway replicas through Redis. When Redis is not configured, or
 * does not answer within `redisTimeoutMs`, each replica counts in its own memory (so each allows
 * up to the limit); an outage is logged once, and the limiter returns to Redis when it does.
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { prefix, limits, logger } = options;
  const timeoutMs = options.redisTimeoutMs ?? 100;
  const retryMs = options.redisRetryMs ?? 1_000;
  const memory = new MemoryLimiter(options.now ?? Date.now, options.memoryCapacity ?? 100_000);
  const target = options.redis;
  // A client is told apart by its shape, not `instanceof`: the caller may hold another copy of ioredis.
  const owned = target !== undefined && !('status' in target);
  const client: RedisClient | undefined =
    target === undefined
      ? undefined
      : 'status' in target
        ? target
        : createRedisClient({ url: target.url, cluster: target.cluster ?? false, commandTimeoutMs: timeoutMs });

  let down = false;
  let closing = false;
  let skipRedisUntil = 0;

  function markDown(error: unknown): void {
    skipRedisUntil = Date.now() + retryMs;
    if (down || closing) return;
    down = true;
    logger.warn(
      { err: error instanceof Error ? error.message : String(error) },
      'Redis is unavailable: rate limits are counted in this replica until it returns',
    );
  }

  function markUp(): void {
    skipRedisUntil = 0;
    if (!down) return;
    down = false;
    logger.info('Redis is back: rate limits are shared by the replicas again');
  }

  const onError = (error: unknown) => markDown(error);
  const onReady = () => markUp();
  client?.on('error', onError);
  client?.on('ready', onReady);

  async function checkInRedis(redis: RedisClient, buckets: readonly Bucket[]): Promise<RateDecision> {
    const keys = buckets.map((bucket) => bucket.key);
    const args = buckets.flatMap((bucket) => [bucket.rate.limit, bucket.rate.periodMs * 1000]);
    let reply: unknown;
    try {
      reply = await redis.evalsha(GCRA_SHA, keys.length, ...keys, ...args);
    } catch (error) {
      // First use on this server, or after a restart: load the script with the call.
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      reply = await redis.eval(GCRA_SCRIPT, keys.length, ...keys, ...args);
    }
    const [allowed, index, remaining, retryMicros] = reply as [number, number, number, number];
    return decision(allowed === 1, buckets[index - 1]!, remaining, retryMicros);
  }

  const redisUsable = () => client !== undefined && client.status === 'ready' && Date.now() >= skipRedisUntil;

  return {
    async check(key) {
      const buckets = bucketsFor(prefix, limits, key);
      if (client && redisUsable()) {
        try {
          const result = await withTimeout(checkInRedis(client, buckets), timeoutMs);
          markUp();
          return result;
        } catch (error) {
          markDown(error);
        }
      }
      return memory.check(buckets);
    },
    isShared: redisUsable,
    async close() {
      closing = true;
      client?.off('error', onError);
      client?.off('ready', onReady);
      if (!client || !owned) return;
      // Errors while closing are expected: the client may still be reconnecting.
      client.on('error', () => undefined);
      if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
      else client.disconnect();
    },
  };
}

export class RateLimitedError extends CreditGatewayError {
  constructor(readonly decision: RateDecision) {
    const who = decision.scope === 'client' ? 'this client across all its tokens' : 'this tier';
    super(
      'RATE_LIMITED',
      `Too many requests: ${who} may send ${decision.limit} per ${formatPeriod(decision.periodMs)}; retry in ${retryAfterSeconds(decision)} s`,
      {
        extensions: {
          scope: decision.scope,
          limit: decision.limit,
          period: formatPeriod(decision.periodMs),
          retryAfterMs: decision.retryAfterMs,
        },
      },
    );
  }
}

/** The error for a refused request: answered with HTTP 429 and `Retry-After: retryAfterSeconds(decision)`. */
export function rateLimitedError(decision: RateDecision): RateLimitedError {
  return new RateLimitedError(decision);
}

/** Whole seconds for the Retry-After header, never 0: a client retrying at once would be refused again. */
export function retryAfterSeconds(decision: RateDecision): number {
  return Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
}
