import { demoCode } from '../demo/subjects.js';
import type { TaxDemoHistory, TaxGradeItem, TaxPaymentItem } from './format.js';

/** Grades newest first, as `[year, grade, score]`; an empty score means assigned directly. */
function grades(...items: [number, TaxGradeItem['xydj'], string][]): TaxGradeItem[] {
  return items.map(([year, xydj, pf]) => ({ pdnd: String(year), xydj, pf }));
}

/** Monthly VAT (10101) and quarterly corporate income tax (10104), with voucher numbers per subject. */
function payments(
  voucherStem: string,
  vat: Record<string, string>,
  incomeTax: Record<string, string>,
): TaxPaymentItem[] {
  const items: TaxPaymentItem[] = [];
  for (const [zsxmdm, amounts] of [
    ['10101', vat],
    ['10104', incomeTax],
  ] as const) {
    for (const [ssq, sjje] of Object.entries(amounts)) {
      items.push({
        dzsphm: `3${ssq}${zsxmdm.slice(-2)}${voucherStem}${String(items.length + 1).padStart(3, '0')}`,
        ssq,
        zsxmdm,
        sjje,
      });
    }
  }
  return items;
}

const NO_CASES = { zdsswf: [], qsgg: [] } satisfies TaxDemoHistory;

/** Scripted tax histories of the demo subjects (see README, "Demo subjects"). */
export const TAX_DEMO_HISTORIES: ReadonlyMap<string, TaxDemoHistory> = new Map<string, TaxDemoHistory>([
  [
    demoCode('clean-sme'),
    {
      ...NO_CASES,
      xypj: grades(
        [2025, 'A', '96.0'],
        [2024, 'A', '94.5'],
        [2023, 'A', '92.0'],
        [2022, 'B', '88.5'],
        [2021, 'B', '85.0'],
      ),
      jnqk: payments(
        '500155',
        {
          '202511': '61842.30',
          '202512': '68905.12',
          '202601': '55310.48',
          '202602': '47226.90',
          '202603': '63118.75',
          '202604': '64502.16',
          '202605': '66871.04',
          '202606': '70233.58',
          '202607': '65940.27',
          '202608': '62487.61',
          '202609': '69102.85',
          '202610': '67455.39',
        },
        { '202512': '48650.00', '202603': '41280.00', '202606': '45915.00', '202609': '47302.00' },
      ),
    },
  ],
  [
    demoCode('major-tax-violator'),
    {
      xypj: grades([2025, 'D', ''], [2024, 'D', ''], [2023, 'B', '81.0'], [2022, 'B', '84.0'], [2021, 'B', '83.5']),
      zdsswf: [
        {
          ajbh: '东税稽检〔2024〕118号',
          ajxz: '虚开增值税专用发票',
          zywfss:
            '经国家税务总局东莞市税务局稽查局检查，发现其在2023年1月1日至2024年6月30日期间，在没有真实交易的情况下，采取购买他人开具的增值税专用发票等方式，向下游企业虚开增值税专用发票186份，金额1732.45万元，税额225.22万元。',
          flyjjcl:
            '依照《中华人民共和国税收征收管理法》第六十三条、《中华人民共和国发票管理办法》第二十一条、第三十五条等相关法律法规的有关规定，对其处以追缴税款225.22万元的行政处理、处以罚款225.22万元的行政处罚；依法移送公安机关处理。',
          cwfzrxm: '陈海燕',
          cwfzrzjhm: '441900198809072243',
          gbrq: '2025年03月18日',
          gbjg: '国家税务总局东莞市税务局',
        },
      ],
      qsgg: [
        {
          ggxh: 'QS4419002025000318',
          sz: '增值税',
          qsye: '1126100.00',
          qsssq: '202406',
          ggrq: '20250710',
          ggjg: '国家税务总局东莞市税务局',
        },
      ],
    },
  ],
  [
    demoCode('legacy-registration'),
    {
      ...NO_CASES,
      // The old registration was never updated with the credit code: only the old number finds it.
      shxydm: '',
      xypj: grades(
        [2025, 'B', '86.0'],
        [2024, 'B', '84.5'],
        [2023, 'B', '82.0'],
        [2022, 'B', '79.5'],
        [2021, 'B', '78.0'],
      ),
    },
  ],
  [
    demoCode('deregistered'),
    { ...NO_CASES, xypj: grades([2023, 'B', '76.0'], [2022, 'B', '79.0'], [2021, 'B', '82.0']), jnqk: [] },
  ],
  [
    demoCode('wage-arrears'),
    {
      xypj: grades(
        [2025, 'C', '62.0'],
        [2024, 'B', '74.0'],
        [2023, 'B', '80.0'],
        [2022, 'B', '83.0'],
        [2021, 'B', '85.0'],
      ),
      zdsswf: [],
      qsgg: [
        {
          ggxh: 'QS4403052025000042',
          sz: '增值税',
          qsye: '387650.00',
          qsssq: '202509',
          ggrq: '20251015',
          ggjg: '国家税务总局深圳市南山区税务局',
        },
      ],
    },
  ],
  [
    demoCode('partial-debtor'),
    {
      ...NO_CASES,
      xypj: grades(
        [2025, 'C', '58.0'],
        [2024, 'C', '64.0'],
        [2023, 'B', '77.0'],
        [2022, 'B', '80.0'],
        [2021, 'B', '82.0'],
      ),
    },
  ],
  [
    demoCode('procurement-ban-ended'),
    {
      ...NO_CASES,
      xypj: grades(
        [2025, 'B', '86.0'],
        [2024, 'B', '84.0'],
        [2023, 'B', '79.0'],
        [2022, 'B', '82.0'],
        [2021, 'B', '80.0'],
      ),
    },
  ],
  [
    demoCode('social-org'),
    {
      ...NO_CASES,
      xypj: grades(
        [2025, 'B', '83.0'],
        [2024, 'B', '82.5'],
        [2023, 'B', '81.0'],
        [2022, 'B', '80.0'],
        [2021, 'B', '78.5'],
      ),
    },
  ],
  [
    // No operating income above the threshold: M with a score, and nothing paid.
    demoCode('individual-business'),
    {
      ...NO_CASES,
      xypj: grades(
        [2025, 'M', '80.0'],
        [2024, 'M', '78.0'],
        [2023, 'M', '78.0'],
        [2022, 'M', '76.0'],
        [2021, 'M', '75.0'],
      ),
      jnqk: [],
    },
  ],
  [
    // Sales of its members' own produce are exempt: M with a score, and nothing paid.
    demoCode('farmer-coop'),
    {
      ...NO_CASES,
      xypj: grades(
        [2025, 'M', '76.0'],
        [2024, 'M', '74.0'],
        [2023, 'M', '74.0'],
        [2022, 'M', '72.0'],
        [2021, 'M', '72.0'],
      ),
      jnqk: [],
    },
  ],
  [
    demoCode('legacy-check-fail'),
    {
      ...NO_CASES,
      xypj: grades(
        [2025, 'A', '91.5'],
        [2024, 'B', '88.0'],
        [2023, 'B', '86.0'],
        [2022, 'B', '85.0'],
        [2021, 'B', '87.0'],
      ),
    },
  ],
  [
    // Unreachable at its address since 2019: an abnormal taxpayer, put at D directly.
    demoCode('serious-illegal'),
    { ...NO_CASES, xypj: grades([2021, 'D', '']), jnqk: [] },
  ],
]);
