import type { RequestListener } from 'node:http';
import type { Registry } from 'prom-client';
import {
  activeTracer,
  CreditGatewayError,
  createLogger,
  listen,
  loadCreditCodePolicy,
  sendJson,
  type ConnectionReport,
  type Logger,
  type RunningServer,
} from '@credit-gateway/common';
import type { GatewayConfig } from './config.js';
import { createDashboard } from './http/dashboard.js';
import { createGraphiQL, wantsHtml } from './http/graphiql.js';
import { checkReadiness, type Readiness } from './http/health.js';
import { BodyBudget } from './limits/body-budget.js';
import { ClientAddresses } from './http/client-address.js';
import { createTracingPlugin } from './observability/tracing.js';
import { GatewayMetrics, knownOperationNames } from './observability/metrics/index.js';
import { createPipeline, type GatewayPlugin } from './pipeline/index.js';
import { createReportEndpoints } from './report/endpoint.js';
import { RegisterDataSource } from './register-subgraph/datasource.js';
import { createRegisterSubgraphSchema } from './register-subgraph/schema.js';
import { createGatewayServices } from './services.js';
import { loadSupergraph } from './supergraph.js';

export interface Gateway {
  handler: RequestListener;
  /** What /readyz answers: not draining, subgraphs up and admission not saturated. */
  readiness(): Promise<Readiness>;
  /** From now on /readyz answers 503 (draining): the process is about to stop. */
  drain(): void;
  /** Prometheus metrics, served on their own port (METRICS_PORT); undefined when that is 0. */
  metrics: Registry | undefined;
  /** The server it answers on, whose client connections the metrics report. */
  listening(server: { connections(): ConnectionReport }): void;
  stop(): Promise<void>;
}

/**
 * Builds the gateway: loads the committed supergraph and wires the HTTP endpoints.
 * - /graphql: GraphQL over HTTP; GraphiQL for a browser;
 * - /dashboard: the analysts' charts, read through /graphql with their own token;
 * - /healthz: the process is alive;
 * - /report, /report/verify: credit reports (report/endpoint.ts), and their public verification;
 * - /readyz: the gateway is not draining for a shutdown, the supergraph is loaded, every subgraph
 *   answers, and requests are not left waiting for admission (ADMISSION_UNREADY_MS).
 * Metrics are never served here: `gateway.metrics` is the registry the process's entry serves on
 * METRICS_PORT (index.ts).
 */
export interface GatewayOptions {
  /** Cross-cutting features hooked into the request pipeline (metrics, tracing). */
  plugins?: readonly GatewayPlugin[];
}

export async function createGateway(
  config: GatewayConfig,
  logger: Logger,
  options: GatewayOptions = {},
): Promise<Gateway> {
  const policy = loadCreditCodePolicy(config.allowListFile);
  const services = await createGatewayServices(config, logger);
  const register = new RegisterDataSource(createRegisterSubgraphSchema(policy), services.register, services.subjects);
  const supergraph = loadSupergraph(config, policy, logger, { register }, services.redis, services.internalSigner);
  const metrics = config.metrics.enabled
    ? new GatewayMetrics(config.metrics, knownOperationNames(config.performance.safelistFile))
    : undefined;
  // Metrics first, the caller's plugins, then tracing when this process turned it on (startTracing).
  const tracer = activeTracer();
  const plugins = [
    ...(metrics ? [metrics.plugin] : []),
    ...(options.plugins ?? []),
    ...(tracer ? [createTracingPlugin(tracer)] : []),
  ];
  // One budget for every body the process reads, /graphql's and the reports' alike.
  const bodies = new BodyBudget(config.bodyBudget);
  // Each request's client address, resolved once and shared by /graphql and the reports alike.
  const addresses = new ClientAddresses(config.trustedProxies, logger.child({ component: 'client-address' }));
  const graphql = createPipeline({ supergraph, config, services, logger, bodies, addresses, plugins });
  let listening: { connections(): ConnectionReport } | undefined;
  metrics?.observe({
    entityCache: () => supergraph.entityCache?.metrics,
    fetches: () => supergraph.fetchMetrics(),
    admission: () => graphql.admission(),
    bodies: () => bodies.report(),
    connections: () => listening?.connections(),
    redis: () => services.redis.health(),
  });
  const reports = createReportEndpoints({
    graphql,
    schema: supergraph.schema,
    accessRules: supergraph.accessRules,
    config,
    logger,
    rateLimiter: services.rateLimiter,
    bodies,
    addresses,
  });
  const graphiql = config.graphiql ? createGraphiQL() : null;
  const dashboard = config.dashboard ? createDashboard() : null;
  let draining = false;
  const readiness = (): Promise<Readiness> =>
    draining
      ? Promise.resolve({ ready: false, draining: true, supergraph: 'loaded', subgraphs: {} })
      : checkReadiness(supergraph, 1_000, {
          report: graphql.admission(),
          unreadyAfterMs: config.performance.admissionUnreadyMs,
        });

  const handler: RequestListener = (request, response) => {
    const url = new URL(request.url ?? '/', 'http://gateway');
    const path = url.pathname;
    if (path === '/graphql' || path === '/') {
      // A browser gets GraphiQL, prefilled from ?query= when given; API clients get JSON.
      if (graphiql && request.method === 'GET' && wantsHtml(request.headers.accept)) {
        return graphiql.page(response);
      }
      if (path === '/graphql') return void graphql(request, response, url);
    }
    if (
      graphiql &&
      request.method === 'GET' &&
      path.startsWith('/graphiql/') &&
      graphiql.asset(path.slice(10), response)
    )
      return;
    if (dashboard && request.method === 'GET') {
      if (path === '/dashboard' || path === '/dashboard/') return dashboard.page(response);
      if (path.startsWith('/dashboard/') && dashboard.asset(path.slice(11), response)) return;
    }
    if (reports.handle(request, response, url)) return;
    if (path === '/healthz') return sendJson(response, 200, { status: 'ok' });
    if (path === '/favicon.ico') return void response.writeHead(204).end();
    if (path === '/readyz') {
      readiness().then(
        (readiness) => sendJson(response, readiness.ready ? 200 : 503, readiness),
        (error: unknown) => {
          logger.error({ err: error }, 'readiness check failed');
          sendJson(response, 503, { ready: false });
        },
      );
      return;
    }
    sendJson(response, 404, {
      errors: [new CreditGatewayError('BAD_REQUEST', `Nothing at ${path}: GraphQL is served at /graphql`).toJSON()],
    });
  };
  return {
    handler,
    readiness,
    drain: () => {
      draining = true;
    },
    metrics: metrics?.registry,
    listening: (server) => {
      listening = server;
    },
    stop: async () => {
      await supergraph.stop();
      await reports.close();
      await services.close();
    },
  };
}

export interface RunningGateway extends RunningServer {
  gateway: Gateway;
  /**
   * Starts a shutdown's drain: /readyz answers 503, and every answer from now on (those in flight
   * included) closes its connection. Requests are still served until `close`.
   */
  drain(): void;
}

export async function startGateway(
  config: GatewayConfig,
  logger?: Logger,
  options: GatewayOptions = {},
): Promise<RunningGateway> {
  const gateway = await createGateway(
    config,
    logger ?? createLogger({ service: 'gateway', level: config.logLevel }),
    options,
  );
  const { headersTimeoutMs, bodyTimeoutMs, keepAliveTimeoutMs, maxConnections, maxConnectionsPerAddress } =
    config.performance;
  const server = await listen(
    gateway.handler,
    config.port,
    config.host,
    {
      headersTimeoutMs,
      // A backstop behind the body's own pace (BODY_TIMEOUT_MS), which answers with a coded 408 first.
      requestTimeoutMs: headersTimeoutMs + bodyTimeoutMs + 1_000,
      keepAliveTimeoutMs,
    },
    { maxConnections, maxConnectionsPerAddress },
  );
  gateway.listening(server);
  return {
    url: server.url,
    port: server.port,
    gateway,
    drain: () => {
      gateway.drain();
      server.drain();
    },
    // With a grace, requests in flight are answered (and registered) before the register is closed.
    close: async (graceMs?: number) => {
      await server.close(graceMs);
      await gateway.stop();
    },
  };
}

export { loadConfig, type GatewayConfig } from './config.js';
export { generateDevKeys, mintCallerToken, mintConsent, type DevKeySet } from './auth/index.js';
export { GATEWAY_NODE_FLAGS } from './performance/node-flags.js';
export { TrustedProxies } from './http/client-address.js';
export { REPORT_SECTIONS } from './report/sections.js';
export type { GatewayPlugin, RequestContext } from './pipeline/index.js';
