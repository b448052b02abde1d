import { availableParallelism } from 'node:os';
import type { EnvReader } from '@credit-gateway/common';

export interface PerformanceConfig {
  /** DEDUPE: identical in-flight subgraph fetches share one request and one response. */
  dedupe: boolean;
  /**
   * MERGE_FETCHES: queries with the same text and access, started at the same moment by different
   * requests, go to the subgraph as one request (and its department system gets one call).
   */
  mergeFetches: boolean;
  /**
   * MERGE_MAX_IN_FLIGHT: merged requests of one query and access out at once; more operations
   * wait for one to come back and go together. 0 is no limit.
   */
  mergeMaxInFlight: number;
  /** SUBGRAPH_CONNECTIONS: most keep-alive connections the gateway opens to one subgraph. */
  subgraphConnections: number;
  /** APQ: automatic persisted queries (Apollo's protocol). */
  apq: boolean;
  /** APQ_TTL_SECONDS: how long Redis keeps a registered query after its last registration. */
  apqTtlSeconds: number;
  /** APQ_PREFIX: key prefix of persisted queries in Redis. */
  apqPrefix: string;
  /** APQ_MEMORY_ENTRIES: queries each process keeps in front of Redis, or alone without it. */
  apqMemoryEntries: number;
  /** SAFELIST_FILE: a manifest of sha256 → query that is always resolvable by hash. */
  safelistFile: string | undefined;
  /** SAFELIST_ONLY: refuse every operation not in the safelist. */
  safelistOnly: boolean;
  /**
   * MAX_CONCURRENT_REQUESTS: GraphQL requests one gateway process works on at once; the rest wait
   * in arrival order (admission.ts). 0 is no limit.
   */
  maxConcurrentRequests: number;
  /** WORKERS: gateway processes sharing the port; one per core by default or with 0. */
  workers: number;
}

export function readPerformanceConfig(reader: EnvReader): PerformanceConfig {
  const safelistFile = reader.optionalString('SAFELIST_FILE');
  const safelistOnly = reader.bool('SAFELIST_ONLY', false);
  if (safelistOnly && safelistFile === undefined) reader.problem('SAFELIST_ONLY=true needs SAFELIST_FILE');
  const apqPrefix = reader.string('APQ_PREFIX', 'cg:apq:');
  // A brace would become the key's Redis Cluster hash tag.
  if (!/^[A-Za-z0-9:._-]{1,64}$/.test(apqPrefix)) {
    reader.problem(`APQ_PREFIX must be 1 to 64 letters, digits or ':._-', got '${apqPrefix}'`);
  }
  return {
    dedupe: reader.bool('DEDUPE', true),
    mergeFetches: reader.bool('MERGE_FETCHES', true),
    mergeMaxInFlight: reader.int('MERGE_MAX_IN_FLIGHT', 2, { min: 0, max: 10_000 }),
    subgraphConnections: reader.int('SUBGRAPH_CONNECTIONS', 64, { min: 1, max: 10_000 }),
    apq: reader.bool('APQ', true),
    apqTtlSeconds: reader.int('APQ_TTL_SECONDS', 7 * 24 * 3600, { min: 1, max: 365 * 24 * 3600 }),
    apqPrefix,
    apqMemoryEntries: reader.int('APQ_MEMORY_ENTRIES', 10_000, { min: 1, max: 10_000_000 }),
    safelistFile,
    safelistOnly,
    maxConcurrentRequests: reader.int('MAX_CONCURRENT_REQUESTS', 24, { min: 0, max: 100_000 }),
    // 0, like the default, is one per core.
    workers: reader.int('WORKERS', 0, { min: 0, max: 1_024 }) || availableParallelism(),
  };
}
