import type { MutationResolvers } from '../__generated__/resolvers-types.js';
import { objectionView } from '../store/objections.js';
import { chinaDate } from '../workdays/index.js';
import { callerOf, requireStore } from './Objection.js';

/** fileObjection, advanceObjection and recordRepair: durable before they answer, idempotent by key. */
export const objectionMutations: Pick<MutationResolvers, 'fileObjection' | 'advanceObjection' | 'recordRepair'> = {
  fileObjection: async (_, { input }, context) => {
    const now = context.now();
    const objection = await requireStore(context).objections.file(callerOf(context), input, now);
    return objectionView(objection, chinaDate(now));
  },
  advanceObjection: async (_, { input }, context) => {
    const now = context.now();
    const objection = await requireStore(context).objections.advance(callerOf(context), input, now);
    return objectionView(objection, chinaDate(now));
  },
  recordRepair: (_, { input }, context) =>
    requireStore(context).repairs.record(callerOf(context), input, context.now()),
};
