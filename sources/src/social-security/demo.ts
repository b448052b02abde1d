import { demoSubject, type DemoKey } from '../demo/subjects.js';
import type { SbDwcbxx } from '@credit-gateway/subgraph-social-security/front-db';
import { scriptedContributions, unitNumber, type FrontDbSubjectRows, type ScriptedMonth } from './format.js';

/** What a demo subject's scripted rows replace in its generated ones. */
export type SocialSecurityDemoHistory = { unit: SbDwcbxx } & Partial<Omit<FrontDbSubjectRows, 'unit'>>;

function unit(key: DemoKey, fields: Pick<SbDwcbxx, 'cbzt' | 'cbrs' | 'ldbzdj' | 'gxsj'>): SbDwcbxx {
  const { facts } = demoSubject(key);
  return { dwbh: unitNumber(facts.code, facts.divisionCode), tyshxydm: facts.code, dwmc: facts.name, ...fields };
}

/** A year of contributions whose base is raised from July, as contribution bases are each year. */
function year(
  headcounts: readonly number[],
  perCapitaBefore: number,
  perCapitaFrom: number,
  fromIndex: number,
): ScriptedMonth[] {
  return headcounts.map((cbrs, index) => ({ cbrs, perCapita: index < fromIndex ? perCapitaBefore : perCapitaFrom }));
}

const WAGE_ARREARS = demoSubject('wage-arrears').facts.code;
const CLEAN_SME = demoSubject('clean-sme').facts.code;
const DEREGISTERED = demoSubject('deregistered').facts.code;
const INDIVIDUAL_BUSINESS = demoSubject('individual-business').facts.code;
const PARTIAL_DEBTOR = demoSubject('partial-debtor').facts.code;

/** 2025-11 … 2026-10: the base rises with the 2026-07 period, the ninth month. */
const JULY_2026 = 8;

/** Scripted social security histories of the demo subjects (see README, "Demo subjects"). */
export const SOCIAL_SECURITY_DEMO_HISTORIES: ReadonlyMap<string, SocialSecurityDemoHistory> = new Map<
  string,
  SocialSecurityDemoHistory
>([
  [
    WAGE_ARREARS,
    {
      unit: unit('wage-arrears', { cbzt: '1', cbrs: 210, ldbzdj: 'C', gxsj: '2026-10-28 09:15:42' }),
      // 210 insured at 1,600 yuan each owe 336,000 a month; the last four months are short by
      // 136,000 + 216,000 + 276,000 + 336,000 = 964,000 yuan.
      contributions: scriptedContributions(WAGE_ARREARS, '202610', [
        ...year([218, 217, 216, 215, 214, 213, 212, 212], 1_540, 1_600, JULY_2026),
        { cbrs: 210, perCapita: 1_600, paid: 200_000 },
        { cbrs: 210, perCapita: 1_600, paid: 120_000 },
        { cbrs: 210, perCapita: 1_600, paid: 60_000 },
        { cbrs: 210, perCapita: 1_600, paid: 0 },
      ]),
      listings: [
        {
          jlbh: 'TQGZ2025440305000117',
          tyshxydm: WAGE_ARREARS,
          lrsy: '克扣、无故拖欠农民工工资达到认定拒不支付劳动报酬罪数额标准',
          tqje: 1_285_000,
          lrrq: '20250910',
          rdbm: '深圳市南山区人力资源局',
          ycrq: null,
          gxsj: '2025-09-10 17:20:05',
        },
      ],
    },
  ],
  [
    CLEAN_SME,
    {
      unit: unit('clean-sme', { cbzt: '1', cbrs: 46, ldbzdj: 'A', gxsj: '2026-10-20 14:32:08' }),
      contributions: scriptedContributions(
        CLEAN_SME,
        '202610',
        year([44, 44, 44, 45, 45, 45, 45, 46, 46, 46, 46, 46], 1_380, 1_420, JULY_2026),
      ),
      listings: [],
    },
  ],
  [
    DEREGISTERED,
    {
      // Deregistered on 2024-06-28: the unit was closed and its last fee period is 2024-06.
      unit: unit('deregistered', { cbzt: '3', cbrs: 0, ldbzdj: 'B', gxsj: '2024-07-03 10:12:45' }),
      contributions: scriptedContributions(
        DEREGISTERED,
        '202406',
        year([9, 9, 8, 8, 8, 7, 7, 6, 5, 5, 4, 3], 1_650, 1_650, 0),
      ),
      listings: [],
    },
  ],
  [
    INDIVIDUAL_BUSINESS,
    {
      // A two-person shop the labour inspectorate has not graded.
      unit: unit('individual-business', { cbzt: '1', cbrs: 2, ldbzdj: null, gxsj: '2026-10-15 09:41:20' }),
      contributions: scriptedContributions(
        INDIVIDUAL_BUSINESS,
        '202610',
        year(Array<number>(12).fill(2), 960, 1_000, JULY_2026),
      ),
      listings: [],
    },
  ],
  [
    PARTIAL_DEBTOR,
    {
      unit: unit('partial-debtor', { cbzt: '1', cbrs: 120, ldbzdj: 'B', gxsj: '2026-10-22 16:05:51' }),
      contributions: scriptedContributions(
        PARTIAL_DEBTOR,
        '202610',
        year([126, 125, 124, 124, 123, 122, 122, 121, 121, 120, 120, 120], 1_350, 1_400, JULY_2026),
      ),
      listings: [],
    },
  ],
]);
