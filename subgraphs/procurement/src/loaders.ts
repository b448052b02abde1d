import DataLoader from 'dataloader';
import type { CcgpSource } from './source/ccgp.js';
import type { ProcurementRecord } from './source/models.js';

/**
 * Per-request loaders. The procurement service answers one supplier per request, so a batch fans
 * out into one look-up per distinct code, with bounded concurrency (see the adapter).
 */
export function createLoaders(source: CcgpSource) {
  return {
    procurement: new DataLoader<string, ProcurementRecord | null>(async (codes) => {
      const found = await source.lookup(codes);
      return codes.map((code) => found.get(code) ?? null);
    }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
