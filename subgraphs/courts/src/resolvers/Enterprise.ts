import type { EnterpriseResolvers } from '../__generated__/resolvers-types.js';
import { companyKey, courtsSection } from '../source/models.js';

export const Enterprise: EnterpriseResolvers = {
  __resolveReference: (ref) => ({ code: ref.code }),
  courts: async ({ code }, _, { loaders }) =>
    courtsSection(await loaders.courts.load(companyKey(code)), new Date().toISOString()),
};
