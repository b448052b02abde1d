import {
  DEFAULT_ALLOW_LIST_FILE,
  EnvReader,
  readServiceConfig,
  STAND_IN_PORTS,
  SUBGRAPH_PORTS,
  type Env,
  type ServiceConfig,
} from '@credit-gateway/common';

export interface TaxConfig extends ServiceConfig {
  /** Base URL of the tax credit management system's data-exchange interface. */
  sourceUrl: string;
  sourceTimeoutMs: number;
  /** Codes sent in one batch query; each code is sent as two candidate taxpayer numbers. */
  sourceBatchSize: number;
  /** How long a major tax violation case stays published (公布期限), in years from publication. */
  violationPublicityYears: number;
  allowListFile: string;
}

export function loadConfig(env: Env): TaxConfig {
  const reader = new EnvReader(env);
  const config: TaxConfig = {
    ...readServiceConfig(reader, SUBGRAPH_PORTS.tax),
    sourceUrl: reader.url('SOURCE_URL', `http://127.0.0.1:${STAND_IN_PORTS.tax}`),
    sourceTimeoutMs: reader.int('SOURCE_TIMEOUT_MS', 2_000, { min: 1, max: 120_000 }),
    // The batch interface takes at most 1,000 taxpayer numbers, two per code.
    sourceBatchSize: reader.int('SOURCE_BATCH_SIZE', 500, { min: 1, max: 500 }),
    violationPublicityYears: reader.int('VIOLATION_PUBLICITY_YEARS', 3, { min: 1, max: 10 }),
    allowListFile: reader.string('CREDIT_CODE_ALLOWLIST_FILE', DEFAULT_ALLOW_LIST_FILE),
  };
  reader.done();
  return config;
}
