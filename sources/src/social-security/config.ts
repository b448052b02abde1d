import { EnvReader, LOG_LEVELS, type Env } from '@credit-gateway/common';
import { readConfig, type SocialSecurityConfig } from '@credit-gateway/subgraph-social-security';
import { faultsFromEnv, type Faults } from '../sim/faults.js';

const POPULATION = { min: 0, max: 2_000_000 };

export interface EmbeddedSocialSecurityConfig extends SocialSecurityConfig {
  embedded: {
    /** Generated registered subjects seeded at start, on top of the demo subjects (FRONT_DB_POPULATION). */
    population: number;
    /** Misbehaviour from the start (FAULT_*); changeable at run time. */
    faults: Faults;
  };
}

/** Config of the social security subgraph on the embedded front-end database, as `npm start` runs it. */
export function loadEmbeddedConfig(env: Env): EmbeddedSocialSecurityConfig {
  const reader = new EnvReader(env);
  const config: EmbeddedSocialSecurityConfig = {
    ...readConfig(reader, { frontDb: 'supplied' }),
    embedded: {
      population: reader.int(
        'FRONT_DB_POPULATION',
        100_000,
        POPULATION,
        'Generated subjects the embedded front-end database is seeded with at start, on top of the demo subjects',
      ),
      faults: faultsFromEnv(env, reader),
    },
  };
  const frontDbUrl = reader.optionalString(
    'FRONT_DB_URL',
    'Must be unset: the embedded database stands in for it (run the subgraph itself on PostgreSQL)',
  );
  if (frontDbUrl !== undefined)
    reader.problem(
      'FRONT_DB_URL names a PostgreSQL front-end database: run the subgraph itself (subgraphs/social-security/dist/index.js) on it',
    );
  reader.done();
  return config;
}

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
      POPULATION,
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
