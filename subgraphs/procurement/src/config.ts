import {
  DEFAULT_ALLOW_LIST_FILE,
  EnvReader,
  readServiceConfig,
  STAND_IN_PORTS,
  SUBGRAPH_PORTS,
  type Env,
  type ServiceConfig,
} from '@credit-gateway/common';

export interface ProcurementConfig extends ServiceConfig {
  /** Base URL of the government procurement credit service. */
  sourceUrl: string;
  /** Per look-up: the service answers one supplier per request. */
  sourceTimeoutMs: number;
  /** Most look-ups in flight at once, so that a large batch does not flood the service. */
  sourceConcurrency: number;
  allowListFile: string;
}

export function loadConfig(env: Env): ProcurementConfig {
  const reader = new EnvReader(env);
  const config: ProcurementConfig = {
    ...readServiceConfig(reader, SUBGRAPH_PORTS.procurement),
    sourceUrl: reader.url('SOURCE_URL', `http://127.0.0.1:${STAND_IN_PORTS.procurement}`),
    sourceTimeoutMs: reader.int('SOURCE_TIMEOUT_MS', 2_000, { min: 1, max: 120_000 }),
    sourceConcurrency: reader.int('SOURCE_CONCURRENCY', 16, { min: 1, max: 256 }),
    allowListFile: reader.string('CREDIT_CODE_ALLOWLIST_FILE', DEFAULT_ALLOW_LIST_FILE),
  };
  reader.done();
  return config;
}
