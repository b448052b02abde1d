import type { SourceSystem } from '../__generated__/types.js';
import type { CreditRepairModel } from '../models.js';
import { chinaDate, isWorkingDay, type HolidayCalendar } from '../workdays/index.js';

/** One department's repair handling against its target (信用修复时效). */
export interface RepairTimelinessRow {
  department: SourceSystem;
  applications: number;
  decided: number;
  decidedWithinTarget: number;
  late: number;
  overdue: number;
  medianWorkingDays: number | null;
}

const DAY_MS = 86_400_000;
/** Longer than any repair may sensibly take; a bound on the count, not a rule. */
const MAX_DAYS = 3_660;

/** Working days after `from` up to and including `to` (China dates); 0 when `to` is not after `from`. */
export function workingDaysBetween(from: string, to: string, calendar: HolidayCalendar): number {
  let day = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  let count = 0;
  for (let i = 0; day < end && i < MAX_DAYS; i++) {
    day += DAY_MS;
    if (isWorkingDay(new Date(day).toISOString().slice(0, 10), calendar)) count++;
  }
  return count;
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Per department, over the applications filed between `from` and `to` (China dates, inclusive;
 * open ends when null): how many were decided, how many by their target date, how many late
 * (decided after it, or undecided past it today), and the median working days from application to
 * decision. Repairs recorded before applications existed (legacy) have no target and are left out.
 * Rows come in department order.
 */
export function repairTimeliness(
  repairs: readonly CreditRepairModel[],
  options: { today: string; from: string | null; to: string | null; calendar: HolidayCalendar },
): RepairTimelinessRow[] {
  const rows = new Map<SourceSystem, RepairTimelinessRow & { days: number[] }>();
  for (const repair of repairs) {
    if (repair.legacy || repair.department == null || repair.dueOn == null) continue;
    const applied = chinaDate(new Date(repair.appliedAt));
    if ((options.from !== null && applied < options.from) || (options.to !== null && applied > options.to)) continue;
    let row = rows.get(repair.department);
    if (!row) {
      row = {
        department: repair.department,
        applications: 0,
        decided: 0,
        decidedWithinTarget: 0,
        late: 0,
        overdue: 0,
        medianWorkingDays: null,
        days: [],
      };
      rows.set(repair.department, row);
    }
    row.applications++;
    if (repair.decidedAt != null) {
      const decided = chinaDate(new Date(repair.decidedAt));
      row.decided++;
      if (decided <= repair.dueOn) row.decidedWithinTarget++;
      else row.late++;
      row.days.push(workingDaysBetween(applied, decided, options.calendar));
    } else if (options.today > repair.dueOn) {
      row.late++;
      row.overdue++;
    }
  }
  return [...rows.values()]
    .sort((a, b) => a.department.localeCompare(b.department))
    .map(({ days, ...row }) => ({ ...row, medianWorkingDays: median(days) }));
}
