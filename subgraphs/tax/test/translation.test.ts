import { describe, expect, it } from 'vitest';
import { FieldReader, SourceError } from '@credit-gateway/common';
import {
  addYears,
  attributeRows,
  evaluationYear,
  gradeLevel,
  taxPeriod,
  taxpayerNumberCandidates,
  taxTimestamp,
  translateTaxpayer,
  yuanAmount,
} from '../src/source/tax-credit.js';

const OPTIONS = { violationPublicityYears: 3 };
const CODE = '91500155MA5UQ01CXD';
const LEGACY = '91320505608263159P';
const OTHER = '91110105MA01HT6E2P';

function row(overrides: Record<string, unknown> = {}) {
  return {
    nsrsbh: CODE,
    shxydm: CODE,
    nsrmc: '某公司',
    zgswjg: '国家税务总局某市税务局',
    gxsj: '2026-10-18 17:29:40.0',
    xypj: [],
    zdsswf: [],
    qsgg: [],
    jnqk: [],
    ...overrides,
  };
}

const ok = (rows: unknown[]) => ({ code: '0000', message: '查询成功', rows });

describe('legacy values', () => {
  it('reads evaluation years, grades, periods, amounts and timestamps as the tax system writes them', () => {
    expect(['2025', '2025年', '2025年度', ' 2024 ', '25', '二〇二五'].map(evaluationYear)).toEqual([
      2025,
      2025,
      2025,
      2024,
      null,
      null,
    ]);
    expect(['A', ' b ', 'M级', 'd', 'E', 'AA', ''].map(gradeLevel)).toEqual(['A', 'B', 'M', 'D', null, null, null]);
    expect(['202406', '2024-06', '2024年6月', '202413', '202400', '2024', '24-06'].map(taxPeriod)).toEqual([
      '2024-06',
      '2024-06',
      '2024-06',
      null,
      null,
      null,
      null,
    ]);
    expect(
      ['1126100.00', '1,126,100.00', '387650.5元', ' 12 ', '-300.00', '1.2e5', '', '壹万'].map(yuanAmount),
    ).toEqual([1126100, 1126100, 387650.5, 12, -300, null, null, null]);
    expect(
      ['2026-10-18 17:29:40.0', '2026-10-18 17:29:40', '2026-10-18 17:29:40.123', '20261018172940', '2026-10-18'].map(
        taxTimestamp,
      ),
    ).toEqual(['2026-10-18T17:29:40+08:00', '2026-10-18T17:29:40+08:00', '2026-10-18T17:29:40+08:00', null, null]);
  });

  it('ends a publicity period whole years later, 29 February falling back in common years', () => {
    expect(addYears('2025-03-18', 3)).toBe('2028-03-18');
    expect(addYears('2024-02-29', 3)).toBe('2027-02-28');
    expect(addYears('2024-02-29', 4)).toBe('2028-02-29');
  });

  it('derives the credit code and the old division + organization code number', () => {
    expect(taxpayerNumberCandidates(LEGACY)).toEqual([LEGACY, '320505608263159']);
  });
});

describe('translateTaxpayer', () => {
  it('translates odd but legal values', () => {
    const record = translateTaxpayer(
      FieldReader.of(
        row({
          xypj: [
            { pdnd: 2023, xydj: 'b', pf: 81 },
            { pdnd: '2025年度', xydj: 'A级', pf: ' 93.5 ' },
            { pdnd: '2024', xydj: 'D', pf: '' },
            { pdnd: '2022', xydj: 'M' },
          ],
          zdsswf: [
            {
              ajbh: 'C1',
              ajxz: '偷税',
              zywfss: '少缴税款',
              flyjjcl: '追缴税款',
              cwfzrxm: '王某',
              cwfzrzjhm: '441900********2243',
              gbrq: '2024年02月29日',
              gbjg: '国家税务总局东莞市税务局',
            },
            {
              ajbh: 'C2',
              ajxz: '偷税',
              zywfss: '少缴税款',
              flyjjcl: '追缴税款',
              cwfzrxm: '',
              cwfzrzjhm: '',
              gbrq: '2025-05-06',
              gbjg: '某局',
            },
            // A first-generation 15-digit ID number is upgraded to 18 digits.
            {
              ajbh: 'C3',
              ajxz: '偷税',
              zywfss: '少缴税款',
              flyjjcl: '追缴税款',
              cwfzrxm: '李某',
              cwfzrzjhm: '110105491231002',
              gbrq: '2023/1/9',
              gbjg: '某局',
            },
          ],
          qsgg: [{ ggxh: 'Q1', sz: '房产税', qsye: '1,234.50元', qsssq: 202406, ggrq: '20250710', ggjg: '某局' }],
          jnqk: [
            { dzsphm: 'P1', ssq: '202601', zsxmdm: '10109', sjje: '100.00' },
            { dzsphm: 'P2', ssq: '2026-01', zsxmdm: 10101, sjje: 2000.5 },
            { dzsphm: 'P3', ssq: '202512', zsxmdm: '10199', sjje: '-30.00' },
          ],
        }),
        'row',
      ),
      OPTIONS,
    );
    const asOf = '2026-10-18T17:29:40+08:00';
    expect(record.taxpayerNumber).toBe(CODE);
    expect(record.creditGrades.map(({ year, grade, score, published }) => [year, grade, score, published])).toEqual([
      [2025, 'A', 93.5, true],
      [2024, 'D', null, false],
      [2023, 'B', 81, false],
      [2022, 'M', null, false],
    ]);
    expect(record.creditGrades[0]!.provenance).toEqual({
      source: 'TAX',
      system: '税务信用管理系统 (Tax Credit Management System)',
      recordId: `${CODE}-2025`,
      asOf,
    });
    expect(
      record.majorViolations.map((v) => [v.caseNumber, v.publishedOn, v.publicityEndsOn, v.responsibleFinanceOfficer]),
    ).toEqual([
      ['C2', '2025-05-06', '2028-05-06', null],
      ['C1', '2024-02-29', '2027-02-28', { name: '王某', idNumber: null }],
      ['C3', '2023-01-09', '2026-01-09', { name: '李某', idNumber: '11010519491231002X' }],
    ]);
    expect(record.arrearsNotices).toEqual([
      {
        taxType: '房产税',
        amount: 1234.5,
        period: '2024-06',
        announcedOn: '2025-07-10',
        authority: '某局',
        provenance: expect.objectContaining({ recordId: 'Q1', asOf }),
      },
    ]);
    expect(record.payments.map(({ period, taxType, amount }) => [period, taxType, amount])).toEqual([
      ['2026-01', '城市维护建设税', 100],
      ['2026-01', '增值税', 2000.5],
      // An unknown item code is kept rather than lost.
      ['2025-12', '10199', -30],
    ]);
  });

  it.each([
    ['an unknown grade', { xypj: [{ pdnd: '2025', xydj: 'E', pf: '50' }] }, 'row.xypj[0].xydj'],
    ['a score over 100', { xypj: [{ pdnd: '2025', xydj: 'A', pf: '120' }] }, 'row.xypj[0].pf'],
    ['a score that is not a number', { xypj: [{ pdnd: '2025', xydj: 'A', pf: '优' }] }, 'row.xypj[0].pf'],
    ['a year that is not a year', { xypj: [{ pdnd: '25', xydj: 'A', pf: '95' }] }, 'row.xypj[0].pdnd'],
    [
      'a period with month 13',
      { jnqk: [{ dzsphm: 'P', ssq: '202613', zsxmdm: '10101', sjje: '1.00' }] },
      'row.jnqk[0].ssq',
    ],
    [
      'an amount in words',
      { qsgg: [{ ggxh: 'Q', sz: '增值税', qsye: '壹万元', qsssq: '202406', ggrq: '20250710', ggjg: '某局' }] },
      'row.qsgg[0].qsye',
    ],
    [
      'an unreadable publication date',
      { zdsswf: [{ ajbh: 'C', ajxz: '偷税', zywfss: 'x', flyjjcl: 'y', gbrq: '上月', gbjg: '某局' }] },
      'row.zdsswf[0].gbrq',
    ],
    ['a timestamp in another format', { gxsj: '18/10/2026' }, 'row.gxsj'],
    ['a list that is not a list', { qsgg: 'none' }, 'row.qsgg'],
  ])('rejects %s, naming the field', (_, overrides, field) => {
    expect(() => translateTaxpayer(FieldReader.of(row(overrides), 'row'), OPTIONS)).toThrow(field);
  });
});

describe('attributeRows', () => {
  it('gives each row to the code that asked for its number, whatever order the rows come in', () => {
    const found = attributeRows(
      [CODE, LEGACY, OTHER],
      ok([row({ nsrsbh: '320505608263159', shxydm: '' }), row({ nsrsbh: CODE })]),
      OPTIONS,
    );
    expect([...found.keys()].sort()).toEqual([CODE, LEGACY].sort());
    expect((found.get(LEGACY) as { taxpayerNumber: string }).taxpayerNumber).toBe('320505608263159');
    expect((found.get(CODE) as { taxpayerNumber: string }).taxpayerNumber).toBe(CODE);
    expect(found.has(OTHER)).toBe(false);
  });

  it('does not give an old number to a code other than the one the tax system recorded for it', () => {
    const sibling = '93320505608263159X';
    const found = attributeRows([sibling, LEGACY], ok([row({ nsrsbh: '320505608263159', shxydm: LEGACY })]), OPTIONS);
    expect(found.has(sibling)).toBe(false);
    expect(found.has(LEGACY)).toBe(true);
  });

  it('prefers the record keyed by the credit code over one keyed by an old number', () => {
    const found = attributeRows(
      [LEGACY],
      ok([row({ nsrsbh: LEGACY, shxydm: LEGACY }), row({ nsrsbh: '320505608263159', shxydm: '' })]),
      OPTIONS,
    );
    expect((found.get(LEGACY) as { taxpayerNumber: string }).taxpayerNumber).toBe(LEGACY);
  });

  it('ignores rows for numbers nobody asked for', () => {
    expect(attributeRows([CODE], ok([row({ nsrsbh: OTHER })]), OPTIONS).size).toBe(0);
  });

  it('fails only the subject whose row is malformed', () => {
    const found = attributeRows(
      [CODE, OTHER],
      ok([row({ nsrsbh: CODE, xypj: [{ pdnd: '2025', xydj: 'E' }] }), row({ nsrsbh: OTHER })]),
      OPTIONS,
    );
    const failed = found.get(CODE);
    expect(failed).toBeInstanceOf(SourceError);
    expect((failed as SourceError).extensions).toEqual({ code: 'SOURCE_BAD_RESPONSE', source: 'tax' });
    expect(found.get(OTHER)).not.toBeInstanceOf(SourceError);
  });

  it.each([
    ['an error code', { code: '9999', message: '系统异常', rows: null }],
    ['rows that are not a list', { code: '0000', message: '查询成功', rows: {} }],
    ['a row without a taxpayer number', ok([{ nsrmc: '某公司' }])],
    ['a body that is not an object', '系统维护中'],
  ])('throws SOURCE_BAD_RESPONSE for the whole batch on %s', (_, body) => {
    expect(() => attributeRows([CODE], body, OPTIONS)).toThrow(
      expect.objectContaining({ extensions: { code: 'SOURCE_BAD_RESPONSE', source: 'tax' } }),
    );
  });
});
