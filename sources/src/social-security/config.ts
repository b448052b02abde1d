import { EnvReader, type Env } from '@credit-gateway/common';
import { readConfig, type SocialSecurityConfig } from '@credit-gateway/subgraph-social-security';
import { faultsFromEnv, type Faults } from '../sim/faults.js';
import { FRONT_DB_POPULATION_RANGE } from './seed-config.js';

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
        FRONT_DB_POPULATION_RANGE,
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
