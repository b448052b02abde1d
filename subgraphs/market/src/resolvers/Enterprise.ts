import { creditCodeParts } from '@credit-gateway/common';
import type { EnterpriseResolvers } from '../__generated__/resolvers-types.js';
import { marketSection } from '../source/models.js';

export const Enterprise: EnterpriseResolvers = {
  __resolveReference: (ref) => ({ code: ref.code }),
  codeInfo: ({ code }) => creditCodeParts(code),
  marketRegulation: async ({ code }, _, { loaders }) =>
    marketSection(await loaders.market.load(code), new Date().toISOString()),
};
