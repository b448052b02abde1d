import type { EnterpriseResolvers } from '../__generated__/resolvers-types.js';
import { companyKey } from '../source/models.js';

export const Enterprise: EnterpriseResolvers = {
  __resolveReference: (ref) => ({ code: ref.code }),
  courts: ({ code }, _, { loaders }) => loaders.courts.load(companyKey(code)),
};
