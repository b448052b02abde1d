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
import type { TaxConfig } from './config.js';
import type { SubgraphContext } from './context.js';
import { createLoaders } from './loaders.js';
import { createResolvers } from './resolvers/index.js';
import { createTaxCreditSource } from './source/tax-credit.js';

/** The resolver map buildSubgraphSchema takes; @apollo/subgraph does not export its name. */
type SubgraphResolverMap = NonNullable<
  Extract<Parameters<typeof buildSubgraphSchema>[0], { typeDefs: unknown }>['resolvers']
>;

export const typeDefs = parse(readFileSync(new URL('../../../schema/tax.graphql', import.meta.url), 'utf8'));

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
