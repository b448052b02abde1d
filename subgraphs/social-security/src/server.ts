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
import type { SocialSecurityConfig } from './config.js';
import type { SubgraphContext } from './context.js';
import { createLoaders } from './loaders.js';
import { createResolvers } from './resolvers/index.js';
import { openEmbeddedFrontDb } from './source/drivers/embedded.js';
import { openPostgresFrontDb } from './source/drivers/postgres.js';
import type { FrontDb } from './source/front-db.js';
import { createHrssSource } from './source/hrss.js';

/** The resolver map buildSubgraphSchema takes; @apollo/subgraph does not export its name. */
type SubgraphResolverMap = NonNullable<
  Extract<Parameters<typeof buildSubgraphSchema>[0], { typeDefs: unknown }>['resolvers']
>;

export const typeDefs = parse(
  readFileSync(new URL('../../../schema/social-security.graphql', import.meta.url), 'utf8'),
);

/** PostgreSQL when FRONT_DB_URL is set; otherwise the embedded stand-in, seeded now. */
export async function openFrontDb(config: SocialSecurityConfig, logger: Logger): Promise<FrontDb> {
  const { frontDb } = config;
  if (frontDb.driver === 'postgres') {
    return openPostgresFrontDb({
      url: frontDb.url,
      poolSize: frontDb.poolSize,
      timeoutMs: config.sourceTimeoutMs,
      logger,
    });
  }
  return openEmbeddedFrontDb({
    population: frontDb.population,
    faults: frontDb.faults,
    timeoutMs: config.sourceTimeoutMs,
    logger,
  });
}

/**
 * Builds the social security subgraph: schema, front-end database adapter and HTTP handler. No
 * side effects on import; the embedded database is seeded when this is called.
 */
export async function createSocialSecuritySubgraph(
  config: SocialSecurityConfig,
  logger: Logger = createLogger({ service: 'subgraph-social-security', level: config.logLevel }),
) {
  const schema = buildSubgraphSchema({
    typeDefs,
    resolvers: createResolvers(loadCreditCodePolicy(config.allowListFile)) as SubgraphResolverMap,
  });
  const frontDb = await openFrontDb(config, logger);
  const source = createHrssSource(frontDb);
  const handler = createSubgraphHttpHandler<SubgraphContext>({
    schema,
    logger,
    createContext: (request) => ({
      loaders: createLoaders(source, { batchSize: config.sourceBatchSize }),
      logger: request.logger,
    }),
  });
  return { schema, handler, frontDb, close: () => frontDb.close() };
}

export async function startSocialSecuritySubgraph(
  config: SocialSecurityConfig,
  logger?: Logger,
): Promise<RunningServer & { frontDb: FrontDb }> {
  const subgraph = await createSocialSecuritySubgraph(config, logger);
  let server: RunningServer;
  try {
    server = await listen(subgraph.handler, config.port, config.host);
  } catch (error) {
    await subgraph.close();
    throw error;
  }
  return {
    ...server,
    frontDb: subgraph.frontDb,
    close: async () => {
      await server.close();
      await subgraph.close();
    },
  };
}

export { loadConfig, loadSeedConfig } from './config.js';
export type { SocialSecurityConfig, SeedConfig, FrontDbConfig } from './config.js';
export type { FrontDb, FrontDbStats, EmbeddedFrontDb, PostgresFrontDb } from './source/front-db.js';
