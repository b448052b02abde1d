import type { ProcurementSectionResolvers } from '../__generated__/resolvers-types.js';
import { isBanned } from '../ban.js';

export const ProcurementSection: ProcurementSectionResolvers = {
  banned: ({ seriousDishonestyRecords }, _, { today }) => isBanned(seriousDishonestyRecords, today),
};
