import {
  createLogger,
  buildSubgraph,
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
  const resolvers = createResolvers(loadCreditCodePolicy(config.allowListFile));
  const frontDb = await openFrontDb(config, logger);
  const source = createHrssSource(frontDb);
  const { schema, handler } = buildSubgraph<SubgraphContext>({
    name: 'social-security',
    resolvers,
    logger,
    internalAuth: config.internalAuth,
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
