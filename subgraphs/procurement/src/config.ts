import { EnvReader, type Env, readSubgraphConfig, type SubgraphConfig, readSourceUrl } from '@credit-gateway/common';
import { SOURCE_LOOKUPS, type SourceLookup } from './source/ccgp.js';

/** The bulk look-up answers at most this many codes per request. */
const SOURCE_BATCH_LIMIT = 1_000;

export interface ProcurementConfig extends SubgraphConfig {
  /** Base URL of the government procurement credit service. */
  sourceUrl: string;
  /** `batch`: one bulk request per batch; `single`: for a service with only the single-record look-up. */
  sourceLookup: SourceLookup;
  /** Codes in one batch, and so in one bulk request. */
  sourceBatchSize: number;
  /** Most single look-ups in flight at once, so that a large batch does not flood the service. */
  sourceConcurrency: number;
}

export function loadConfig(env: Env): ProcurementConfig {
  const reader = new EnvReader(env);
  const config: ProcurementConfig = {
    ...readSubgraphConfig(reader, 'procurement'),
    sourceUrl: readSourceUrl(reader, 'procurement'),
    sourceLookup: reader.oneOf(
      'SOURCE_LOOKUP',
      SOURCE_LOOKUPS,
      'batch',
      '`batch`: one bulk look-up per batch; `single`: one request per supplier, for a service with only that look-up',
    ),
    sourceBatchSize: reader.int(
      'SOURCE_BATCH_SIZE',
      500,
      { min: 1, max: SOURCE_BATCH_LIMIT },
      'Codes in one batch, and so in one bulk request',
    ),
    sourceConcurrency: reader.int(
      'SOURCE_CONCURRENCY',
      16,
      { min: 1, max: 256 },
      'Most single look-ups in flight at once (SOURCE_LOOKUP=single)',
    ),
  };
  reader.done();
  return config;
}
