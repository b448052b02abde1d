import type {
  CreditCommitmentResolvers,
  EnterpriseResolvers,
  MutationResolvers,
  QueryResolvers,
  Resolvers,
} from '../__generated__/resolvers-types.js';
import type { SubgraphContext } from '../context.js';
import { isCommitmentOverdue } from '../store/commitments.js';
import { chinaDate } from '../workdays/index.js';
import { callerOf, requireStore } from './Objection.js';

function today(context: Pick<SubgraphContext, 'now'>): string {
  return chinaDate(context.now());
}

export const CreditCommitment: CreditCommitmentResolvers = {
  // Judged by the day it is read, not the day it was stored.
  overdue: (commitment, _, context) => isCommitmentOverdue(commitment, today(context)),
  // A copy: the stored kind is frozen, and the subject is remembered on what a field returns.
  kind: (commitment) => ({ ...commitment.kind }),
};

/** Query.commitment, for departments (@access GOVERNMENT). */
export const commitmentQueries: Pick<QueryResolvers, 'commitment'> = {
  commitment: (_, { id }, context) => requireStore(context).commitments.get(id),
};

/** Enterprise.commitments, oldest first (@access has checked the tier). */
export const enterpriseCommitments: Pick<EnterpriseResolvers, 'commitments'> = {
  commitments: ({ code }, _, context) => [...requireStore(context).commitments.forSubject(code)],
};

/**
 * makeCommitment and resolveCommitment: durable before they answer, idempotent by key, for the
 * department named in the caller's token; only the department that accepted a commitment
 * resolves it.
 */
export const commitmentMutations: Pick<MutationResolvers, 'makeCommitment' | 'resolveCommitment'> = {
  makeCommitment: (_, { input }, context) =>
    requireStore(context).commitments.make(callerOf(context), input, context.now()),
  resolveCommitment: (_, { input }, context) =>
    requireStore(context).commitments.resolve(callerOf(context), input, context.now()),
};

export const commitmentResolvers: Resolvers = {
  Query: commitmentQueries,
  Enterprise: enterpriseCommitments,
  Mutation: commitmentMutations,
  CreditCommitment,
};
