import { creditCodeParts } from '@credit-gateway/common';
import type { EnterpriseResolvers } from '../__generated__/resolvers-types.js';

export const Enterprise: EnterpriseResolvers = {
  __resolveReference: (ref) => ({ code: ref.code }),
  codeInfo: ({ code }) => creditCodeParts(code),
  marketRegulation: ({ code }, _, { loaders }) => loaders.market.load(code),
};
