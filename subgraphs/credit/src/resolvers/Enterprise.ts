import { epochToChinaDate, parseCreditCode, type CreditCodePolicy } from '@credit-gateway/common';
import type { EnterpriseResolvers } from '../__generated__/resolvers-types.js';
import type { SubgraphContext } from '../context.js';
import type { EnterpriseInputs } from '../models.js';
import { assess, type Assessment } from '../rules/assess.js';
import { evaluate } from '../rules/evaluation.js';
import { greenChannel } from '../rules/green-channel.js';
import { applicableMeasures } from '../rules/measures.js';
import { recordsVisibleTo, representativeDebtorRecords } from '../rules/records.js';

/** The China date of the context's clock: the day the rules judge by. */
export function today(context: Pick<SubgraphContext, 'now'>): string {
  return epochToChinaDate(context.now().getTime());
}

/**
 * An enterprise's records and lists, computed once per request. Every computation also tells the
 * representative index who represents the enterprise and what it is listed on (落实到人).
 */
export function assessmentOf(enterprise: EnterpriseInputs, context: SubgraphContext): Promise<Assessment> {
  let pending = context.loaders.assessments.get(enterprise);
  if (!pending) {
    pending = context.loaders.overlays.load(enterprise.code).then((overlays) => {
      const assessment = assess(enterprise, context.policy, overlays, today(context));
      const registration = enterprise.marketRegulation?.registration;
      // Without the market section the representative is unknown, not absent: keep what is known.
      if (registration) {
        const idNumber = registration.legalRepresentative?.person?.idNumber ?? null;
        context.representatives.remember(enterprise.code, idNumber, assessment.memberships);
      }
      return assessment;
    });
    context.loaders.assessments.set(enterprise, pending);
  }
  return pending;
}

export function createEnterpriseResolvers(policy: CreditCodePolicy): EnterpriseResolvers {
  return {
    // Representations arrive as `_Any`, past the CreditCode scalar, so the code is checked here; in
    // a promise, so that a bad code fails its own entity only, not the whole batch.
    __resolveReference: (reference) =>
      Promise.resolve(reference as unknown as EnterpriseInputs).then((inputs) => ({
        ...inputs,
        code: parseCreditCode(inputs.code, policy),
      })),
    creditRecords: async (enterprise, _, context) =>
      recordsVisibleTo(context.access.tier, (await assessmentOf(enterprise, context)).records),
    creditLists: async (enterprise, _, context) => (await assessmentOf(enterprise, context)).memberships,
    measures: async (enterprise, { context: decision }, context) =>
      applicableMeasures(context.catalog, (await assessmentOf(enterprise, context)).memberships, decision),
    greenChannel: async (enterprise, _, context) => {
      const { records, memberships } = await assessmentOf(enterprise, context);
      return greenChannel(context.catalog, {
        records,
        memberships,
        registration: enterprise.marketRegulation?.registration ?? null,
        today: today(context),
        courtsRead: enterprise.courts !== null && enterprise.courts !== undefined,
      });
    },
    evaluation: async (enterprise, _, context) => {
      const { records } = await assessmentOf(enterprise, context);
      return evaluate(context.policy.evaluation, {
        registration: enterprise.marketRegulation?.registration ?? null,
        spotChecks: enterprise.marketRegulation?.spotChecks ?? [],
        records,
        today: today(context),
      });
    },
    legalRepresentativeDebtorRecords: (enterprise, _, context) =>
      recordsVisibleTo(
        context.access.tier,
        representativeDebtorRecords(enterprise, context.policy.publicity, today(context)),
      ),
  };
}
