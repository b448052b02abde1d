import type { QueryResolvers } from '../__generated__/resolvers-types.js';

export const Query: QueryResolvers = {
  // The IdNumber scalar has validated the number, and every valid number names a person.
  person: (_, { idNumber }) => ({ idNumber }),
};
