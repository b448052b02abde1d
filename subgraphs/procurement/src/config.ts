import { EnvReader, type Env, readSubgraphConfig, type SubgraphConfig, readSourceUrl } from '@credit-gateway/common';

export interface ProcurementConfig extends SubgraphConfig {
  /** Base URL of the government procurement credit service. */
  sourceUrl: string;
  /** Most look-ups in flight at once, so that a large batch does not flood the service. */
  sourceConcurrency: number;
}

export function loadConfig(env: Env): ProcurementConfig {
  const reader = new EnvReader(env);
  const config: ProcurementConfig = {
    ...readSubgraphConfig(reader, 'procurement'),
    sourceUrl: readSourceUrl(reader, 'procurement'),
    sourceConcurrency: reader.int('SOURCE_CONCURRENCY', 16, { min: 1, max: 256 }),
  };
  reader.done();
  return config;
}
