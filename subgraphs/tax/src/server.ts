import {
  createLogger,
  buildSubgraph,
  listenSubgraph,
  loadCreditCodePolicy,
  SubgraphMetrics,
  type Logger,
  type RunningServer,
} from '@credit-gateway/common';
import type { TaxConfig } from './config.js';
import type { SubgraphContext } from './context.js';
import { createLoaders } from './loaders.js';
import { createResolvers } from './resolvers/index.js';
import { createTaxCreditSource } from './source/tax-credit.js';

/** Builds the tax subgraph: schema, tax credit system adapter and HTTP handler. No side effects. */
export function createTaxSubgraph(
  config: TaxConfig,
  logger: Logger = createLogger({ service: 'subgraph-tax', level: config.logLevel }),
) {
  const metrics = new SubgraphMetrics('tax');
  const source = createTaxCreditSource({
    metrics: metrics.sourceCalls,
    baseUrl: config.sourceUrl,
    timeoutMs: config.sourceTimeoutMs,
    violationPublicityYears: config.violationPublicityYears,
  });
  const resolvers = createResolvers(loadCreditCodePolicy(config.allowListFile));
  const { schema, handler } = buildSubgraph<SubgraphContext>({
    metrics,
    name: 'tax',
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

export async function startTaxSubgraph(
  config: TaxConfig,
  logger: Logger = createLogger({ service: 'subgraph-tax', level: config.logLevel }),
): Promise<RunningServer> {
  return listenSubgraph(createTaxSubgraph(config, logger), config, logger);
}

export { loadConfig } from './config.js';
export type { TaxConfig } from './config.js';
