import { parseCreditCode, type CreditCodePolicy } from '@credit-gateway/common';
import type { EnterpriseResolvers } from '../__generated__/resolvers-types.js';
import { taxSection } from '../source/models.js';

export function createEnterpriseResolvers(policy: CreditCodePolicy): EnterpriseResolvers {
  return {
    // Representations arrive as `_Any`, past the CreditCode scalar, and the taxpayer numbers are
    // cut out of the code: so it is checked here. In a promise, so that a bad code rejects its own
    // entity only; @apollo/subgraph fails every entity of the batch on a synchronous throw.
    __resolveReference: (ref) => Promise.resolve(ref.code).then((code) => ({ code: parseCreditCode(code, policy) })),
    tax: async ({ code }, _, { loaders }) => taxSection(await loaders.tax.load(code), new Date().toISOString()),
  };
}
