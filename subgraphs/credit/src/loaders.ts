import DataLoader from 'dataloader';
import type { CreditStore, EnterpriseInputs, Overlays } from './models.js';
import type { Assessment } from './rules/assess.js';
import { NO_OVERLAYS } from './rules/records.js';

/**
 * Per-request loaders: each subject's overlays are read from the store once per request, and each
 * enterprise is assessed once however many of its computed fields are asked for.
 */
export function createLoaders(store: CreditStore | undefined) {
  return {
    overlays: new DataLoader<string, Overlays>((codes) =>
      Promise.all(codes.map((code) => (store ? store.overlaysFor(code) : Promise.resolve(NO_OVERLAYS)))),
    ),
    assessments: new WeakMap<EnterpriseInputs, Promise<Assessment>>(),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
