import { CreditGatewayError } from '@credit-gateway/common';
import type { Resolvers } from '../__generated__/resolvers-types.js';
import {
  acknowledgeCase,
  caseView,
  departmentOf,
  initiateCase,
  receiptView,
  recordCheck,
  reportApplication,
  reportExecution,
  reportUncheckedApplication,
} from '../loop/service.js';
import { departmentRates, matterRates, overdueCases } from '../loop/statistics.js';
import { chinaDate } from '../workdays/index.js';
import { assessmentOf, noteIfIncomplete } from './Enterprise.js';
import { representedMeasuresOf } from './Person.js';
import { requireStore } from './Objection.js';

const MAX_CASES = 500;

/**
 * The joint reward-and-punishment loop (联合奖惩闭环): cases, their responses and reports, approval
 * check receipts, and the rates analysts track. Thin: the rules are in src/loop.
 */
export const loopResolvers: Resolvers = {
  Query: {
    jointCase: (_, { id }, context) => {
      const state = requireStore(context).cases.get(id.trim());
      return state ? caseView(context, state) : null;
    },
    jointCases: (_, { department, first }, context) => {
      const own = context.caller.department;
      const id = department?.trim() || own;
      if (!id) return [];
      // A department reads its own work list; analysts read any department's.
      if (context.access.tier !== 'ANALYST' && id !== own) {
        throw new CreditGatewayError('FORBIDDEN_DEPARTMENT', "Only a department's own cases, or an analyst", {
          extensions: { department: own ?? null },
        });
      }
      const limit = Math.min(Math.max(first ?? 50, 1), MAX_CASES);
      return requireStore(context)
        .cases.forDepartment(id)
        .slice(0, limit)
        .map((state) => caseView(context, state));
    },
    loopStatistics: (_, __, context) => {
      const store = requireStore(context);
      const today = chinaDate(context.now());
      const cases = store.cases.all();
      return {
        departments: departmentRates(cases, today).map((r) => ({
          ...r,
          department: departmentOf(context, r.department),
        })),
        overdueCases: overdueCases(cases, today)
          .slice(0, MAX_CASES)
          .map((state) => caseView(context, state)),
        checks: matterRates(store.receipts.all(), store.receipts.allUnchecked()),
      };
    },
    checkReceipt: (_, { id }, context) => {
      const state = requireStore(context).receipts.get(id.trim());
      return state ? receiptView(context, state) : null;
    },
  },
  Mutation: {
    initiateCase: async (_, { input }, context) => caseView(context, await initiateCase(context, input)),
    acknowledgeCase: async (_, { input }, context) => caseView(context, await acknowledgeCase(context, input)),
    reportExecution: async (_, { input }, context) => caseView(context, await reportExecution(context, input)),
    reportApplication: async (_, { input }, context) => receiptView(context, await reportApplication(context, input)),
    reportUncheckedApplication: async (_, { input }, context) => {
      const { client: _client, type: _type, at, ...view } = await reportUncheckedApplication(context, input);
      return { ...view, reportedAt: at };
    },
  },
  Enterprise: {
    approvalCheck: async (enterprise, { input }, context, info) => {
      const assessment = await assessmentOf(enterprise, context);
      const receipt = await recordCheck(context, enterprise, assessment, input);
      if (!receipt.issued.complete) {
        noteIfIncomplete(context, info, {
          ...assessment.inputs,
          complete: false,
          missingSources: receipt.issued.missingSources,
        });
      }
      return receiptView(context, receipt);
    },
    jointCases: (enterprise, _, context) =>
      requireStore(context)
        .cases.forSubject(enterprise.code)
        .map((state) => caseView(context, state)),
  },
  Person: {
    // 落实到人: the measures of the listed enterprises this person represents that bind the person.
    measures: ({ idNumber }, { context: decision }, context, info) =>
      representedMeasuresOf(idNumber, decision, context, info).filter(
        (applied) => applied.measure.reachesRepresentative,
      ),
  },
  Measure: {
    implementingDepartments: (measure, _, context) =>
      measure.implementingDepartments.map((id) => departmentOf(context, id)),
  },
};
