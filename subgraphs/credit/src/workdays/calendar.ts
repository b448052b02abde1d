import { epochToChinaDate } from '@credit-gateway/common';
import { CreditDataError, defaultDataFile, readDataFile } from '../rules/data.js';

export const DEFAULT_HOLIDAYS_FILE = defaultDataFile('holidays.json');

/**
 * The PRC working-day calendar (工作日): Monday to Friday, less public holidays, plus the weekend
 * days worked in exchange (调休上班). Outside the years it lists it knows weekends only.
 */
export interface HolidayCalendar {
  /** First and last day of the years listed. */
  readonly firstDate: string;
  readonly lastDate: string;
  /** Years listed before the State Council's notice for them: statutory days only. */
  readonly provisionalYears: readonly number[];
  /** Every day off that a holiday adds, weekends inside a holiday included, with its name. */
  readonly holidays: ReadonlyMap<string, string>;
  /** Weekend days worked in exchange, with the holiday they serve. */
  readonly workingWeekends: ReadonlyMap<string, string>;
}

const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** More working days than any deadline needs: a bound on the walk, not a rule. */
const MAX_WORKING_DAYS = 3_660;

/** Days since 1970-01-01 of a `YYYY-MM-DD` date, or null when it is not a real date. */
function dayNumber(date: string): number | null {
  const match = DATE.exec(date);
  if (!match) return null;
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return new Date(ms).toISOString().slice(0, 10) === date ? ms / DAY_MS : null;
}

function dateOf(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function requireDay(date: string): number {
  const day = dayNumber(date);
  if (day === null) throw new RangeError(`Not a date (YYYY-MM-DD): '${date}'`);
  return day;
}

/** 0 Sunday … 6 Saturday. */
function weekday(day: number): number {
  return new Date(day * DAY_MS).getUTCDay();
}

function isWeekend(day: number): boolean {
  const d = weekday(day);
  return d === 0 || d === 6;
}

/** The calendar date in China (UTC+8, no daylight saving) at an instant. */
export function chinaDate(instant: Date): string {
  return epochToChinaDate(instant.getTime());
}

/** Whether the calendar lists the year of `date`; outside it only weekends are days off. */
export function coversDate(date: string, calendar: HolidayCalendar): boolean {
  return date >= calendar.firstDate && date <= calendar.lastDate;
}

export function isWorkingDay(date: string, calendar: HolidayCalendar): boolean {
  const day = requireDay(date);
  if (calendar.workingWeekends.has(date)) return true;
  if (calendar.holidays.has(date)) return false;
  return !isWeekend(day);
}

/**
 * The `n`th working day after `date` (`date` itself does not count): a deadline of n working days
 * from a filing on `date`. n = 0 gives `date`.
 */
export function addWorkingDays(date: string, n: number, calendar: HolidayCalendar): string {
  let day = requireDay(date);
  if (!Number.isInteger(n) || n < 0 || n > MAX_WORKING_DAYS) {
    throw new RangeError(`Working days must be a whole number from 0 to ${MAX_WORKING_DAYS}, got ${n}`);
  }
  let left = n;
  while (left > 0) {
    day++;
    if (isWorkingDay(dateOf(day), calendar)) left--;
  }
  return dateOf(day);
}

// ---------------------------------------------------------------------------------------------
// The data file

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A date listed under `year`: in that year, or in the December before it (元旦 may start there). */
function inYear(date: string, year: number): boolean {
  return date.startsWith(`${year}-`) || date.startsWith(`${year - 1}-12-`);
}

/**
 * Checks a holidays file and builds the calendar. Every problem is reported at once, each with
 * where it is, in one CreditDataError.
 */
export function parseHolidayCalendar(json: unknown, file: string): HolidayCalendar {
  const problems: string[] = [];
  const problem = (where: string, message: string): void => {
    problems.push(`${where}: ${message}`);
  };
  const holidays = new Map<string, string>();
  const workingWeekends = new Map<string, string>();
  const years: number[] = [];
  const provisionalYears: number[] = [];

  const yearsValue = isRecord(json) ? json['years'] : undefined;
  if (!isRecord(yearsValue) || Object.keys(yearsValue).length === 0) {
    problem('years', 'must be an object with at least one year, e.g. { "2026": { … } }');
    throw new CreditDataError(file, problems);
  }

  const date = (where: string, value: unknown, year: number): string | null => {
    if (typeof value !== 'string' || dayNumber(value) === null) {
      problem(where, `must be a date (YYYY-MM-DD), got ${JSON.stringify(value)}`);
      return null;
    }
    if (!inYear(value, year)) {
      problem(where, `${value} is not in ${year}`);
      return null;
    }
    return value;
  };
  const text = (where: string, value: unknown): string | null => {
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
    problem(where, 'must be a non-empty string');
    return null;
  };

  for (const [key, entry] of Object.entries(yearsValue)) {
    const at = `years.${key}`;
    if (!/^\d{4}$/.test(key)) {
      problem(at, 'a year must be four digits');
      continue;
    }
    const year = Number(key);
    years.push(year);
    if (!isRecord(entry)) {
      problem(at, 'must be an object with source, provisional, holidays and workingWeekends');
      continue;
    }
    text(`${at}.source`, entry['source']);
    if (typeof entry['provisional'] !== 'boolean') problem(`${at}.provisional`, 'must be true or false');
    else if (entry['provisional']) provisionalYears.push(year);

    const holidayList = entry['holidays'];
    if (!Array.isArray(holidayList) || holidayList.length === 0) {
      problem(`${at}.holidays`, 'must be a non-empty list of { name, from, to }');
    } else {
      holidayList.forEach((holiday: unknown, i) => {
        const where = `${at}.holidays[${i}]`;
        if (!isRecord(holiday)) return problem(where, 'must be an object { name, from, to }');
        const name = text(`${where}.name`, holiday['name']);
        const from = date(`${where}.from`, holiday['from'], year);
        const to = date(`${where}.to`, holiday['to'], year);
        if (name === null || from === null || to === null) return;
        const first = dayNumber(from)!;
        const last = dayNumber(to)!;
        if (last < first) return problem(where, `ends (${to}) before it starts (${from})`);
        if (last - first > 15) return problem(where, `runs ${last - first + 1} days; no holiday is that long`);
        for (let day = first; day <= last; day++) {
          const d = dateOf(day);
          const other = holidays.get(d);
          if (other !== undefined) problem(where, `${d} is already a day off for ${other}`);
          else holidays.set(d, name);
        }
      });
    }

    const weekendList = entry['workingWeekends'];
    if (!Array.isArray(weekendList)) {
      problem(`${at}.workingWeekends`, 'must be a list of { date, for } (empty when there are none)');
    } else {
      weekendList.forEach((worked: unknown, i) => {
        const where = `${at}.workingWeekends[${i}]`;
        if (!isRecord(worked)) return problem(where, 'must be an object { date, for }');
        const name = text(`${where}.for`, worked['for']);
        const d = date(`${where}.date`, worked['date'], year);
        if (name === null || d === null) return;
        if (!isWeekend(dayNumber(d)!)) return problem(where, `${d} is not a Saturday or a Sunday`);
        if (workingWeekends.has(d)) return problem(where, `${d} is listed twice`);
        workingWeekends.set(d, name);
      });
    }
  }

  for (const [d, name] of workingWeekends) {
    const holiday = holidays.get(d);
    if (holiday !== undefined) problems.push(`${d} is both a day off (${holiday}) and worked (${name})`);
  }
  years.sort((a, b) => a - b);
  for (let i = 1; i < years.length; i++) {
    if (years[i]! !== years[i - 1]! + 1) problems.push(`years ${years[i - 1]} and ${years[i]} leave a gap`);
  }
  if (problems.length > 0) throw new CreditDataError(file, problems);
  return {
    firstDate: `${years[0]}-01-01`,
    lastDate: `${years.at(-1)}-12-31`,
    provisionalYears: provisionalYears.sort((a, b) => a - b),
    holidays,
    workingWeekends,
  };
}

/** Reads and checks the holidays file at start-up; a missing or malformed file is a CreditDataError. */
export function loadHolidayCalendar(file: string = DEFAULT_HOLIDAYS_FILE): HolidayCalendar {
  return parseHolidayCalendar(readDataFile(file), file);
}
