import type { QueryResolvers } from '../__generated__/resolvers-types.js';

export const Query: QueryResolvers = {
  measuresCatalog: (_, { list, context }, { catalog }) => catalog.forList({ list, context }),
  // The set itself: the planner gathers each subject's department records, then asks for statistics.
  creditStatistics: (_, { codes }) => ({ codes: [...codes] }),
};
