import { describe, expect, it } from 'vitest';
import { CreditDataError } from '../src/rules/data.js';
import {
  addWorkingDays,
  chinaDate,
  coversDate,
  isWorkingDay,
  loadHolidayCalendar,
  parseHolidayCalendar,
} from '../src/workdays/index.js';

const calendar = loadHolidayCalendar();

/** Every day of [from, to] with whether it is a working day. */
function days(from: string, to: string): Record<string, boolean> {
  const result: Record<string, boolean> = {};
  for (let day = Date.parse(from); day <= Date.parse(to); day += 86_400_000) {
    const date = new Date(day).toISOString().slice(0, 10);
    result[date] = isWorkingDay(date, calendar);
  }
  return result;
}

describe('the shipped holiday calendar', () => {
  it('covers 2025 to 2027, with 2027 provisional until the State Council publishes it', () => {
    expect({
      firstDate: calendar.firstDate,
      lastDate: calendar.lastDate,
      provisionalYears: calendar.provisionalYears,
    }).toEqual({ firstDate: '2025-01-01', lastDate: '2027-12-31', provisionalYears: [2027] });
  });

  it('lists every adjusted working weekend (调休上班) of 2025 and 2026', () => {
    expect(Object.fromEntries(calendar.workingWeekends)).toEqual({
      '2025-01-26': '春节',
      '2025-02-08': '春节',
      '2025-04-27': '劳动节',
      '2025-09-28': '国庆节、中秋节',
      '2025-10-11': '国庆节、中秋节',
      '2026-01-04': '元旦',
      '2026-02-14': '春节',
      '2026-02-28': '春节',
      '2026-05-09': '劳动节',
      '2026-09-20': '国庆节',
      '2026-10-10': '国庆节',
    });
  });

  it('counts the days off of each year', () => {
    const perYear: Record<string, number> = {};
    for (const date of calendar.holidays.keys()) perYear[date.slice(0, 4)] = (perYear[date.slice(0, 4)] ?? 0) + 1;
    // 2025: 1 + 8 + 3 + 5 + 3 + 8; 2026: 3 + 9 + 3 + 5 + 3 + 3 + 7;
    // 2027, statutory days and weekday make-up for those on a weekend: 1 + 6 + 1 + 4 + 1 + 1 + 5.
    expect(perYear).toEqual({ '2025': 28, '2026': 33, '2027': 19 });
  });
});

describe('isWorkingDay', () => {
  it('knows 国庆 2026: a week off, a Sunday before and a Saturday after worked', () => {
    expect(days('2026-09-19', '2026-10-12')).toEqual({
      '2026-09-19': false,
      '2026-09-20': true, // Sunday, worked
      '2026-09-21': true,
      '2026-09-22': true,
      '2026-09-23': true,
      '2026-09-24': true,
      '2026-09-25': false, // 中秋
      '2026-09-26': false,
      '2026-09-27': false,
      '2026-09-28': true,
      '2026-09-29': true,
      '2026-09-30': true,
      '2026-10-01': false,
      '2026-10-02': false,
      '2026-10-03': false,
      '2026-10-04': false,
      '2026-10-05': false,
      '2026-10-06': false,
      '2026-10-07': false,
      '2026-10-08': true,
      '2026-10-09': true,
      '2026-10-10': true, // Saturday, worked
      '2026-10-11': false,
      '2026-10-12': true,
    });
  });

  it('knows 春节 2026: nine days off between two Saturdays worked', () => {
    expect(days('2026-02-13', '2026-03-01')).toEqual({
      '2026-02-13': true,
      '2026-02-14': true, // Saturday, worked
      '2026-02-15': false,
      '2026-02-16': false,
      '2026-02-17': false,
      '2026-02-18': false,
      '2026-02-19': false,
      '2026-02-20': false,
      '2026-02-21': false,
      '2026-02-22': false,
      '2026-02-23': false,
      '2026-02-24': true,
      '2026-02-25': true,
      '2026-02-26': true,
      '2026-02-27': true,
      '2026-02-28': true, // Saturday, worked
      '2026-03-01': false,
    });
  });

  it('knows 春节 2027 as far as the law fixes it: 除夕 to 初三, and weekdays for the weekend ones', () => {
    expect(days('2027-02-04', '2027-02-14')).toEqual({
      '2027-02-04': true,
      '2027-02-05': false, // 除夕, Friday
      '2027-02-06': false, // 初一, Saturday
      '2027-02-07': false, // 初二, Sunday
      '2027-02-08': false, // 初三, Monday
      '2027-02-09': false, // made up for Saturday
      '2027-02-10': false, // made up for Sunday
      '2027-02-11': true,
      '2027-02-12': true,
      '2027-02-13': false,
      '2027-02-14': false,
    });
  });

  it('treats an adjusted working Sunday as a working day, and plain weekends as days off', () => {
    expect(
      ['2025-01-26', '2026-01-04', '2026-09-20', '2026-01-11', '2026-11-22'].map((d) => isWorkingDay(d, calendar)),
    ).toEqual([true, true, true, false, false]);
  });

  it('knows weekends only outside the years listed', () => {
    expect([coversDate('2027-12-31', calendar), coversDate('2028-01-01', calendar)]).toEqual([true, false]);
    expect(days('2028-01-01', '2028-01-03')).toEqual({ '2028-01-01': false, '2028-01-02': false, '2028-01-03': true });
  });

  it('refuses what is not a date', () => {
    expect(() => isWorkingDay('2026-02-30', calendar)).toThrow("Not a date (YYYY-MM-DD): '2026-02-30'");
  });
});

describe('addWorkingDays', () => {
  it.each([
    // 国庆 2026: 09-30, then 10-08, 10-09, 10-10 (Saturday worked), 10-12.
    ['2026-09-29', 5, '2026-10-12'],
    // Filed on the last day before the holiday.
    ['2026-09-30', 5, '2026-10-13'],
    // Filed during the holiday: counting starts after it.
    ['2026-10-03', 1, '2026-10-08'],
    // 春节 2026: 02-13, 02-14 (Saturday worked), then 02-24, 02-25, 02-26.
    ['2026-02-12', 5, '2026-02-26'],
    // 春节 2027: 02-04, then 02-11, 02-12, 02-15, 02-16.
    ['2027-02-03', 5, '2027-02-16'],
    // 国庆 2027: 09-30, then 10-06, 10-07, 10-08, 10-11.
    ['2027-09-29', 5, '2027-10-11'],
    // 元旦 2026: the Sunday 01-04 is worked.
    ['2025-12-31', 1, '2026-01-04'],
    ['2025-12-31', 2, '2026-01-05'],
    // A worked Sunday before 国庆 2026 can itself be the due date.
    ['2026-09-18', 1, '2026-09-20'],
    // An ordinary week.
    ['2026-11-18', 5, '2026-11-25'],
    // Into a year not listed: weekends only.
    ['2027-12-30', 3, '2028-01-04'],
    ['2026-11-18', 0, '2026-11-18'],
  ] as const)('%s + %i working days is %s', (date, n, expected) => {
    expect(addWorkingDays(date, n, calendar)).toBe(expected);
  });

  it('refuses a negative or fractional count', () => {
    expect(() => addWorkingDays('2026-01-05', -1, calendar)).toThrow(RangeError);
    expect(() => addWorkingDays('2026-01-05', 1.5, calendar)).toThrow(RangeError);
  });
});

describe('chinaDate', () => {
  it('is the date in UTC+8', () => {
    expect([
      chinaDate(new Date('2026-09-30T15:59:59.999Z')),
      chinaDate(new Date('2026-09-30T16:00:00.000Z')),
      chinaDate(new Date('2026-12-31T23:30:00.000+08:00')),
    ]).toEqual(['2026-09-30', '2026-10-01', '2026-12-31']);
  });
});

describe('parseHolidayCalendar', () => {
  it('reports every problem of a file at once', () => {
    const file = {
      years: {
        '2026': {
          source: 'test',
          provisional: false,
          holidays: [
            { name: '国庆节', from: '2026-10-07', to: '2026-10-01' },
            { name: '春节', from: '2026-02-15', to: '2026-02-23' },
            { name: '', from: '2026-02-30', to: '2025-05-01' },
          ],
          workingWeekends: [
            { date: '2026-02-16', for: '春节' },
            { date: '2026-02-22', for: '春节' },
          ],
        },
        '2028': { source: 'test', provisional: 'no', holidays: [], workingWeekends: {} },
        '26': {},
      },
    };
    let error: unknown;
    try {
      parseHolidayCalendar(file, 'holidays.json');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CreditDataError);
    expect((error as CreditDataError).problems).toMatchInlineSnapshot(`
      [
        "years.26: a year must be four digits",
        "years.2026.holidays[0]: ends (2026-10-01) before it starts (2026-10-07)",
        "years.2026.holidays[2].name: must be a non-empty string",
        "years.2026.holidays[2].from: must be a date (YYYY-MM-DD), got "2026-02-30"",
        "years.2026.holidays[2].to: 2025-05-01 is not in 2026",
        "years.2026.workingWeekends[0]: 2026-02-16 is not a Saturday or a Sunday",
        "years.2028.provisional: must be true or false",
        "years.2028.holidays: must be a non-empty list of { name, from, to }",
        "years.2028.workingWeekends: must be a list of { date, for } (empty when there are none)",
        "2026-02-22 is both a day off (春节) and worked (春节)",
        "years 2026 and 2028 leave a gap",
      ]
    `);
  });

  it('names the file when it is not JSON', () => {
    expect(() => loadHolidayCalendar('/nonexistent/holidays.json')).toThrow(
      /\/nonexistent\/holidays.json is not a usable policy file:\n {2}- cannot be read/,
    );
  });
});
