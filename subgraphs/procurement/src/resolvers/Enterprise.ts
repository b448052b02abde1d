import type { EnterpriseResolvers } from '../__generated__/resolvers-types.js';

export const Enterprise: EnterpriseResolvers = {
  __resolveReference: (ref) => ({ code: ref.code }),
  procurement: ({ code }, _, { loaders }) => loaders.procurement.load(code),
};
