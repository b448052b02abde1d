import { describe, expect, it } from 'vitest';
import { SourceError } from '@credit-gateway/common';
import { contributionStatus, lookupQuery, translateRows } from '../src/source/hrss.js';
import { postgresErrorCode } from '../src/source/drivers/postgres.js';

const A = '91440305MA5G8WL211';
const B = '91500155MA5UQ01CXD';
const C = '91110105MA01HT6E2P';
const D = '92342301MA2TK8Y55A';

const NULLS = {
  dwbh: null,
  cbzt: null,
  cbrs: null,
  ldbzdj: null,
  gxsj: null,
  fkssq: null,
  yjje: null,
  sjje: null,
  jlbh: null,
  lrsy: null,
  tqje: null,
  lrrq: null,
  rdbm: null,
  ycrq: null,
};

const unit = (code: string, fields: Record<string, string | null>) => ({
  ...NULLS,
  jllx: 'DW',
  tyshxydm: code,
  dwbh: '4403001',
  cbzt: '1',
  cbrs: '12',
  ldbzdj: 'A',
  gxsj: '2026-10-28 09:15:42',
  ...fields,
});
const period = (code: string, fkssq: string, cbrs: string, yjje: string, sjje: string) => ({
  ...NULLS,
  jllx: 'JF',
  tyshxydm: code,
  fkssq,
  cbrs,
  yjje,
  sjje,
});
const listing = (code: string, fields: Record<string, string | null>) => ({
  ...NULLS,
  jllx: 'MD',
  tyshxydm: code,
  jlbh: 'TQ1',
  lrsy: '拖欠农民工工资',
  tqje: '1285000.00',
  lrrq: '20250910',
  rdbm: '深圳市南山区人力资源局',
  ycrq: null,
  gxsj: '2025-09-10 17:20:05',
  ...fields,
});

function failure(result: unknown) {
  expect(result).toBeInstanceOf(SourceError);
  const error = result as SourceError;
  return { code: error.code, source: error.sourceName, cause: String(error.cause) };
}

describe('front-end database translation', () => {
  it('reads the odd values legacy rows hold', () => {
    const found = translateRows(
      [
        unit(A, { cbzt: '01', cbrs: '12', ldbzdj: 'b级', gxsj: '2026-10-28' }),
        // PostgreSQL casts NUMERIC(16,2) to '3600.00', SQLite to '3600'; both are amounts.
        period(A, '202610', '12', '3600.00', '0'),
        period(A, '2026-09', '12', '3600', '1800.5'),
        // An overpayment settles an earlier period: nothing is owed for this one.
        period(A, '202608', '12', '3600', '4000.00'),
        listing(A, { jlbh: 'TQ1', lrrq: '2025/09/10', ycrq: '99991231' }),
        listing(A, { jlbh: 'TQ0', lrrq: '20220301', ycrq: '20230301', gxsj: '2023-03-01 09:00:00' }),
      ],
      [A, B],
    );
    expect(found.get(B)).toBeUndefined();
    expect(found.get(A)).toEqual({
      unitNumber: '4403001',
      insuredHeadcount: 12,
      contributionStatus: 'IN_ARREARS',
      history: [
        { period: '2026-10', insuredHeadcount: 12, amountDue: 3600, amountPaid: 0, arrears: 3600 },
        { period: '2026-09', insuredHeadcount: 12, amountDue: 3600, amountPaid: 1800.5, arrears: 1799.5 },
        { period: '2026-08', insuredHeadcount: 12, amountDue: 3600, amountPaid: 4000, arrears: 0 },
      ],
      arrears: 5399.5,
      labourSecurityGrade: 'B',
      wageArrearsListings: [
        {
          reason: '拖欠农民工工资',
          amountOwed: 1_285_000,
          listedOn: '2025-09-10',
          authority: '深圳市南山区人力资源局',
          removedOn: null,
          provenance: expect.objectContaining({ recordId: 'TQ1', asOf: '2025-09-10T17:20:05+08:00' }),
        },
        expect.objectContaining({ listedOn: '2022-03-01', removedOn: '2023-03-01' }),
      ],
      provenance: {
        source: 'SOCIAL_SECURITY',
        system: '人力社保前置库 (Social Security Front-end Database)',
        recordId: 'sb_dwcbxx/91440305MA5G8WL211',
        asOf: '2026-10-28T00:00:00+08:00',
      },
    });
  });

  it('takes status words where older rows carry them instead of codes, and a blank grade as none', () => {
    const found = translateRows([unit(A, { cbzt: '暂停参保', ldbzdj: '' }), unit(B, { cbzt: '注销' })], [A, B]);
    expect(found.get(A)).toMatchObject({
      contributionStatus: 'SUSPENDED',
      labourSecurityGrade: null,
      history: [],
      arrears: 0,
    });
    expect(found.get(B)).toMatchObject({ contributionStatus: 'CLOSED' });
  });

  it('fails only the subject whose rows are malformed', () => {
    const found = translateRows(
      [
        unit(A, {}),
        unit(B, { cbzt: '9' }),
        // Periods without a unit row: the front-end database is inconsistent for this subject.
        period(C, '202610', '3', '100', '100'),
        unit(D, {}),
        period(D, '202613', '3', '100', '100'),
      ],
      [A, B, C, D],
    );
    expect(found.get(A)).toMatchObject({ contributionStatus: 'NORMAL' });
    expect(failure(found.get(B))).toEqual({
      code: 'SOURCE_BAD_RESPONSE',
      source: 'social-security',
      cause: "LegacyFormatError: row[1].cbzt: expected '1', '2' or '3'",
    });
    expect(failure(found.get(C))).toEqual({
      code: 'SOURCE_BAD_RESPONSE',
      source: 'social-security',
      cause: 'LegacyFormatError: expected one sb_dwcbxx row, got 0',
    });
    expect(failure(found.get(D))).toEqual({
      code: 'SOURCE_BAD_RESPONSE',
      source: 'social-security',
      cause: 'LegacyFormatError: row[4].fkssq: expected a fee period YYYYMM',
    });
  });

  it.each([
    ['a fractional headcount', period(A, '202610', '2.5', '100', '100')],
    ['a negative amount', period(A, '202610', '2', '-100', '100')],
    ['an unknown grade', unit(A, { ldbzdj: 'D' })],
    ['an unreadable update time', unit(A, { gxsj: '上月' })],
    ['the same period twice', period(A, '202609', '2', '100', '100')],
  ])('fails the subject on %s', (_, row) => {
    const rows = row.jllx === 'DW' ? [row] : [unit(A, {}), period(A, '202609', '2', '100', '100'), row];
    expect(failure(translateRows(rows, [A]).get(A)).code).toBe('SOURCE_BAD_RESPONSE');
  });

  it.each([
    ['a row that is not an object', ['系统维护中']],
    ['a row without the discriminator', [{ ERRCODE: 'E9001', ERRMSG: '前置库同步中' }]],
    ['an unknown discriminator', [{ ...NULLS, jllx: 'XX', tyshxydm: A }]],
    ['a code nobody asked for', [unit(C, {})]],
  ])('fails the whole response on %s', (_, rows) => {
    expect(() => translateRows(rows as Record<string, unknown>[], [A, B])).toThrowError(
      expect.objectContaining({
        code: 'SOURCE_BAD_RESPONSE',
        extensions: { code: 'SOURCE_BAD_RESPONSE', source: 'social-security' },
      }),
    );
  });

  it('derives the contribution status from the unit status and the arrears', () => {
    expect(contributionStatus('ACTIVE', 0)).toBe('NORMAL');
    expect(contributionStatus('ACTIVE', 0.01)).toBe('IN_ARREARS');
    expect(contributionStatus('SUSPENDED', 500)).toBe('SUSPENDED');
    expect(contributionStatus('CLOSED', 500)).toBe('CLOSED');
  });

  it('asks for every table in one query, with the same placeholders in each branch', () => {
    const sql = lookupQuery(3);
    expect(sql.match(/ UNION ALL /g)).toHaveLength(2);
    expect(sql.match(/WHERE tyshxydm IN \(\$1, \$2, \$3\)/g)).toHaveLength(3);
    expect(sql).toContain("SELECT 'DW' AS jllx, tyshxydm AS tyshxydm, dwbh AS dwbh");
  });
});

describe('driver details', () => {
  it.each([
    [{ code: '57014', message: 'canceling statement due to statement timeout' }, 'SOURCE_TIMEOUT'],
    [new Error('timeout exceeded when trying to connect'), 'SOURCE_TIMEOUT'],
    [new Error('Query read timeout'), 'SOURCE_TIMEOUT'],
    [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:5432' }, 'SOURCE_UNAVAILABLE'],
    [new Error('Connection terminated unexpectedly'), 'SOURCE_UNAVAILABLE'],
    [{ code: '57P01', message: 'terminating connection due to administrator command' }, 'SOURCE_UNAVAILABLE'],
    [{ code: '53300', message: 'too many connections' }, 'SOURCE_UNAVAILABLE'],
    [{ code: '42P01', message: 'relation "sb_jfmx" does not exist' }, 'SOURCE_BAD_RESPONSE'],
    [{ code: '42703', message: 'column "ldbzdj" does not exist' }, 'SOURCE_BAD_RESPONSE'],
  ])('maps the PostgreSQL failure %o to %s', (error, code) => {
    expect(postgresErrorCode(error)).toBe(code);
  });
});
