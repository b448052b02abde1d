import { chinaDate } from '../workdays/index.js';
import { isOverdue, responsesOf, tasksOf, type CaseState } from './cases.js';
import type { ReceiptState, UncheckedReported } from './receipts.js';

/** One department's part in the loop (跟踪问效). */
export interface DepartmentRates {
  department: string;
  pushed: number;
  acknowledged: number;
  /** 响应率: acknowledged / pushed; null when nothing was pushed. */
  responseRate: number | null;
  required: number;
  reported: number;
  /** 反馈率: reported / required. */
  feedbackRate: number | null;
  /** Applied, or not applicable with a reason, reported by the task's due day. */
  enforced: number;
  /** 奖惩到位率: enforced / required. */
  enforcementRate: number | null;
  overdue: number;
}

export interface MatterRates {
  matter: string;
  department: string;
  checks: number;
  incompleteChecks: number;
  uncheckedApplications: number;
  /** 查询率: checks / (checks + unchecked applications). */
  checkRate: number | null;
  reported: number;
  reportRate: number | null;
  measuresInForce: number;
  measuresEnforced: number;
  enforcementRate: number | null;
}

/** A share in [0, 1]; null when there is nothing to share out. */
export function rate(part: number, whole: number): number | null {
  if (whole <= 0) return null;
  return Math.min(1, Math.max(0, part / whole));
}

/** Per department, sorted by id: what was pushed to it, what it acknowledged and reported. */
export function departmentRates(cases: readonly CaseState[], today: string): DepartmentRates[] {
  const rows = new Map<string, DepartmentRates>();
  const row = (department: string) => {
    let r = rows.get(department);
    if (!r) {
      r = {
        department,
        pushed: 0,
        acknowledged: 0,
        responseRate: null,
        required: 0,
        reported: 0,
        feedbackRate: null,
        enforced: 0,
        enforcementRate: null,
        overdue: 0,
      };
      rows.set(department, r);
    }
    return r;
  };
  for (const state of cases) {
    // A case is the department's from its opening: on its work list (jointCases) at once, and
    // pushed through the outbox as soon as that takes it; the deadlines run from the opening day.
    // A withdrawn case (its record repaired) counts what was done on it, and asks nothing more.
    const withdrawn = state.withdrawn !== null;
    for (const response of responsesOf(state, today)) {
      if (withdrawn && response.response !== 'ACKNOWLEDGED') continue;
      const r = row(response.department);
      r.pushed += 1;
      if (response.response === 'ACKNOWLEDGED') r.acknowledged += 1;
      if (response.response === 'OVERDUE') r.overdue += 1;
    }
    for (const task of tasksOf(state, today)) {
      if (withdrawn && !task.report) continue;
      const r = row(task.department);
      r.required += 1;
      if (task.report) {
        r.reported += 1;
        const onTime = chinaDate(new Date(task.report.at)) <= task.due;
        const withReason = task.report.outcome === 'APPLIED' || (task.report.reason ?? '') !== '';
        if (onTime && withReason) r.enforced += 1;
      }
      if (task.status === 'OVERDUE') r.overdue += 1;
    }
  }
  return [...rows.values()]
    .map((r) => ({
      ...r,
      responseRate: rate(r.acknowledged, r.pushed),
      feedbackRate: rate(r.reported, r.required),
      enforcementRate: rate(r.enforced, r.required),
    }))
    .sort((a, b) => (a.department < b.department ? -1 : 1));
}

/** The cases with an overdue response or task, oldest first. */
export function overdueCases(cases: readonly CaseState[], today: string): CaseState[] {
  return cases
    .filter((state) => isOverdue(state, today))
    .sort((a, b) => (a.opened.openedAt < b.opened.openedAt ? -1 : 1));
}

/** Per matter and checking department, sorted: the checks (应查必查) and what their reports applied. */
export function matterRates(
  receipts: readonly ReceiptState[],
  unchecked: readonly UncheckedReported[] = [],
): MatterRates[] {
  const rows = new Map<string, MatterRates>();
  const row = (matter: string, department: string) => {
    const key = JSON.stringify([matter, department]);
    let r = rows.get(key);
    if (!r) {
      r = {
        matter,
        department,
        checks: 0,
        incompleteChecks: 0,
        uncheckedApplications: 0,
        checkRate: null,
        reported: 0,
        reportRate: null,
        measuresInForce: 0,
        measuresEnforced: 0,
        enforcementRate: null,
      };
      rows.set(key, r);
    }
    return r;
  };
  for (const report of unchecked) row(report.matter, report.reportedBy).uncheckedApplications += 1;
  for (const { issued, application } of receipts) {
    const r = row(issued.matter, issued.checkedBy);
    r.checks += 1;
    if (!issued.complete) r.incompleteChecks += 1;
    r.measuresInForce += issued.measuresInForce.length;
    if (application) {
      r.reported += 1;
      // A measure applied counts; one not applied counts only with the reason the report gave.
      const explained = (application.reason ?? '') !== '';
      r.measuresEnforced += issued.measuresInForce.filter((id) => application.applied.includes(id) || explained).length;
    }
  }
  return [...rows.values()]
    .map((r) => ({
      ...r,
      checkRate: rate(r.checks, r.checks + r.uncheckedApplications),
      reportRate: rate(r.reported, r.checks),
      enforcementRate: rate(r.measuresEnforced, r.measuresInForce),
    }))
    .sort((a, b) => (a.matter === b.matter ? (a.department < b.department ? -1 : 1) : a.matter < b.matter ? -1 : 1));
}
