import {
  createLogger,
  buildSubgraph,
  listenSubgraph,
  loadCreditCodePolicy,
  SubgraphMetrics,
  type Logger,
  type RunningServer,
} from '@credit-gateway/common';
import type { CourtsConfig } from './config.js';
import type { SubgraphContext } from './context.js';
import { createLoaders } from './loaders.js';
import { createResolvers } from './resolvers/index.js';
import { createZxgkSource } from './source/zxgk.js';

/** Builds the courts subgraph: schema, enforcement-information adapter and HTTP handler. No side effects. */
export function createCourtsSubgraph(
  config: CourtsConfig,
  logger: Logger = createLogger({ service: 'subgraph-courts', level: config.logLevel }),
) {
  const metrics = new SubgraphMetrics('courts');
  const source = createZxgkSource({
    metrics: metrics.sourceCalls,
    baseUrl: config.sourceUrl,
    timeoutMs: config.sourceTimeoutMs,
  });
  const resolvers = createResolvers(loadCreditCodePolicy(config.allowListFile));
  const { schema, handler } = buildSubgraph<SubgraphContext>({
    metrics,
    name: 'courts',
    resolvers,
    logger,
    internalAuth: config.internalAuth,
    createContext: (request) => ({
      loaders: createLoaders(source, { batchSize: config.sourceBatchSize }),
      logger: request.logger,
    }),
  });
  return { schema, handler, metrics };
}

export async function startCourtsSubgraph(
  config: CourtsConfig,
  logger: Logger = createLogger({ service: 'subgraph-courts', level: config.logLevel }),
): Promise<RunningServer> {
  return listenSubgraph(createCourtsSubgraph(config, logger), config, logger);
}

export { loadConfig } from './config.js';
export type { CourtsConfig } from './config.js';
