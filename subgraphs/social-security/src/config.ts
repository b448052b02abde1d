import { EnvReader, type Env, LOG_LEVELS, readSubgraphConfig, type SubgraphConfig } from '@credit-gateway/common';
import { faultsFromEnv, type Faults } from '@credit-gateway/sources';

/** Where the front-end database is: a PostgreSQL server, or the embedded stand-in. */
export type FrontDbConfig =
  | { driver: 'postgres'; url: string; poolSize: number }
  | {
      driver: 'embedded';
      /** Generated registered subjects seeded at start, on top of the demo subjects (FRONT_DB_POPULATION). */
      population: number;
      /** Misbehaviour of the embedded stand-in from the start (FAULT_*); changeable at run time. */
      faults: Faults;
    };

export interface SocialSecurityConfig extends SubgraphConfig {
  frontDb: FrontDbConfig;
  /** Codes sent to the front-end database in one query. */
  sourceBatchSize: number;
}

const FAULT_VARIABLES = ['FAULT_DELAY_MS', 'FAULT_JITTER_MS', 'FAULT_ERROR_RATE', 'FAULT_GARBAGE_RATE', 'FAULT_HANG'];

function postgresUrl(reader: EnvReader, name: string, doc: string): string | undefined {
  const url = reader.optionalString(name, doc);
  if (url === undefined) return undefined;
  try {
    const { protocol } = new URL(url);
    if (protocol === 'postgres:' || protocol === 'postgresql:') return url;
  } catch {
    // reported below
  }
  // The URL may hold a password: it is not echoed.
  reader.problem(`${name} must be a postgres:// or postgresql:// URL`);
  return undefined;
}

function readFrontDb(reader: EnvReader, env: Env): FrontDbConfig {
  const url = postgresUrl(
    reader,
    'FRONT_DB_URL',
    'The front-end database (前置库) in PostgreSQL; the embedded one, seeded at start, when unset',
  );
  const poolSize = reader.int(
    'FRONT_DB_POOL_SIZE',
    10,
    { min: 1, max: 100 },
    'Connections to the PostgreSQL front-end database',
  );
  const population = reader.int(
    'FRONT_DB_POPULATION',
    100_000,
    { min: 0, max: 2_000_000 },
    'Generated subjects the embedded front-end database is seeded with, on top of the demo subjects',
  );
  const faults = faultsFromEnv(env, reader);
  if (url === undefined) return { driver: 'embedded', population, faults };
  // Faults are simulated by the embedded stand-in only; a real database fails on its own.
  for (const name of FAULT_VARIABLES) {
    if (reader.isSet(name))
      reader.problem(`${name} applies only to the embedded front-end database; unset FRONT_DB_URL or ${name}`);
  }
  return { driver: 'postgres', url, poolSize };
}

export function loadConfig(env: Env): SocialSecurityConfig {
  const reader = new EnvReader(env);
  const config: SocialSecurityConfig = {
    ...readSubgraphConfig(reader, 'social-security'),
    frontDb: readFrontDb(reader, env),
    sourceBatchSize: reader.int(
      'SOURCE_BATCH_SIZE',
      500,
      { min: 1, max: 1_000 },
      'Codes sent to the front-end database in one query',
    ),
  };
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
  const url = postgresUrl(reader, 'FRONT_DB_URL', 'The PostgreSQL front-end database to fill; required');
  if (url === undefined && !reader.isSet('FRONT_DB_URL')) reader.problem('FRONT_DB_URL is required');
  const config: SeedConfig = {
    url: url ?? '',
    population: reader.int(
      'FRONT_DB_POPULATION',
      100_000,
      { min: 0, max: 2_000_000 },
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
