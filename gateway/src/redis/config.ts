import type { EnvReader } from '@credit-gateway/common';

/**
 * - `state`: what the replicas must share and Redis must never evict (rate limits); run it with
 *   `maxmemory-policy noeviction`.
 * - `cache`: what may be lost at any time (entity cache, persisted queries); run it as an LRU,
 *   bounded by `maxBytes`.
 */
export type RedisRoleName = 'state' | 'cache';

/** Each user of Redis has a keyspace of its own: a role and a key prefix. */
export type RedisKeyspaceName = 'rateLimits' | 'entities' | 'persistedOperations';

export interface RedisRoleConfig {
  /** None: nothing of this role is shared, each process keeps it in memory. */
  url: string | undefined;
  /** `url` names one node of a Redis Cluster. */
  cluster: boolean;
  /**
   * Further nodes of the Cluster (`host:port`) to start from when `url`'s does not answer, with
   * `url`'s credentials and TLS; empty without a Cluster. Once connected, the client learns every
   * node from the Cluster itself.
   */
  clusterSeeds: readonly string[];
  /** A command not answered by then fails, and its caller answers from memory. */
  commandTimeoutMs: number;
  /** Past this much memory in use on the role's Redis (every master of a Cluster together), nothing more is written; none for `state`. */
  maxBytes: number | undefined;
}

export interface RedisKeyspaceConfig {
  role: RedisRoleName;
  /** Begins every key of the keyspace. */
  prefix: string;
  /** The keyspace's pub/sub channel, named in full; only the entity cache has one (its evictions). */
  channel?: string;
}

/** The one Redis section of the gateway's config. */
export interface RedisConfig {
  roles: Readonly<Record<RedisRoleName, RedisRoleConfig>>;
  keyspaces: Readonly<Record<RedisKeyspaceName, RedisKeyspaceConfig>>;
}

export const DEFAULT_RATE_LIMIT_PREFIX = 'cg:rl:';

function isRedisUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '';
  } catch {
    return false;
  }
}

function readUrl(reader: EnvReader, name: string, doc: string): string | undefined {
  const url = reader.optionalString(name, doc);
  if (url === undefined || isRedisUrl(url)) return url;
  // The URL may carry a password: it is not repeated.
  reader.problem(`${name} must be a redis:// or rediss:// URL`);
  return undefined;
}

/** `host:port`, the host a name, an IPv4 address or a bracketed IPv6 address. */
function isNodeAddress(text: string): boolean {
  const match = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(text);
  return match !== null && Number(match[2]) >= 1 && Number(match[2]) <= 65_535;
}

function readClusterSeeds(reader: EnvReader, name: string, cluster: boolean, urlName: string): string[] {
  const nodes = reader.list(
    name,
    [],
    `Further nodes of the Redis Cluster (host:port, comma-separated), tried when ${urlName}'s node does not answer; with ${urlName}'s credentials and TLS`,
  );
  const bad = nodes.filter((node) => !isNodeAddress(node));
  if (bad.length > 0) reader.problem(`${name} must list host:port pairs, got '${bad.join(',')}'`);
  if (nodes.length > 0 && !cluster)
    reader.problem(`${name} names Cluster nodes: set ${name.replace(/_SEEDS$/, '')}=true with it`);
  return bad.length > 0 || !cluster ? [] : nodes;
}

/** A prefix a key's hash tag cannot come from, and that a SCAN pattern reads as plain text. */
function readStrictPrefix(reader: EnvReader, name: string, fallback: string, doc: string): string {
  const prefix = reader.string(name, fallback, `${doc} (1 to 64 of letters, digits and ':._-')`);
  // A brace would become the key's Redis Cluster hash tag and split related keys across slots.
  if (!/^[A-Za-z0-9:._-]{1,64}$/.test(prefix))
    reader.problem(`${name} must be 1 to 64 letters, digits or ':._-', got '${prefix}'`);
  return prefix;
}

/**
 * Reads the two roles, each with its URL, Cluster flag and further Cluster nodes, and command timeout:
 * - state: REDIS_URL, REDIS_CLUSTER, REDIS_CLUSTER_SEEDS, REDIS_TIMEOUT_MS (100);
 * - cache: CACHE_REDIS_URL, CACHE_REDIS_CLUSTER, CACHE_REDIS_CLUSTER_SEEDS, CACHE_REDIS_TIMEOUT_MS (100),
 *   CACHE_REDIS_MAX_BYTES (256 MiB);
 *
 * A Cluster is one URL with its flag (`REDIS_URL=redis://:secret@10.0.0.1:6379 REDIS_CLUSTER=true`)
 * and, so that a replica starting while that node is down still finds the Cluster, further nodes
 * (`REDIS_CLUSTER_SEEDS=10.0.0.2:6379,10.0.0.3:6379`). Keys that one command, pipeline or script
 * touches together share a hash tag (provider.ts: `hashTag`), so no command crosses slots.
 *
 * and the keyspaces' prefixes: RATE_LIMIT_PREFIX (`cg:rl:`, state), CACHE_PREFIX
 * (`credit-gateway:entity:`, cache) with CACHE_EVICT_CHANNEL, and APQ_PREFIX (`cg:apq:`). Persisted
 * queries are a cache: they go to the cache's Redis, which evicts, and to the state's only when
 * there is no cache Redis. Every problem is recorded on the reader.
 */
export function readRedisConfig(reader: EnvReader): RedisConfig {
  reader = reader.section('redis');
  const rateLimitPrefix = readStrictPrefix(
    reader,
    'RATE_LIMIT_PREFIX',
    DEFAULT_RATE_LIMIT_PREFIX,
    'Key prefix of the rate limits in Redis',
  );
  const stateUrl = readUrl(
    reader,
    'REDIS_URL',
    'Redis (redis:// or rediss://) the replicas share rate limits in, run with noeviction; persisted queries too without CACHE_REDIS_URL. Each process counts on its own when unset',
  );
  const stateCluster = reader.bool('REDIS_CLUSTER', false, 'REDIS_URL names one node of a Redis Cluster');
  const state: RedisRoleConfig = {
    url: stateUrl,
    cluster: stateCluster,
    clusterSeeds: readClusterSeeds(reader, 'REDIS_CLUSTER_SEEDS', stateCluster, 'REDIS_URL'),
    commandTimeoutMs: reader.int(
      'REDIS_TIMEOUT_MS',
      100,
      { min: 1, max: 60_000 },
      'A rate-limit command not answered by then fails, and the process decides on its own counts',
    ),
    maxBytes: undefined,
  };
  const cacheUrl = readUrl(
    reader,
    'CACHE_REDIS_URL',
    "The cache's own Redis, shared by replicas, run with maxmemory and allkeys-lru; it holds persisted queries too. Memory only when unset",
  );
  const cacheCluster = reader.bool('CACHE_REDIS_CLUSTER', false, 'CACHE_REDIS_URL names one node of a Redis Cluster');
  const cache: RedisRoleConfig = {
    url: cacheUrl,
    cluster: cacheCluster,
    clusterSeeds: readClusterSeeds(reader, 'CACHE_REDIS_CLUSTER_SEEDS', cacheCluster, 'CACHE_REDIS_URL'),
    commandTimeoutMs: reader.int(
      'CACHE_REDIS_TIMEOUT_MS',
      100,
      { min: 1, max: 60_000 },
      'A cache command not answered by then is given up: the gateway answers from memory and the sources',
    ),
    maxBytes: reader.int(
      'CACHE_REDIS_MAX_BYTES',
      256 * 1024 * 1024,
      { min: 1, max: 1024 * 1024 * 1024 * 1024 },
      "While the cache's Redis uses this much memory (a Cluster's masters together), nothing more is written there; keep it below maxmemory",
    ),
  };
  const entityPrefix = reader.string(
    'CACHE_PREFIX',
    'credit-gateway:entity:',
    'Key prefix of the entity cache in Redis; no braces',
  );
  // A brace would become the Redis Cluster hash tag of every key and put them all in one slot.
  if (/[{}]/.test(entityPrefix)) reader.problem('CACHE_PREFIX must not contain braces');
  return {
    roles: { state, cache },
    keyspaces: {
      rateLimits: { role: 'state', prefix: rateLimitPrefix },
      entities: {
        role: 'cache',
        prefix: entityPrefix,
        channel: reader.string(
          'CACHE_EVICT_CHANNEL',
          'credit-gateway:entity-evict',
          'Redis channel on which a message evicts an entity or a whole source on every replica',
        ),
      },
      persistedOperations: {
        role: cache.url === undefined && state.url !== undefined ? 'state' : 'cache',
        prefix: readStrictPrefix(reader, 'APQ_PREFIX', 'cg:apq:', 'Key prefix of persisted queries in Redis'),
      },
    },
  };
}
