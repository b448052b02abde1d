import { SIMULATION_DATE } from '../generator/subject.js';
import type { SbDwcbxx, SbJfmx, SbTqgzmd } from '@credit-gateway/subgraph-social-security/front-db';

/** Everything the front-end database holds on one subject: what the generator makes per code. */
export interface FrontDbSubjectRows {
  unit: SbDwcbxx;
  contributions: SbJfmx[];
  listings: SbTqgzmd[];
}

/** Fee periods (费款所属期) as the department writes them: `YYYYMM`. */
export type FeePeriod = string;

/** Months since year 0, so that periods can be counted and compared. */
export function periodIndex(period: FeePeriod): number {
  return Number(period.slice(0, 4)) * 12 + Number(period.slice(4, 6)) - 1;
}

export function periodAt(index: number): FeePeriod {
  return `${Math.floor(index / 12)}${String((index % 12) + 1).padStart(2, '0')}`;
}

/** The fee period a calendar date (YYYY-MM-DD) falls in. */
export function periodOf(date: string): FeePeriod {
  return `${date.slice(0, 4)}${date.slice(5, 7)}`;
}

/** The newest period the front-end database holds: the month before the simulated today. */
export const LATEST_PERIOD: FeePeriod = periodAt(periodIndex(periodOf(SIMULATION_DATE)) - 1);

/**
 * Periods the front-end database keeps per unit: its latest 12, up to closure or suspension.
 * A year covers the annual grade and the arrears a lender looks at, and at 100,000 subjects it
 * is already 1.2 million rows in the embedded database.
 */
export const HISTORY_MONTHS = 12;

/** Yuan, rounded to the fen as the department books it. */
export function yuan(amount: number): number {
  return Math.round(amount * 100) / 100;
}

/** `YYYY-MM-DD` → `YYYYMMDD`, the department's date format for list entries. */
export function compactDate(date: string): string {
  return date.replaceAll('-', '');
}

/**
 * The social insurance unit number (单位编号): the registration area followed by the
 * organization code body read as a base-36 number, so that it is digits only and unique per
 * organization, as the organization code is.
 */
export function unitNumber(code: string, divisionCode: string): string {
  return `${divisionCode.slice(0, 4)}${String(Number.parseInt(code.slice(8, 16), 36)).padStart(13, '0')}`;
}

export interface ScriptedMonth {
  cbrs: number;
  /** Monthly contribution per insured person, employer and employee parts together. */
  perCapita: number;
  /** What was paid; the full amount due when omitted. */
  paid?: number;
}

/** Contribution rows for consecutive periods, oldest first, ending at `last`. */
export function scriptedContributions(code: string, last: FeePeriod, months: readonly ScriptedMonth[]): SbJfmx[] {
  const first = periodIndex(last) - months.length + 1;
  return months.map((month, index) => {
    const due = yuan(month.cbrs * month.perCapita);
    return { tyshxydm: code, fkssq: periodAt(first + index), cbrs: month.cbrs, yjje: due, sjje: month.paid ?? due };
  });
}
