import DataLoader from 'dataloader';
import type { CcgpSource } from './source/ccgp.js';
import type { ProcurementRecord } from './source/models.js';

/**
 * Per-request loaders: every code a request touches goes to the procurement service in one bulk
 * look-up, or, where it has only the single-record look-up, in a bounded fan-out (see the adapter).
 */
export function createLoaders(source: CcgpSource, options: { batchSize: number }) {
  return {
    procurement: new DataLoader<string, ProcurementRecord | null>(
      async (codes) => {
        const found = await source.lookup(codes);
        return codes.map((code) => found.get(code) ?? null);
      },
      { maxBatchSize: options.batchSize },
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
