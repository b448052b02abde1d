import DataLoader from 'dataloader';
import type { CourtsKey, CourtsRecord } from './source/models.js';
import type { ZxgkSource } from './source/zxgk.js';

/**
 * Per-request loaders: every company and person a request touches goes to the courts in one batch
 * query. Keys are `ORG:<credit code>` and `ID:<ID number>` (see companyKey, personKey).
 */
export function createLoaders(source: ZxgkSource, options: { batchSize: number }) {
  return {
    courts: new DataLoader<CourtsKey, CourtsRecord | null>(
      async (keys) => {
        const found = await source.lookup(keys);
        return keys.map((key) => found.get(key) ?? null);
      },
      { maxBatchSize: options.batchSize },
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
