import {
  DEFAULT_ALLOW_LIST_FILE,
  EnvReader,
  readServiceConfig,
  STAND_IN_PORTS,
  SUBGRAPH_PORTS,
  type Env,
  type ServiceConfig,
} from '@credit-gateway/common';

export interface MarketConfig extends ServiceConfig {
  /** Base URL of the GSXT data-exchange interface. */
  sourceUrl: string;
  sourceTimeoutMs: number;
  /** Codes sent to GSXT in one batch query. */
  sourceBatchSize: number;
  /** Most codes one `enterprises` query may ask for. */
  maxBatchSize: number;
  allowListFile: string;
}

export function loadConfig(env: Env): MarketConfig {
  const reader = new EnvReader(env);
  const config: MarketConfig = {
    ...readServiceConfig(reader, SUBGRAPH_PORTS.market),
    sourceUrl: reader.url('SOURCE_URL', `http://127.0.0.1:${STAND_IN_PORTS.market}`),
    sourceTimeoutMs: reader.int('SOURCE_TIMEOUT_MS', 2_000, { min: 1, max: 120_000 }),
    sourceBatchSize: reader.int('SOURCE_BATCH_SIZE', 500, { min: 1, max: 1_000 }),
    maxBatchSize: reader.int('MAX_BATCH_SIZE', 500, { min: 1, max: 10_000 }),
    allowListFile: reader.string('CREDIT_CODE_ALLOWLIST_FILE', DEFAULT_ALLOW_LIST_FILE),
  };
  reader.done();
  return config;
}
