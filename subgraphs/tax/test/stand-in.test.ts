import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@credit-gateway/common';
import {
  population,
  startStandIn,
  subjectFacts,
  type RunningStandIn,
  type SubjectFacts,
} from '@credit-gateway/sources';
import { taxpayerNumberCandidates } from '../src/source/tax-credit.js';

/** The tax system's rows for a generated population, as the adapter would ask for them. */
interface Row {
  nsrsbh: string;
  shxydm: string;
  xypj: { pdnd: string; xydj: string; pf: string }[];
  zdsswf: { gbrq: string; cwfzrzjhm: string }[];
  qsgg: { qsssq: string; ggrq: string }[];
  jnqk: { ssq: string; zsxmdm: string; sjje: string }[];
}

const SIZE = 4000;
let standIn: RunningStandIn;
const subjects: { facts: SubjectFacts; row: Row }[] = [];
/** The demo subjects, then SIZE generated ones. */
const codes = [...population(SIZE)];

async function plcx(nsrsbhList: string[]): Promise<Row[]> {
  const response = await fetch(`${standIn.url}/tax/api/nsrxy/plcx`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ nsrsbhList }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { rows: Row[] }).rows;
}

beforeAll(async () => {
  standIn = await startStandIn('tax', { logger: silentLogger(), populationSize: 0, port: 0 });
  for (let i = 0; i < codes.length; i += 500) {
    const batch = codes.slice(i, i + 500);
    const owner = new Map(batch.flatMap((code) => taxpayerNumberCandidates(code).map((n) => [n, code] as const)));
    const asked = new Set(batch);
    for (const row of await plcx([...owner.keys()])) {
      // An old number's row names the credit code the tax system recorded for it, if any.
      const code = row.shxydm || owner.get(row.nsrsbh)!;
      if (asked.has(code)) subjects.push({ facts: subjectFacts(code)!, row });
    }
  }
});

afterAll(async () => {
  await standIn?.close();
});

const share = (count: number, total: number) => count / total;

describe('the tax stand-in over a generated population', () => {
  it('knows every registered subject, once, under one of its two numbers', () => {
    expect(subjects).toHaveLength(codes.length);
    expect(new Set(subjects.map((s) => s.facts.code)).size).toBe(subjects.length);
    const old = subjects.filter((s) => s.row.nsrsbh.length === 15);
    // Pre-2015 registrations are still keyed by their old number.
    expect(
      old.every((s) => s.facts.legacyRegistrationNumber !== null && s.row.nsrsbh === s.facts.code.slice(2, 17)),
    ).toBe(true);
    expect(share(old.length, subjects.length)).toBeGreaterThan(0.3);
  });

  it('grades with the prevalences of the annual evaluation', () => {
    const grades = subjects.flatMap((s) => s.row.xypj.map((g) => g.xydj));
    const of = (grade: string) => share(grades.filter((g) => g === grade).length, grades.length);
    expect(of('A')).toBeGreaterThan(0.09);
    expect(of('A')).toBeLessThan(0.16);
    expect(of('B')).toBeGreaterThan(0.43);
    expect(of('B')).toBeLessThan(0.57);
    expect(of('M')).toBeGreaterThan(0.13);
    expect(of('M')).toBeLessThan(0.23);
    expect(of('C')).toBeGreaterThan(0.09);
    expect(of('C')).toBeLessThan(0.17);
    expect(of('D')).toBeGreaterThan(0.04);
    expect(of('D')).toBeLessThan(0.1);
  });

  it('keeps scores within each grade’s band and grades only the years a subject existed', () => {
    for (const { facts, row } of subjects) {
      const established = Number(facts.establishedOn.slice(0, 4));
      const closed = facts.statusChangedOn === null ? Infinity : Number(facts.statusChangedOn.slice(0, 4));
      for (const { pdnd, xydj, pf } of row.xypj) {
        const year = Number(pdnd);
        expect(year >= established && year < closed && year >= 2021 && year <= 2025).toBe(true);
        if (year === established) expect(xydj).toBe('M');
        const points = pf === '' ? null : Number(pf);
        const inBand =
          xydj === 'A'
            ? points !== null && points >= 90
            : xydj === 'B'
              ? points !== null && points >= 70 && points < 90
              : xydj === 'C'
                ? points !== null && points >= 40 && points < 70
                : xydj === 'D'
                  ? points === null || points < 40
                  : points === null || points >= 70;
        expect(inBand, `${facts.code} ${pdnd} ${xydj} ${pf}`).toBe(true);
      }
    }
  });

  it('keeps a subject’s grade from one year to the next more often than not', () => {
    let kept = 0;
    let pairs = 0;
    for (const { row } of subjects) {
      for (let i = 1; i < row.xypj.length; i++) {
        pairs++;
        if (row.xypj[i]!.xydj === row.xypj[i - 1]!.xydj) kept++;
      }
    }
    expect(share(kept, pairs)).toBeGreaterThan(0.75);
  });

  it('publishes major violations for about 0.5% and arrears notices for about 3% of subjects, with D in the case years', () => {
    const violators = subjects.filter((s) => s.row.zdsswf.length > 0);
    expect(share(violators.length, subjects.length)).toBeGreaterThan(0.002);
    expect(share(violators.length, subjects.length)).toBeLessThan(0.01);
    for (const { row } of violators) {
      const published = Number(row.zdsswf[0]!.gbrq.slice(0, 4));
      const graded = row.xypj.find((g) => Number(g.pdnd) === published - 1);
      if (graded) expect(graded).toMatchObject({ xydj: 'D', pf: '' });
    }
    const notices = share(subjects.filter((s) => s.row.qsgg.length > 0).length, subjects.length);
    expect(notices).toBeGreaterThan(0.02);
    expect(notices).toBeLessThan(0.045);
  });

  it('pays monthly VAT and quarterly income tax from 2025-11 to 2026-10, nothing after a subject closed', () => {
    for (const { facts, row } of subjects) {
      for (const { ssq, zsxmdm } of row.jnqk) {
        expect(ssq >= '202511' && ssq <= '202610').toBe(true);
        if (facts.statusChangedOn !== null)
          expect(ssq <= facts.statusChangedOn.slice(0, 7).replace('-', '')).toBe(true);
        if (zsxmdm !== '10101') expect(Number(ssq.slice(4)) % 3).toBe(0);
      }
    }
    const open = subjects.filter(
      (s) => s.facts.statusChangedOn === null && s.facts.establishedOn < '2025-11-01' && s.facts.kind === 'ENTERPRISE',
    );
    expect(
      share(open.filter((s) => s.row.jnqk.filter((p) => p.zsxmdm === '10101').length === 12).length, open.length),
    ).toBeGreaterThan(0.7);
  });
});
