import DataLoader from 'dataloader';
import type { HrssSource } from './source/hrss.js';
import type { SocialSecurityRecord } from './source/models.js';

/** Per-request loaders: every code a request touches goes to the front-end database in one query. */
export function createLoaders(source: HrssSource, options: { batchSize: number }) {
  return {
    socialSecurity: new DataLoader<string, SocialSecurityRecord | null>(
      async (codes) => {
        const found = await source.lookup(codes);
        return codes.map((code) => found.get(code) ?? null);
      },
      { maxBatchSize: options.batchSize },
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
