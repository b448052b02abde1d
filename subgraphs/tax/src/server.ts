import {
  createLogger,
  buildSubgraph,
  listen,
  loadCreditCodePolicy,
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
  const source = createTaxCreditSource({
    baseUrl: config.sourceUrl,
    timeoutMs: config.sourceTimeoutMs,
    violationPublicityYears: config.violationPublicityYears,
  });
  const resolvers = createResolvers(loadCreditCodePolicy(config.allowListFile));
  const { schema, handler } = buildSubgraph<SubgraphContext>({
    name: 'tax',
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

export async function startTaxSubgraph(config: TaxConfig, logger?: Logger): Promise<RunningServer> {
  const { handler } = createTaxSubgraph(config, logger);
  return listen(handler, config.port, config.host);
}

export { loadConfig } from './config.js';
export type { TaxConfig } from './config.js';
