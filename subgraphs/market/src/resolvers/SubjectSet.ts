import type { SubjectSetResolvers } from '../__generated__/resolvers-types.js';
import { isSourceFailure } from '../loaders.js';

export const SubjectSet: SubjectSetResolvers = {
  __resolveReference: (ref) => ({ codes: ref.codes }),
  // One GSXT batch for the whole set; a code GSXT cannot answer for is kept, as `enterprise` does.
  subjects: async ({ codes }, _, { loaders }) => {
    const results = await loaders.market.loadMany(codes);
    return codes.flatMap((code, index) => {
      const result = results[index];
      if (result instanceof Error) return isSourceFailure(result) ? [{ code }] : [];
      return result === null || result === undefined ? [] : [{ code }];
    });
  },
};
