/**
 * The gateway's Prometheus metrics: a plugin that times requests, subgraph fetches and register
 * appends as the pipeline reports them, and collect callbacks that read the gateway's state
 * (entity cache, merged fetches, admission, request bodies, client connections, Redis) when the
 * registry is scraped.
 */
import { createMetricsRegistry, LATENCY_BUCKETS, TIERS, type ConnectionReport } from '@credit-gateway/common';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { EntityCacheMetrics } from '../../cache/entity-cache.js';
import type { AdmissionReport } from '../../http/health.js';
import type { BodyBudgetReport } from '../../limits/body-budget.js';
import type { TransportMetrics } from '../../performance/subgraph-transport.js';
import type { GatewayPlugin, RequestContext } from '../../pipeline/index.js';
import type { RedisHealth } from '../../redis/provider.js';
import type { GatewayMetricsConfig } from './config.js';
import { OperationNames } from './operation-names.js';

/** What the collect callbacks read at each scrape. */
export interface GatewayState {
  entityCache(): EntityCacheMetrics | undefined;
  fetches(): Record<string, TransportMetrics>;
  admission(): AdmissionReport;
  bodies(): BodyBudgetReport;
  /** Undefined until the gateway listens. */
  connections(): ConnectionReport | undefined;
  redis(): RedisHealth;
}

const REDIS_STATUSES = ['memory', 'idle', 'up', 'down', 'closed'] as const;

/** A counter whose value is a running total kept elsewhere, read at each scrape. */
function totalCounter<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
  read: () => Iterable<[Partial<Record<L, string>>, number]>,
): Counter<L> {
  return new Counter<L>({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, value] of read()) this.inc(labels, value);
    },
  });
}

export class GatewayMetrics {
  readonly registry: Registry = createMetricsRegistry();
  readonly plugin: GatewayPlugin;
  private readonly operations: OperationNames;
  private state: GatewayState | undefined;

  /**
   * `knownOperations`: the names labelled for every caller (knownOperationNames: the client
   * package's and the safelist's operations).
   */
  constructor(
    config: Pick<GatewayMetricsConfig, 'maxOperationNames' | 'maxOperationNamesPerClient'>,
    knownOperations: Iterable<string> = [],
  ) {
    const registry = this.registry;
    this.operations = new OperationNames({
      known: knownOperations,
      max: config.maxOperationNames,
      maxPerClient: config.maxOperationNamesPerClient,
    });
    const requests = new Histogram({
      name: 'credit_gateway_request_duration_seconds',
      help: 'GraphQL requests from arrival to answer, by operation name (known or bounded), caller tier and outcome',
      labelNames: ['operation', 'tier', 'outcome'],
      buckets: [...LATENCY_BUCKETS],
      registers: [registry],
    });
    const rateLimited = new Counter({
      name: 'credit_gateway_rate_limited_total',
      help: 'Requests refused by a rate limit or the subjects budget (HTTP 429), by caller tier',
      labelNames: ['tier'],
      registers: [registry],
    });
    // Every tier from the start, so that a rate of refusals is 0 rather than absent.
    for (const tier of TIERS) rateLimited.inc({ tier }, 0);
    const fetches = new Histogram({
      name: 'credit_gateway_subgraph_fetch_duration_seconds',
      help: 'Subgraph fetches of the query plans, cache and shared fetches included, by subgraph and outcome (OK or SOURCE_*)',
      labelNames: ['subgraph', 'outcome'],
      buckets: [...LATENCY_BUCKETS],
      registers: [registry],
    });
    const fetchErrors = new Counter({
      name: 'credit_gateway_subgraph_fetch_errors_total',
      help: 'Subgraph fetches that failed as a whole, by subgraph and SOURCE_* code',
      labelNames: ['subgraph', 'code'],
      registers: [registry],
    });
    const commits = new Histogram({
      name: 'credit_gateway_register_commit_duration_seconds',
      help: 'Query register appends, until durable (fsync or COMMIT) or refused, by committed',
      labelNames: ['committed'],
      buckets: [...LATENCY_BUCKETS],
      registers: [registry],
    });
    const registerQueue = new Gauge({
      name: 'credit_gateway_register_queue_depth',
      help: 'Query register appends waiting to be made durable',
      registers: [registry],
    });
    // 1 in each process: the primary's page, which adds the workers' up, says how many it heard from.
    new Gauge({
      name: 'credit_gateway_processes',
      help: 'Gateway processes whose metrics this page adds up (the workers of a cluster, or 1)',
      registers: [registry],
    }).set(1);
    const operationName = new WeakMap<RequestContext, string | null>();

    this.plugin = {
      name: 'prometheus-metrics',
      onDocument: (context, document) => void operationName.set(context, document.operationName),
      onRequest: (context) => (end) => {
        const tier = context.caller.tier;
        // Read when the request ends: by then its caller is identified.
        const by = context.supplied ? 'gateway' : context.caller;
        const operation = this.operations.label(operationName.get(context), by);
        requests.observe({ operation, tier, outcome: end.outcome }, end.durationMs / 1_000);
        if (end.status === 429) rateLimited.inc({ tier });
      },
      onSubgraphFetch: (_context, fetch) => (end) => {
        fetches.observe({ subgraph: fetch.subgraph, outcome: end.outcome }, end.durationMs / 1_000);
        if (end.outcome !== 'OK') fetchErrors.inc({ subgraph: fetch.subgraph, code: end.outcome });
      },
      onRegister: () => {
        registerQueue.inc();
        return (end) => {
          registerQueue.dec();
          commits.observe({ committed: String(end.committed) }, end.durationMs / 1_000);
        };
      },
    };
    this.stateMetrics();
  }

  /** The gateway's state the collect callbacks read; until it is given they report nothing. */
  observe(state: GatewayState): void {
    this.state = state;
  }

  private stateMetrics(): void {
    const registry = this.registry;
    const state = () => this.state;
    const cache = (read: (metrics: EntityCacheMetrics) => Iterable<[Record<string, string>, number]>) =>
      function* (): Iterable<[Record<string, string>, number]> {
        const metrics = state()?.entityCache();
        if (metrics) yield* read(metrics);
      };
    totalCounter(
      registry,
      'credit_gateway_entity_cache_hits_total',
      'Entities answered from the entity cache while fresh',
      [],
      cache((m) => [[{}, m.hits]]),
    );
    totalCounter(
      registry,
      'credit_gateway_entity_cache_misses_total',
      'Entities the entity cache did not hold fresh, fetched from their subgraph',
      [],
      cache((m) => [[{}, m.misses]]),
    );
    totalCounter(
      registry,
      'credit_gateway_entity_cache_stale_served_total',
      'Entities answered from stale cache entries because their subgraph failed',
      [],
      cache((m) => [[{}, m.staleServed]]),
    );
    totalCounter(
      registry,
      'credit_gateway_entity_cache_skipped_total',
      'Fetches and entries the entity cache left alone, by reason',
      ['reason'],
      cache((m) => [
        [{ reason: 'bypassed' }, m.bypassed],
        [{ reason: 'oversized' }, m.oversized],
        [{ reason: 'redis_full' }, m.redisFull],
      ]),
    );
    totalCounter(
      registry,
      'credit_gateway_entity_cache_evictions_total',
      'Entries evicted from the entity cache on a department change',
      [],
      cache((m) => [[{}, m.evictions]]),
    );
    totalCounter(
      registry,
      'credit_gateway_entity_cache_redis_errors_total',
      'Entity cache operations Redis failed',
      [],
      cache((m) => [[{}, m.redisErrors]]),
    );

    const transport = (key: keyof TransportMetrics) =>
      function* (): Iterable<[Record<string, string>, number]> {
        for (const [subgraph, metrics] of Object.entries(state()?.fetches() ?? {})) yield [{ subgraph }, metrics[key]];
      };
    totalCounter(
      registry,
      'credit_gateway_subgraph_operations_total',
      'Subgraph operations of the query plans, before deduplication and merging',
      ['subgraph'],
      transport('operations'),
    );
    totalCounter(
      registry,
      'credit_gateway_subgraph_requests_total',
      'HTTP requests sent to subgraphs, after deduplication and merging',
      ['subgraph'],
      transport('requests'),
    );
    totalCounter(
      registry,
      'credit_gateway_subgraph_deduplicated_total',
      'Subgraph operations that shared an identical fetch in flight',
      ['subgraph'],
      transport('deduplicated'),
    );
    totalCounter(
      registry,
      'credit_gateway_subgraph_merged_total',
      'Subgraph operations sent inside a request merged with other requests',
      ['subgraph'],
      transport('merged'),
    );
    totalCounter(
      registry,
      'credit_gateway_subgraph_unmerged_total',
      'Merged requests answered without data, whose operations were sent again one by one',
      ['subgraph'],
      transport('unmerged'),
    );

    /** A gauge read from one part of the gateway's state when scraped; nothing while it has none. */
    const stateGauge = <T>(
      name: string,
      help: string,
      part: (state: GatewayState) => T | undefined,
      read: (report: T) => number,
      aggregator?: 'max',
    ) =>
      new Gauge({
        name,
        help,
        registers: [registry],
        ...(aggregator ? { aggregator } : {}),
        collect() {
          const current = state();
          const report = current && part(current);
          if (report) this.set(read(report));
        },
      });
    // Summed over the workers, except the oldest wait, which is the longest of theirs.
    const admission = (help: string, name: string, read: (report: AdmissionReport) => number, max = false) =>
      stateGauge(name, help, (current) => current.admission(), read, max ? 'max' : undefined);
    admission('GraphQL requests being worked on', 'credit_gateway_admission_active', (r) => r.active);
    admission('GraphQL requests waiting for admission', 'credit_gateway_admission_queue_length', (r) => r.waiting);
    admission(
      'How long the first request waiting for admission has waited',
      'credit_gateway_admission_oldest_wait_seconds',
      (r) => r.oldestWaitMs / 1_000,
      true,
    );

    stateGauge(
      'credit_gateway_request_body_bytes_held',
      'Request-body bytes held in memory now, against BODY_BUDGET_BYTES (each body reserves its bytes as they arrive)',
      (current) => current.bodies(),
      (report) => report.heldBytes,
    );
    totalCounter(
      registry,
      'credit_gateway_request_body_refusals_total',
      'Request bodies refused unread because the body budget was spent, by budget (body-bytes or address-body-bytes)',
      ['scope'],
      function* () {
        const report = state()?.bodies();
        if (report) for (const [scope, count] of Object.entries(report.refused)) yield [{ scope }, count];
      },
    );

    stateGauge(
      'credit_gateway_client_connections_open',
      'Client connections this process holds open now, against MAX_CONNECTIONS',
      (current) => current.connections(),
      (report) => report.open,
    );
    totalCounter(
      registry,
      'credit_gateway_client_connections_closed_total',
      'Client connections closed to keep to MAX_CONNECTIONS and MAX_CONNECTIONS_PER_ADDRESS, by reason: idle-for-room (an idle keep-alive one closed for a new one), refused (a new one, none being idle) or address-refused (a new one past its address’s share, answered 429)',
      ['reason'],
      function* () {
        const report = state()?.connections();
        if (!report) return;
        yield [{ reason: 'idle-for-room' }, report.idleClosed];
        yield [{ reason: 'refused' }, report.refused];
        yield [{ reason: 'address-refused' }, report.addressRefused];
      },
    );

    new Gauge({
      name: 'credit_gateway_redis_status',
      help: "Each Redis role's connections (command, and subscriber once something subscribed): 1 for the current status",
      labelNames: ['role', 'connection', 'status'],
      registers: [registry],
      collect() {
        const health = state()?.redis();
        if (!health) return;
        this.reset();
        for (const [role, { status, subscriber }] of Object.entries(health)) {
          for (const each of REDIS_STATUSES)
            this.set({ role, connection: 'command', status: each }, each === status ? 1 : 0);
          if (subscriber)
            for (const each of ['up', 'down'] as const)
              this.set({ role, connection: 'subscriber', status: each }, each === subscriber ? 1 : 0);
        }
      },
    });
  }
}
