import { EnvReader, type Env, readSubgraphConfig, type SubgraphConfig } from '@credit-gateway/common';

/** The front-end database on a PostgreSQL server. */
export interface FrontDbConfig {
  driver: 'postgres';
  url: string;
  poolSize: number;
}

export interface SocialSecurityConfig extends SubgraphConfig {
  /**
   * The PostgreSQL front-end database (FRONT_DB_URL); null when the process hosting the subgraph
   * supplies the database itself, as the simulator in `sources/` does with its embedded one.
   */
  frontDb: FrontDbConfig | null;
  /** Codes sent to the front-end database in one query. */
  sourceBatchSize: number;
}

function readFrontDb(reader: EnvReader): FrontDbConfig | null {
  const url = reader.postgresUrl(
    'FRONT_DB_URL',
    'The front-end database (前置库) in PostgreSQL; required (`npm start` runs the embedded one from `sources/`)',
  );
  const poolSize = reader.int(
    'FRONT_DB_POOL_SIZE',
    10,
    { min: 1, max: 100 },
    'Connections to the PostgreSQL front-end database',
  );
  if (url === undefined && !reader.isSet('FRONT_DB_URL'))
    reader.problem(
      'FRONT_DB_URL is required: the PostgreSQL front-end database (npm start runs the embedded one from sources/)',
    );
  return url === undefined ? null : { driver: 'postgres', url, poolSize };
}

/**
 * Reads the subgraph's variables into `reader`. With `frontDb: 'supplied'` the host process brings
 * its own front-end database driver and FRONT_DB_* are left to it.
 */
export function readConfig(reader: EnvReader, options: { frontDb: 'postgres' | 'supplied' }): SocialSecurityConfig {
  return {
    ...readSubgraphConfig(reader, 'social-security'),
    frontDb: options.frontDb === 'postgres' ? readFrontDb(reader) : null,
    sourceBatchSize: reader.int(
      'SOURCE_BATCH_SIZE',
      500,
      { min: 1, max: 1_000 },
      'Codes sent to the front-end database in one query',
    ),
  };
}

/** The subgraph's config: by default on the PostgreSQL front-end database FRONT_DB_URL names. */
export function loadConfig(
  env: Env,
  options: { frontDb: 'postgres' | 'supplied' } = { frontDb: 'postgres' },
): SocialSecurityConfig {
  const reader = new EnvReader(env);
  const config = readConfig(reader, options);
  reader.done();
  return config;
}
