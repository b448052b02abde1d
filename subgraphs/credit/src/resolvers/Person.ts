import { parseIdNumber } from '@credit-gateway/common';
import type { PersonResolvers } from '../__generated__/resolvers-types.js';

export const Person: PersonResolvers = {
  __resolveReference: (reference) =>
    Promise.resolve(reference.idNumber).then((idNumber) => ({ idNumber: parseIdNumber(idNumber) })),
  // Only the enterprises the platform has checked are known (see RepresentativeIndex).
  representedDishonesty: ({ idNumber }, _, { representatives }) => representatives.dishonestyOf(idNumber),
};
