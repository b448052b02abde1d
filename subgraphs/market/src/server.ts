import {
  createLogger,
  buildSubgraph,
  listenSubgraph,
  loadCreditCodePolicy,
  SubgraphMetrics,
  type Logger,
  type RunningServer,
} from '@credit-gateway/common';
import type { MarketConfig } from './config.js';
import type { SubgraphContext } from './context.js';
import { createLoaders } from './loaders.js';
import { createResolvers } from './resolvers/index.js';
import { createGsxtSource } from './source/gsxt.js';

/** Builds the market regulation subgraph: schema, GSXT adapter and HTTP handler. No side effects. */
export function createMarketSubgraph(
  config: MarketConfig,
  logger: Logger = createLogger({ service: 'subgraph-market', level: config.logLevel }),
) {
  const metrics = new SubgraphMetrics('market');
  const source = createGsxtSource({
    metrics: metrics.sourceCalls,
    baseUrl: config.sourceUrl,
    timeoutMs: config.sourceTimeoutMs,
  });
  const resolvers = createResolvers(loadCreditCodePolicy(config.allowListFile));
  const { schema, handler } = buildSubgraph<SubgraphContext>({
    metrics,
    name: 'market',
    resolvers,
    logger,
    internalAuth: config.internalAuth,
    createContext: (request) => ({
      loaders: createLoaders(source, { batchSize: config.sourceBatchSize }),
      logger: request.logger,
      limits: { maxBatchSize: config.maxBatchSize },
    }),
  });
  return { schema, handler, metrics };
}

export async function startMarketSubgraph(
  config: MarketConfig,
  logger: Logger = createLogger({ service: 'subgraph-market', level: config.logLevel }),
): Promise<RunningServer> {
  return listenSubgraph(createMarketSubgraph(config, logger), config, logger);
}

export { loadConfig } from './config.js';
export type { MarketConfig } from './config.js';
