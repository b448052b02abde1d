import type { ResponsiblePersonResolvers } from '../__generated__/resolvers-types.js';

export const ResponsiblePerson: ResponsiblePersonResolvers = {
  person: ({ idNumber }) => (idNumber === null ? null : { idNumber }),
};
