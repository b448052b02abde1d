import type { MutationResolvers } from '../__generated__/resolvers-types.js';
import { requireRecord } from '../rules/record-index.js';
import { objectionFiled } from '../outbox/messages.js';
import { ownerOf, requireObjectionAccess, requireOwningDepartment, requireTier } from '../store/caller.js';
import { objectionView } from '../store/objections.js';
import { chinaDate } from '../workdays/index.js';
import { callerOf, requireStore } from './Objection.js';

/**
 * fileObjection and advanceObjection: durable before they answer, idempotent by key. Each checks
 * who is asking first, then that the record it names is one of the subject's, and only the
 * department owning a record decides its objections (谁认定、谁修复). Repairs: Repair.ts.
 */
export const objectionMutations: Pick<MutationResolvers, 'fileObjection' | 'advanceObjection'> = {
  fileObjection: async (_, { input }, context) => {
    const caller = callerOf(context);
    requireObjectionAccess(caller, input.code, 'file an objection');
    requireRecord(context.records, input.code, input.recordId);
    const now = context.now();
    const objection = await requireStore(context).objections.file(caller, input, now);
    // Sent to the department that supplied the record, after the objection is durable; a retry with
    // the same key sends the same message again, which the outbox ignores.
    const owner = ownerOf(objection.recordId);
    if (owner !== null) {
      if (context.outbox) await context.outbox.enqueue([objectionFiled(owner, objection)]);
      else context.logger.warn({ objectionId: objection.id }, 'No outbox: objection not sent to its department');
    }
    return objectionView(objection, chinaDate(now));
  },
  advanceObjection: async (_, { input }, context) => {
    const caller = callerOf(context);
    requireTier(caller, ['GOVERNMENT'], 'advance an objection');
    const store = requireStore(context);
    const objection = store.objections.get(input.id);
    // An unknown id is the store's BAD_USER_INPUT; a known one is decided by its record's department.
    if (objection) requireOwningDepartment(caller, objection.recordId, 'decide an objection to this record');
    const now = context.now();
    return objectionView(await store.objections.advance(caller, input, now), chinaDate(now));
  },
};
