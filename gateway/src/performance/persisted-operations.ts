import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { RedisKeyspace, RedisReply } from '../redis/provider.js';
import { CreditGatewayError, LruCache, type Logger } from '@credit-gateway/common';
import type { PerformanceConfig } from './config.js';

/** What a request's persisted-query extension comes to. */
export type PersistedResolution =
  | {
      ok: true;
      /** The query the hash names, when the request sent only the hash. */
      query?: string;
      /** A full query sent with its hash: remembered once it proves a valid document. */
      register?: string;
      /** The request's sha256 hash, for the register when the query is unknown. */
      hash?: string;
    }
  | { ok: false; error: CreditGatewayError; hash?: string };

export interface PersistedOperations {
  /** Reads `extensions.persistedQuery` (Apollo's APQ protocol) and the safelist. */
  resolve(source: Readonly<Record<string, unknown>>): Promise<PersistedResolution>;
  /** Stores a query a client registered, after it parsed and validated. */
  remember(hash: string, query: string): void;
  close(): Promise<void>;
}

export interface PersistedOperationsOptions {
  config: PerformanceConfig;
  /**
   * Where registered queries are shared by the replicas (the provider's cache role, or the state
   * role when there is no cache Redis); each process keeps them in memory in front of it, or alone
   * without it. A command slower than the role's timeout is answered from memory.
   */
  redis: RedisKeyspace;
  logger: Logger;
}

const HASH = /^[a-f0-9]{64}$/;

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Reads a safelist: either a plain JSON object of sha256 → query, or Apollo's persisted query
 * manifest (`{ "format": "apollo-persisted-query-manifest", "operations": [{ "id", "body" }] }`).
 * Every query is indexed by its own sha256, so a client may also send it in full.
 */
export function loadSafelist(file: string): Map<string, string> {
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  const entries: [string, unknown][] =
    typeof manifest === 'object' &&
    manifest !== null &&
    Array.isArray((manifest as { operations?: unknown }).operations)
      ? (manifest as { operations: { id?: unknown; body?: unknown }[] }).operations.map((op) => [
          String(op.id),
          op.body,
        ])
      : Object.entries(manifest as Record<string, unknown>);
  const safelist = new Map<string, string>();
  for (const [id, query] of entries) {
    if (typeof query !== 'string' || query.trim() === '') throw new Error(`Safelist ${file}: '${id}' has no query`);
    safelist.set(sha256(query), query);
    if (HASH.test(id)) safelist.set(id, query);
  }
  return safelist;
}

function badRequest(message: string): CreditGatewayError {
  return new CreditGatewayError('BAD_REQUEST', message);
}

function persistedQueryOf(source: Readonly<Record<string, unknown>>): unknown {
  let extensions = source['extensions'];
  if (typeof extensions === 'string') {
    // GET requests carry the extensions as JSON text.
    try {
      extensions = JSON.parse(extensions) as unknown;
    } catch {
      return null;
    }
  }
  if (typeof extensions !== 'object' || extensions === null) return undefined;
  return (extensions as Record<string, unknown>)['persistedQuery'];
}

export function createPersistedOperations(options: PersistedOperationsOptions): PersistedOperations {
  const { config, logger } = options;
  const safelist = config.safelistFile ? loadSafelist(config.safelistFile) : new Map<string, string>();
  const memory = new LruCache<string, string>(config.apqMemoryEntries);
  const keyspace = options.redis;
  const redis = config.apq ? keyspace.client() : undefined;
  let warned = false;
  const redisFailed = (error: unknown) => {
    if (warned) return;
    warned = true;
    logger.warn(
      { err: error instanceof Error ? error.message : String(error) },
      'Redis is unavailable: persisted queries are kept in this process until it returns',
    );
  };
  const unwatch = config.apq ? keyspace.watch({ down: redisFailed, up: () => (warned = false) }) : undefined;

  async function lookup(hash: string): Promise<string | undefined> {
    const known = memory.get(hash);
    if (known !== undefined || !redis) return known;
    // Bounded by the role's timeout, a Cluster's retries through a failover included.
    const [[error, stored]] = (await keyspace.pipeline([['get', keyspace.key(hash)]])) as [RedisReply];
    if (error) redisFailed(error);
    // Only a text that still hashes to the key is trusted.
    if (typeof stored === 'string' && sha256(stored) === hash) {
      memory.set(hash, stored);
      return stored;
    }
    return undefined;
  }

  return {
    async resolve(source) {
      const query = typeof source['query'] === 'string' && source['query'] !== '' ? source['query'] : undefined;
      const persisted = persistedQueryOf(source);
      if (persisted === undefined) {
        if (config.safelistOnly && query !== undefined && !safelist.has(sha256(query))) {
          return { ok: false, error: notInSafelist(), hash: sha256(query) };
        }
        return { ok: true };
      }
      const { version, sha256Hash } = (persisted ?? {}) as Record<string, unknown>;
      if (version !== 1) return { ok: false, error: badRequest('Unsupported persisted query version: use version 1') };
      if (typeof sha256Hash !== 'string' || !HASH.test(sha256Hash)) {
        return { ok: false, error: badRequest("'sha256Hash' must be 64 lowercase hexadecimal digits") };
      }
      if (query !== undefined) {
        if (sha256(query) !== sha256Hash) {
          return { ok: false, error: badRequest('provided sha does not match query'), hash: sha256Hash };
        }
        if (safelist.has(sha256Hash)) return { ok: true };
        if (config.safelistOnly) return { ok: false, error: notInSafelist(), hash: sha256Hash };
        return config.apq ? { ok: true, register: sha256Hash } : { ok: true };
      }
      const listed = safelist.get(sha256Hash);
      if (listed !== undefined) return { ok: true, query: listed };
      if (config.safelistOnly) return { ok: false, error: notInSafelist(), hash: sha256Hash };
      if (!config.apq) {
        const error = new CreditGatewayError('PERSISTED_QUERY_NOT_SUPPORTED', 'PersistedQueryNotSupported');
        return { ok: false, error, hash: sha256Hash };
      }
      const stored = await lookup(sha256Hash);
      if (stored !== undefined) return { ok: true, query: stored };
      // Apollo clients look for this exact message, then resend the query in full.
      const error = new CreditGatewayError('PERSISTED_QUERY_NOT_FOUND', 'PersistedQueryNotFound');
      return { ok: false, error, hash: sha256Hash };
    },

    remember(hash, query) {
      if (memory.get(hash) !== undefined || Buffer.byteLength(query) > config.apqMaxQueryBytes) return;
      memory.set(hash, query);
      redis?.set(keyspace.key(hash), query, 'EX', config.apqTtlSeconds).catch(redisFailed);
    },

    close() {
      // The provider owns the connection.
      unwatch?.();
      return Promise.resolve();
    },
  };
}

function notInSafelist(): CreditGatewayError {
  return new CreditGatewayError(
    'PERSISTED_QUERY_NOT_IN_SAFELIST',
    'This gateway answers only the operations on its safelist',
  );
}
