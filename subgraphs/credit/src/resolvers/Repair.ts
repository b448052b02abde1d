import { CreditGatewayError } from '@credit-gateway/common';
import type {
  CreditRepairResolvers,
  EnterpriseResolvers,
  MutationResolvers,
  QueryResolvers,
  Resolvers,
} from '../__generated__/resolvers-types.js';
import type { SubgraphContext } from '../context.js';
import type { CreditRecordModel } from '../models.js';
import { caseWithdrawals } from '../outbox/messages.js';
import { requireRecord } from '../rules/record-index.js';
import { checkRepairConditions, repairableOnPlatform } from '../rules/repair.js';
import { repairTimeliness } from '../rules/repair-timeliness.js';
import { isPublished } from '../rules/records.js';
import { badInput, checkRecordId, requireOwningDepartment, requireTier, throwProblems } from '../store/caller.js';
import { checkApplication, decidedWithinTarget, isRepairOverdue } from '../store/repairs.js';
import { chinaDate } from '../workdays/index.js';
import { callerOf, requireStore } from './Objection.js';

/** A condition as checked, as stored and answered. */
interface ConditionCheck {
  condition: string;
  met: boolean;
  detail: string;
}

function today(context: Pick<SubgraphContext, 'now'>): string {
  return chinaDate(context.now());
}

/** Court records (and any the policy names) leave through their department's own system only. */
function requireRepairable(context: Pick<SubgraphContext, 'policy'>, record: CreditRecordModel): void {
  if (repairableOnPlatform(context.policy.repair, record)) return;
  const owner = record.provenance.source;
  throw new CreditGatewayError(
    'RECORD_NOT_REPAIRABLE',
    `${owner} records leave the list through their department's own system, never through a platform repair`,
    { extensions: { owner, basis: context.policy.repair.notRepairableOnPlatform.get(owner) ?? null } },
  );
}

function requireConditionsMet(conditions: readonly ConditionCheck[]): void {
  const unmet = conditions.filter((check) => !check.met);
  if (unmet.length === 0) return;
  throw new CreditGatewayError(
    'REPAIR_CONDITIONS_NOT_MET',
    `The repair's conditions are not met: ${unmet.map((c) => `${c.condition} (${c.detail})`).join('; ')}`,
    { extensions: { unmet: unmet.map((c) => c.condition), conditions: conditions.map((c) => ({ ...c })) } },
  );
}

/** The record a repair is about, as last read, and still one a repair can end. */
function repairableRecord(context: SubgraphContext, code: string, recordId: string): CreditRecordModel {
  const record = requireRecord(context.records, code, recordId);
  requireRepairable(context, record);
  if (record.severity === 'COMMENDABLE') throw badInput('A red-list record is not repaired', { field: 'recordId' });
  if (!isPublished(record)) {
    throw badInput(`The record is ${record.state}: it is no longer published, there is nothing to repair`, {
      field: 'recordId',
      state: record.state,
    });
  }
  return record;
}

export const repairMutations: Pick<MutationResolvers, 'applyForRepair' | 'acceptRepair' | 'decideRepair'> = {
  // Anyone in government may take an application in (信用中国 is the single window); the owner decides.
  applyForRepair: async (_, { input }, context) => {
    const client = requireTier(callerOf(context), ['GOVERNMENT'], 'apply for a credit repair');
    const problems: string[] = [];
    checkRecordId(problems, input.recordId);
    throwProblems(problems);
    const evidence = checkApplication(input);
    const record = repairableRecord(context, input.code, input.recordId);
    const conditions = checkRepairConditions(
      context.policy.repair,
      context.policy.publicity,
      record,
      evidence,
      today(context),
    );
    requireConditionsMet(conditions);
    return requireStore(context).repairs.applyFor(
      client,
      input,
      { kind: record.kind, department: record.provenance.source },
      conditions,
      context.now(),
    );
  },
  acceptRepair: async (_, { input }, context) => {
    const caller = callerOf(context);
    const client = requireTier(caller, ['GOVERNMENT'], 'accept a credit repair');
    const repairs = requireStore(context).repairs;
    const repair = repairs.get(input.id);
    // An unknown id is the store's BAD_USER_INPUT; a known one is handled by its record's department.
    if (repair) requireOwningDepartment(caller, repair.recordId, 'accept a repair of this record');
    return repairs.accept(client, input.id, input.idempotencyKey, context.now());
  },
  decideRepair: async (_, { input }, context) => {
    const caller = callerOf(context);
    const client = requireTier(caller, ['GOVERNMENT'], 'decide a credit repair');
    const store = requireStore(context);
    const repair = store.repairs.get(input.id);
    if (!repair) return store.repairs.decide(client, input, [], context.now());
    requireOwningDepartment(caller, repair.recordId, 'decide a repair of this record');
    let conditions: readonly ConditionCheck[] = repair.conditions;
    // Checked again on the day of the decision, on the record as last read; a retry of a decision
    // already made is answered by the store.
    if (input.decision === 'GRANTED' && repair.status === 'ACCEPTED') {
      const current = repairableRecord(context, repair.code, repair.recordId);
      conditions = checkRepairConditions(
        context.policy.repair,
        context.policy.publicity,
        current,
        repair,
        today(context),
      );
      requireConditionsMet(conditions);
    }
    const decided = await store.repairs.decide(client, input, conditions, context.now());
    if (decided.status === 'GRANTED' && decided.recordKind != null) {
      const record = { id: decided.recordId, kind: decided.recordKind };
      // After the decision is durable; a retry with the same key enqueues the same messages again,
      // which the outbox ignores, so a failure here is made good by retrying the decision.
      // The loop's cases resting on the record are withdrawn and their departments told; without
      // a case (the listing was never seen), every implementing department of its lists is told.
      const cases = await store.cases.withdrawForRepair(decided.code, decided.recordId, decided.id, context.now());
      const messages = cases.withdrawn.length > 0 ? cases.messages : caseWithdrawals(context.catalog, record, decided);
      if (context.outbox) await context.outbox.enqueue(messages);
      else if (messages.length > 0) context.logger.warn({ repairId: decided.id }, 'No outbox: cases not withdrawn');
    }
    return decided;
  },
};

export const repairQueries: Pick<QueryResolvers, 'repair' | 'repairTimeliness'> = {
  repair: (_, { id }, context) => requireStore(context).repairs.get(id),
  repairTimeliness: (_, { from, to }, context) => {
    if (from != null && to != null && from > to) throw badInput('from must not be after to', { field: 'from' });
    const repairs = requireStore(context).repairs;
    return repairTimeliness(repairs.all(), {
      today: today(context),
      from: from ?? null,
      to: to ?? null,
      calendar: repairs.calendar,
    });
  },
};

export const CreditRepair: CreditRepairResolvers = {
  overdue: (repair, _, context) => isRepairOverdue(repair, today(context)),
  decidedWithinTarget: (repair) => decidedWithinTarget(repair),
};

export const enterpriseRepairs: Pick<EnterpriseResolvers, 'repairs'> = {
  repairs: ({ code }, _, context) => requireStore(context).repairs.latestForSubject(code),
};

export const repairResolvers: Resolvers = {
  Query: repairQueries,
  Mutation: repairMutations,
  Enterprise: enterpriseRepairs,
  CreditRepair,
};
