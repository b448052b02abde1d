import type { RequestListener } from 'node:http';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { DocumentNode, GraphQLError, GraphQLSchema } from 'graphql';
import { accessRules } from './access.js';
import { enforceAccess, enforcePersonalData, entityKeyFields, type AccessClaims } from './access-enforcement.js';
import { personalFields } from './access-personal.js';
import { readSdl } from './sdl.js';
import { DEFAULT_ALLOW_LIST_FILE } from './allow-list.js';
import { createInternalVerifier, readInternalAuthConfig, type InternalVerifyingConfig } from './internal-auth.js';
import type { EnvReader } from './config.js';
import { readTracingConfig, type TracingConfig } from './tracing.js';
import type { Logger } from './logger.js';
import { listen, type RunningServer } from './http.js';
import { listenMetrics, readMetricsConfig, registrySource, SubgraphMetrics, type MetricsConfig } from './metrics.js';
import { readServiceConfig, type ServiceConfig } from './service.js';
import { createSubgraphHttpHandler, type SubgraphRequest } from './subgraph-http.js';
import {
  STAND_IN_PORTS,
  SUBGRAPH_METRICS_PORTS,
  SUBGRAPH_PORTS,
  type LocalSubgraphName,
  type StandInName,
  type SubgraphName,
} from './topology.js';

/** The resolver map buildSubgraphSchema takes; @apollo/subgraph does not export its name. */
type SubgraphResolverMap = NonNullable<
  Extract<Parameters<typeof buildSubgraphSchema>[0], { typeDefs: unknown }>['resolvers']
>;

/** The subgraph's SDL, from schema/, its named selections expanded: what composition reads too. */
export function subgraphTypeDefs(name: SubgraphName | LocalSubgraphName): DocumentNode {
  return readSdl(new URL(`../../schema/${name}.graphql`, import.meta.url));
}

/**
 * A subgraph's executable schema: its SDL, its typed resolver map (the generated `Resolvers`), and
 * the `@access` rules enforced on every field that carries one, and personal data treated as its
 * `@personal` kind and the caller's tier say.
 */
export function subgraphSchema(name: SubgraphName | LocalSubgraphName, resolvers: object): GraphQLSchema {
  const typeDefs = subgraphTypeDefs(name);
  const schema = buildSubgraphSchema({ typeDefs, resolvers: resolvers as SubgraphResolverMap });
  enforceAccess(schema, accessRules(typeDefs));
  enforcePersonalData(schema, personalFields(typeDefs), entityKeyFields(typeDefs));
  return schema;
}

export interface SubgraphOptions<TContext> {
  name: SubgraphName;
  /** The subgraph's typed resolver map (generated `Resolvers` type). */
  resolvers: object;
  logger: Logger;
  createContext: (request: SubgraphRequest) => TContext;
  /** The gateway's public key: every request must carry a token it signed. */
  internalAuth: InternalVerifyingConfig;
  isReady?: () => boolean;
  /** Errors resolvers noted beside their data (see SubgraphHttpOptions.notedErrors). */
  notedErrors?: (context: TContext) => readonly GraphQLError[];
  /** The subgraph's metrics, which its adapter counts its department calls in too; its own otherwise. */
  metrics?: SubgraphMetrics;
}

/** Builds a subgraph's schema from its SDL and resolvers, and its HTTP handler. No side effects. */
export function buildSubgraph<TContext>(options: SubgraphOptions<TContext>): {
  schema: GraphQLSchema;
  handler: RequestListener;
  metrics: SubgraphMetrics;
} {
  const metrics = options.metrics ?? new SubgraphMetrics(options.name);
  const { notedErrors } = options;
  const schema = subgraphSchema(options.name, options.resolvers);
  const verifier = createInternalVerifier(options.internalAuth.publicKey, {
    clockToleranceSeconds: options.internalAuth.clockToleranceSeconds,
  });
  const handler = createSubgraphHttpHandler<TContext & { access: AccessClaims }>({
    name: options.name,
    schema,
    logger: options.logger,
    authenticate: (authorization) => verifier.verifyAuthorization(authorization),
    createContext: (request) => ({ ...options.createContext(request), access: request.access }),
    isReady: options.isReady,
    ...(notedErrors
      ? {
          notedErrors: (context: TContext) => {
            const noted = notedErrors(context);
            metrics.countErrors(noted);
            return noted;
          },
        }
      : {}),
  });
  return { schema, handler, metrics };
}

/**
 * Listens on the subgraph's port, and serves its metrics on the metrics port (when not 0); the
 * handle closes both.
 */
export async function listenSubgraph(
  subgraph: { handler: RequestListener; metrics: SubgraphMetrics },
  config: SubgraphConfig,
  logger: Logger,
): Promise<RunningServer & { metricsUrl: string | undefined }> {
  const server = await listen(subgraph.handler, config.port, config.host);
  let metricsServer: RunningServer | undefined;
  try {
    metricsServer = await listenMetrics(registrySource(subgraph.metrics.registry), config.metrics, logger);
  } catch (error) {
    await server.close();
    throw error;
  }
  return {
    ...server,
    /** Where the metrics port listens (its /metrics); undefined when METRICS_PORT is 0. */
    metricsUrl: metricsServer?.url,
    close: async (graceMs?: number) => {
      await Promise.all([server.close(graceMs), metricsServer?.close()]);
    },
  };
}

/** Settings every subgraph has. */
export interface SubgraphConfig extends ServiceConfig {
  /** Bound on one call to the department system. */
  sourceTimeoutMs: number;
  allowListFile: string;
  /** The gateway's public key (GATEWAY_PUBLIC_KEY): subgraphs trust only requests it signed. */
  internalAuth: InternalVerifyingConfig;
  /** OpenTelemetry export (tracing.ts); off unless an OTLP endpoint is set. */
  tracing: TracingConfig;
  /** METRICS_PORT, METRICS_HOST. */
  metrics: MetricsConfig;
}

export function readSubgraphConfig(reader: EnvReader, name: SubgraphName): SubgraphConfig {
  reader = reader.section('Every subgraph');
  return {
    ...readServiceConfig(reader, SUBGRAPH_PORTS[name]),
    sourceTimeoutMs: reader.int(
      'SOURCE_TIMEOUT_MS',
      2_000,
      { min: 1, max: 120_000 },
      "Bound on one call to the department system (for the credit rules, the courts' linkage interface); past it the answer is SOURCE_TIMEOUT",
    ),
    allowListFile: reader.string(
      'CREDIT_CODE_ALLOWLIST_FILE',
      DEFAULT_ALLOW_LIST_FILE,
      'Legally issued credit codes accepted although their check characters fail, one per line',
    ),
    internalAuth: readInternalAuthConfig(reader, 'subgraph'),
    tracing: readTracingConfig(reader),
    metrics: readMetricsConfig(reader, SUBGRAPH_METRICS_PORTS[name]),
  };
}

/** Where a department's HTTP interface is; defaults to its local stand-in. */
export function readSourceUrl(reader: EnvReader, name: StandInName): string {
  return reader.url(
    'SOURCE_URL',
    `http://127.0.0.1:${STAND_IN_PORTS[name]}`,
    "Base URL of the department system's interface; its local stand-in by default",
  );
}
