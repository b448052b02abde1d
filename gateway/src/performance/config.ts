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
  /** APQ_TTL_SECONDS: how long Redis keeps a registered query after its last registration (APQ_PREFIX: redis/config.ts). */
  apqTtlSeconds: number;
  /** APQ_MEMORY_ENTRIES: queries each process keeps in front of Redis, or alone without it. */
  apqMemoryEntries: number;
  /** APQ_MAX_QUERY_BYTES: a longer registered query is answered but not stored, so stored queries stay bounded. */
  apqMaxQueryBytes: number;
  /** SAFELIST_FILE: a manifest of sha256 → query that is always resolvable by hash. */
  safelistFile: string | undefined;
  /** SAFELIST_ONLY: refuse every operation not in the safelist. */
  safelistOnly: boolean;
  /**
   * MAX_CONCURRENT_REQUESTS: GraphQL requests one gateway process works on at once; the rest wait
   * in arrival order (admission.ts). 0 is no limit.
   */
  maxConcurrentRequests: number;
  /** WORKERS: gateway processes sharing the port; half the cores by default (defaultWorkers), one per core with 0. */
  workers: number;
  /**
   * Whether a primary process runs the workers: always, unless WORKERS=1 asks for a single process.
   * The primary replaces a worker whose event loop stalls and answers the probes on HEALTH_PORT, so
   * the default keeps it even where half the cores is one worker.
   */
  supervised: boolean;
  /** BODY_TIMEOUT_MS: a request body has arrived whole within this, or is refused with 408. */
  bodyTimeoutMs: number;
  /** BODY_MIN_BYTES_PER_SECOND: after its first second, a body arrives at least this fast on average; 0 is no minimum. */
  bodyMinBytesPerSecond: number;
  /** HEADERS_TIMEOUT_MS: a request's headers have arrived within this (Node's headersTimeout). */
  headersTimeoutMs: number;
  /** KEEP_ALIVE_TIMEOUT_MS: an idle client connection is closed after this. */
  keepAliveTimeoutMs: number;
  /**
   * MAX_CONNECTIONS: client connections one gateway process keeps open at once; past it the one idle
   * the longest makes room, or, none being idle, the new one is closed. 0 is no limit.
   */
  maxConnections: number;
  /** MAX_CONNECTIONS_PER_ADDRESS: of those, the most one client address keeps open; 0 is no limit. */
  maxConnectionsPerAddress: number;
  /**
   * REQUEST_TIMEOUT_MS: a request is answered within this from its arrival, with REQUEST_TIMEOUT
   * (504) if the pipeline has not finished; meant to be above SUBGRAPH_TIMEOUT_MS.
   */
  requestTimeoutMs: number;
  /** ADMISSION_UNREADY_MS: /readyz is 503 while the oldest request waiting for admission has waited this long. */
  admissionUnreadyMs: number;
  /** WORKER_STALL_MS: a worker not heard from for this long (its event loop blocked) is killed and replaced. */
  workerStallMs: number;
  /** HEALTH_PORT: where the primary answers /healthz and /readyz for all its workers; 0 is none. */
  healthPort: number;
  /**
   * SHUTDOWN_DRAIN_DELAY_MS: on SIGTERM, /readyz answers 503 at once and requests are still served
   * (each answer closing its connection) for this long, so that a load balancer stops sending
   * before the listener closes.
   */
  shutdownDrainDelayMs: number;
  /** SHUTDOWN_GRACE_MS: on SIGTERM, requests in flight get this long to finish before connections are cut. */
  shutdownGraceMs: number;
}

/**
 * The WORKERS default: half the cores, rounded down, and at least one process. One worker per core
 * lost to a single process on two cores, where `npm start` and docker-compose also run the subgraphs
 * and the department stand-ins: the workers took the cores the subgraphs needed, and each worker
 * merged and deduplicated only its own share of the fetches (department calls per request rose from
 * about 1 to 1.6 at concurrency 16). Half the cores leaves the other half to the subgraphs and to
 * the gateway's own GC and I/O threads; a deployment that gives the gateway its cores alone (a
 * Kubernetes pod, say) sets WORKERS to its CPU count.
 */
export function defaultWorkers(cores: number): number {
  return Math.max(1, Math.floor(cores / 2));
}

export function readPerformanceConfig(reader: EnvReader): PerformanceConfig {
  reader = reader.section('requests, persisted operations and workers');
  const workers =
    reader.int(
      'WORKERS',
      defaultWorkers(availableParallelism()),
      { min: 0, max: 1_024 },
      {
        text: 'Gateway worker processes sharing the port, under a primary that replaces a stalled one: 0 is one per core; 1 set explicitly is a single process without a primary',
        default: 'half the cores, at least 1, under a primary',
      },
    ) || availableParallelism();
  const safelistFile = reader.optionalString(
    'SAFELIST_FILE',
    'A manifest of sha256 → query that is always resolvable by hash',
  );
  const safelistOnly = reader.bool(
    'SAFELIST_ONLY',
    false,
    'Refuse every operation not in SAFELIST_FILE with PERSISTED_QUERY_NOT_IN_SAFELIST',
  );
  if (safelistOnly && safelistFile === undefined) reader.problem('SAFELIST_ONLY=true needs SAFELIST_FILE');
  return {
    dedupe: reader.bool(
      'DEDUPE',
      true,
      'Identical subgraph fetches in flight at once (same query, variables and access) share one request',
    ),
    mergeFetches: reader.bool(
      'MERGE_FETCHES',
      true,
      'Queries of different requests with the same text and access, started at the same moment, go to the subgraph as one request',
    ),
    mergeMaxInFlight: reader.int(
      'MERGE_MAX_IN_FLIGHT',
      2,
      { min: 0, max: 10_000 },
      'Merged requests of one query and access out at once; more wait to join the next. 0 is no limit',
    ),
    subgraphConnections: reader.int(
      'SUBGRAPH_CONNECTIONS',
      64,
      { min: 1, max: 10_000 },
      'Most keep-alive connections the gateway opens to one subgraph',
    ),
    apq: reader.bool('APQ', true, "Automatic persisted queries (Apollo's protocol)"),
    apqTtlSeconds: reader.int(
      'APQ_TTL_SECONDS',
      7 * 24 * 3600,
      { min: 1, max: 365 * 24 * 3600 },
      'How long Redis keeps a registered query after its last registration',
    ),
    apqMemoryEntries: reader.int(
      'APQ_MEMORY_ENTRIES',
      10_000,
      { min: 1, max: 10_000_000 },
      'Queries each process keeps in front of Redis, or alone without it',
    ),
    apqMaxQueryBytes: reader.int(
      'APQ_MAX_QUERY_BYTES',
      64 * 1024,
      { min: 1024, max: 10 * 1024 * 1024 },
      'A longer registered query is answered but not stored, so stored queries stay bounded',
    ),
    safelistFile,
    safelistOnly,
    maxConcurrentRequests: reader.int(
      'MAX_CONCURRENT_REQUESTS',
      24,
      { min: 0, max: 100_000 },
      'GraphQL requests one gateway process works on at once; the rest wait in arrival order. 0 is no limit',
    ),
    // 0 is one per core.
    workers,
    supervised: workers > 1 || !reader.isSet('WORKERS'),
    bodyTimeoutMs: reader.int(
      'BODY_TIMEOUT_MS',
      10_000,
      { min: 100, max: 600_000 },
      'A request body has arrived whole within this, or the answer is REQUEST_TIMEOUT (408)',
    ),
    bodyMinBytesPerSecond: reader.int(
      'BODY_MIN_BYTES_PER_SECOND',
      1_024,
      { min: 0, max: 1_000_000_000 },
      'After its first second, a body arrives at least this fast on average; 0 is no minimum',
    ),
    headersTimeoutMs: reader.int(
      'HEADERS_TIMEOUT_MS',
      10_000,
      { min: 100, max: 600_000 },
      "A request's headers have arrived within this",
    ),
    keepAliveTimeoutMs: reader.int(
      'KEEP_ALIVE_TIMEOUT_MS',
      65_000,
      { min: 100, max: 3_600_000 },
      "An idle client connection is closed after this; keep it above a load balancer's",
    ),
    maxConnections: reader.int(
      'MAX_CONNECTIONS',
      1_024,
      { min: 0, max: 1_000_000 },
      "Client connections one gateway process keeps open at once. A new one past it makes room by closing the connection idle the longest (kept alive between requests); only when none is idle, every one mid-request, is the new one closed at once. From 90% of it on, answers close their connection instead of keeping it alive. Each may hold up to 512 KiB of headers while they arrive (a lender's consents), which no body budget sees: 1,024 of them 512 MiB at the most. 0 is no limit",
    ),
    maxConnectionsPerAddress: reader.int(
      'MAX_CONNECTIONS_PER_ADDRESS',
      256,
      { min: 0, max: 1_000_000 },
      "Client connections one TCP peer address keeps open to one gateway process; a new one past it is answered RATE_LIMITED (429, Retry-After) and closed. Counted before a request is read, so always by the TCP peer, never by X-Forwarded-For (TRUSTED_PROXIES): behind a proxy every connection is the proxy's, so set 0 (no limit) there",
    ),
    requestTimeoutMs: reader.int(
      'REQUEST_TIMEOUT_MS',
      15_000,
      { min: 100, max: 600_000 },
      'A request not answered this long after it arrived gets REQUEST_TIMEOUT (504); keep it above SUBGRAPH_TIMEOUT_MS',
    ),
    admissionUnreadyMs: reader.int(
      'ADMISSION_UNREADY_MS',
      5_000,
      { min: 100, max: 600_000 },
      '/readyz is 503 while the oldest request waiting for admission has waited this long',
    ),
    workerStallMs: reader.int(
      'WORKER_STALL_MS',
      5_000,
      { min: 500, max: 600_000 },
      'A worker not heard from for this long (its event loop blocked) is killed and replaced',
    ),
    healthPort: reader.int(
      'HEALTH_PORT',
      4_010,
      { min: 0, max: 65_535 },
      'Where the primary answers /healthz and /readyz for all its workers; 0 is none',
    ),
    shutdownDrainDelayMs: reader.int(
      'SHUTDOWN_DRAIN_DELAY_MS',
      2_000,
      { min: 0, max: 600_000 },
      'On SIGTERM, /readyz answers 503 at once and requests are still served, each answer closing its connection, for this long before the listener closes, so that a load balancer stops sending first',
    ),
    shutdownGraceMs: reader.int(
      'SHUTDOWN_GRACE_MS',
      10_000,
      { min: 0, max: 600_000 },
      'On SIGTERM, after the drain delay, requests in flight get this long to finish before connections are cut',
    ),
  };
}
