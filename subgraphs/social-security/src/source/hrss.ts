import {
  badResponse,
  chinaLocalToIso,
  FieldReader,
  legacyDate,
  LegacyFormatError,
  provenance,
  SourceError,
  type SourceCallMetrics,
} from '@credit-gateway/common';
import type {
  ContributionStatus,
  LabourSecurityGrade,
  MonthlyContribution,
  WageArrearsListing,
} from '../__generated__/types.js';
import type { FrontDb, FrontDbRow } from './front-db.js';
import type { SocialSecurityRecord } from './models.js';

/** A record per code: the translated record, or the error of that code's malformed rows. */
export type SocialSecurityLookup = Map<string, SocialSecurityRecord | SourceError>;

type RowKind = 'DW' | 'JF' | 'MD';

/** Columns of the lookup: a discriminator, the code, then each table's own columns under their own names. */
const COLUMNS = [
  'jllx',
  'tyshxydm',
  'dwbh',
  'cbzt',
  'cbrs',
  'ldbzdj',
  'gxsj',
  'fkssq',
  'yjje',
  'sjje',
  'jlbh',
  'lrsy',
  'tqje',
  'lrrq',
  'rdbm',
  'ycrq',
] as const;

type Column = (typeof COLUMNS)[number];

/**
 * Which columns each table fills. Numbers are cast to text, so that both drivers return the same
 * JS types (PostgreSQL returns NUMERIC as text, SQLite as a float).
 */
const BRANCHES: readonly { kind: RowKind; table: string; columns: Partial<Record<Column, string>> }[] = [
  {
    kind: 'DW',
    table: 'sb_dwcbxx',
    columns: { dwbh: 'dwbh', cbzt: 'cbzt', cbrs: 'CAST(cbrs AS TEXT)', ldbzdj: 'ldbzdj', gxsj: 'gxsj' },
  },
  {
    kind: 'JF',
    table: 'sb_jfmx',
    columns: { fkssq: 'fkssq', cbrs: 'CAST(cbrs AS TEXT)', yjje: 'CAST(yjje AS TEXT)', sjje: 'CAST(sjje AS TEXT)' },
  },
  {
    kind: 'MD',
    table: 'sb_tqgzmd',
    columns: {
      jlbh: 'jlbh',
      lrsy: 'lrsy',
      tqje: 'CAST(tqje AS TEXT)',
      lrrq: 'lrrq',
      rdbm: 'rdbm',
      ycrq: 'ycrq',
      gxsj: 'gxsj',
    },
  },
];

/**
 * The one query per batch: a UNION ALL over the three tables for `count` codes, `$1`…`$n`, in
 * SQL that PostgreSQL and SQLite both run as written.
 */
export function lookupQuery(count: number): string {
  const placeholders = Array.from({ length: count }, (_, index) => `$${index + 1}`).join(', ');
  return BRANCHES.map(({ kind, table, columns }) => {
    const select = COLUMNS.map((column) => {
      const expression =
        column === 'jllx'
          ? `'${kind}'`
          : column === 'tyshxydm'
            ? 'tyshxydm'
            : (columns[column] ?? 'CAST(NULL AS TEXT)');
      return `${expression} AS ${column}`;
    });
    return `SELECT ${select.join(', ')} FROM ${table} WHERE tyshxydm IN (${placeholders})`;
  }).join(' UNION ALL ');
}

const yuan = (amount: number) => Math.round(amount * 100) / 100;

/** 参保状态 codes, and the words older rows still carry instead. */
function unitStatus(raw: FieldReader): 'ACTIVE' | 'SUSPENDED' | 'CLOSED' {
  const text = raw.string('cbzt').replace(/^0+(?=\d)/, '');
  if (text === '1' || text.startsWith('正常')) return 'ACTIVE';
  if (text === '2' || text.startsWith('暂停')) return 'SUSPENDED';
  if (text === '3' || text.startsWith('注销')) return 'CLOSED';
  return raw.fail('cbzt', "'1', '2' or '3'");
}

/** A unit that pays is NORMAL until any period it holds is short, then IN_ARREARS. */
export function contributionStatus(status: 'ACTIVE' | 'SUSPENDED' | 'CLOSED', arrears: number): ContributionStatus {
  if (status === 'SUSPENDED') return 'SUSPENDED';
  if (status === 'CLOSED') return 'CLOSED';
  return arrears > 0 ? 'IN_ARREARS' : 'NORMAL';
}

/** 劳动保障守法诚信等级 as clerks type it: `A`, `a`, `A级`; blank when the unit is not rated. */
function grade(raw: FieldReader): LabourSecurityGrade | null {
  const written = raw.optionalString('ldbzdj');
  if (written === null) return null;
  const text = written.toUpperCase().replace(/级$/, '');
  if (text === 'A' || text === 'B' || text === 'C') return text;
  return raw.fail('ldbzdj', "'A', 'B', 'C' or blank");
}

function headcount(raw: FieldReader, key: string): number {
  const value = raw.number(key);
  if (!Number.isInteger(value) || value < 0) raw.fail(key, 'a whole number of people');
  return value;
}

function amount(raw: FieldReader, key: string): number {
  const value = raw.number(key);
  if (value < 0) raw.fail(key, 'an amount of at least 0');
  return yuan(value);
}

/** 费款所属期 `YYYYMM` (some rows carry `YYYY-MM`) → `YYYY-MM`. */
function feePeriod(raw: FieldReader): string {
  const match = /^(\d{4})-?(\d{2})$/.exec(raw.string('fkssq'));
  const month = Number(match?.[2]);
  if (!match || month < 1 || month > 12) raw.fail('fkssq', 'a fee period YYYYMM');
  return `${match[1]}-${match[2]}`;
}

/** 更新时间 `YYYY-MM-DD HH:mm:ss` in China Standard Time; a bare date is taken as its midnight. */
function updatedAt(raw: FieldReader): string {
  const text = raw.string('gxsj');
  const date = legacyDate(text);
  return chinaLocalToIso(text) ?? (date ? `${date}T00:00:00+08:00` : raw.fail('gxsj', 'YYYY-MM-DD HH:mm:ss'));
}

/** 移出日期; some rows mark "not removed" with the far-future date 9999-12-31 instead of blank. */
function removalDate(raw: FieldReader): string | null {
  const date = raw.optionalDate('ycrq');
  return date !== null && date >= '9999-01-01' ? null : date;
}

export function translatePeriod(raw: FieldReader): MonthlyContribution {
  const amountDue = amount(raw, 'yjje');
  const amountPaid = amount(raw, 'sjje');
  return {
    period: feePeriod(raw),
    insuredHeadcount: headcount(raw, 'cbrs'),
    amountDue,
    amountPaid,
    // Paying more than is due (settling an earlier period) leaves nothing owed for this one.
    arrears: yuan(Math.max(0, amountDue - amountPaid)),
  };
}

export function translateListing(raw: FieldReader): WageArrearsListing {
  return {
    reason: raw.string('lrsy'),
    amountOwed: amount(raw, 'tqje'),
    listedOn: raw.date('lrrq'),
    authority: raw.string('rdbm'),
    removedOn: removalDate(raw),
    provenance: provenance('social-security', raw.string('jlbh'), updatedAt(raw)),
  };
}

interface SubjectRows {
  units: FieldReader[];
  periods: FieldReader[];
  listings: FieldReader[];
}

/** Translates one subject's rows; throws LegacyFormatError when they are malformed. */
export function translateSubject(rows: SubjectRows): SocialSecurityRecord {
  const [unit, ...others] = rows.units;
  if (!unit || others.length > 0) throw new LegacyFormatError(`expected one sb_dwcbxx row, got ${rows.units.length}`);
  const history = rows.periods.map(translatePeriod).sort((a, b) => b.period.localeCompare(a.period));
  for (let index = 1; index < history.length; index++) {
    if (history[index]!.period === history[index - 1]!.period)
      throw new LegacyFormatError(`period ${history[index]!.period} appears twice`);
  }
  const arrears = yuan(history.reduce((sum, month) => sum + month.arrears, 0));
  const unitNumber = unit.string('dwbh');
  return {
    unitNumber,
    insuredHeadcount: headcount(unit, 'cbrs'),
    contributionStatus: contributionStatus(unitStatus(unit), arrears),
    history,
    arrears,
    labourSecurityGrade: grade(unit),
    wageArrearsListings: rows.listings.map(translateListing).sort((a, b) => b.listedOn.localeCompare(a.listedOn)),
    // The unit number is not public, so the public provenance names the row by its credit code.
    provenance: provenance('social-security', `sb_dwcbxx/${unit.string('tyshxydm')}`, updatedAt(unit)),
  };
}

/**
 * Groups the lookup's rows by code and translates each subject. Rows that cannot be attributed
 * (no discriminator, no code, or a code nobody asked for) make the whole response unreadable;
 * a subject's malformed rows fail only that subject.
 */
export function translateRows(rows: readonly FrontDbRow[], codes: readonly string[]): SocialSecurityLookup {
  const grouped = new Map<string, SubjectRows>(codes.map((code) => [code, { units: [], periods: [], listings: [] }]));
  for (const [index, row] of rows.entries()) {
    let kind: string | null;
    let code: string | null;
    let reader: FieldReader;
    try {
      reader = FieldReader.of(row, `row[${index}]`);
      kind = reader.optionalString('jllx');
      code = reader.optionalString('tyshxydm');
    } catch (error) {
      throw badResponse('social-security', String(error));
    }
    const subject = code === null ? undefined : grouped.get(code);
    if (!subject) throw badResponse('social-security', `row[${index}]: tyshxydm is not one of the codes asked for`);
    if (kind === 'DW') subject.units.push(reader);
    else if (kind === 'JF') subject.periods.push(reader);
    else if (kind === 'MD') subject.listings.push(reader);
    else throw badResponse('social-security', `row[${index}]: unknown jllx '${kind}'`);
  }
  const found: SocialSecurityLookup = new Map();
  for (const [code, subject] of grouped) {
    if (subject.units.length + subject.periods.length + subject.listings.length === 0) continue;
    try {
      found.set(code, translateSubject(subject));
    } catch (error) {
      found.set(code, new SourceError('SOURCE_BAD_RESPONSE', 'social-security', { cause: error }));
    }
  }
  return found;
}

/** The adapter to the front-end database: one query for any number of codes, and its translation. */
export function createHrssSource(db: FrontDb, metrics?: SourceCallMetrics) {
  return {
    async lookup(codes: readonly string[]): Promise<SocialSecurityLookup> {
      if (codes.length === 0) return new Map();
      const query = () => db.query(lookupQuery(codes.length), codes);
      const rows = await (metrics ? metrics.time('social-security', query) : query());
      return translateRows(rows, codes);
    },
  };
}

export type HrssSource = ReturnType<typeof createHrssSource>;
