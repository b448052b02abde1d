import { scalarResolvers, type CreditCodePolicy } from '@credit-gateway/common';
import type { Resolvers } from '../__generated__/resolvers-types.js';
import { commitmentResolvers } from './Commitment.js';
import { ListMembership } from './ListMembership.js';
import { debtorRestrictionResolvers } from './DebtorRestriction.js';
import { createEnterpriseResolvers } from './Enterprise.js';
import { feedbackMutations } from './FeedbackMutations.js';
import { loopResolvers } from './Loop.js';
import { objectionResolvers } from './Objection.js';
import { objectionMutations } from './ObjectionMutations.js';
import { outboxResolvers } from './Outbox.js';
import { Person } from './Person.js';
import { Query } from './Query.js';
import { repairResolvers } from './Repair.js';
import { SubjectSet } from './SubjectSet.js';

/**
 * Merges resolver maps type by type. Two maps resolving the same field is a wiring mistake, so it
 * fails at start-up rather than letting one silently win.
 */
export function mergeResolvers(...maps: readonly Resolvers[]): Resolvers {
  const merged: Record<string, Record<string, unknown>> = {};
  for (const map of maps) {
    for (const [type, fields] of Object.entries(map as Record<string, unknown>)) {
      if (fields === undefined) continue;
      if (typeof fields !== 'object' || fields === null || fields.constructor !== Object) {
        // A scalar: one definition only.
        if (type in merged) throw new Error(`Resolvers for ${type} are defined twice`);
        merged[type] = fields as Record<string, unknown>;
        continue;
      }
      const target = (merged[type] ??= {});
      for (const [field, resolver] of Object.entries(fields)) {
        if (field in target) throw new Error(`Resolvers for ${type}.${field} are defined twice`);
        target[field] = resolver;
      }
    }
  }
  return merged;
}

export function createResolvers(policy: CreditCodePolicy): Resolvers {
  return mergeResolvers(
    scalarResolvers(policy),
    { Query, Enterprise: createEnterpriseResolvers(policy), Person, SubjectSet },
    objectionResolvers,
    { Mutation: objectionMutations },
    { Mutation: feedbackMutations },
    debtorRestrictionResolvers,
    commitmentResolvers,
    { ListMembership },
    outboxResolvers,
    repairResolvers,
    loopResolvers,
  );
}
