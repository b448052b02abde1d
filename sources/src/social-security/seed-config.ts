import { EnvReader, LOG_LEVELS, type Env } from '@credit-gateway/common';

/** FRONT_DB_POPULATION: generated subjects, on top of the demo subjects. */
export const FRONT_DB_POPULATION_RANGE = { min: 0, max: 2_000_000 };

export interface SeedConfig {
  url: string;
  population: number;
  batchRows: number;
  logLevel: string;
}

/** Config of the seed command, which fills a PostgreSQL front-end database. */
export function loadSeedConfig(env: Env): SeedConfig {
  const reader = new EnvReader(env);
  const url = reader.postgresUrl('FRONT_DB_URL', 'The PostgreSQL front-end database to fill; required');
  if (url === undefined && !reader.isSet('FRONT_DB_URL')) reader.problem('FRONT_DB_URL is required');
  const config: SeedConfig = {
    url: url ?? '',
    population: reader.int(
      'FRONT_DB_POPULATION',
      100_000,
      FRONT_DB_POPULATION_RANGE,
      'Generated subjects to seed, on top of the demo subjects; a database holding them already is left as it is',
    ),
    // PostgreSQL takes up to 65,535 parameters per statement: 8,000 rows of the widest table.
    batchRows: reader.int(
      'FRONT_DB_SEED_BATCH_ROWS',
      2_000,
      { min: 1, max: 8_000 },
      'Rows written by one INSERT statement',
    ),
    logLevel: reader.oneOf(
      'LOG_LEVEL',
      LOG_LEVELS,
      'info',
      'Least severe level written to the log (JSON lines on stdout)',
    ),
  };
  reader.done();
  return config;
}
