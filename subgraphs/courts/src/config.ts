import {
  DEFAULT_ALLOW_LIST_FILE,
  EnvReader,
  readServiceConfig,
  STAND_IN_PORTS,
  SUBGRAPH_PORTS,
  type Env,
  type ServiceConfig,
} from '@credit-gateway/common';

/** The courts' data-exchange interface answers at most this many subjects per query. */
const SOURCE_BATCH_LIMIT = 1_000;

export interface CourtsConfig extends ServiceConfig {
  /** Base URL of the courts' enforcement linkage data-exchange interface. */
  sourceUrl: string;
  sourceTimeoutMs: number;
  /** Subjects (companies and people together) sent to the courts in one batch query. */
  sourceBatchSize: number;
  allowListFile: string;
}

export function loadConfig(env: Env): CourtsConfig {
  const reader = new EnvReader(env);
  const config: CourtsConfig = {
    ...readServiceConfig(reader, SUBGRAPH_PORTS.courts),
    sourceUrl: reader.url('SOURCE_URL', `http://127.0.0.1:${STAND_IN_PORTS.courts}`),
    sourceTimeoutMs: reader.int('SOURCE_TIMEOUT_MS', 2_000, { min: 1, max: 120_000 }),
    sourceBatchSize: reader.int('SOURCE_BATCH_SIZE', 500, { min: 1, max: SOURCE_BATCH_LIMIT }),
    allowListFile: reader.string('CREDIT_CODE_ALLOWLIST_FILE', DEFAULT_ALLOW_LIST_FILE),
  };
  reader.done();
  return config;
}
