import type { EnterpriseResolvers } from '../__generated__/resolvers-types.js';

export const Enterprise: EnterpriseResolvers = {
  __resolveReference: (ref) => ({ code: ref.code }),
  socialSecurity: ({ code }, _, { loaders }) => loaders.socialSecurity.load(code),
};
