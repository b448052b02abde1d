import type { MutationResolvers } from '../__generated__/resolvers-types.js';
import { reportFeedback } from '../feed/feedback.js';
import { linkCourtFeedback } from '../loop/service.js';
import { requireLinkage } from './DebtorRestriction.js';
import { callerOf, requireStore } from './Objection.js';

/** reportEnforcementFeedback (执行反馈): durable before it answers, idempotent by key. */
export const feedbackMutations: Pick<MutationResolvers, 'reportEnforcementFeedback'> = {
  reportEnforcementFeedback: (_, { input }, context) =>
    reportFeedback(
      {
        events: requireStore(context).events,
        linkage: requireLinkage(context),
        catalog: context.catalog,
        now: context.now(),
        // The feed's feedback is also feedback on the court case's measures (the loop).
        onReported: (subject) => linkCourtFeedback(context, subject),
      },
      callerOf(context),
      input,
    ),
};
