import { EnvReader, type Env, readSubgraphConfig, type SubgraphConfig, readSourceUrl } from '@credit-gateway/common';

/** The courts' data-exchange interface answers at most this many subjects per query. */
const SOURCE_BATCH_LIMIT = 1_000;

export interface CourtsConfig extends SubgraphConfig {
  /** Base URL of the courts' enforcement linkage data-exchange interface. */
  sourceUrl: string;
  /** Subjects (companies and people together) sent to the courts in one batch query. */
  sourceBatchSize: number;
}

export function loadConfig(env: Env): CourtsConfig {
  const reader = new EnvReader(env);
  const config: CourtsConfig = {
    ...readSubgraphConfig(reader, 'courts'),
    sourceUrl: readSourceUrl(reader, 'courts'),
    sourceBatchSize: reader.int(
      'SOURCE_BATCH_SIZE',
      500,
      { min: 1, max: SOURCE_BATCH_LIMIT },
      'Subjects (companies and people together) sent to the courts in one batch query',
    ),
  };
  reader.done();
  return config;
}
