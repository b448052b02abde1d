import { creditCodeCheckChar } from '@credit-gateway/common';
import { DEMO_SUBJECTS } from '../demo/subjects.js';
import { divisionFor } from '../generator/divisions.js';
import { addDays, rngFor, type Rng } from '../generator/prng.js';
import { generatedPerson, SIMULATION_DATE, subjectFacts, type SubjectFacts } from '../generator/subject.js';
import { TAX_DEMO_HISTORIES } from './demo.js';
import {
  type TaxArrearsItem,
  type TaxGradeItem,
  type TaxGradeLetter,
  type TaxPaymentItem,
  type TaxpayerRow,
  type TaxViolationItem,
} from './format.js';

/** Years the annual evaluation has graded, oldest first; 2025 was published in April 2026. */
export const EVALUATED_YEARS = [2021, 2022, 2023, 2024, 2025] as const;

export const VAT = '10101';
export const CORPORATE_INCOME_TAX = '10104';
export const PERSONAL_INCOME_TAX = '10106';

/** The twelve monthly periods up to the simulated today, oldest first: 2025-11 … 2026-10. */
export const PAYMENT_PERIODS: readonly string[] = (() => {
  const periods: string[] = [];
  let year = Number(SIMULATION_DATE.slice(0, 4));
  let month = Number(SIMULATION_DATE.slice(5, 7));
  for (let i = 0; i < 12; i++) {
    month--;
    if (month === 0) {
      month = 12;
      year--;
    }
    periods.unshift(`${year}${String(month).padStart(2, '0')}`);
  }
  return periods;
})();

const MUNICIPALITIES = ['北京', '上海', '天津', '重庆'];

/** The tax bureau in charge of a subject, named after its division. */
export function taxBureau(facts: SubjectFacts): string {
  const place = divisionFor(facts.divisionCode).place;
  const municipality = MUNICIPALITIES.find((m) => place.startsWith(m));
  if (municipality) {
    const district = place.slice(municipality.length);
    return district ? `国家税务总局${municipality}市${district}区税务局` : `国家税务总局${municipality}市税务局`;
  }
  if (place) return `国家税务总局${place}市税务局`;
  return facts.province ? `国家税务总局${facts.province}税务局` : '国家税务总局';
}

const yuan = (amount: number) => amount.toFixed(2);
const score = (value: number) => (Math.round(value * 10) / 10).toFixed(1);

function gradeFor(points: number): TaxGradeLetter {
  if (points >= 90) return 'A';
  if (points >= 70) return 'B';
  if (points >= 40) return 'C';
  return 'D';
}

/** Which credit-code prefixes were issued to pre-2015 registrations that kept an old taxpayer number. */
const LEGACY_PREFIXES = ['91', '93'] as const;

const DEMO_BY_OLD_NUMBER: ReadonlyMap<string, string> = new Map(
  [...DEMO_SUBJECTS.values()]
    .filter((s) => s.facts.legacyRegistrationNumber !== null)
    .map((s) => [s.facts.code.slice(2, 17), s.facts.code]),
);

/**
 * The subject that holds an old 15-character taxpayer number (division + organization code).
 * An organization code belongs to one organization only, so at most one code owns the number.
 */
function oldNumberOwner(oldNumber: string): string | null {
  const demo = DEMO_BY_OLD_NUMBER.get(oldNumber);
  if (demo) return demo;
  for (const prefix of LEGACY_PREFIXES) {
    const code = `${prefix}${oldNumber}${creditCodeCheckChar(`${prefix}${oldNumber}`)}`;
    if (subjectFacts(code)?.legacyRegistrationNumber) return code;
  }
  return null;
}

/** The taxpayer identification number the tax system keys a subject by. */
export function taxpayerNumberOf(facts: SubjectFacts): string {
  if (facts.legacyRegistrationNumber === null) return facts.code;
  const oldNumber = facts.code.slice(2, 17);
  return oldNumberOwner(oldNumber) === facts.code ? oldNumber : facts.code;
}

const CREDIT_CODE_SHAPE = /^[0-9A-HJ-NPQRTUWXY]{18}$/;
const OLD_NUMBER_SHAPE = /^[0-9A-HJ-NPQRTUWXY]{15}$/;

interface Flags {
  /** No operating income: graded M when its score reaches 70, and pays nothing. */
  dormant: boolean;
  arrears: boolean;
  violation: boolean;
}

function flagsFor(facts: SubjectFacts, rng: Rng): Flags {
  const dormantShare =
    facts.kind === 'FARMER_COOPERATIVE'
      ? 0.55
      : facts.kind === 'INDIVIDUAL_BUSINESS'
        ? 0.35
        : facts.kind === 'ENTERPRISE'
          ? 0.16
          : 0.25;
  return {
    dormant: rng.chance(dormantShare),
    arrears: rng.chance(0.03),
    violation: facts.kind === 'ENTERPRISE' && rng.chance(0.0065),
  };
}

const yearOf = (date: string) => Number(date.slice(0, 4));

/** The evaluated years a subject was there to be graded for. */
function activeYears(facts: SubjectFacts): number[] {
  const closedYear = facts.statusChangedOn === null ? Infinity : yearOf(facts.statusChangedOn);
  // A subject closed in a year is no longer there to be evaluated for that year in the following April.
  return EVALUATED_YEARS.filter((year) => year >= yearOf(facts.establishedOn) && year < closedYear);
}

function generatedViolation(
  facts: SubjectFacts,
  rng: Rng,
  bureau: string,
): { case: TaxViolationItem; years: number[] } | null {
  const candidates = activeYears(facts).filter((year) => year > yearOf(facts.establishedOn));
  if (candidates.length === 0) return null;
  const year = rng.pick(candidates);
  const published = rng.date(`${year + 1}-01-10`, `${year + 1 === 2026 ? '2026-10-20' : `${year + 1}-12-20`}`);
  const [nature, describe] = rng.pick([
    [
      '虚开增值税专用发票',
      (n: number, a: string) => `在没有真实交易的情况下，向下游企业虚开增值税专用发票${n}份，金额${a}万元`,
    ],
    ['偷税', (n: number, a: string) => `采取隐匿收入、虚列成本等手段，进行虚假纳税申报${n}次，少缴税款${a}万元`],
    [
      '逃避追缴欠税',
      (n: number, a: string) => `欠缴应纳税款，采取转移财产${n}次的手段，妨碍税务机关追缴欠缴的税款${a}万元`,
    ],
    ['骗取出口退税', (n: number, a: string) => `以假报出口等欺骗手段，骗取国家出口退税款${a}万元，涉及报关单${n}份`],
  ] as const);
  const amount = (rng.int(1_000, 300_000) / 100).toFixed(2);
  const officer = rng.chance(0.85) ? generatedPerson(`${facts.code}|tax-finance`, facts.divisionCode) : null;
  const place = divisionFor(facts.divisionCode).place;
  return {
    years: [year, year + 1],
    case: {
      ajbh: `${place.charAt(0)}税稽检〔${year + 1}〕${rng.int(1, 400)}号`,
      ajxz: nature,
      zywfss: `经${bureau}稽查局检查，发现其在${year}年度${describe(rng.int(3, 400), amount)}。`,
      flyjjcl: `依照《中华人民共和国税收征收管理法》第六十三条等相关法律法规的有关规定，对其处以追缴税款${amount}万元的行政处理，并处少缴税款一倍的罚款；依法移送公安机关处理。`,
      cwfzrxm: officer?.name ?? '',
      cwfzrzjhm: officer?.idNumber ?? '',
      gbrq: `${published.slice(0, 4)}年${published.slice(5, 7)}月${published.slice(8, 10)}日`,
      gbjg: bureau,
    },
  };
}

function generatedGrades(facts: SubjectFacts, rng: Rng, flags: Flags, directD: ReadonlySet<number>): TaxGradeItem[] {
  // A subject's standing moves slowly: one latent level, a little noise each year.
  const band = rng.weighted<readonly [number, number]>(
    flags.arrears
      ? [
          [[70, 82], 40],
          [[40, 70], 40],
          [[15, 40], 20],
        ]
      : [
          [[91, 99], 12],
          [[73, 90], 66],
          [[40, 68], 12],
          [[15, 38], 6],
        ],
  );
  const level = band[0] + rng.next() * (band[1] - band[0]);
  const grades: TaxGradeItem[] = [];
  for (const year of activeYears(facts)) {
    const noise = (rng.next() - 0.5) * 10;
    const points = Math.min(100, Math.max(0, level + noise));
    if (directD.has(year)) grades.push({ pdnd: String(year), xydj: 'D', pf: '' });
    else if (year === yearOf(facts.establishedOn)) grades.push({ pdnd: String(year), xydj: 'M', pf: '' });
    else if (flags.dormant && points >= 70) grades.push({ pdnd: String(year), xydj: 'M', pf: score(points) });
    else {
      const grade = gradeFor(Number(score(points)));
      // Abnormal taxpayers (非正常户) are put at D directly, without a score.
      const direct = grade === 'D' && rng.chance(0.4);
      grades.push({ pdnd: String(year), xydj: grade, pf: direct ? '' : score(points) });
    }
  }
  return grades.reverse();
}

function generatedArrears(facts: SubjectFacts, rng: Rng, bureau: string, count: number): TaxArrearsItem[] {
  const from = facts.establishedOn > '2023-01-01' ? facts.establishedOn : '2023-01-01';
  const to =
    facts.statusChangedOn !== null && facts.statusChangedOn < '2026-06-30' ? facts.statusChangedOn : '2026-06-30';
  if (from > to) return [];
  const notices: TaxArrearsItem[] = [];
  for (let i = 0; i < count; i++) {
    const period = rng.date(from, to);
    // Arrears are announced in the first weeks of the quarter after the period's quarter.
    const month = Number(period.slice(5, 7));
    const quarterEnd = `${period.slice(0, 4)}-${String(Math.ceil(month / 3) * 3).padStart(2, '0')}-28`;
    const announced = rng.date(addDays(quarterEnd, 5), addDays(quarterEnd, 20));
    const taxType =
      facts.kind === 'INDIVIDUAL_BUSINESS'
        ? rng.pick(['增值税', '个人所得税'])
        : rng.weighted([
            ['增值税', 60],
            ['企业所得税', 20],
            ['城镇土地使用税', 10],
            ['房产税', 10],
          ] as const);
    notices.push({
      ggxh: `QS${facts.divisionCode}${rng.digits(10)}`,
      sz: taxType,
      qsye: yuan(rng.int(2_000, 40_000) * Math.max(1, facts.employees / 10) + rng.int(0, 99) / 100),
      qsssq: period.slice(0, 7).replace('-', ''),
      ggrq: announced.replaceAll('-', ''),
      ggjg: bureau,
    });
  }
  return notices;
}

function generatedPayments(facts: SubjectFacts, rng: Rng, flags: Flags): TaxPaymentItem[] {
  if (flags.dormant || facts.employees === 0) return [];
  const first = facts.establishedOn.slice(0, 7).replace('-', '');
  const last = facts.statusChangedOn?.slice(0, 7).replace('-', '') ?? '999912';
  const payments: TaxPaymentItem[] = [];
  const vatRate = rng.int(600, 2_500);
  const profitable = rng.chance(0.8);
  const citRate = rng.int(300, 2_000);
  // Small-scale individual businesses under the monthly threshold are exempt from VAT.
  const paysVat =
    facts.kind === 'ENTERPRISE' || facts.kind === 'OTHER'
      ? true
      : facts.kind === 'INDIVIDUAL_BUSINESS'
        ? rng.chance(0.3)
        : rng.chance(0.4);
  const incomeTax =
    facts.kind === 'ENTERPRISE' || facts.kind === 'OTHER'
      ? CORPORATE_INCOME_TAX
      : facts.kind === 'INDIVIDUAL_BUSINESS'
        ? PERSONAL_INCOME_TAX
        : null;
  const pay = (ssq: string, zsxmdm: string, amount: number) =>
    payments.push({ dzsphm: `3${ssq}${zsxmdm.slice(-2)}${rng.digits(9)}`, ssq, zsxmdm, sjje: yuan(amount) });
  for (const period of PAYMENT_PERIODS) {
    if (period < first || period > last) continue;
    if (paysVat) pay(period, VAT, facts.employees * vatRate * (0.8 + rng.next() * 0.4));
    // Income tax is prepaid quarterly, for the quarters ending in March, June, September, December.
    if (incomeTax && profitable && Number(period.slice(4)) % 3 === 0)
      pay(period, incomeTax, facts.employees * citRate * (0.7 + rng.next() * 0.6));
  }
  return payments;
}

function updateTime(facts: SubjectFacts, rng: Rng, row: Omit<TaxpayerRow, 'gxsj'>): string {
  const dates = [
    facts.statusChangedOn ?? '2026-10-16',
    ...row.zdsswf.map((v) => v.gbrq.replace(/(\d{4})年(\d{2})月(\d{2})日/, '$1-$2-$3')),
    ...row.qsgg.map((n) => `${n.ggrq.slice(0, 4)}-${n.ggrq.slice(4, 6)}-${n.ggrq.slice(6, 8)}`),
  ].sort();
  const latest = dates[dates.length - 1]!;
  const until = addDays(SIMULATION_DATE, -1);
  const from = latest < until ? latest : until;
  const day = rng.date(from, addDays(from, 15) < until ? addDays(from, 15) : until);
  const time = [rng.int(8, 18), rng.int(0, 59), rng.int(0, 59)].map((n) => String(n).padStart(2, '0')).join(':');
  return `${day} ${time}.0`;
}

function taxpayerRow(facts: SubjectFacts, nsrsbh: string): TaxpayerRow {
  const rng = rngFor(facts.code, 'tax');
  const bureau = taxBureau(facts);
  const flags = flagsFor(facts, rng);
  const violation = flags.violation ? generatedViolation(facts, rng, bureau) : null;
  const demo = TAX_DEMO_HISTORIES.get(facts.code);
  const lists = {
    xypj: generatedGrades(facts, rng, flags, new Set(violation?.years)),
    zdsswf: violation ? [violation.case] : [],
    qsgg: flags.arrears || (violation && rng.chance(0.5)) ? generatedArrears(facts, rng, bureau, rng.int(1, 2)) : [],
    jnqk: generatedPayments(facts, rng, flags),
  };
  const row = { nsrsbh, shxydm: facts.code, nsrmc: facts.name, zgswjg: bureau, ...lists, ...demo };
  return { ...row, gxsj: updateTime(facts, rng, row) };
}

/**
 * The tax record held under a taxpayer identification number: an 18-character credit code, or an
 * old 15-character number. Null when the tax system has no taxpayer under that number.
 */
export function taxpayerByNumber(nsrsbh: string): TaxpayerRow | null {
  let code: string | null = null;
  if (CREDIT_CODE_SHAPE.test(nsrsbh)) code = nsrsbh;
  else if (OLD_NUMBER_SHAPE.test(nsrsbh)) code = oldNumberOwner(nsrsbh);
  const facts = code === null ? null : subjectFacts(code);
  if (!facts || taxpayerNumberOf(facts) !== nsrsbh) return null;
  return taxpayerRow(facts, nsrsbh);
}
