/**
 * Prometheus metrics every service shares: the metrics port and its one page, a registry per
 * service, and the timing of calls to the department systems. Metrics are served apart from the
 * service's own port, so that what a scraper reads is never reachable where callers are.
 */
import type { RequestListener } from 'node:http';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { EnvReader } from './config.js';
import { CreditGatewayError, SourceError, type SourceErrorCode, type SourceName } from './errors.js';
import { listen, sendJson, type RunningServer } from './http.js';
import type { Logger } from './logger.js';

export interface MetricsConfig {
  /** METRICS_PORT is not 0. */
  enabled: boolean;
  /** METRICS_PORT: where /metrics is served, apart from the service's port. */
  port: number;
  /** METRICS_HOST: the address the metrics port listens on. */
  host: string;
}

export function readMetricsConfig(reader: EnvReader, defaultPort: number): MetricsConfig {
  reader = reader.section('metrics');
  const port = reader.int(
    'METRICS_PORT',
    defaultPort,
    { min: 0, max: 65_535 },
    'Where /metrics is served in the Prometheus exposition format, apart from the service port; 0 is nowhere',
  );
  const host = reader.string(
    'METRICS_HOST',
    '127.0.0.1',
    'Address the metrics port listens on; only the scraper should reach it',
  );
  return { enabled: port > 0, port, host };
}

/** Latency buckets in seconds, from a cache hit to a department at its timeout. */
export const LATENCY_BUCKETS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

/**
 * A service's own registry, with Node's process metrics. Each service has its own, never the
 * global one: several services share a process in development and tests.
 */
export function createMetricsRegistry(defaultLabels: Record<string, string> = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels(defaultLabels);
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** What a metrics page shows: text in the exposition format and its content type. */
export type MetricsSource = () => Promise<{ contentType: string; text: string }>;

export function registrySource(registry: Registry): MetricsSource {
  return async () => ({ contentType: registry.contentType, text: await registry.metrics() });
}

/** The metrics port's handler: `GET /metrics` and nothing else. */
export function createMetricsHandler(source: MetricsSource, logger: Logger): RequestListener {
  return (request, response) => {
    const path = new URL(request.url ?? '/', 'http://metrics').pathname;
    if (path !== '/metrics')
      return sendJson(response, 404, { error: `Nothing at ${path}: the metrics port serves /metrics` });
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', 'GET, HEAD');
      return sendJson(response, 405, { error: 'Only GET /metrics' });
    }
    source().then(
      ({ contentType, text }) => {
        response.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
        response.end(request.method === 'HEAD' ? undefined : text);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'metrics could not be collected');
        sendJson(response, 503, { error: 'Metrics could not be collected' });
      },
    );
  };
}

/** Serves `source` on the metrics port, or nowhere when it is off. */
export async function listenMetrics(
  source: MetricsSource,
  config: MetricsConfig,
  logger: Logger,
): Promise<RunningServer | undefined> {
  if (!config.enabled) return undefined;
  return listen(createMetricsHandler(source, logger), config.port, config.host);
}

/** `OK`, or the code a failed department call counts as. */
export type SourceCallOutcome = 'OK' | SourceErrorCode;

function outcomeOf(error: unknown): SourceErrorCode {
  // What is not a SourceError yet (a database driver's error, say) is a department out of reach.
  return error instanceof SourceError ? (error.code as SourceErrorCode) : 'SOURCE_UNAVAILABLE';
}

/** Latency and errors of the calls an adapter makes to its department system, by source. */
export class SourceCallMetrics {
  private readonly duration: Histogram<'source' | 'outcome'>;
  private readonly errors: Counter<'source' | 'code'>;

  constructor(registry: Registry) {
    this.duration = new Histogram({
      name: 'credit_source_call_duration_seconds',
      help: 'Calls to department systems, from the adapter, by source and outcome (OK or the SOURCE_* code)',
      labelNames: ['source', 'outcome'],
      buckets: [...LATENCY_BUCKETS],
      registers: [registry],
    });
    this.errors = new Counter({
      name: 'credit_source_call_errors_total',
      help: 'Calls to department systems that failed, by source and SOURCE_* code',
      labelNames: ['source', 'code'],
      registers: [registry],
    });
  }

  /** Times one call; its error, if any, is counted and thrown on. */
  async time<T>(source: SourceName, call: () => Promise<T>): Promise<T> {
    const startedAt = performance.now();
    try {
      const result = await call();
      this.record(source, 'OK', startedAt);
      return result;
    } catch (error) {
      this.record(source, outcomeOf(error), startedAt);
      throw error;
    }
  }

  private record(source: SourceName, outcome: SourceCallOutcome, startedAt: number): void {
    this.duration.observe({ source, outcome }, (performance.now() - startedAt) / 1_000);
    if (outcome !== 'OK') this.errors.inc({ source, code: outcome });
  }
}

/**
 * A subgraph's metrics: its registry (every series labelled with the subgraph), its department
 * calls, and the decisions it answered incomplete for want of a department.
 */
export class SubgraphMetrics {
  readonly registry: Registry;
  readonly sourceCalls: SourceCallMetrics;
  private readonly incomplete: Counter<'source'>;

  constructor(subgraph: string) {
    this.registry = createMetricsRegistry({ subgraph });
    this.sourceCalls = new SourceCallMetrics(this.registry);
    this.incomplete = new Counter({
      name: 'credit_decisions_incomplete_total',
      help: 'Decisions answered with DECISION_INCOMPLETE, once for each department they were missing',
      labelNames: ['source'],
      registers: [this.registry],
    });
  }

  /** Counts the DECISION_INCOMPLETE errors among those a response carries, by missing department. */
  countErrors(errors: readonly Error[]): void {
    for (const error of errors) {
      if (!(error instanceof CreditGatewayError) || error.code !== 'DECISION_INCOMPLETE') continue;
      const sources = error.extensions['source'];
      if (!Array.isArray(sources)) continue;
      for (const source of sources) if (typeof source === 'string') this.incomplete.inc({ source });
    }
  }
}
