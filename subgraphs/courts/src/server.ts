import {
  createLogger,
  buildSubgraph,
  listen,
  loadCreditCodePolicy,
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
  const source = createZxgkSource({ baseUrl: config.sourceUrl, timeoutMs: config.sourceTimeoutMs });
  const resolvers = createResolvers(loadCreditCodePolicy(config.allowListFile));
  const { schema, handler } = buildSubgraph<SubgraphContext>({
    name: 'courts',
    resolvers,
    logger,
    internalAuth: config.internalAuth,
    createContext: (request) => ({
      loaders: createLoaders(source, { batchSize: config.sourceBatchSize }),
      logger: request.logger,
    }),
  });
  return { schema, handler };
}

export async function startCourtsSubgraph(config: CourtsConfig, logger?: Logger): Promise<RunningServer> {
  const { handler } = createCourtsSubgraph(config, logger);
  return listen(handler, config.port, config.host);
}

export { loadConfig } from './config.js';
export type { CourtsConfig } from './config.js';
