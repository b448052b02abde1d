import type { CreditStore } from '../models.js';
import type { SubgraphContext } from '../context.js';
import type {
  EnterpriseResolvers,
  ObjectionResolvers,
  QueryResolvers,
  Resolvers,
} from '../__generated__/resolvers-types.js';
import { consentRequired, mayActOnObjections, ownerOf, type Caller } from '../store/caller.js';
import { isOpen, isOverdue, objectionView, type ObjectionState } from '../store/objections.js';
import { chinaDate } from '../workdays/index.js';

/** The caller as the objection rules see it. */
export function callerOf(context: Pick<SubgraphContext, 'access' | 'caller'>): Caller {
  return {
    tier: context.access.tier,
    client: context.caller.client,
    consents: context.access.consents,
    department: context.caller.department,
  };
}

export function requireStore(context: Pick<SubgraphContext, 'store'>): CreditStore {
  // The server is always given a store; its absence is a wiring fault, reported as internal.
  if (!context.store) throw new Error('The credit subgraph has no durable store');
  return context.store;
}

function today(context: Pick<SubgraphContext, 'now'>): string {
  return chinaDate(context.now());
}

export const Objection: ObjectionResolvers = {
  // Judged by the day it is read, not the day it was stored.
  overdue: (objection, _, context) => isOverdue(objection, today(context)),
  department: (objection) => ownerOf(objection.recordId),
  decidedAt: (objection) => decidedAt(objection),
  decidedWithinTarget: (objection) => {
    const at = decidedAt(objection);
    return at === null ? null : chinaDate(new Date(at)) <= objection.dueOn;
  },
};

/** When an objection was closed: the time of its final step; null while open. */
function decidedAt(objection: Pick<ObjectionState, 'status' | 'history'>): string | null {
  if (isOpen(objection.status)) return null;
  return objection.history.at(-1)?.at ?? null;
}

/** Query.objection: for the subject itself (AUTHORIZED, with its consent) and for departments. */
export const objectionQueries: Pick<QueryResolvers, 'objection'> = {
  objection: (_, { id }, context) => {
    const objection = requireStore(context).objections.get(id);
    if (objection === null) return null;
    if (!mayActOnObjections(callerOf(context), objection.code)) throw consentRequired(null, 'read this objection');
    return objectionView(objection, today(context));
  },
};

/** Enterprise.objections, oldest first; @access has checked the tier and the consent already. */
export const enterpriseObjections: Pick<EnterpriseResolvers, 'objections'> = {
  objections: ({ code }, _, context) => {
    if (!mayActOnObjections(callerOf(context), code)) throw consentRequired(code, "read the subject's objections");
    const day = today(context);
    return requireStore(context)
      .objections.forSubject(code)
      .map((objection) => objectionView(objection, day));
  },
};

/** Everything about objections but the mutations (see ObjectionMutations.ts), for mergeResolvers. */
export const objectionResolvers: Resolvers = {
  Query: objectionQueries,
  Enterprise: enterpriseObjections,
  Objection,
};
