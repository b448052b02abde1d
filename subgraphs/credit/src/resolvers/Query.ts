import type { QueryResolvers } from '../__generated__/resolvers-types.js';

export const Query: QueryResolvers = {
  measuresCatalog: (_, { list, context, listKind }, { catalog }) => catalog.forList({ list, context, listKind }),
  creditListKinds: (_, __, { catalog }) => [...catalog.listKinds.all()],
  commitmentKinds: (_, __, { policy }) => [...policy.commitments.kinds],
  // The set itself: the planner gathers each subject's department records, then asks for statistics.
  creditStatistics: (_, { codes }) => ({ codes: [...codes] }),
};
