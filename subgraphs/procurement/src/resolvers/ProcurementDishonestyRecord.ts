import type { ProcurementDishonestyRecordResolvers } from '../__generated__/resolvers-types.js';
import { banInForce } from '../ban.js';

export const ProcurementDishonestyRecord: ProcurementDishonestyRecordResolvers = {
  active: (record, _, { today }) => banInForce(record, today),
};
