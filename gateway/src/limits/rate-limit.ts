import { createHash } from 'node:crypto';
import { hashTag, type RedisClient, type RedisKeyspace } from '../redis/provider.js';
import { CreditGatewayError, LruCache, TIERS, type EnvReader, type Logger, type Tier } from '@credit-gateway/common';

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
  /**
   * RATE_LIMIT_TIER_TOTAL: a ceiling on every caller of a tier together, whatever their client
   * names or addresses; a tier left out has none.
   */
  tierTotal?: Readonly<Partial<Record<Tier, Rate>>>;
  /** RATE_LIMIT_ADDRESS: a ceiling per source address and tier, over all the client names it uses. */
  address?: Readonly<Partial<Record<Tier, Rate>>>;
  /** RATE_LIMIT_SUBJECTS: subjects (查询量) per caller and tier; a request spends one per subject it names. */
  subjects?: Readonly<Partial<Record<Tier, Rate>>>;
  /** RATE_LIMIT_AUTH_FAILURES: failed authentications per source address; past it tokens are not verified. */
  authFailures?: Rate | null;
}

/** Where the counts are kept is the Redis section's (redis/config.ts: REDIS_URL, RATE_LIMIT_PREFIX). */
export interface RateLimitConfig {
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
  // Twenty callers' worth per tier: what any number of client names can take together.
  tierTotal: {
    PUBLIC: { limit: 1_200, periodMs: MINUTE },
    AUTHORIZED: { limit: 12_000, periodMs: MINUTE },
    GOVERNMENT: { limit: 60_000, periodMs: MINUTE },
    JUDICIAL: { limit: 60_000, periodMs: MINUTE },
    ANALYST: { limit: 6_000, periodMs: MINUTE },
  },
  // Two callers' worth per address: a few systems behind one NAT, not twenty client names.
  address: {
    PUBLIC: { limit: 120, periodMs: MINUTE },
    AUTHORIZED: { limit: 1_200, periodMs: MINUTE },
    GOVERNMENT: { limit: 6_000, periodMs: MINUTE },
    JUDICIAL: { limit: 6_000, periodMs: MINUTE },
    ANALYST: { limit: 600, periodMs: MINUTE },
  },
  // Several of the largest requests a tier may send (MAX_SUBJECTS_PER_REQUEST) at once, then evenly.
  subjects: {
    PUBLIC: { limit: 600, periodMs: MINUTE },
    AUTHORIZED: { limit: 30_000, periodMs: MINUTE },
    GOVERNMENT: { limit: 150_000, periodMs: MINUTE },
    JUDICIAL: { limit: 150_000, periodMs: MINUTE },
    ANALYST: { limit: 15_000, periodMs: MINUTE },
  },
  authFailures: { limit: 30, periodMs: MINUTE },
};

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

/** `60/1m`, as RATE_LIMITS and the other variables take it; `off` for none. */
function formatRate(rate: Rate | null | undefined): string {
  return rate ? `${rate.limit}/${formatPeriod(rate.periodMs)}` : 'off';
}

/** `PUBLIC=60/1m,AUTHORIZED=600/1m,…`, as the per-tier variables take it. */
function formatTierRates(rates: Readonly<Partial<Record<Tier, Rate>>>): string {
  return Object.entries(rates)
    .map(([tier, rate]) => `${tier}=${formatRate(rate)}`)
    .join(',');
}

/**
 * Reads RATE_LIMITS (`PUBLIC=60/1m,AUTHORIZED=600/1m,…`: tiers left out keep their default),
 * RATE_LIMIT_CLIENT (a rate, or `off`), RATE_LIMIT_TIER_TOTAL, RATE_LIMIT_ADDRESS and
 * RATE_LIMIT_SUBJECTS (per tier, like RATE_LIMITS, each tier also `off`) and
 * RATE_LIMIT_AUTH_FAILURES (a rate, or `off`). Every problem is recorded on the reader.
 */
export function readRateLimitConfig(reader: EnvReader): RateLimitConfig {
  reader = reader.section('rate limits');
  const tiers: Record<Tier, Rate> = { ...DEFAULT_RATE_LIMITS.tiers };
  const seen = new Set<string>();
  for (const entry of reader.list('RATE_LIMITS', [], {
    text: "Each caller's requests at its tier (a PUBLIC caller is its address); a tier left out keeps its default",
    default: formatTierRates(DEFAULT_RATE_LIMITS.tiers),
    values: '`TIER=count/period`, comma-separated; a period such as `1m`, `30s`, `500ms`, at most `1d`',
  })) {
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
  const clientText = reader.optionalString('RATE_LIMIT_CLIENT', {
    text: "One client's requests across all its tokens and tiers",
    default: formatRate(DEFAULT_RATE_LIMITS.client),
    values: 'a rate such as `6000/1m`, or `off`',
  });
  if (clientText?.toLowerCase() === 'off') client = null;
  else if (clientText !== undefined) {
    client = parseRate(clientText) ?? DEFAULT_RATE_LIMITS.client;
    if (!parseRate(clientText))
      reader.problem(`RATE_LIMIT_CLIENT must be 'off' or ${RATE_SYNTAX}, got '${clientText}'`);
  }

  const tierTotal = readTierRates(
    reader,
    'RATE_LIMIT_TIER_TOTAL',
    DEFAULT_RATE_LIMITS.tierTotal ?? {},
    'Every caller of a tier together, whatever client names or addresses they use',
  );
  const address = readTierRates(
    reader,
    'RATE_LIMIT_ADDRESS',
    DEFAULT_RATE_LIMITS.address ?? {},
    'One source address at a tier, over all the client names it uses',
  );
  const subjects = readTierRates(
    reader,
    'RATE_LIMIT_SUBJECTS',
    DEFAULT_RATE_LIMITS.subjects ?? {},
    'Subjects a caller names at its tier: a request spends one per subject',
  );
  let authFailures = DEFAULT_RATE_LIMITS.authFailures ?? null;
  const authText = reader.optionalString('RATE_LIMIT_AUTH_FAILURES', {
    text: 'Failed authentications from one address; past it, its tokens are not verified',
    default: formatRate(DEFAULT_RATE_LIMITS.authFailures),
    values: 'a rate such as `30/1m`, or `off`',
  });
  if (authText?.toLowerCase() === 'off') authFailures = null;
  else if (authText !== undefined) {
    const rate = parseRate(authText);
    if (rate) authFailures = rate;
    else reader.problem(`RATE_LIMIT_AUTH_FAILURES must be 'off' or ${RATE_SYNTAX}, got '${authText}'`);
  }

  return { limits: { tiers, client, tierTotal, address, subjects, authFailures } };
}

/**
 * `PUBLIC=1200/1m,GOVERNMENT=off,…`: a rate or `off` per tier; tiers left out keep their default.
 */
function readTierRates(
  reader: EnvReader,
  name: string,
  defaults: Readonly<Partial<Record<Tier, Rate>>>,
  doc: string,
): Partial<Record<Tier, Rate>> {
  const rates: Partial<Record<Tier, Rate>> = { ...defaults };
  const seen = new Set<string>();
  for (const entry of reader.list(name, [], {
    text: `${doc}; a tier left out keeps its default`,
    default: formatTierRates(defaults),
    values: '`TIER=count/period` or `TIER=off`, comma-separated',
  })) {
    const separator = entry.indexOf('=');
    const tier = (separator < 0 ? entry : entry.slice(0, separator)).trim();
    const value = separator < 0 ? '' : entry.slice(separator + 1).trim();
    const rate = parseRate(value);
    if (!(TIERS as readonly string[]).includes(tier)) {
      reader.problem(`${name}: '${tier}' is not a tier; use ${TIERS.join(', ')}`);
    } else if (seen.has(tier)) {
      reader.problem(`${name} sets ${tier} twice`);
    } else if (value.toLowerCase() === 'off') {
      delete rates[tier as Tier];
    } else if (!rate) {
      reader.problem(`${name}: ${tier} must be 'off' or ${RATE_SYNTAX}, got '${entry}'`);
    } else {
      rates[tier as Tier] = rate;
    }
    seen.add(tier);
  }
  return rates;
}

export interface RateLimitKey {
  tier: Tier;
  /** The authenticated client; null for a PUBLIC caller. */
  client: string | null;
  /** The caller's address: a PUBLIC caller's budget is kept per address. */
  ip?: string;
}

/**
 * Which limit decided: `tier`, the caller's own budget at its tier; `client`, one client across its
 * tokens; `tier-total`, every caller of the tier together; `address`, one source address at a
 * tier; `subjects`, the subjects a caller names; `auth`, failed authentications from an address.
 */
export type RateScope = 'tier' | 'client' | 'tier-total' | 'address' | 'subjects' | 'auth';

export interface RateDecision {
  allowed: boolean;
  /** The limit that decided: the one refusing, or when allowed the one with the least left. */
  scope: RateScope;
  limit: number;
  periodMs: number;
  /** Requests the deciding limit still allows right now. */
  remaining: number;
  /** 0 when allowed; else how long until one more request is allowed. */
  retryAfterMs: number;
}

export interface RateLimiter {
  /** Counts one request against the caller's, its client's, its address's and its tier's budgets. */
  check(key: RateLimitKey): Promise<RateDecision>;
  /**
   * Spends `units` of the caller's subjects budget (查询量) at its tier, all or none; null when
   * the tier has no such budget or `units` is 0. A request naming more subjects than the whole
   * budget is always refused.
   */
  consume(key: RateLimitKey, units: number): Promise<RateDecision | null>;
  /** Whether `ip` may still fail authentication (nothing is spent); null when unlimited. */
  checkAuthFailures(ip: string): Promise<RateDecision | null>;
  /** Counts one failed authentication from `ip`; null when unlimited. */
  recordAuthFailure(ip: string): Promise<RateDecision | null>;
  /** Whether checks are counted in Redis, shared by the replicas, rather than in this replica. */
  isShared(): boolean;
  close(): Promise<void>;
}

export interface RateLimiterOptions {
  /**
   * The rate limits' keyspace (the provider's state role). Its command timeout is the longest
   * wait for Redis before a check is answered from memory. None, or one without a Redis: memory only.
   */
  redis?: RedisKeyspace;
  limits: RateLimits;
  logger: Logger;
  /** After Redis fails, checks stay in memory this long before trying it again. */
  redisRetryMs?: number;
  /** Clock of the in-memory limiter, in milliseconds. */
  now?: () => number;
  /** Callers the in-memory limiter keeps; the least recently seen are forgotten first. */
  memoryCapacity?: number;
}

interface Bucket {
  key: string;
  scope: RateScope;
  rate: Rate;
  /** Units this check spends: 1 per request, or the subjects a request names. */
  cost: number;
  /** The key's Redis Cluster hash tag: one script call updates the keys of one tag. */
  tag: string;
}

/**
 * GCRA over several limits in one round trip: a check counts against all of them or none. A
 * caller may spend `limit` units at once after a quiet period, then one per `period / limit`;
 * unlike fixed windows, no window edge lets a second burst through right after the first. Each
 * key holds its theoretical arrival time in microseconds of Redis's own clock, so that replicas
 * with skewed clocks agree, and expires once its budget is full again.
 * ARGV[1]: '1' to spend, '0' to look only. KEYS[i]: a limit's state; ARGV[3i-1], ARGV[3i],
 * ARGV[3i+1]: its limit, its period in microseconds and the units this check costs it.
 * Returns { allowed, index of the deciding limit, remaining, retry after in microseconds }.
 */
const GCRA_SCRIPT = `
if redis.replicate_commands then redis.replicate_commands() end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local spend = ARGV[1] == '1'
local arrivals = {}
local denied, deniedRetry = 0, 0
for i = 1, #KEYS do
  local limit, period, cost = tonumber(ARGV[3 * i - 1]), tonumber(ARGV[3 * i]), tonumber(ARGV[3 * i + 1])
  local interval = math.max(1, math.floor(period / limit))
  local tat = tonumber(redis.call('GET', KEYS[i]) or '0') or 0
  if tat < now then tat = now end
  arrivals[i] = tat + interval * cost
  local retry = arrivals[i] - period - now
  if retry > deniedRetry then denied, deniedRetry = i, retry end
end
if denied > 0 then return {0, denied, 0, deniedRetry} end
local tightest, least = 1, -1
for i = 1, #KEYS do
  local limit, period = tonumber(ARGV[3 * i - 1]), tonumber(ARGV[3 * i])
  local interval = math.max(1, math.floor(period / limit))
  if spend then
    redis.call('SET', KEYS[i], string.format('%.0f', arrivals[i]), 'PX', math.max(1, math.ceil((arrivals[i] - now) / 1000)))
  end
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

  check(buckets: readonly Bucket[], spend = true): RateDecision {
    const now = Math.round(this.now() * 1000);
    const next = buckets.map((bucket) => {
      const period = bucket.rate.periodMs * 1000;
      const interval = Math.max(1, Math.floor(period / bucket.rate.limit));
      const arrival = Math.max(this.arrivals.get(bucket.key) ?? 0, now) + interval * bucket.cost;
      return { bucket, period, interval, arrival, retry: arrival - period - now };
    });
    let denied: (typeof next)[number] | undefined;
    for (const candidate of next) if (candidate.retry > (denied?.retry ?? 0)) denied = candidate;
    if (denied) return decision(false, denied.bucket, 0, denied.retry);
    let tightest: { bucket: Bucket; remaining: number } | undefined;
    for (const { bucket, period, interval, arrival } of next) {
      if (spend) {
        this.arrivals.delete(bucket.key);
        this.arrivals.set(bucket.key, arrival);
      }
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
  return hashTag(`${kind}:${createHash('sha256').update(value).digest('hex').slice(0, 32)}`);
}

/** Builds a key of the limiter's keyspace from its parts. */
type KeyOf = (...parts: string[]) => string;

/**
 * The keys of one request's check. A caller's own keys share its hash tag, so that they live in
 * one Redis Cluster slot; an address's keys and a tier's total have tags of their own.
 */
function bucketsFor(keyOf: KeyOf, limits: RateLimits, key: RateLimitKey): Bucket[] {
  // Callers without a client id or an address, if any, share one budget.
  const caller = key.client !== null ? callerTag('client', key.client) : callerTag('ip', key.ip ?? 'unknown');
  const buckets: Bucket[] = [
    { key: keyOf(caller, 'tier', key.tier), scope: 'tier', rate: limits.tiers[key.tier], cost: 1, tag: caller },
  ];
  if (key.client !== null && limits.client) {
    buckets.push({ key: keyOf(caller, 'client'), scope: 'client', rate: limits.client, cost: 1, tag: caller });
  }
  const perAddress = limits.address?.[key.tier];
  if (perAddress) {
    const address = callerTag('ip', key.ip ?? 'unknown');
    buckets.push({
      key: keyOf(address, 'address', key.tier),
      scope: 'address',
      rate: perAddress,
      cost: 1,
      tag: address,
    });
  }
  const total = limits.tierTotal?.[key.tier];
  if (total) {
    const tag = hashTag(`tier:${key.tier}`);
    buckets.push({ key: keyOf(tag, 'total'), scope: 'tier-total', rate: total, cost: 1, tag });
  }
  return buckets;
}

function subjectBuckets(keyOf: KeyOf, limits: RateLimits, key: RateLimitKey, units: number): Bucket[] {
  const rate = limits.subjects?.[key.tier];
  if (!rate || units <= 0) return [];
  const caller = key.client !== null ? callerTag('client', key.client) : callerTag('ip', key.ip ?? 'unknown');
  return [{ key: keyOf(caller, 'subjects', key.tier), scope: 'subjects', rate, cost: units, tag: caller }];
}

function authBuckets(keyOf: KeyOf, limits: RateLimits, ip: string): Bucket[] {
  if (!limits.authFailures) return [];
  const address = callerTag('ip', ip);
  return [{ key: keyOf(address, 'auth-failures'), scope: 'auth', rate: limits.authFailures, cost: 1, tag: address }];
}

/** Of several groups' decisions: refused if any refuses (the longest wait), else the least left. */
function combine(decisions: readonly RateDecision[]): RateDecision {
  const refusals = decisions.filter((decision) => !decision.allowed);
  if (refusals.length > 0) return refusals.reduce((a, b) => (b.retryAfterMs > a.retryAfterMs ? b : a));
  return decisions.reduce((a, b) => (b.remaining < a.remaining ? b : a));
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
 * does not answer within the keyspace's command timeout, each replica counts in its own memory
 * (so each allows up to the limit); an outage is logged once, and the limiter returns to Redis
 * when it does. The provider owns the connection: closing the limiter leaves it open.
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { redis: keyspace, limits, logger } = options;
  const timeoutMs = keyspace?.commandTimeoutMs ?? 0;
  const retryMs = options.redisRetryMs ?? 1_000;
  const memory = new MemoryLimiter(options.now ?? Date.now, options.memoryCapacity ?? 100_000);
  const client = keyspace?.client();
  const keyOf: KeyOf = keyspace ? (...parts) => keyspace.key(...parts) : (...parts) => parts.join(':');

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

  const unwatch = keyspace?.watch({ down: markDown, up: markUp });

  async function runScript(redis: RedisClient, buckets: readonly Bucket[], spend: boolean): Promise<RateDecision> {
    const keys = buckets.map((bucket) => bucket.key);
    const args = [
      spend ? '1' : '0',
      ...buckets.flatMap((bucket) => [bucket.rate.limit, bucket.rate.periodMs * 1000, bucket.cost]),
    ];
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

  // A Cluster takes one script call per slot: every group is looked at first, and spent only if
  // none refuses. Two replicas may both pass the look at a budget's last unit; a single Redis
  // decides every group in one atomic call.
  const isCluster = keyspace?.cluster ?? false;

  async function checkInRedis(redis: RedisClient, buckets: readonly Bucket[], spend: boolean): Promise<RateDecision> {
    const groups = new Map<string, Bucket[]>();
    for (const bucket of buckets) groups.set(bucket.tag, [...(groups.get(bucket.tag) ?? []), bucket]);
    if (!isCluster || groups.size === 1) return runScript(redis, buckets, spend);
    const looked = combine(await Promise.all([...groups.values()].map((group) => runScript(redis, group, false))));
    if (!looked.allowed || !spend) return looked;
    return combine(await Promise.all([...groups.values()].map((group) => runScript(redis, group, true))));
  }

  const redisUsable = () => client !== undefined && client.status === 'ready' && Date.now() >= skipRedisUntil;

  async function decide(buckets: readonly Bucket[], spend = true): Promise<RateDecision> {
    if (client && redisUsable()) {
      try {
        const result = await withTimeout(checkInRedis(client, buckets, spend), timeoutMs);
        markUp();
        return result;
      } catch (error) {
        markDown(error);
      }
    }
    return memory.check(buckets, spend);
  }

  return {
    check: (key) => decide(bucketsFor(keyOf, limits, key)),
    async consume(key, units) {
      const buckets = subjectBuckets(keyOf, limits, key, units);
      return buckets.length === 0 ? null : decide(buckets);
    },
    async checkAuthFailures(ip) {
      const buckets = authBuckets(keyOf, limits, ip);
      return buckets.length === 0 ? null : decide(buckets, false);
    },
    async recordAuthFailure(ip) {
      const buckets = authBuckets(keyOf, limits, ip);
      return buckets.length === 0 ? null : decide(buckets);
    },
    isShared: redisUsable,
    close() {
      closing = true;
      unwatch?.();
      return Promise.resolve();
    },
  };
}

const WHO: Record<RateScope, string> = {
  tier: 'this tier',
  client: 'this client across all its tokens',
  'tier-total': 'all callers of this tier together',
  address: 'this address at this tier',
  subjects: 'this caller at this tier',
  auth: 'this address',
};

export class RateLimitedError extends CreditGatewayError {
  constructor(readonly decision: RateDecision) {
    super(
      'RATE_LIMITED',
      `Too many ${decision.scope === 'subjects' ? 'subjects' : decision.scope === 'auth' ? 'failed authentications' : 'requests'}: ${WHO[decision.scope]} may ${decision.scope === 'subjects' ? 'name' : 'send'} ${decision.limit} per ${formatPeriod(decision.periodMs)}; retry in ${retryAfterSeconds(decision)} s`,
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

/**
 * Which requests refused for too many failed authentications the register records: the first
 * from an address in each period, not every one. Past the limit their tokens are not even read,
 * so each carries nothing to register but the address's flood; fsyncing a record per garbage
 * token would let the flood drive the register's disk. The ones skipped are counted, and the
 * count is logged with the next recorded one. Per replica, in bounded memory.
 */
export class RefusalSampler {
  private readonly addresses: LruCache<string, { until: number; skipped: number }>;

  constructor(
    private readonly periodMs: number,
    private readonly now: () => number = Date.now,
    capacity = 10_000,
  ) {
    this.addresses = new LruCache(capacity);
  }

  /** Whether to register this refusal, and how many were skipped before it since the last one. */
  take(address: string): { register: boolean; skipped: number } {
    const now = this.now();
    const seen = this.addresses.get(address);
    if (seen && now < seen.until) {
      seen.skipped++;
      return { register: false, skipped: 0 };
    }
    this.addresses.set(address, { until: now + this.periodMs, skipped: 0 });
    return { register: true, skipped: seen?.skipped ?? 0 };
  }
}
