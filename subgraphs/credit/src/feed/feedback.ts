import type { EnforcementFeedbackInput } from '../__generated__/types.js';
import type { EnforcementFeedbackModel, LinkageClient } from '../models.js';
import type { MeasuresCatalog } from '../rules/catalog.js';
import {
  badInput,
  checkIdempotencyKey,
  checkText,
  derivedId,
  requireTier,
  scopedKey,
  throwProblems,
  type Caller,
} from '../store/caller.js';
import type { EventStore, StoredEvent } from '../store/event-store.js';
import { KeyedLock } from '../store/keyed-lock.js';
import { chinaDate } from '../workdays/index.js';
import { seqOfChangeId } from './cursor.js';

export const FEEDBACK_STREAM_PREFIX = 'feedback/';
const MAX_ACTION = 2_000;
/** The kinds of court records the linkage feed reports on: feedback concerns measures on their lists. */
const COURT_RECORD_KINDS = ['DISHONEST_JUDGMENT_DEBTOR', 'CONSUMPTION_RESTRICTION'] as const;

/** Enforcement feedback as stored (执行反馈). */
export interface FeedbackReported {
  type: 'ENFORCEMENT_FEEDBACK_REPORTED';
  id: string;
  changeId: string;
  /** The case the change is about, kept for whoever reads the store later. */
  caseNumber: string;
  measureId: string;
  department: string;
  action: string;
  actedOn: string;
  reportedAt: string;
  /** The debtor company's credit code, when the courts hold it (absent on reports stored before). */
  debtorCode?: string | null;
  /** Whether the change left the debtor on the dishonest debtor list (absent on reports stored before). */
  listed?: boolean;
}

/** What a report was about, for the loop: whose listing, and which list. */
export interface FeedbackSubject {
  feedback: EnforcementFeedbackModel;
  debtorCode: string | null;
  listed: boolean;
}

/** A feedback report whose fields passed the checks that need no source call. */
export interface CheckedFeedback {
  changeId: string;
  seq: number;
  measureId: string;
  action: string;
  actedOn: string;
  idempotencyKey: string;
}

/** ISO 8601 in China Standard Time: `2026-11-20T10:00:00+08:00`. */
export function chinaIso(instant: Date): string {
  return `${new Date(instant.getTime() + 8 * 3_600_000).toISOString().slice(0, 19)}+08:00`;
}

/** Whether departments report feedback on this measure: a catalog measure on a court list. */
export function isCourtMeasure(catalog: Pick<MeasuresCatalog, 'get' | 'listsFor'>, measureId: string): boolean {
  const measure = catalog.get(measureId);
  if (!measure) return false;
  const courtLists = new Set(COURT_RECORD_KINDS.flatMap((kind) => catalog.listsFor(kind).map((list) => list.name)));
  return measure.targetLists.some((name) => courtLists.has(name));
}

/** Checks a report's own fields, all problems at once (BAD_USER_INPUT). */
export function checkFeedback(
  input: EnforcementFeedbackInput,
  catalog: Pick<MeasuresCatalog, 'get' | 'listsFor'>,
  today: string,
): CheckedFeedback {
  const problems: string[] = [];
  const changeId = input.changeId.trim();
  const seq = seqOfChangeId(changeId);
  if (seq === null) problems.push("changeId must be the id of a change of the feed, like 'courts:123'");
  const measureId = input.measureId.trim();
  if (!catalog.get(measureId)) problems.push(`measureId '${measureId}' is not in the measures catalog`);
  else if (!isCourtMeasure(catalog, measureId)) {
    problems.push(`measure '${measureId}' is not a measure on dishonest judgment debtors or consumption restrictions`);
  }
  const action = checkText(problems, 'action', input.action, { max: MAX_ACTION }) ?? '';
  if (input.actedOn > today) problems.push(`actedOn ${input.actedOn} is after today (${today})`);
  const idempotencyKey = checkIdempotencyKey(problems, input.idempotencyKey);
  throwProblems(problems);
  return { changeId, seq: seq!, measureId, action, actedOn: input.actedOn, idempotencyKey };
}

/**
 * Enforcement feedback (执行反馈): what implementing departments report they did on the changes of
 * the court linkage feed. Each report is one event; the book indexes them by change in memory.
 */
export class FeedbackBook {
  private readonly byId = new Map<string, EnforcementFeedbackModel>();
  private readonly byChange = new Map<string, EnforcementFeedbackModel[]>();
  private readonly subjects = new Map<string, FeedbackSubject>();
  private readonly lock = new KeyedLock();

  constructor(private readonly events: EventStore) {
    events.project((event) => this.apply(event));
  }

  /** The feedback on one change, in the order it was reported. */
  forChange(changeId: string): EnforcementFeedbackModel[] {
    return [...(this.byChange.get(changeId) ?? [])];
  }

  /**
   * Records one report, durably, before it answers. The same department's idempotency key returns
   * its first report; the same key for another report is refused.
   */
  /** The debtor and list a stored report was about; null for reports stored without them. */
  subjectOf(id: string): FeedbackSubject | null {
    return this.subjects.get(id) ?? null;
  }

  async report(
    department: string,
    feedback: CheckedFeedback,
    caseNumber: string,
    now: Date,
    debtor: { code: string | null; listed: boolean } = { code: null, listed: false },
  ): Promise<EnforcementFeedbackModel> {
    const id = derivedId('FB', department, feedback.idempotencyKey);
    return this.lock.run([id], async () => {
      const existing = this.reported(department, feedback);
      if (existing) return existing;
      const reported: FeedbackReported = {
        type: 'ENFORCEMENT_FEEDBACK_REPORTED',
        id,
        changeId: feedback.changeId,
        caseNumber,
        measureId: feedback.measureId,
        department,
        action: feedback.action,
        actedOn: feedback.actedOn,
        reportedAt: chinaIso(now),
        debtorCode: debtor.code,
        listed: debtor.listed,
      };
      await this.events.append(
        `${FEEDBACK_STREAM_PREFIX}${id}`,
        reported,
        scopedKey(department, feedback.idempotencyKey),
      );
      return this.byId.get(id)!;
    });
  }

  /**
   * The department's report under this idempotency key, if it made one; BAD_USER_INPUT when that
   * report is not this one.
   */
  reported(department: string, feedback: CheckedFeedback): EnforcementFeedbackModel | null {
    const id = derivedId('FB', department, feedback.idempotencyKey);
    const existing = this.byId.get(id);
    if (!existing) return null;
    const same =
      existing.changeId === feedback.changeId &&
      existing.measureId === feedback.measureId &&
      existing.action === feedback.action &&
      existing.actedOn === feedback.actedOn;
    if (same) return existing;
    throw badInput(`idempotencyKey '${feedback.idempotencyKey}' was already used for another report (${id})`, {
      field: 'idempotencyKey',
    });
  }

  private apply(event: StoredEvent): void {
    if (!event.stream.startsWith(FEEDBACK_STREAM_PREFIX)) return;
    const data = event.data as unknown as FeedbackReported;
    const feedback: EnforcementFeedbackModel = {
      id: data.id,
      changeId: data.changeId,
      measureId: data.measureId,
      department: data.department,
      action: data.action,
      actedOn: data.actedOn,
      reportedAt: data.reportedAt,
    };
    this.byId.set(feedback.id, feedback);
    if (data.debtorCode !== undefined && data.listed !== undefined) {
      this.subjects.set(feedback.id, { feedback, debtorCode: data.debtorCode, listed: data.listed });
    }
    const list = this.byChange.get(feedback.changeId);
    if (list) list.push(feedback);
    else this.byChange.set(feedback.changeId, [feedback]);
  }
}

const books = new WeakMap<EventStore, FeedbackBook>();

/** The one book over a store's events, built from them on first use and kept up to date after. */
export function feedbackBookOf(events: EventStore): FeedbackBook {
  let book = books.get(events);
  if (!book) {
    book = new FeedbackBook(events);
    books.set(events, book);
  }
  return book;
}

/** The change a report is about, from the courts' log; BAD_USER_INPUT when there is none. */
async function changeOf(linkage: LinkageClient, feedback: CheckedFeedback) {
  const { changes } = await linkage.changes({
    since: new Date(0).toISOString(),
    afterSeq: feedback.seq - 1,
    limit: 1,
  });
  const change = changes[0];
  if (change?.seq !== feedback.seq) {
    throw badInput(`There is no change ${feedback.changeId} in the court linkage feed`, { field: 'changeId' });
  }
  return change;
}

export interface FeedbackDependencies {
  events: EventStore;
  linkage: LinkageClient;
  catalog: Pick<MeasuresCatalog, 'get' | 'listsFor'>;
  now: Date;
  /**
   * The loop: the report also becomes the department's execution report on the measure of the
   * debtor's court case. Called on every accepted report, a retry too, so a failure here is
   * made good by retrying the report.
   */
  onReported?: (subject: FeedbackSubject) => Promise<void>;
}

/**
 * An implementing department (the caller's client, GOVERNMENT or JUDICIAL) reports what it did on
 * a change of the feed. Answered once the report is durable.
 */
export async function reportFeedback(
  dependencies: FeedbackDependencies,
  caller: Caller,
  input: EnforcementFeedbackInput,
): Promise<EnforcementFeedbackModel> {
  const department = requireTier(caller, ['GOVERNMENT', 'JUDICIAL'], 'report enforcement feedback');
  const feedback = checkFeedback(input, dependencies.catalog, chinaDate(dependencies.now));
  const book = feedbackBookOf(dependencies.events);
  // A retry of an accepted report is answered from the store, even while the courts are down.
  const earlier = book.reported(department, feedback);
  if (earlier) {
    const subject = book.subjectOf(earlier.id);
    if (subject) await dependencies.onReported?.(subject);
    return earlier;
  }
  const change = await changeOf(dependencies.linkage, feedback);
  const changedOn = change.changedAt.slice(0, 10);
  if (feedback.actedOn < changedOn) {
    throw badInput(`actedOn ${feedback.actedOn} is before the change (${changedOn})`, { field: 'actedOn' });
  }
  const reported = await book.report(department, feedback, change.caseNumber, dependencies.now, {
    code: change.debtor.code,
    listed: change.listed,
  });
  await dependencies.onReported?.({ feedback: reported, debtorCode: change.debtor.code, listed: change.listed });
  return reported;
}
