import DataLoader from 'dataloader';
import { SourceError } from '@credit-gateway/common';
import type { GsxtSource } from './source/gsxt.js';
import type { MarketRecord } from './source/models.js';

/** Per-request loaders: every code a request touches goes to GSXT in one batch query. */
export function createLoaders(source: GsxtSource, options: { batchSize: number }) {
  return {
    market: new DataLoader<string, MarketRecord | null>(
      async (codes) => {
        const found = await source.lookup(codes);
        return codes.map((code) => found.get(code) ?? null);
      },
      { maxBatchSize: options.batchSize },
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

/** Whether a loader failure is the source's: then the subject is answered without its section. */
export function isSourceFailure(error: unknown): error is SourceError {
  return error instanceof SourceError;
}
