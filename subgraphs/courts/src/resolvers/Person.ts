import { findIdNumberProblem, idNumberParts, normalizeIdNumber } from '@credit-gateway/common';
import type { PersonResolvers } from '../__generated__/resolvers-types.js';
import { courtsSection, personKey } from '../source/models.js';

export const Person: PersonResolvers = {
  // References come from other departments' records, which the IdNumber scalar never saw: a number
  // that is not a valid resident ID number names nobody.
  __resolveReference: (ref) => {
    const idNumber = typeof ref.idNumber === 'string' ? normalizeIdNumber(ref.idNumber) : '';
    return findIdNumberProblem(idNumber) === null ? { idNumber } : null;
  },
  birthDate: ({ idNumber }) => idNumberParts(idNumber).birthDate,
  gender: ({ idNumber }) => idNumberParts(idNumber).gender,
  divisionCode: ({ idNumber }) => idNumberParts(idNumber).divisionCode,
  courts: async ({ idNumber }, _, { loaders }) =>
    courtsSection(await loaders.courts.load(personKey(idNumber)), new Date().toISOString()),
};
