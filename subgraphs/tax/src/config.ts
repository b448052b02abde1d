import { EnvReader, type Env, readSubgraphConfig, type SubgraphConfig, readSourceUrl } from '@credit-gateway/common';

export interface TaxConfig extends SubgraphConfig {
  /** Base URL of the tax credit management system's data-exchange interface. */
  sourceUrl: string;
  /** Codes sent in one batch query; each code is sent as two candidate taxpayer numbers. */
  sourceBatchSize: number;
  /** How long a major tax violation case stays published (公布期限), in years from publication. */
  violationPublicityYears: number;
}

export function loadConfig(env: Env): TaxConfig {
  const reader = new EnvReader(env);
  const config: TaxConfig = {
    ...readSubgraphConfig(reader, 'tax'),
    sourceUrl: readSourceUrl(reader, 'tax'),
    // The batch interface takes at most 1,000 taxpayer numbers, two per code.
    sourceBatchSize: reader.int(
      'SOURCE_BATCH_SIZE',
      500,
      { min: 1, max: 500 },
      'Codes sent in one batch query, each as two candidate taxpayer numbers',
    ),
    violationPublicityYears: reader.int(
      'VIOLATION_PUBLICITY_YEARS',
      3,
      { min: 1, max: 10 },
      'How long a major tax violation case stays published (公布期限), from its publication',
    ),
  };
  reader.done();
  return config;
}
