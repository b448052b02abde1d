import { Cluster, Redis, type RedisOptions } from 'ioredis';

export type RedisClient = Redis | Cluster;

export interface RedisClientOptions {
  url: string;
  /** `url` names one node of a Redis Cluster. */
  cluster: boolean;
  /** Bound on one command; ignored for a subscriber. */
  commandTimeoutMs: number;
  /**
   * A subscriber waits for its connection and queues its SUBSCRIBE; every other client fails a
   * command at once while disconnected, so the caller answers from its in-memory layer instead.
   */
  subscriber?: boolean;
}

const retry = (attempt: number) => Math.min(attempt * 200, 2_000);

/**
 * The gateway's one way to reach Redis (rate limits, entity cache, persisted operations): fail fast
 * and reconnect for ever, so Redis going away never hangs a request.
 */
export function createRedisClient({
  url,
  cluster,
  commandTimeoutMs,
  subscriber = false,
}: RedisClientOptions): RedisClient {
  const options: RedisOptions = subscriber
    ? { retryStrategy: retry }
    : {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        commandTimeout: commandTimeoutMs,
        connectTimeout: 2_000,
        retryStrategy: retry,
      };
  if (!cluster) return new Redis(url, options);
  const parsed = new URL(url);
  return new Cluster([{ host: parsed.hostname, port: Number(parsed.port || 6379) }], {
    enableOfflineQueue: subscriber,
    clusterRetryStrategy: retry,
    redisOptions: {
      ...options,
      username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
      password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
      tls: parsed.protocol === 'rediss:' ? {} : undefined,
    },
  });
}
