import {
  badResponse,
  callSource,
  chinaLocalToIso,
  FieldReader,
  findIdNumberProblem,
  LegacyFormatError,
  normalizeIdNumber,
  provenance,
  SourceError,
  type SourceCallMetrics,
} from '@credit-gateway/common';
import type { TaxCreditGradeLevel } from '../__generated__/types.js';
import type { ResponsiblePersonModel, TaxRecord } from './models.js';

export interface TaxCreditSourceOptions {
  baseUrl: string;
  timeoutMs: number;
  /** Years a major violation case stays published after its publication date. */
  violationPublicityYears: number;
  /** Where each call's latency and outcome are counted. */
  metrics?: SourceCallMetrics;
}

/** A record per code: the translated record, or the error that fails only that subject. */
export type TaxLookup = Map<string, TaxRecord | SourceError>;

/**
 * The numbers a subject may be keyed by in the tax system: its credit code, or for a pre-2015
 * registration the old taxpayer number, division (positions 3–8) + organization code (9–17).
 */
export function taxpayerNumberCandidates(code: string): [string, string] {
  return [code, code.slice(2, 17)];
}

/** 征收项目代码 (tax item codes) the tax system sends for payments. */
const TAX_ITEMS: Readonly<Record<string, string>> = {
  '10101': '增值税',
  '10102': '消费税',
  '10104': '企业所得税',
  '10106': '个人所得税',
  '10107': '资源税',
  '10109': '城市维护建设税',
  '10110': '房产税',
  '10111': '印花税',
  '10112': '城镇土地使用税',
  '10113': '土地增值税',
  '10114': '车船税',
  '10119': '契税',
  '10121': '环境保护税',
  '30203': '教育费附加',
  '30216': '地方教育附加',
};

const GRADES: ReadonlySet<string> = new Set<TaxCreditGradeLevel>(['A', 'B', 'M', 'C', 'D']);

/** Only the A list is published by the tax administration; other grades are not public. */
const PUBLISHED_GRADES: ReadonlySet<TaxCreditGradeLevel> = new Set<TaxCreditGradeLevel>(['A']);

/** A value the tax system sends either as a string or as a number, as text. */
function text(item: FieldReader, key: string): string {
  try {
    return item.string(key);
  } catch (error) {
    if (!(error instanceof LegacyFormatError)) throw error;
    return String(item.number(key));
  }
}

/** Like `text`, for a value that may be missing or empty. */
function optionalText(item: FieldReader, key: string): string | null {
  try {
    return item.optionalString(key) || null;
  } catch (error) {
    if (!(error instanceof LegacyFormatError)) throw error;
    return String(item.number(key));
  }
}

/** `2025`, `2025年`, `2025年度` → 2025. */
export function evaluationYear(value: string): number | null {
  const match = /^(\d{4})(?:年度?)?$/.exec(value.trim());
  return match ? Number(match[1]) : null;
}

/** `A`, ` a `, `A级` → A; anything outside the five grades is null. */
export function gradeLevel(value: string): TaxCreditGradeLevel | null {
  const grade = value.trim().toUpperCase().replace(/级$/, '');
  return GRADES.has(grade) ? (grade as TaxCreditGradeLevel) : null;
}

/** `202406`, `2024-06`, `2024年6月` → 2024-06. */
export function taxPeriod(value: string): string | null {
  const match = /^(\d{4})(?:-|年)?(\d{1,2})月?$/.exec(value.trim());
  if (!match) return null;
  const month = Number(match[2]);
  return month >= 1 && month <= 12 ? `${match[1]}-${String(month).padStart(2, '0')}` : null;
}

/** `1126100.00`, `1,126,100.00`, `1126100.00元` → 1126100. */
export function yuanAmount(value: string): number | null {
  const cleaned = value
    .trim()
    .replace(/[,，\s]/g, '')
    .replace(/元$/, '');
  if (!/^-?\d+(?:\.\d+)?$/.test(cleaned)) return null;
  return Number(cleaned);
}

/** The tax system's Oracle timestamps, `YYYY-MM-DD HH:mm:ss.0`, → ISO 8601 in China Standard Time. */
export function taxTimestamp(value: string): string | null {
  return chinaLocalToIso(value.trim().replace(/\.\d+$/, ''));
}

/** A date plus whole years; 29 February becomes 28 February in a common year. */
export function addYears(date: string, years: number): string {
  return `${Number(date.slice(0, 4)) + years}${date.slice(4)}`.replace(/^(\d{4})-02-29$/, (whole, year: string) =>
    Number(year) % 4 === 0 && (Number(year) % 100 !== 0 || Number(year) % 400 === 0) ? whole : `${year}-02-28`,
  );
}

/** A finance officer identifies a Person only by a valid resident ID number. */
function responsiblePerson(name: string | null, idNumber: string | null): ResponsiblePersonModel | null {
  if (name === null) return null;
  const normalized = idNumber === null ? null : normalizeIdNumber(idNumber);
  return { name, idNumber: normalized !== null && findIdNumberProblem(normalized) === null ? normalized : null };
}

const newestFirst =
  <T>(key: (item: T) => string) =>
  (a: T, b: T) =>
    key(b).localeCompare(key(a));

/** Translates one taxpayer row into the shared schema; throws LegacyFormatError on a malformed row. */
export function translateTaxpayer(
  raw: FieldReader,
  options: Pick<TaxCreditSourceOptions, 'violationPublicityYears'>,
): TaxRecord {
  const taxpayerNumber = raw.string('nsrsbh');
  const asOf = taxTimestamp(raw.string('gxsj')) ?? raw.fail('gxsj', 'YYYY-MM-DD HH:mm:ss[.f]');
  const source = (id: string) => provenance('tax', id, asOf);
  return {
    taxpayerNumber,
    creditGrades: raw
      .list('xypj')
      .map((g) => {
        const year = evaluationYear(text(g, 'pdnd')) ?? g.fail('pdnd', 'a year');
        const grade = gradeLevel(g.string('xydj')) ?? g.fail('xydj', 'one of A, B, M, C, D');
        // An empty score means the grade was assigned directly, without an evaluation.
        const points = optionalText(g, 'pf');
        const score = points === null ? null : Number(points);
        if (score !== null && !(score >= 0 && score <= 100)) g.fail('pf', 'a score from 0 to 100');
        return {
          year,
          grade,
          score,
          published: PUBLISHED_GRADES.has(grade),
          provenance: source(`${taxpayerNumber}-${year}`),
        };
      })
      .sort((a, b) => b.year - a.year),
    majorViolations: raw
      .list('zdsswf')
      .map((v) => {
        const publishedOn = v.date('gbrq');
        return {
          caseNumber: v.string('ajbh'),
          caseNature: v.string('ajxz'),
          mainFacts: v.string('zywfss'),
          legalBasisAndHandling: v.string('flyjjcl'),
          responsibleFinanceOfficer: responsiblePerson(v.optionalString('cwfzrxm'), v.optionalString('cwfzrzjhm')),
          publishedOn,
          publicityEndsOn: addYears(publishedOn, options.violationPublicityYears),
          authority: v.string('gbjg'),
          provenance: source(v.string('ajbh')),
        };
      })
      .sort(newestFirst((v) => v.publishedOn)),
    arrearsNotices: raw
      .list('qsgg')
      .map((n) => ({
        taxType: n.string('sz'),
        amount: yuanAmount(text(n, 'qsye')) ?? n.fail('qsye', 'an amount in yuan'),
        period: taxPeriod(text(n, 'qsssq')) ?? n.fail('qsssq', 'a period YYYYMM'),
        announcedOn: n.date('ggrq'),
        authority: n.string('ggjg'),
        provenance: source(n.string('ggxh')),
      }))
      .sort(newestFirst((n) => n.announcedOn)),
    payments: raw
      .list('jnqk')
      .map((p) => {
        const item = text(p, 'zsxmdm');
        return {
          period: taxPeriod(text(p, 'ssq')) ?? p.fail('ssq', 'a period YYYYMM'),
          // An item code this adapter does not know is shown as the code itself rather than lost.
          taxType: TAX_ITEMS[item] ?? item,
          amount: yuanAmount(text(p, 'sjje')) ?? p.fail('sjje', 'an amount in yuan'),
          provenance: source(p.string('dzsphm')),
        };
      })
      .sort((a, b) => b.period.localeCompare(a.period) || a.taxType.localeCompare(b.taxType)),
  };
}

/**
 * Attributes the rows of one batch answer to the codes asked for. A row keyed by a credit code
 * belongs to that code. A row keyed by an old number belongs to the codes whose number it is,
 * unless the tax system recorded a different credit code for it; a row keyed by the code itself
 * wins over one keyed by an old number.
 */
export function attributeRows(
  codes: readonly string[],
  body: unknown,
  options: Pick<TaxCreditSourceOptions, 'violationPublicityYears'>,
): TaxLookup {
  const askedBy = new Map<string, string[]>();
  for (const code of new Set(codes)) {
    for (const number of taxpayerNumberCandidates(code)) {
      const list = askedBy.get(number);
      if (list) list.push(code);
      else askedBy.set(number, [code]);
    }
  }
  let rows: FieldReader[];
  try {
    const envelope = FieldReader.of(body, 'response');
    if (envelope.string('code') !== '0000') throw new LegacyFormatError(`code ${envelope.optionalString('code')}`);
    rows = envelope.list('rows');
  } catch (error) {
    throw badResponse('tax', String(error));
  }
  const found = new Map<string, { value: TaxRecord | SourceError; byCode: boolean }>();
  const settle = (code: string, value: TaxRecord | SourceError, byCode: boolean) => {
    const current = found.get(code);
    if (!current || (byCode && !current.byCode)) found.set(code, { value, byCode });
  };
  for (const [index, row] of rows.entries()) {
    let nsrsbh: string;
    try {
      nsrsbh = row.string('nsrsbh');
    } catch (error) {
      // A row without a readable number cannot be attributed: the whole answer is suspect.
      throw badResponse('tax', `rows[${index}]: ${String(error)}`);
    }
    const askers = askedBy.get(nsrsbh);
    if (!askers) continue;
    const byCode = askers.includes(nsrsbh);
    let owners = byCode ? [nsrsbh] : askers;
    try {
      const recorded = byCode ? null : optionalText(row, 'shxydm');
      if (recorded) owners = askers.filter((code) => code === recorded);
      if (owners.length === 0) continue;
      const record = translateTaxpayer(row, options);
      for (const code of owners) settle(code, record, byCode);
    } catch (error) {
      // One malformed row fails its own subjects, not the whole batch.
      for (const code of owners) settle(code, new SourceError('SOURCE_BAD_RESPONSE', 'tax', { cause: error }), byCode);
    }
  }
  return new Map([...found].map(([code, { value }]) => [code, value]));
}

/**
 * The adapter to the tax credit management system's batch interface: both candidate taxpayer
 * numbers of every code in one query, and a translation of its legacy keys into the shared schema.
 */
export function createTaxCreditSource(options: TaxCreditSourceOptions) {
  return {
    async lookup(codes: readonly string[]): Promise<TaxLookup> {
      const body = await callSource('tax', `${options.baseUrl}/tax/api/nsrxy/plcx`, {
        body: { nsrsbhList: [...new Set(codes.flatMap(taxpayerNumberCandidates))] },
        timeoutMs: options.timeoutMs,
        metrics: options.metrics,
      });
      return attributeRows(codes, body, options);
    },
  };
}

export type TaxCreditSource = ReturnType<typeof createTaxCreditSource>;
