import { createHash } from 'node:crypto';
import { CreditGatewayError } from '@credit-gateway/common';
import type { CreditListKind, ExecutionOutcome } from '../__generated__/types.js';
import type { OutboxMessage } from '../outbox/port.js';
import { badInput, scopedKey } from '../store/caller.js';
import type { EventStore, StoredEvent } from '../store/event-store.js';
import { KeyedLock } from '../store/keyed-lock.js';
import { addWorkingDays, chinaDate, type HolidayCalendar } from '../workdays/index.js';

export const CASE_STREAM_PREFIX = 'case/';
/** Who initiated a case the platform opened itself, on first seeing the listing. */
export const PLATFORM = 'PLATFORM';

/** A measure a case carries, with the departments that implement it, as the catalog had it then. */
export interface CaseMeasure {
  measureId: string;
  implementingDepartments: readonly string[];
}

/** A case opened (发起): the snapshot every later step is judged against. */
export interface CaseOpened {
  type: 'CASE_OPENED';
  caseId: string;
  code: string;
  list: CreditListKind;
  listName: string;
  recordIds: string[];
  initiatedBy: string;
  openedAt: string;
  openedOn: string;
  responseDue: string;
  feedbackDue: string;
  measures: CaseMeasure[];
}

/**
 * The determining department initiated a case the platform had already opened on seeing the
 * listing: the case is the department's from then on.
 */
export interface CaseInitiated {
  type: 'CASE_INITIATED';
  caseId: string;
  department: string;
  at: string;
}

/** Every department's `case.opened` message is durable in the outbox (信息推送). */
export interface CasePushed {
  type: 'CASE_PUSHED';
  caseId: string;
  departments: string[];
  at: string;
}

/** A department acknowledged the case (响应). */
export interface CaseAcknowledged {
  type: 'CASE_ACKNOWLEDGED';
  caseId: string;
  department: string;
  at: string;
}

/** A department reported on one measure (执行反馈). */
export interface ExecutionReported {
  type: 'EXECUTION_REPORTED';
  caseId: string;
  measureId: string;
  department: string;
  outcome: ExecutionOutcome;
  reason: string | null;
  action: string | null;
  actedOn: string;
  at: string;
  /** The client's idempotency key, so that a retry finds its report. */
  idempotencyKey: string;
}

/**
 * The case is withdrawn (撤回): the record behind it was repaired, so the listing no longer stands
 * and its measures are lifted. Nothing is overdue on it from then on.
 */
export interface CaseWithdrawn {
  type: 'CASE_WITHDRAWN';
  caseId: string;
  reason: 'CREDIT_REPAIR';
  repairId: string;
  recordId: string;
  at: string;
}

type CaseEvent = CaseOpened | CaseInitiated | CasePushed | CaseAcknowledged | ExecutionReported | CaseWithdrawn;

/** A case as the store holds it. */
export interface CaseState {
  opened: CaseOpened;
  /** The determining department, or PLATFORM while none has initiated it. */
  initiatedBy: string;
  pushedAt: string | null;
  /** department → when it acknowledged. */
  acknowledged: Map<string, string>;
  /** `${measureId}\n${department}` → its report. */
  reports: Map<string, ExecutionReported>;
  /** Set once the case is withdrawn. */
  withdrawn: CaseWithdrawn | null;
}

/** One measure × implementing department of a case, as of a day. */
export interface TaskState {
  measureId: string;
  department: string;
  status: 'PENDING' | 'APPLIED' | 'NOT_APPLICABLE' | 'OVERDUE';
  report: ExecutionReported | null;
  due: string;
}

export interface ResponseState {
  department: string;
  pushedAt: string | null;
  acknowledgedAt: string | null;
  response: 'PENDING' | 'ACKNOWLEDGED' | 'OVERDUE';
}

/** The departments a case is pushed to: every implementer of a measure it carries, once each, sorted. */
export function pushedDepartments(measures: readonly CaseMeasure[]): string[] {
  return [...new Set(measures.flatMap((m) => m.implementingDepartments))].sort();
}

/** What each task of a case stands at on `today` (a China date): overdue once its due day has passed. */
export function tasksOf(state: CaseState, today: string): TaskState[] {
  const tasks: TaskState[] = [];
  for (const measure of state.opened.measures) {
    for (const department of measure.implementingDepartments) {
      const report = state.reports.get(taskKey(measure.measureId, department)) ?? null;
      const due = state.opened.feedbackDue;
      // A withdrawn case asks nothing more: what was not reported stays pending, never overdue.
      const status = report ? report.outcome : !state.withdrawn && today > due ? 'OVERDUE' : 'PENDING';
      tasks.push({ measureId: measure.measureId, department, status, report, due });
    }
  }
  return tasks;
}

/** Each pushed department's response on `today`. */
export function responsesOf(state: CaseState, today: string): ResponseState[] {
  return pushedDepartments(state.opened.measures).map((department) => {
    const acknowledgedAt = state.acknowledged.get(department) ?? null;
    const late = !state.withdrawn && today > state.opened.responseDue;
    const response = acknowledgedAt ? 'ACKNOWLEDGED' : late ? 'OVERDUE' : 'PENDING';
    return { department, pushedAt: state.pushedAt, acknowledgedAt, response };
  });
}

export function isOverdue(state: CaseState, today: string): boolean {
  return (
    responsesOf(state, today).some((r) => r.response === 'OVERDUE') ||
    tasksOf(state, today).some((t) => t.status === 'OVERDUE')
  );
}

/** A case's id: the same subject, list and records always give the same case. */
export function caseIdOf(code: string, listName: string, recordIds: readonly string[]): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([code, listName, [...recordIds].sort()]))
    .digest('hex');
  return `CASE-${digest.slice(0, 20).toUpperCase()}`;
}

const taskKey = (measureId: string, department: string) => `${measureId}\n${department}`;

export function caseNotFound(): CreditGatewayError {
  // The id is not echoed: it is client input.
  return new CreditGatewayError('CASE_NOT_FOUND', 'There is no case with this id', {
    extensions: { field: 'caseId' },
  });
}

/** What opening a case needs besides the listing: the measures, the clock, the deadlines. */
export interface OpenCase {
  code: string;
  list: CreditListKind;
  listName: string;
  recordIds: readonly string[];
  initiatedBy: string;
  measures: readonly CaseMeasure[];
  now: Date;
  responseWorkingDays: number;
  feedbackWorkingDays: number;
}

/**
 * The cases of the joint reward-and-punishment loop (联合奖惩闭环), as events in the credit store:
 * opened (发起), pushed (信息推送), acknowledged (响应), reported per measure (反馈). Rebuilt from the
 * events at start; each step is durable before it answers.
 */
export class CaseBook {
  private readonly cases = new Map<string, CaseState>();
  private readonly bySubject = new Map<string, string[]>();
  private readonly lock = new KeyedLock();

  constructor(
    private readonly events: EventStore,
    private readonly calendar: HolidayCalendar,
  ) {
    events.project((event) => this.apply(event));
  }

  get(caseId: string): CaseState | undefined {
    return this.cases.get(caseId);
  }

  all(): CaseState[] {
    return [...this.cases.values()];
  }

  forSubject(code: string): CaseState[] {
    return (this.bySubject.get(code) ?? []).map((id) => this.cases.get(id)!);
  }

  /** A department's report on one measure of a case, if it made one. */
  reportOf(caseId: string, measureId: string, department: string): ExecutionReported | undefined {
    return this.cases.get(caseId)?.reports.get(taskKey(measureId, department));
  }

  /** The cases pushed to a department, newest first. */
  forDepartment(department: string): CaseState[] {
    return this.all()
      .filter((state) => pushedDepartments(state.opened.measures).includes(department))
      .reverse();
  }

  /**
   * Opens the case for a listing once: the same subject, list and records find the case opened
   * first, whoever initiated it. Durable before it resolves.
   */
  async open(request: OpenCase): Promise<CaseState> {
    const recordIds = [...request.recordIds].sort();
    const caseId = caseIdOf(request.code, request.listName, recordIds);
    const existing = this.cases.get(caseId);
    if (existing) return existing;
    return this.lock.run([caseId], async () => {
      const again = this.cases.get(caseId);
      if (again) return again;
      const openedOn = chinaDate(request.now);
      const opened: CaseOpened = {
        type: 'CASE_OPENED',
        caseId,
        code: request.code,
        list: request.list,
        listName: request.listName,
        recordIds,
        initiatedBy: request.initiatedBy,
        openedAt: request.now.toISOString(),
        openedOn,
        responseDue: addWorkingDays(openedOn, request.responseWorkingDays, this.calendar),
        feedbackDue: addWorkingDays(openedOn, request.feedbackWorkingDays, this.calendar),
        measures: request.measures.map((m) => ({
          measureId: m.measureId,
          implementingDepartments: [...m.implementingDepartments].sort(),
        })),
      };
      await this.events.append(`${CASE_STREAM_PREFIX}${caseId}`, opened, 'opened');
      return this.cases.get(caseId)!;
    });
  }

  /** Notes the determining department as the initiator of a case the platform opened first. */
  async initiate(caseId: string, department: string, now: Date): Promise<CaseState> {
    const state = this.cases.get(caseId);
    if (!state) throw caseNotFound();
    if (state.initiatedBy !== PLATFORM) return state;
    const initiated: CaseInitiated = { type: 'CASE_INITIATED', caseId, department, at: now.toISOString() };
    await this.events.append(`${CASE_STREAM_PREFIX}${caseId}`, initiated, 'initiated');
    return this.cases.get(caseId)!;
  }

  /** The messages that push a case: one per implementing department (topic `case.opened`). */
  messagesOf(state: CaseState): OutboxMessage[] {
    const { opened } = state;
    return pushedDepartments(opened.measures).map((department) => ({
      department,
      topic: 'case.opened',
      idempotencyKey: `case.opened/${opened.caseId}/${department}`,
      payload: {
        caseId: opened.caseId,
        code: opened.code,
        list: opened.list,
        listName: opened.listName,
        recordIds: opened.recordIds,
        initiatedBy: opened.initiatedBy,
        openedAt: opened.openedAt,
        responseDue: opened.responseDue,
        feedbackDue: opened.feedbackDue,
        measures: opened.measures.filter((m) => m.implementingDepartments.includes(department)).map((m) => m.measureId),
      },
    }));
  }

  /** Notes that every department's message is durable in the outbox. */
  async markPushed(caseId: string, now: Date): Promise<CaseState> {
    const state = this.cases.get(caseId);
    if (!state) throw caseNotFound();
    if (state.pushedAt !== null) return state;
    const pushed: CasePushed = {
      type: 'CASE_PUSHED',
      caseId,
      departments: pushedDepartments(state.opened.measures),
      at: now.toISOString(),
    };
    await this.events.append(`${CASE_STREAM_PREFIX}${caseId}`, pushed, 'pushed');
    return this.cases.get(caseId)!;
  }

  /**
   * A department acknowledges a case pushed to it (响应); once per department, a retry returns the
   * case as it is.
   */
  async acknowledge(caseId: string, department: string, now: Date): Promise<CaseState> {
    const state = this.cases.get(caseId);
    if (!state) throw caseNotFound();
    if (!pushedDepartments(state.opened.measures).includes(department)) {
      throw notImplementing(department, 'acknowledge this case: it implements none of its measures');
    }
    if (state.acknowledged.has(department)) return state;
    const acknowledged: CaseAcknowledged = { type: 'CASE_ACKNOWLEDGED', caseId, department, at: now.toISOString() };
    await this.events.append(`${CASE_STREAM_PREFIX}${caseId}`, acknowledged, `ack/${department}`);
    return this.cases.get(caseId)!;
  }

  /**
   * A department reports on one measure of a case (反馈): only a measure the case carries
   * (MEASURE_NOT_ON_CASE), only as one of its implementing departments (NOT_IMPLEMENTING_DEPARTMENT),
   * once per measure and department. The same key with the same report returns the case; with
   * another, BAD_USER_INPUT.
   */
  async report(report: Omit<ExecutionReported, 'type' | 'at'>, now: Date): Promise<CaseState> {
    const state = this.cases.get(report.caseId);
    if (!state) throw caseNotFound();
    const measure = state.opened.measures.find((m) => m.measureId === report.measureId);
    if (!measure) {
      throw new CreditGatewayError('MEASURE_NOT_ON_CASE', 'The case does not carry this measure', {
        extensions: { field: 'measureId', caseId: report.caseId },
      });
    }
    if (!measure.implementingDepartments.includes(report.department)) {
      throw notImplementing(report.department, `report on ${report.measureId}: it does not implement it`);
    }
    const stream = `${CASE_STREAM_PREFIX}${report.caseId}`;
    const key = scopedKey(report.department, report.idempotencyKey);
    return this.lock.run([`${report.caseId}\n${taskKey(report.measureId, report.department)}`], async () => {
      const current = this.cases.get(report.caseId)!;
      const earlier = current.reports.get(taskKey(report.measureId, report.department));
      if (earlier) {
        const same =
          earlier.idempotencyKey === report.idempotencyKey &&
          earlier.outcome === report.outcome &&
          earlier.reason === report.reason &&
          earlier.action === report.action &&
          earlier.actedOn === report.actedOn;
        if (same) return current;
        throw badInput(`${report.department} already reported on ${report.measureId} for this case`, {
          field: 'measureId',
        });
      }
      const byKey = this.events.find(stream, key);
      if (byKey) {
        throw badInput(`idempotencyKey '${report.idempotencyKey}' was already used for another report`, {
          field: 'idempotencyKey',
        });
      }
      const reported: ExecutionReported = { type: 'EXECUTION_REPORTED', ...report, at: now.toISOString() };
      await this.events.append(stream, reported, key);
      return this.cases.get(report.caseId)!;
    });
  }

  /**
   * Withdraws every open case of the subject whose listing rests on a repaired record, durably,
   * and answers them with the messages that tell their departments (topic `case.withdrawn`). A
   * retry finds them withdrawn and answers the same messages, which the outbox ignores.
   */
  async withdrawForRepair(
    code: string,
    recordId: string,
    repairId: string,
    now: Date,
  ): Promise<{ withdrawn: CaseState[]; messages: OutboxMessage[] }> {
    const withdrawn: CaseState[] = [];
    for (const state of this.forSubject(code)) {
      if (!state.opened.recordIds.includes(recordId)) continue;
      const caseId = state.opened.caseId;
      await this.lock.run([caseId], async () => {
        const current = this.cases.get(caseId)!;
        if (current.withdrawn === null) {
          const event: CaseWithdrawn = {
            type: 'CASE_WITHDRAWN',
            caseId,
            reason: 'CREDIT_REPAIR',
            repairId,
            recordId,
            at: now.toISOString(),
          };
          await this.events.append(`${CASE_STREAM_PREFIX}${caseId}`, event, 'withdrawn');
        }
      });
      const current = this.cases.get(caseId)!;
      if (current.withdrawn?.recordId === recordId) withdrawn.push(current);
    }
    return { withdrawn, messages: withdrawn.flatMap((state) => this.withdrawalMessagesOf(state)) };
  }

  /** The messages that withdraw a case: one per department it was pushed to. */
  private withdrawalMessagesOf(state: CaseState): OutboxMessage[] {
    const { opened, withdrawn } = state;
    return pushedDepartments(opened.measures).map((department) => ({
      department,
      topic: 'case.withdrawn',
      idempotencyKey: `case.withdrawn/${opened.caseId}/${department}`,
      payload: {
        caseId: opened.caseId,
        reason: withdrawn!.reason,
        repairId: withdrawn!.repairId,
        code: opened.code,
        recordId: withdrawn!.recordId,
        lists: [opened.listName],
        measures: opened.measures.filter((m) => m.implementingDepartments.includes(department)).map((m) => m.measureId),
        withdrawnAt: withdrawn!.at,
      },
    }));
  }

  private apply(event: StoredEvent): void {
    if (!event.stream.startsWith(CASE_STREAM_PREFIX)) return;
    const data = event.data as unknown as CaseEvent;
    if (data.type === 'CASE_OPENED') {
      this.cases.set(data.caseId, {
        opened: data,
        initiatedBy: data.initiatedBy,
        pushedAt: null,
        acknowledged: new Map(),
        reports: new Map(),
        withdrawn: null,
      });
      const ids = this.bySubject.get(data.code);
      if (ids) ids.push(data.caseId);
      else this.bySubject.set(data.code, [data.caseId]);
      return;
    }
    const state = this.cases.get(data.caseId);
    if (!state) return;
    if (data.type === 'CASE_INITIATED') state.initiatedBy = data.department;
    else if (data.type === 'CASE_PUSHED') state.pushedAt = data.at;
    else if (data.type === 'CASE_ACKNOWLEDGED') state.acknowledged.set(data.department, data.at);
    else if (data.type === 'EXECUTION_REPORTED') state.reports.set(taskKey(data.measureId, data.department), data);
    else if (data.type === 'CASE_WITHDRAWN') state.withdrawn ??= data;
  }
}

export function notImplementing(department: string, action: string): CreditGatewayError {
  return new CreditGatewayError('NOT_IMPLEMENTING_DEPARTMENT', `${department} may not ${action}`, {
    extensions: { department },
  });
}
