import type { Resolvers } from '../__generated__/resolvers-types.js';
import type { SubgraphContext } from '../context.js';
import { readFeedPage } from '../feed/feed.js';
import { feedbackBookOf } from '../feed/feedback.js';
import type { LinkageClient } from '../models.js';

export function requireLinkage(context: Pick<SubgraphContext, 'linkage'>): LinkageClient {
  // The server is always given the courts' interface; its absence is a wiring fault, reported as internal.
  if (!context.linkage) throw new Error('The credit subgraph has no court linkage interface');
  return context.linkage;
}

/** The court linkage feed (执行联动): Query.debtorRestrictions and the feedback on each change. */
export const debtorRestrictionResolvers: Resolvers = {
  Query: {
    debtorRestrictions: (_, args, context) => readFeedPage(requireLinkage(context), context.catalog, args),
  },
  DebtorRestrictionChange: {
    // Without a store there is no feedback to show, rather than a failed feed.
    feedback: (change, _, { store }) => (store ? feedbackBookOf(store.events).forChange(change.id) : []),
  },
};
