import type { LegalRepresentativeResolvers } from '../__generated__/resolvers-types.js';

export const LegalRepresentative: LegalRepresentativeResolvers = {
  person: ({ idNumber }) => (idNumber === null ? null : { idNumber }),
};
