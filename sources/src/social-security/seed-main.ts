/**
 * Seeds a PostgreSQL front-end database (FRONT_DB_URL) with FRONT_DB_POPULATION generated
 * subjects plus the demo subjects; does nothing when it already holds them. Run once before the
 * subgraph, as docker-compose's seed service does: `node sources/dist/social-security/seed-main.js`.
 */
import { createLogger } from '@credit-gateway/common';
import { loadSeedConfig } from './seed-config.js';
import { seedPostgres } from './postgres.js';

const config = loadSeedConfig(process.env);
const logger = createLogger({ service: 'social-security-seed', level: config.logLevel });
const started = performance.now();
try {
  const result = await seedPostgres(config.url, { population: config.population, batchRows: config.batchRows });
  const ms = Math.round(performance.now() - started);
  if (result.reseeded) logger.info({ ...result, population: config.population, ms }, 'front-end database seeded');
  else
    logger.info(
      { population: config.population, ms },
      'front-end database already holds this population; left as it is',
    );
} catch (error) {
  logger.error({ err: error }, 'seeding the front-end database failed');
  process.exitCode = 1;
}
