import { EnvReader, type Env, readSubgraphConfig, type SubgraphConfig, readSourceUrl } from '@credit-gateway/common';

export interface MarketConfig extends SubgraphConfig {
  /** Base URL of the GSXT data-exchange interface. */
  sourceUrl: string;
  /** Codes sent to GSXT in one batch query. */
  sourceBatchSize: number;
  /** Most codes one `enterprises` query may ask for. */
  maxBatchSize: number;
}

export function loadConfig(env: Env): MarketConfig {
  const reader = new EnvReader(env);
  const config: MarketConfig = {
    ...readSubgraphConfig(reader, 'market'),
    sourceUrl: readSourceUrl(reader, 'market'),
    sourceBatchSize: reader.int(
      'SOURCE_BATCH_SIZE',
      500,
      { min: 1, max: 1_000 },
      'Codes sent to GSXT in one batch query',
    ),
    maxBatchSize: reader.int(
      'MAX_BATCH_SIZE',
      500,
      { min: 1, max: 10_000 },
      'Most codes one `enterprises` query may ask for',
    ),
  };
  reader.done();
  return config;
}
