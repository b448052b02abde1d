import type { TaxSectionResolvers } from '../__generated__/resolvers-types.js';
import { publishedGrades } from '../source/publication.js';

export const TaxSection: TaxSectionResolvers = {
  publishedGrades: (record) => publishedGrades(record.creditGrades),
};
