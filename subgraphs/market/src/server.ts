import { readFileSync } from 'node:fs';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import {
  createLogger,
  createSubgraphHttpHandler,
  listen,
  loadCreditCodePolicy,
  type Logger,
  type RunningServer,
} from '@credit-gateway/common';
import type { MarketConfig } from './config.js';
import type { SubgraphContext } from './context.js';
import { createLoaders } from './loaders.js';
import { createResolvers } from './resolvers/index.js';
import { createGsxtSource } from './source/gsxt.js';

/** The resolver map buildSubgraphSchema takes; @apollo/subgraph does not export its name. */
type SubgraphResolverMap = NonNullable<
  Extract<Parameters<typeof buildSubgraphSchema>[0], { typeDefs: unknown }>['resolvers']
>;

export const typeDefs = parse(readFileSync(new URL('../../../schema/market.graphql', import.meta.url), 'utf8'));

/** Builds the market regulation subgraph: schema, GSXT adapter and HTTP handler. No side effects. */
export function createMarketSubgraph(
  config: MarketConfig,
  logger: Logger = createLogger({ service: 'subgraph-market', level: config.logLevel }),
) {
  const source = createGsxtSource({ baseUrl: config.sourceUrl, timeoutMs: config.sourceTimeoutMs });
  const schema = buildSubgraphSchema({
    typeDefs,
    resolvers: createResolvers(loadCreditCodePolicy(config.allowListFile)) as SubgraphResolverMap,
  });
  const handler = createSubgraphHttpHandler<SubgraphContext>({
    schema,
    logger,
    createContext: (request) => ({
      loaders: createLoaders(source, { batchSize: config.sourceBatchSize }),
      logger: request.logger,
      limits: { maxBatchSize: config.maxBatchSize },
    }),
  });
  return { schema, handler };
}

export async function startMarketSubgraph(config: MarketConfig, logger?: Logger): Promise<RunningServer> {
  const { handler } = createMarketSubgraph(config, logger);
  return listen(handler, config.port, config.host);
}

export { loadConfig } from './config.js';
export type { MarketConfig } from './config.js';
