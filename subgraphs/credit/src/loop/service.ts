import { CreditGatewayError } from '@credit-gateway/common';
import type {
  AcknowledgeCaseInput,
  ApprovalCheckInput,
  InitiateCaseInput,
  ReportApplicationInput,
  ReportExecutionInput,
  UncheckedApplicationInput,
} from '../__generated__/types.js';
import type { SubgraphContext } from '../context.js';
import type { CreditStore, EnterpriseInputs, ListMembershipModel, MeasureModel } from '../models.js';
import { restrictInputs, RECORD_KIND_SOURCE } from '../rules/inputs.js';
import { isInForce } from '../rules/lists.js';
import { applicableMeasures, measureSources } from '../rules/measures.js';
import type { MeasuresCatalog } from '../rules/catalog.js';
import type { DepartmentEntry } from '../rules/departments.js';
import type { Assessment } from '../rules/assess.js';
import { badInput, checkIdempotencyKey, checkText, requireTier, throwProblems } from '../store/caller.js';
import { callerOf, requireStore } from '../resolvers/Objection.js';
import { chinaDate } from '../workdays/index.js';
import {
  caseIdOf,
  isOverdue,
  PLATFORM,
  responsesOf,
  tasksOf,
  type CaseMeasure,
  type CaseState,
  type OpenCase,
} from './cases.js';
import type { ReceiptState, UncheckedReported } from './receipts.js';
import type { FeedbackSubject } from '../feed/feedback.js';

const MAX_MATTER = 200;
const MAX_APPLICATION_ID = 200;
const MAX_REASON = 2_000;
const MAX_LIST_NAME = 100;
const MAX_ID = 100;

type Context = SubgraphContext;

/** The measures a case on this list carries: every catalog measure targeting it, with its implementers. */
export function caseMeasuresFor(catalog: MeasuresCatalog, listName: string): CaseMeasure[] {
  const definition = catalog.lists().find((l) => l.name === listName);
  if (!definition) return [];
  return catalog
    .forList({ list: definition.list, names: [listName] })
    .map((m) => ({ measureId: m.id, implementingDepartments: [...m.implementingDepartments] }));
}

/**
 * Pushes a case to every implementing department (信息推送): one `case.opened` message each, through
 * the outbox, then notes it pushed. Without an outbox the case stays unpushed, and the next
 * observation of the listing tries again.
 */
async function push(context: Context, store: CreditStore, state: CaseState): Promise<CaseState> {
  if (state.pushedAt !== null) return state;
  if (!context.outbox) {
    context.logger.warn({ caseId: state.opened.caseId }, 'loop: no outbox configured, case not pushed');
    return state;
  }
  await context.outbox.enqueue(store.cases.messagesOf(state));
  return store.cases.markPushed(state.opened.caseId, context.now());
}

async function openAndPush(
  context: Context,
  store: CreditStore,
  request: Omit<OpenCase, 'now' | 'responseWorkingDays' | 'feedbackWorkingDays'>,
) {
  const state = await store.cases.open({
    ...request,
    now: context.now(),
    responseWorkingDays: context.policy.loop.responseWorkingDays,
    feedbackWorkingDays: context.policy.loop.feedbackWorkingDays,
  });
  return push(context, store, state);
}

/**
 * The platform opens a case the first time it sees a listing in force (BLACK by data/loop.json),
 * once per subject, list and records; a case not yet pushed is pushed again. A failure is logged,
 * never fails the read that saw the listing: the next read tries again.
 */
export async function observeListings(
  context: Context,
  code: string,
  memberships: readonly ListMembershipModel[],
): Promise<void> {
  const store = context.store;
  // A store that keeps overlays only (a test stand-in) keeps no cases.
  if (!store?.cases) return;
  for (const membership of memberships) {
    if (!context.policy.loop.openOnLists.includes(membership.list) || !isInForce(membership)) continue;
    const recordIds = membership.records.filter((r) => r.state === 'ACTIVE').map((r) => r.id);
    const existing = store.cases.get(caseIdOf(code, membership.name, recordIds));
    if (existing && existing.pushedAt !== null) continue;
    const measures = caseMeasuresFor(context.catalog, membership.name);
    if (measures.length === 0) continue;
    try {
      await openAndPush(context, store, {
        code,
        list: membership.list,
        listName: membership.name,
        recordIds,
        initiatedBy: PLATFORM,
        measures,
      });
    } catch (error) {
      context.logger.error({ err: error, code, list: membership.name }, 'loop: case not opened or pushed');
    }
  }
}

/** The caller's department, when the registry knows it; FORBIDDEN_DEPARTMENT otherwise. */
export function requireLoopDepartment(context: Context, tiers: Parameters<typeof requireTier>[1], action: string) {
  const caller = callerOf(context);
  requireTier(caller, tiers, action);
  const department = caller.department ?? null;
  if (department === null || !context.policy.departments.has(department)) {
    throw new CreditGatewayError(
      'FORBIDDEN_DEPARTMENT',
      `To ${action}, the caller's token must name a department of the registry; it names ${department ?? 'none'}`,
      { extensions: { department } },
    );
  }
  return department;
}

/** initiateCase (发起): by the department that determines the list, for records it holds. */
export async function initiateCase(context: Context, input: InitiateCaseInput): Promise<CaseState> {
  const department = requireLoopDepartment(context, ['GOVERNMENT'], 'initiate a case');
  const problems: string[] = [];
  const listName = checkText(problems, 'listName', input.listName, { max: MAX_LIST_NAME }) ?? '';
  checkIdempotencyKey(problems, input.idempotencyKey);
  throwProblems(problems);
  const definition = context.catalog.lists().find((l) => l.name === listName);
  if (!definition) throw badInput('listName is not a list of the catalog', { field: 'listName' });
  const owners = new Set(definition.recordKinds.map((kind) => RECORD_KIND_SOURCE[kind]));
  if (!owners.has(department as never)) {
    throw new CreditGatewayError(
      'FORBIDDEN_DEPARTMENT',
      `Only the department that determines ${listName} may initiate its cases; the caller acts for ${department}`,
      { extensions: { owner: [...owners], department } },
    );
  }
  const records = context.records
    .forSubject(input.code)
    .filter((r) => definition.recordKinds.includes(r.kind) && r.state === 'ACTIVE');
  if (records.length === 0) {
    throw new CreditGatewayError(
      'RECORD_NOT_FOUND',
      'The subject has no record in force on this list as last read; read its creditRecords first',
      { extensions: { field: 'listName', subject: input.code } },
    );
  }
  const store = requireStore(context);
  const state = await openAndPush(context, store, {
    code: input.code,
    list: definition.list,
    listName,
    recordIds: records.map((r) => r.id),
    initiatedBy: department,
    measures: caseMeasuresFor(context.catalog, listName),
  });
  // The platform may have opened it on seeing the listing first: the case is the department's now.
  return store.cases.initiate(state.opened.caseId, department, context.now());
}

function requireCase(store: CreditStore, caseId: string): CaseState {
  const state = store.cases.get(caseId.trim().slice(0, MAX_ID));
  if (!state) {
    throw new CreditGatewayError('CASE_NOT_FOUND', 'There is no case with this id', {
      extensions: { field: 'caseId' },
    });
  }
  return state;
}

export async function acknowledgeCase(context: Context, input: AcknowledgeCaseInput): Promise<CaseState> {
  const department = requireLoopDepartment(context, ['GOVERNMENT'], 'acknowledge a case');
  const problems: string[] = [];
  checkIdempotencyKey(problems, input.idempotencyKey);
  throwProblems(problems);
  const store = requireStore(context);
  const state = requireCase(store, input.caseId);
  return store.cases.acknowledge(state.opened.caseId, department, context.now());
}

export async function reportExecution(context: Context, input: ReportExecutionInput): Promise<CaseState> {
  const department = requireLoopDepartment(context, ['GOVERNMENT'], 'report execution');
  const store = requireStore(context);
  const state = requireCase(store, input.caseId);
  const problems: string[] = [];
  const measureId = input.measureId.trim();
  if (measureId === '' || measureId.length > MAX_ID) problems.push(`measureId must be 1 to ${MAX_ID} characters`);
  const reason = checkText(problems, 'reason', input.reason, { max: MAX_REASON, optional: true });
  const action = checkText(problems, 'action', input.action, { max: MAX_REASON, optional: true });
  if (input.outcome === 'NOT_APPLICABLE' && reason === null) problems.push('reason is required for NOT_APPLICABLE');
  const today = chinaDate(context.now());
  if (input.actedOn > today) problems.push(`actedOn ${input.actedOn} is after today (${today})`);
  if (input.actedOn < state.opened.openedOn) {
    problems.push(`actedOn ${input.actedOn} is before the case opened (${state.opened.openedOn})`);
  }
  const idempotencyKey = checkIdempotencyKey(problems, input.idempotencyKey);
  throwProblems(problems);
  return store.cases.report(
    {
      caseId: state.opened.caseId,
      measureId,
      department,
      outcome: input.outcome,
      reason,
      action,
      actedOn: input.actedOn,
      idempotencyKey,
    },
    context.now(),
  );
}

/**
 * Enterprise.approvalCheck (应查必查): the measures in force for the subject in the context, kept on
 * a receipt with whether every department they rest on was read.
 */
export async function recordCheck(
  context: Context,
  enterprise: EnterpriseInputs,
  assessment: Assessment,
  input: ApprovalCheckInput,
): Promise<ReceiptState> {
  const caller = callerOf(context);
  const client = requireTier(caller, ['GOVERNMENT'], 'record an approval check');
  const problems: string[] = [];
  const matter = checkText(problems, 'matter', input.matter, { max: MAX_MATTER }) ?? '';
  const applicationId = checkText(problems, 'applicationId', input.applicationId, {
    max: MAX_APPLICATION_ID,
    optional: true,
  });
  const idempotencyKey = checkIdempotencyKey(problems, input.idempotencyKey);
  throwProblems(problems);
  const inputs = restrictInputs(assessment.inputs, measureSources(context.catalog, input.context));
  const inForce = applicableMeasures(
    context.catalog,
    assessment.memberships,
    input.context,
    assessment.inputs.missingSources,
  )
    .filter((m) => m.status === 'IN_FORCE')
    .map((m) => m.measure.id);
  return requireStore(context).receipts.record(
    {
      code: enterprise.code,
      matter,
      context: input.context,
      applicationId,
      checkedBy: caller.department ?? client,
      client,
      checkedAt: context.now().toISOString(),
      complete: inputs.complete,
      missingSources: [...inputs.missingSources],
      measuresInForce: inForce,
    },
    idempotencyKey,
  );
}

export async function reportApplication(context: Context, input: ReportApplicationInput): Promise<ReceiptState> {
  const client = requireTier(callerOf(context), ['GOVERNMENT'], 'report an application');
  const problems: string[] = [];
  const reason = checkText(problems, 'reason', input.reason, { max: MAX_REASON, optional: true });
  if (input.applied.length > 100) problems.push('applied names at most 100 measures');
  const applied = input.applied.map((id) => id.trim());
  const idempotencyKey = checkIdempotencyKey(problems, input.idempotencyKey);
  throwProblems(problems);
  return requireStore(context).receipts.reportApplication(
    { receiptId: input.receiptId.trim().slice(0, MAX_ID), applied, reason, client },
    idempotencyKey,
    context.now(),
  );
}

/**
 * The court linkage as a client of the loop: an implementing department's enforcement feedback on
 * a change of the feed becomes its execution report (APPLIED) on that measure of the debtor's court
 * case, opened here from the debtor's records as last read when the platform has not seen the
 * listing yet. Feedback from a caller whose token names no implementing department of the measure,
 * or on a debtor without a credit code (a person), stays feed feedback only.
 */
export async function linkCourtFeedback(context: Context, subject: FeedbackSubject): Promise<void> {
  const department = context.caller.department;
  const code = subject.debtorCode;
  if (department === null || code === null || !context.policy.departments.has(department)) return;
  const store = requireStore(context);
  // A store that keeps overlays only (a test stand-in) keeps no cases.
  if (!store.cases) return;
  const { feedback } = subject;
  const kind = subject.listed ? 'DISHONEST_JUDGMENT_DEBTOR' : 'CONSUMPTION_RESTRICTION';
  const lists = context.catalog.listsFor(kind);
  const names = new Set(lists.map((l) => l.name));
  let cases = store.cases.forSubject(code).filter((state) => names.has(state.opened.listName));
  if (cases.length === 0) {
    for (const definition of lists) {
      const recordIds = context.records
        .forSubject(code)
        .filter((r) => definition.recordKinds.includes(r.kind) && r.state === 'ACTIVE')
        .map((r) => r.id);
      if (recordIds.length === 0) continue;
      await openAndPush(context, store, {
        code,
        list: definition.list,
        listName: definition.name,
        recordIds,
        initiatedBy: PLATFORM,
        measures: caseMeasuresFor(context.catalog, definition.name),
      });
    }
    cases = store.cases.forSubject(code).filter((state) => names.has(state.opened.listName));
  }
  // The newest case that carries the measure with this department implementing it.
  const target = [...cases]
    .reverse()
    .find((state) =>
      state.opened.measures.some(
        (m) => m.measureId === feedback.measureId && m.implementingDepartments.includes(department),
      ),
    );
  if (!target || store.cases.reportOf(target.opened.caseId, feedback.measureId, department)) return;
  await store.cases.report(
    {
      caseId: target.opened.caseId,
      measureId: feedback.measureId,
      department,
      outcome: 'APPLIED',
      reason: null,
      action: feedback.action,
      actedOn: feedback.actedOn,
      idempotencyKey: `feed/${feedback.id}`,
    },
    context.now(),
  );
}

/** reportUncheckedApplication (应查未查): an application decided without a check, with the reason. */
export async function reportUncheckedApplication(
  context: Context,
  input: UncheckedApplicationInput,
): Promise<UncheckedReported> {
  const caller = callerOf(context);
  const client = requireTier(caller, ['GOVERNMENT'], 'report an unchecked application');
  const problems: string[] = [];
  const matter = checkText(problems, 'matter', input.matter, { max: MAX_MATTER }) ?? '';
  const applicationId = checkText(problems, 'applicationId', input.applicationId, { max: MAX_APPLICATION_ID }) ?? '';
  const reason = checkText(problems, 'reason', input.reason, { max: MAX_REASON }) ?? '';
  const idempotencyKey = checkIdempotencyKey(problems, input.idempotencyKey);
  throwProblems(problems);
  return requireStore(context).receipts.recordUnchecked(
    {
      code: input.code,
      matter,
      context: input.context,
      applicationId,
      reason,
      reportedBy: caller.department ?? client,
      client,
      at: context.now().toISOString(),
    },
    idempotencyKey,
  );
}

// ---- Views ----

/** A registry entry for an id; an id the registry no longer holds is shown as it was stored. */
export function departmentOf(context: Pick<Context, 'policy'>, id: string): DepartmentEntry {
  return context.policy.departments.get(id) ?? ({ id, name: id, role: 'IMPLEMENTING' } as DepartmentEntry);
}

function measureOf(context: Pick<Context, 'catalog'>, id: string): MeasureModel | undefined {
  return context.catalog.get(id);
}

/** A case as JointCase shows it, judged on the context's day. */
export function caseView(context: Context, state: CaseState) {
  const today = chinaDate(context.now());
  const { opened } = state;
  return {
    id: opened.caseId,
    code: opened.code,
    list: opened.list,
    listName: opened.listName,
    recordIds: [...opened.recordIds],
    initiatedBy: state.initiatedBy,
    openedAt: opened.openedAt,
    responseDue: opened.responseDue,
    feedbackDue: opened.feedbackDue,
    overdue: isOverdue(state, today),
    withdrawal: state.withdrawn
      ? {
          reason: state.withdrawn.reason,
          repairId: state.withdrawn.repairId,
          recordId: state.withdrawn.recordId,
          at: state.withdrawn.at,
        }
      : null,
    departments: responsesOf(state, today).map((r) => ({
      department: departmentOf(context, r.department),
      pushedAt: r.pushedAt,
      acknowledgedAt: r.acknowledgedAt,
      response: r.response,
    })),
    tasks: tasksOf(state, today).flatMap((task) => {
      const measure = measureOf(context, task.measureId);
      // A measure since removed from the catalog cannot be shown as one; its task stays in the store.
      if (!measure) return [];
      return [
        {
          measure,
          department: departmentOf(context, task.department),
          status: task.status,
          reason: task.report?.reason ?? null,
          actedOn: task.report?.actedOn ?? null,
          reportedAt: task.report?.at ?? null,
          due: task.due,
        },
      ];
    }),
  };
}

export function receiptView(context: Context, state: ReceiptState) {
  const { issued, application } = state;
  const measures = (ids: readonly string[]) =>
    ids.flatMap((id) => {
      const measure = measureOf(context, id);
      return measure ? [measure] : [];
    });
  return {
    id: issued.receiptId,
    code: issued.code,
    matter: issued.matter,
    context: issued.context,
    applicationId: issued.applicationId,
    checkedBy: issued.checkedBy,
    checkedAt: issued.checkedAt,
    complete: issued.complete,
    missingSources: [...issued.missingSources],
    measuresInForce: measures(issued.measuresInForce),
    application: application
      ? { applied: measures(application.applied), reason: application.reason, reportedAt: application.at }
      : null,
  };
}
