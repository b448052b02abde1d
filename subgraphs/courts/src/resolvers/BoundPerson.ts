import type { BoundPersonResolvers } from '../__generated__/resolvers-types.js';

export const BoundPerson: BoundPersonResolvers = {
  person: ({ idNumber }) => (idNumber === null ? null : { idNumber }),
};
