import { describe, expect, it } from 'vitest';
import {
  DEMO_SUBJECTS,
  frontDbRows,
  LATEST_PERIOD,
  population,
  subjectFacts,
  unregisteredCodes,
  type FrontDbSubjectRows,
} from '../src/index.js';

const SAMPLE = 20_000;

/** The generated population's rows, demo subjects left out. */
function sample(): { code: string; rows: FrontDbSubjectRows }[] {
  const subjects: { code: string; rows: FrontDbSubjectRows }[] = [];
  for (const code of population(SAMPLE)) {
    if (DEMO_SUBJECTS.has(code)) continue;
    const rows = frontDbRows(code);
    if (rows) subjects.push({ code, rows });
  }
  return subjects;
}

const share = (count: number, of: number) => count / of;

describe('front-end database rows', () => {
  const subjects = sample();
  const units = subjects.map(({ rows }) => rows.unit);
  const inArrears = subjects.filter(({ rows }) => rows.contributions.some((row) => row.sjje < row.yjje));

  it('are the same on every call and null for codes nobody registered', () => {
    const { code } = subjects[0]!;
    expect(frontDbRows(code)).toEqual(frontDbRows(code));
    expect(frontDbRows(unregisteredCodes().next().value!)).toBeNull();
  });

  it('give every employer a unit whose latest headcount is its number of employees', () => {
    expect(units).toHaveLength(SAMPLE);
    for (const { code, rows } of subjects.slice(0, 2_000)) {
      const facts = subjectFacts(code)!;
      if (rows.unit.cbzt === '1') {
        expect(rows.unit.cbrs).toBe(facts.employees);
        expect(rows.contributions.at(-1)).toMatchObject({ fkssq: LATEST_PERIOD, cbrs: facts.employees });
      } else {
        expect(rows.unit.cbrs).toBe(0);
      }
      expect(rows.contributions.length).toBeLessThanOrEqual(12);
    }
  });

  it('close the unit of a deregistered or revoked subject, with no contributions after closure', () => {
    const closed = subjects.filter(({ code }) => ['吊销', '注销'].includes(subjectFacts(code)!.status));
    expect(closed.length).toBeGreaterThan(SAMPLE * 0.08);
    for (const { code, rows } of closed) {
      expect(rows.unit.cbzt).toBe('3');
      const closedIn = subjectFacts(code)!.statusChangedOn!.slice(0, 7).replace('-', '');
      expect(rows.contributions.at(-1)!.fkssq <= closedIn).toBe(true);
    }
  });

  it('have the prevalences the product is tuned for', () => {
    expect(share(inArrears.length, units.length)).toBeGreaterThan(0.04);
    expect(share(inArrears.length, units.length)).toBeLessThan(0.06);
    const suspended = units.filter((unit) => unit.cbzt === '2').length;
    expect(share(suspended, units.length)).toBeGreaterThan(0.015);
    expect(share(suspended, units.length)).toBeLessThan(0.025);
    const listed = subjects.filter(({ rows }) => rows.listings.length > 0);
    expect(share(listed.length, units.length)).toBeGreaterThan(0.003);
    expect(share(listed.length, units.length)).toBeLessThan(0.007);
    expect(listed.some(({ rows }) => rows.listings[0]!.ycrq !== null)).toBe(true);
    expect(listed.some(({ rows }) => rows.listings[0]!.ycrq === null)).toBe(true);

    const rated = units.filter((unit) => unit.ldbzdj !== null);
    const grade = (letter: string) => share(rated.filter((unit) => unit.ldbzdj === letter).length, rated.length);
    expect(grade('A')).toBeCloseTo(0.6, 1);
    expect(grade('B')).toBeCloseTo(0.33, 1);
    expect(grade('C')).toBeGreaterThan(0.055);
    expect(grade('C')).toBeLessThan(0.09);
    // C goes mostly with arrears.
    const cAmongArrears = share(inArrears.filter(({ rows }) => rows.unit.ldbzdj === 'C').length, inArrears.length);
    expect(cAmongArrears).toBeGreaterThan(0.3);
  });
});
