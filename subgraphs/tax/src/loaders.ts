import DataLoader from 'dataloader';
import type { TaxCreditSource } from './source/tax-credit.js';
import type { TaxRecord } from './source/models.js';

/** Per-request loaders: every code a request touches goes to the tax system in one batch query. */
export function createLoaders(source: TaxCreditSource, options: { batchSize: number }) {
  return {
    tax: new DataLoader<string, TaxRecord | null>(
      async (codes) => {
        const found = await source.lookup(codes);
        return codes.map((code) => found.get(code) ?? null);
      },
      { maxBatchSize: options.batchSize },
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
