import { BatchTooLargeError } from '@credit-gateway/common';
import type { QueryResolvers } from '../__generated__/resolvers-types.js';
import { isSourceFailure } from '../loaders.js';
import type { EnterpriseRef } from '../source/models.js';

/**
 * A code is unknown (null) only when GSXT answers that it has no record. When GSXT fails, the
 * subject is still returned so that the other departments' sections are answered; its
 * `marketRegulation` section then carries the error.
 */
function toEnterprise(code: string, result: unknown): EnterpriseRef | null {
  if (result instanceof Error) {
    if (isSourceFailure(result)) return { code };
    throw result;
  }
  return result === null ? null : { code };
}

export const Query: QueryResolvers = {
  enterprise: async (_, { code }, { loaders }) => {
    try {
      return toEnterprise(code, await loaders.market.load(code));
    } catch (error) {
      return toEnterprise(code, error);
    }
  },
  enterprises: async (_, { codes }, { loaders, limits }) => {
    if (codes.length > limits.maxBatchSize) throw new BatchTooLargeError('codes', codes.length, limits.maxBatchSize);
    const results = await loaders.market.loadMany(codes);
    return codes.map((code, index) => toEnterprise(code, results[index]));
  },
};
