import { addDays, addYears, rngFor, type Rng } from '../generator/prng.js';
import { SIMULATION_DATE, subjectFacts, type SubjectFacts } from '../generator/subject.js';
import { SOCIAL_SECURITY_DEMO_HISTORIES } from './demo.js';
import {
  compactDate,
  HISTORY_MONTHS,
  LATEST_PERIOD,
  periodAt,
  periodIndex,
  periodOf,
  unitNumber,
  yuan,
  type FrontDbSubjectRows,
} from './format.js';
import type { SbDwcbxx, SbJfmx, SbTqgzmd } from '@credit-gateway/subgraph-social-security/front-db';

/** Prevalences of the generated population, per social insurance unit. */
export const SOCIAL_SECURITY_PREVALENCE = {
  /** Active units behind on their latest contributions: about 5% of all units, closed ones included. */
  arrears: 0.058,
  /** Active units whose contributions are suspended (暂停缴费). */
  suspended: 0.023,
  /** Units on the wage-arrears joint-punishment list, now or in the past. */
  wageArrearsListing: 0.005,
  /** Active units of a listed employer that are also behind on contributions. */
  arrearsWhenListed: 0.5,
} as const;

/** Grade weights; C-graded units are mostly the ones in arrears, which pulls C to about 7% overall. */
const GRADES_CLEAN = [
  ['A', 62.6],
  ['B', 32.7],
  ['C', 4.7],
] as const;
const GRADES_IN_ARREARS = [
  ['A', 10],
  ['B', 40],
  ['C', 50],
] as const;

/** Units opened after this have not yet been through an annual labour-security rating. */
const RATED_IF_OPENED_BY = '2025-06-30';

// Computed once: date arithmetic is a good part of generating 100,000 subjects.
const LAST_POSTING_FROM = addDays(SIMULATION_DATE, -27);
const YESTERDAY = addDays(SIMULATION_DATE, -1);
const LATEST_LISTING = addDays(SIMULATION_DATE, -15);

/** How many of its latest months a unit in arrears is short: mostly one to three. */
const MONTHS_IN_ARREARS = [
  [1, 35],
  [2, 25],
  [3, 20],
  [4, 10],
  [5, 5],
  [6, 5],
] as const;

const LISTING_REASONS = [
  ['克扣、无故拖欠农民工工资达到认定拒不支付劳动报酬罪数额标准', 80],
  ['因拖欠农民工工资违法行为引发群体性事件、极端事件造成严重不良社会影响', 20],
] as const;

function timestamp(rng: Rng, date: string): string {
  const part = (min: number, max: number) => String(rng.int(min, max)).padStart(2, '0');
  return `${date} ${part(8, 18)}:${part(0, 59)}:${part(0, 59)}`;
}

function earlier(a: string, b: string): string {
  return a < b ? a : b;
}

/** The authority that lists wage-arrears employers: a municipality's bureau or a province's department. */
function listingAuthority(facts: SubjectFacts): string {
  return facts.province.endsWith('市')
    ? `${facts.province}人力资源和社会保障局`
    : `${facts.province}人力资源和社会保障厅`;
}

/**
 * Contribution base per insured person per month, employer and employee parts together. Bases
 * are reset every July, by about 4% a year.
 */
function perCapitaFor(base: number, period: number): number {
  const month = period % 12;
  const baseYear = month >= 6 ? Math.floor(period / 12) : Math.floor(period / 12) - 1;
  return base * 1.04 ** (baseYear - 2026);
}

function generatedListing(
  facts: SubjectFacts,
  rng: Rng,
  dwbh: string,
  openedOn: string,
  activeUntil: string,
): SbTqgzmd | null {
  const from = openedOn > '2019-06-30' ? addDays(openedOn, 180) : '2020-01-01';
  const to = earlier(activeUntil, LATEST_LISTING);
  if (from >= to) return null;
  const listedOn = rng.date(from, to);
  // A listing lasts three years; an employer that pays up may be removed after one.
  const expiresOn = addYears(listedOn, 3);
  const earliestRemoval = addYears(listedOn, 1);
  let removedOn: string | null = null;
  if (expiresOn < SIMULATION_DATE) removedOn = rng.chance(0.5) ? rng.date(earliestRemoval, expiresOn) : expiresOn;
  else if (earliestRemoval < SIMULATION_DATE && rng.chance(0.4)) removedOn = rng.date(earliestRemoval, YESTERDAY);
  return {
    jlbh: `TQGZ${listedOn.slice(0, 4)}${dwbh}`,
    tyshxydm: facts.code,
    lrsy: rng.weighted(LISTING_REASONS),
    tqje: yuan(rng.int(50_000, 2_000_000) + rng.int(0, 99) / 100),
    lrrq: compactDate(listedOn),
    rdbm: listingAuthority(facts),
    ycrq: removedOn === null ? null : compactDate(removedOn),
    gxsj: timestamp(rng, removedOn ?? listedOn),
  };
}

/** The generated rows of a registered subject; null when it employs nobody and so has no unit. */
function generatedRows(facts: SubjectFacts): FrontDbSubjectRows | null {
  if (facts.employees <= 0) return null;
  const rng = rngFor(facts.code, 'social-security');
  const dwbh = unitNumber(facts.code, facts.divisionCode);
  const openedOn = addDays(facts.establishedOn, rng.int(0, 60));
  const opened = periodIndex(periodOf(openedOn));
  const latest = periodIndex(LATEST_PERIOD);

  let cbzt: SbDwcbxx['cbzt'] = '1';
  let last = latest;
  let changedOn: string | null = null;
  if (facts.status === '吊销' || facts.status === '注销') {
    // The unit is closed with the registration; contributions stop in that month.
    cbzt = '3';
    changedOn = earlier(addDays(facts.statusChangedOn!, rng.int(1, 20)), YESTERDAY);
    last = Math.max(opened, periodIndex(periodOf(facts.statusChangedOn!)));
  } else if (rng.chance(SOCIAL_SECURITY_PREVALENCE.suspended)) {
    const from = latest - rng.int(0, 17);
    if (from > opened) {
      cbzt = '2';
      last = from - 1;
      changedOn = `${periodAt(from).slice(0, 4)}-${periodAt(from).slice(4)}-${String(rng.int(1, 28)).padStart(2, '0')}`;
    }
  }

  const listing = rng.chance(SOCIAL_SECURITY_PREVALENCE.wageArrearsListing)
    ? generatedListing(facts, rng, dwbh, openedOn, cbzt === '3' ? facts.statusChangedOn! : SIMULATION_DATE)
    : null;
  const listingActive = listing !== null && listing.ycrq === null;
  const inArrears =
    cbzt === '1' &&
    rng.chance(listingActive ? SOCIAL_SECURITY_PREVALENCE.arrearsWhenListed : SOCIAL_SECURITY_PREVALENCE.arrears);

  // Headcount drifts a little month to month and ends at the registered number of employees.
  const base = facts.kind === 'INDIVIDUAL_BUSINESS' ? rng.int(900, 1_500) : rng.int(1_100, 2_600);
  const first = Math.max(opened, last - HISTORY_MONTHS + 1);
  const arrearsMonths = inArrears ? Math.min(last - first + 1, rng.weighted(MONTHS_IN_ARREARS)) : 0;
  const contributions: SbJfmx[] = [];
  let cbrs = facts.employees;
  for (let period = last; period >= first; period--) {
    const yjje = yuan(cbrs * perCapitaFor(base, period));
    const unpaid = last - period < arrearsMonths;
    const share = unpaid ? (period === last && rng.chance(0.5) ? 0 : rng.int(0, 90) / 100) : 1;
    contributions.push({ tyshxydm: facts.code, fkssq: periodAt(period), cbrs, yjje, sjje: yuan(yjje * share) });
    const drift = Math.max(1, Math.round(cbrs * 0.03));
    cbrs = Math.max(1, cbrs + rng.int(-drift, drift));
  }
  contributions.reverse();

  const recentlyListed =
    listing !== null &&
    addYears(`${listing.lrrq.slice(0, 4)}-${listing.lrrq.slice(4, 6)}-${listing.lrrq.slice(6)}`, 3) >= SIMULATION_DATE;
  const ldbzdj: SbDwcbxx['ldbzdj'] =
    openedOn > RATED_IF_OPENED_BY
      ? null
      : recentlyListed
        ? 'C'
        : rng.weighted(inArrears ? GRADES_IN_ARREARS : GRADES_CLEAN);

  return {
    unit: {
      dwbh,
      tyshxydm: facts.code,
      dwmc: facts.name,
      cbzt,
      cbrs: cbzt === '1' ? facts.employees : 0,
      ldbzdj,
      // An active unit's record is updated with each month's posting.
      gxsj: timestamp(rng, changedOn ?? rng.date(LAST_POSTING_FROM, YESTERDAY)),
    },
    contributions,
    listings: listing ? [listing] : [],
  };
}

/**
 * What the social security front-end database holds on a code: its unit, its latest periods and
 * its wage-arrears listings. Null when no department has registered the code, or when the
 * subject employs nobody and so never opened a social insurance unit.
 */
export function frontDbRows(code: string): FrontDbSubjectRows | null {
  const facts = subjectFacts(code);
  if (!facts) return null;
  const generated = generatedRows(facts);
  const demo = SOCIAL_SECURITY_DEMO_HISTORIES.get(code);
  if (!demo) return generated;
  return { contributions: [], listings: [], ...generated, ...demo };
}
