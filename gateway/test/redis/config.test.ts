import { describe, expect, it } from 'vitest';
import { ConfigError, EnvReader } from '@credit-gateway/common';
import { readRedisConfig } from '../../src/redis/config.js';

function read(env: Record<string, string>) {
  const reader = new EnvReader(env);
  const config = readRedisConfig(reader);
  reader.done();
  return config;
}

function problems(env: Record<string, string>): readonly string[] {
  try {
    read(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('no problem reported');
}

describe('Redis config', () => {
  it('defaults to no Redis at all: both roles in memory, every keyspace with its prefix', () => {
    expect(read({})).toEqual({
      roles: {
        state: { url: undefined, cluster: false, clusterSeeds: [], commandTimeoutMs: 100, maxBytes: undefined },
        cache: {
          url: undefined,
          cluster: false,
          clusterSeeds: [],
          commandTimeoutMs: 100,
          maxBytes: 256 * 1024 * 1024,
        },
      },
      keyspaces: {
        rateLimits: { role: 'state', prefix: 'cg:rl:' },
        entities: { role: 'cache', prefix: 'credit-gateway:entity:', channel: 'credit-gateway:entity-evict' },
        persistedOperations: { role: 'cache', prefix: 'cg:apq:' },
      },
    });
  });

  it('reads every variable of both roles and every prefix', () => {
    expect(
      read({
        REDIS_URL: 'rediss://gateway:secret@state.internal:6380/2',
        REDIS_CLUSTER: 'true',
        REDIS_CLUSTER_SEEDS: 'state-2.internal:6380, 10.0.0.3:6380,[fd00::4]:6380',
        REDIS_TIMEOUT_MS: '250',
        CACHE_REDIS_URL: 'redis://cache.internal:6379',
        CACHE_REDIS_CLUSTER: 'yes',
        CACHE_REDIS_TIMEOUT_MS: '50',
        CACHE_REDIS_MAX_BYTES: '1048576',
        RATE_LIMIT_PREFIX: 'credit:rl:',
        CACHE_PREFIX: 'credit:entity:',
        CACHE_EVICT_CHANNEL: 'credit:evict',
        APQ_PREFIX: 'credit:apq:',
      }),
    ).toEqual({
      roles: {
        state: {
          url: 'rediss://gateway:secret@state.internal:6380/2',
          cluster: true,
          clusterSeeds: ['state-2.internal:6380', '10.0.0.3:6380', '[fd00::4]:6380'],
          commandTimeoutMs: 250,
          maxBytes: undefined,
        },
        cache: {
          url: 'redis://cache.internal:6379',
          cluster: true,
          clusterSeeds: [],
          commandTimeoutMs: 50,
          maxBytes: 1_048_576,
        },
      },
      keyspaces: {
        rateLimits: { role: 'state', prefix: 'credit:rl:' },
        entities: { role: 'cache', prefix: 'credit:entity:', channel: 'credit:evict' },
        persistedOperations: { role: 'cache', prefix: 'credit:apq:' },
      },
    });
  });

  it("keeps persisted queries in the cache's Redis, and in the state's only when there is no cache Redis", () => {
    const role = (env: Record<string, string>) => read(env).keyspaces.persistedOperations.role;
    expect(role({ REDIS_URL: 'redis://state:6379', CACHE_REDIS_URL: 'redis://cache:6379' })).toBe('cache');
    expect(role({ CACHE_REDIS_URL: 'redis://cache:6379' })).toBe('cache');
    expect(role({ REDIS_URL: 'redis://state:6379' })).toBe('state');
    expect(role({})).toBe('cache');
  });

  it('reports every problem at once, without repeating a URL, which may hold a password', () => {
    expect(
      problems({
        REDIS_URL: 'http://gateway:secret@redis.internal',
        CACHE_REDIS_URL: 'cache:secret@redis.internal:6379',
        REDIS_TIMEOUT_MS: '0',
        CACHE_REDIS_TIMEOUT_MS: 'soon',
        CACHE_REDIS_MAX_BYTES: '0',
        REDIS_CLUSTER: 'maybe',
        REDIS_CLUSTER_SEEDS: 'state-2:6379,state-3,state-4:99999',
        CACHE_REDIS_CLUSTER_SEEDS: 'cache-2:6379',
        RATE_LIMIT_PREFIX: 'cg:{rl}:',
        CACHE_PREFIX: 'entity:{all}:',
        APQ_PREFIX: 'apq with spaces',
      }),
    ).toEqual([
      "RATE_LIMIT_PREFIX must be 1 to 64 letters, digits or ':._-', got 'cg:{rl}:'",
      'REDIS_URL must be a redis:// or rediss:// URL',
      "REDIS_CLUSTER must be true or false, got 'maybe'",
      "REDIS_CLUSTER_SEEDS must list host:port pairs, got 'state-3,state-4:99999'",
      'REDIS_CLUSTER_SEEDS names Cluster nodes: set REDIS_CLUSTER=true with it',
      "REDIS_TIMEOUT_MS must be a whole number from 1 to 60000, got '0'",
      'CACHE_REDIS_URL must be a redis:// or rediss:// URL',
      'CACHE_REDIS_CLUSTER_SEEDS names Cluster nodes: set CACHE_REDIS_CLUSTER=true with it',
      "CACHE_REDIS_TIMEOUT_MS must be a whole number from 1 to 60000, got 'soon'",
      "CACHE_REDIS_MAX_BYTES must be a whole number from 1 to 1099511627776, got '0'",
      'CACHE_PREFIX must not contain braces',
      "APQ_PREFIX must be 1 to 64 letters, digits or ':._-', got 'apq with spaces'",
    ]);
  });
});
