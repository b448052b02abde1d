import type { EnterpriseResolvers } from '../__generated__/resolvers-types.js';
import { procurementSection } from '../source/models.js';

export const Enterprise: EnterpriseResolvers = {
  __resolveReference: (ref) => ({ code: ref.code }),
  procurement: async ({ code }, _, { loaders }) =>
    procurementSection(await loaders.procurement.load(code), new Date().toISOString()),
};
