/**
 * What a report covers: its sections and its period. A full report (公共信用信息报告) holds every
 * section and every record; a 专项信用报告 names some sections, a period, or both.
 */
import { CreditGatewayError } from '@credit-gateway/common';
import { isReportSection, REPORT_SECTIONS, type ReportSection } from './sections.js';

export type ReportFormat = 'pdf' | 'html';

export interface ReportScope {
  /** In the standard's order. */
  sections: ReportSection[];
  /** Inclusive dates (YYYY-MM-DD) dated records must fall in; null: unbounded. */
  from: string | null;
  to: string | null;
  /** Some sections or a period were chosen: a 专项信用报告. */
  special: boolean;
}

export interface ReportRequest {
  code: string;
  format: ReportFormat;
  scope: ReportScope;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function validDate(text: string): boolean {
  if (!DATE.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

function badRequest(message: string, extensions: Record<string, unknown> = {}): CreditGatewayError {
  return new CreditGatewayError('BAD_REQUEST', message, { extensions });
}

/** A parameter that is one string: a JSON body may send anything, and anything else is refused. */
function text(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw badRequest(`'${name}' must be a string`, { parameter: name });
  return value;
}

/** A list parameter: a comma-separated string, or a JSON array of strings (an empty one chooses nothing). */
function textList(value: unknown, name: string): string | undefined {
  if (!Array.isArray(value)) return text(value, name);
  if (value.length === 0 || !value.every((item): item is string => typeof item === 'string'))
    throw badRequest(`'${name}' must be a string or an array of strings`, { parameter: name });
  return text(value.join(','), name);
}

/**
 * The report asked for, from the query string or a POST body's fields: `code`, `format`
 * (pdf, default, or html), `sections` (comma-separated, default all), `from` and `to`. Throws
 * BAD_REQUEST naming the parameter; the code itself is checked by the GraphQL answer.
 */
export function parseReportRequest(fields: Record<string, unknown>): ReportRequest {
  const code = text(fields['code'], 'code');
  if (code === undefined)
    throw badRequest("The report needs the subject's unified social credit code in 'code'", { parameter: 'code' });
  if (code.length > 64)
    throw badRequest("'code' is far longer than a unified social credit code", { parameter: 'code' });
  const format = text(fields['format'], 'format') ?? 'pdf';
  if (format !== 'pdf' && format !== 'html') throw badRequest("'format' is pdf or html", { parameter: 'format' });
  const named = textList(fields['sections'], 'sections');
  let sections: ReportSection[] = [...REPORT_SECTIONS];
  if (named !== undefined) {
    const asked = named
      .split(',')
      .map((part) => part.trim().toUpperCase())
      .filter((part) => part !== '');
    const unknown = asked.filter((part) => !isReportSection(part));
    if (unknown.length > 0 || asked.length === 0)
      throw badRequest(`'sections' are some of ${REPORT_SECTIONS.join(', ')}`, {
        parameter: 'sections',
        unknown: unknown.slice(0, 10).map((part) => part.slice(0, 40)),
      });
    sections = REPORT_SECTIONS.filter((section) => asked.includes(section));
  }
  const from = text(fields['from'], 'from') ?? null;
  const to = text(fields['to'], 'to') ?? null;
  for (const [name, value] of [
    ['from', from],
    ['to', to],
  ] as const)
    if (value !== null && !validDate(value)) throw badRequest(`'${name}' is a date, YYYY-MM-DD`, { parameter: name });
  if (from !== null && to !== null && from > to) throw badRequest("'from' is after 'to'", { parameter: 'from' });
  return {
    code,
    format,
    scope: { sections, from, to, special: named !== undefined || from !== null || to !== null },
  };
}
