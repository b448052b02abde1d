import {
  createLogger,
  buildSubgraph,
  listenSubgraph,
  loadCreditCodePolicy,
  SubgraphMetrics,
  type Logger,
  type RunningServer,
} from '@credit-gateway/common';
import type { SocialSecurityConfig } from './config.js';
import type { SubgraphContext } from './context.js';
import { createLoaders } from './loaders.js';
import { createResolvers } from './resolvers/index.js';
import { openPostgresFrontDb } from './source/drivers/postgres.js';
import { frontDbClient, type FrontDb, type FrontDbDriver } from './source/front-db.js';
import { createHrssSource } from './source/hrss.js';

/** The PostgreSQL front-end database FRONT_DB_URL names. */
function postgresDriver(config: SocialSecurityConfig, logger: Logger): FrontDbDriver {
  if (!config.frontDb) throw new Error('no front-end database: set FRONT_DB_URL or supply a driver');
  const { url, poolSize } = config.frontDb;
  return openPostgresFrontDb({ url, poolSize, timeoutMs: config.sourceTimeoutMs, logger });
}

/**
 * Builds the social security subgraph: schema, front-end database adapter and HTTP handler. No
 * side effects on import. The front-end database is PostgreSQL (config.frontDb), or `driver` when
 * the hosting process supplies one; the subgraph closes it with itself.
 */
export function createSocialSecuritySubgraph(
  config: SocialSecurityConfig,
  logger: Logger = createLogger({ service: 'subgraph-social-security', level: config.logLevel }),
  driver: FrontDbDriver = postgresDriver(config, logger),
) {
  const resolvers = createResolvers(loadCreditCodePolicy(config.allowListFile));
  const frontDb = frontDbClient(driver, { timeoutMs: config.sourceTimeoutMs });
  const metrics = new SubgraphMetrics('social-security');
  const source = createHrssSource(frontDb, metrics.sourceCalls);
  const { schema, handler } = buildSubgraph<SubgraphContext>({
    metrics,
    name: 'social-security',
    resolvers,
    logger,
    internalAuth: config.internalAuth,
    createContext: (request) => ({
      loaders: createLoaders(source, { batchSize: config.sourceBatchSize }),
      logger: request.logger,
    }),
  });
  return { schema, handler, metrics, frontDb, close: () => frontDb.close() };
}

export async function startSocialSecuritySubgraph(
  config: SocialSecurityConfig,
  logger: Logger = createLogger({ service: 'subgraph-social-security', level: config.logLevel }),
  driver?: FrontDbDriver,
): Promise<RunningServer & { frontDb: FrontDb }> {
  const subgraph = createSocialSecuritySubgraph(config, logger, driver);
  let server: RunningServer;
  try {
    server = await listenSubgraph(subgraph, config, logger);
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

export { loadConfig, readConfig } from './config.js';
export type { SocialSecurityConfig, FrontDbConfig } from './config.js';
export type { FrontDb, FrontDbDriver, FrontDbStats } from './source/front-db.js';
