import type { EnterpriseResolvers } from '../__generated__/resolvers-types.js';
import { socialSecuritySection } from '../source/models.js';

export const Enterprise: EnterpriseResolvers = {
  __resolveReference: (ref) => ({ code: ref.code }),
  socialSecurity: async ({ code }, _, { loaders }) =>
    socialSecuritySection(await loaders.socialSecurity.load(code), new Date().toISOString()),
};
