import {
  DecisionIncompleteError,
  epochToChinaDate,
  parseCreditCode,
  type CreditCodePolicy,
} from '@credit-gateway/common';
import { responsePathAsArray, type GraphQLResolveInfo } from 'graphql';
import type { EnterpriseResolvers } from '../__generated__/resolvers-types.js';
import type { SubgraphContext } from '../context.js';
import type { EnterpriseInputs } from '../models.js';
import { assess, type Assessment } from '../rules/assess.js';
import { evaluate } from '../rules/evaluation.js';
import { greenChannel } from '../rules/green-channel.js';
import {
  enterpriseInputs,
  representativeInputs,
  restrictInputs,
  SOURCE_NAMES,
  type DecisionInputsModel,
} from '../rules/inputs.js';
import { applicableMeasures, measureSources } from '../rules/measures.js';
import { observeListings } from '../loop/service.js';
import type { PersonRole } from '../rules/representatives.js';
import { recordsVisibleTo, representativeDebtorRecords, type RecordViewer } from '../rules/records.js';
import { supervisionFor } from '../rules/supervision.js';

/** The China date of the context's clock: the day the rules judge by. */
export function today(context: Pick<SubgraphContext, 'now'>): string {
  return epochToChinaDate(context.now().getTime());
}

/**
 * Notes a DECISION_INCOMPLETE error at the field being resolved, next to the data it answers, when
 * the decision rests on departments that could not be read.
 */
export function noteIfIncomplete(
  context: Pick<SubgraphContext, 'notedErrors'>,
  info: GraphQLResolveInfo,
  inputs: DecisionInputsModel,
): void {
  if (inputs.complete) return;
  context.notedErrors.push(
    new DecisionIncompleteError(
      info.fieldName,
      inputs.missingSources.map((source) => SOURCE_NAMES[source]),
      { path: responsePathAsArray(info.path) },
    ),
  );
}

/**
 * An enterprise's records and lists, computed once per request. Every computation also tells the
 * representative index who represents the enterprise and what it is listed on (落实到人).
 */
export function assessmentOf(enterprise: EnterpriseInputs, context: SubgraphContext): Promise<Assessment> {
  let pending = context.loaders.assessments.get(enterprise);
  if (!pending) {
    pending = context.loaders.overlays.load(enterprise.code).then(async (overlays) => {
      const assessment = assess(enterprise, context.policy, overlays, today(context));
      // Only a complete read says which records a subject has; a partial one must not hide a record.
      if (assessment.inputs.complete) context.records.remember(enterprise.code, assessment.records);
      // Without the market section the representative is unknown, not absent: keep what is known.
      if (enterprise.marketRegulation) {
        await context.representatives
          .remember(enterprise.code, peopleOf(enterprise), assessment.memberships, assessment.inputs)
          .catch((error: unknown) => {
            // The index only adds to what a person's query finds; the answer here stands without it.
            context.logger.warn({ err: error }, 'The person index could not record an enterprise');
          });
      }
      // A listing seen for the first time opens its case (发起) and pushes it (信息推送).
      await observeListings(context, enterprise.code, assessment.memberships);
      return assessment;
    });
    context.loaders.assessments.set(enterprise, pending);
  }
  return pending;
}

/** The evaluation of an enterprise, from its assessment (fail-closed for missing departments). */
export async function evaluationOf(enterprise: EnterpriseInputs, context: SubgraphContext) {
  const { records, inputs } = await assessmentOf(enterprise, context);
  return evaluate(context.policy.evaluation, {
    registration: enterprise.marketRegulation?.registration ?? null,
    spotChecks: enterprise.marketRegulation?.spotChecks ?? [],
    records,
    today: today(context),
    missingSources: inputs.missingSources,
  });
}

/** The caller as the sharing of repaired records sees it. */
export function viewerOf(context: Pick<SubgraphContext, 'caller' | 'policy'>): RecordViewer {
  return {
    department: context.caller.department,
    purpose: context.caller.purpose,
    auditPurposes: context.policy.repair.auditPurposes,
  };
}

/** The people an enterprise's dishonesty reaches (落实到人), as its departments name them. */
function peopleOf(enterprise: EnterpriseInputs): { idNumber: string; role: PersonRole }[] {
  const people: { idNumber: string; role: PersonRole }[] = [];
  const representative = enterprise.marketRegulation?.registration?.legalRepresentative?.person?.idNumber;
  if (representative) people.push({ idNumber: representative, role: 'LEGAL_REPRESENTATIVE' });
  for (const violation of enterprise.tax?.majorViolations ?? []) {
    const officer = violation.responsibleFinanceOfficer?.person?.idNumber;
    if (officer) people.push({ idNumber: officer, role: 'FINANCE_OFFICER' });
  }
  return people;
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
    creditAssessment: (enterprise) => enterpriseInputs(enterprise),
    creditRecords: async (enterprise, _, context, info) => {
      const { records, inputs } = await assessmentOf(enterprise, context);
      noteIfIncomplete(context, info, inputs);
      return recordsVisibleTo(context.access.tier, records, viewerOf(context));
    },
    creditLists: async (enterprise, _, context, info) => {
      const { memberships, inputs } = await assessmentOf(enterprise, context);
      noteIfIncomplete(context, info, inputs);
      return memberships;
    },
    // The measures known in force are answered; a missing department that could trigger one in this
    // context makes the answer incomplete rather than "none".
    measures: async (enterprise, { context: decision }, context, info) => {
      const { memberships, inputs } = await assessmentOf(enterprise, context);
      noteIfIncomplete(context, info, restrictInputs(inputs, measureSources(context.catalog, decision)));
      return applicableMeasures(context.catalog, memberships, decision, inputs.missingSources);
    },
    greenChannel: async (enterprise, _, context, info) => {
      const { records, memberships, inputs } = await assessmentOf(enterprise, context);
      noteIfIncomplete(context, info, inputs);
      const overlays = await context.loaders.overlays.load(enterprise.code);
      const decision = greenChannel(context.catalog, {
        commitments: {
          all: overlays.commitments ?? [],
          closesForYears: context.policy.commitments.closesGreenChannelForYears,
        },
        records,
        memberships,
        registration: enterprise.marketRegulation?.registration ?? null,
        today: today(context),
        missingSources: inputs.missingSources,
      });
      return { ...decision, inputs };
    },
    evaluation: async (enterprise, _, context, info) => {
      const { inputs } = await assessmentOf(enterprise, context);
      noteIfIncomplete(context, info, inputs);
      return { ...(await evaluationOf(enterprise, context)), inputs };
    },
    // Graded supervision (分级分类监管): the grade's settings; the strictest while incomplete.
    supervision: async (enterprise, _, context, info) => {
      const { inputs } = await assessmentOf(enterprise, context);
      noteIfIncomplete(context, info, inputs);
      const evaluation = await evaluationOf(enterprise, context);
      return supervisionFor(context.policy.supervision, evaluation.grade, inputs);
    },
    legalRepresentativeInputs: (enterprise) => representativeInputs(enterprise),
    legalRepresentativeDebtorRecords: (enterprise, _, context, info) => {
      noteIfIncomplete(context, info, representativeInputs(enterprise));
      return recordsVisibleTo(
        context.access.tier,
        representativeDebtorRecords(enterprise, context.policy.publicity, today(context)),
        viewerOf(context),
      );
    },
  };
}
