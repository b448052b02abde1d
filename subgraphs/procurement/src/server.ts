import {
  createLogger,
  buildSubgraph,
  listenSubgraph,
  loadCreditCodePolicy,
  SubgraphMetrics,
  type Logger,
  type RunningServer,
} from '@credit-gateway/common';
import { chinaToday } from './ban.js';
import type { ProcurementConfig } from './config.js';
import type { SubgraphContext } from './context.js';
import { createLoaders } from './loaders.js';
import { createResolvers } from './resolvers/index.js';
import { createCcgpSource } from './source/ccgp.js';

export interface ProcurementSubgraphOptions {
  /** The clock bans are judged against; tests pin it. */
  now?: () => Date;
}

/** Builds the government procurement subgraph: schema, procurement service adapter and HTTP handler. No side effects. */
export function createProcurementSubgraph(
  config: ProcurementConfig,
  logger: Logger = createLogger({ service: 'subgraph-procurement', level: config.logLevel }),
  options: ProcurementSubgraphOptions = {},
) {
  const now = options.now ?? (() => new Date());
  const metrics = new SubgraphMetrics('procurement');
  const source = createCcgpSource({
    metrics: metrics.sourceCalls,
    baseUrl: config.sourceUrl,
    timeoutMs: config.sourceTimeoutMs,
    lookup: config.sourceLookup,
    concurrency: config.sourceConcurrency,
  });
  const resolvers = createResolvers(loadCreditCodePolicy(config.allowListFile));
  const { schema, handler } = buildSubgraph<SubgraphContext>({
    metrics,
    name: 'procurement',
    resolvers,
    logger,
    internalAuth: config.internalAuth,
    createContext: (request) => ({
      loaders: createLoaders(source, { batchSize: config.sourceBatchSize }),
      logger: request.logger,
      today: chinaToday(now()),
    }),
  });
  return { schema, handler, metrics };
}

export async function startProcurementSubgraph(
  config: ProcurementConfig,
  logger: Logger = createLogger({ service: 'subgraph-procurement', level: config.logLevel }),
  options?: ProcurementSubgraphOptions,
): Promise<RunningServer> {
  return listenSubgraph(createProcurementSubgraph(config, logger, options), config, logger);
}

export { loadConfig } from './config.js';
export type { ProcurementConfig } from './config.js';
