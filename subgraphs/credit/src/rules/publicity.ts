import type { CreditRecordKind, Severity } from '../__generated__/types.js';
import { CREDIT_RECORD_KINDS, DataChecker, defaultDataFile, readDataFile, SEVERITIES } from './data.js';

export const DEFAULT_PUBLICITY_FILE = defaultDataFile('publicity-periods.json');

/** How long a record is published (公示期): the shortest before repair, the longest in all. */
export interface PublicityPeriod {
  minMonths: number;
  maxMonths: number;
}

/** The periods in force from one date on (the rules changed on 2026-04-01). */
export interface PublicityRuleSet {
  id: string;
  title: string;
  effectiveFrom: string;
  bySeverity: Partial<Record<Severity, PublicityPeriod>>;
  byKind: Partial<Record<CreditRecordKind, PublicityPeriod>>;
}

/** How the rules treat one kind of record. */
export interface KindRule {
  /** A fixed severity, or classified by the penalty's content. */
  severity: Severity | 'BY_PENALTY_CONTENT';
  /**
   * PERIOD: published for the rule set's period; DEPARTMENT: the department says when it ends
   * (its own end date, its removal), and it stays published while listed without an end.
   */
  publishedUntil: 'PERIOD' | 'DEPARTMENT';
  /** Whether the period counts from the decision or from its publication. */
  periodFrom: 'DECIDED_ON' | 'PUBLISHED_ON';
}

export interface PenaltySeverityRule {
  serious: { sanctionsIncluding: readonly string[]; fineAtLeastYuan: number };
  minor: { sanctionsOnly: readonly string[]; fineAtMostYuan: number };
}

export interface PublicityPolicy {
  /** Newest first. */
  ruleSets: readonly PublicityRuleSet[];
  kinds: Readonly<Record<CreditRecordKind, KindRule>>;
  penaltySeverity: PenaltySeverityRule;
}

const PERIOD_SEVERITIES = ['MINOR', 'GENERAL', 'SERIOUS'] as const satisfies readonly Severity[];

/** Reads and validates data/publicity-periods.json; every problem in it is reported at once. */
export function loadPublicityPolicy(file: string = DEFAULT_PUBLICITY_FILE): PublicityPolicy {
  return parsePublicityPolicy(readDataFile(file), file);
}

export function parsePublicityPolicy(data: unknown, file = 'publicity-periods.json'): PublicityPolicy {
  const check = new DataChecker();
  const root = check.object(data, '$', { required: ['ruleSets', 'kinds', 'penaltySeverity'] });

  const kinds: Partial<Record<CreditRecordKind, KindRule>> = {};
  const kindMap = check.map(root?.['kinds'], '$.kinds');
  if (kindMap) {
    for (const key of Object.keys(kindMap)) {
      const path = `$.kinds.${key}`;
      const kind = check.oneOf(key, path, CREDIT_RECORD_KINDS);
      const entry = check.object(kindMap[key], path, { required: ['severity', 'publishedUntil', 'periodFrom'] });
      if (!entry || kind === undefined) continue;
      const severity = check.oneOf(entry['severity'], `${path}.severity`, [
        ...SEVERITIES,
        'BY_PENALTY_CONTENT',
      ] as const);
      const publishedUntil = check.oneOf(entry['publishedUntil'], `${path}.publishedUntil`, [
        'PERIOD',
        'DEPARTMENT',
      ] as const);
      const periodFrom = check.oneOf(entry['periodFrom'], `${path}.periodFrom`, [
        'DECIDED_ON',
        'PUBLISHED_ON',
      ] as const);
      if (periodFrom === 'PUBLISHED_ON' && kind !== 'ADMINISTRATIVE_PENALTY')
        check.problem(`${path}.periodFrom`, 'only administrative penalties carry a publication date');
      if (severity === 'BY_PENALTY_CONTENT' && kind !== 'ADMINISTRATIVE_PENALTY')
        check.problem(`${path}.severity`, 'only administrative penalties are classified by their content');
      if (severity !== undefined && publishedUntil !== undefined && periodFrom !== undefined)
        kinds[kind] = { severity, publishedUntil, periodFrom };
    }
    for (const kind of CREDIT_RECORD_KINDS) if (!(kind in kindMap)) check.problem('$.kinds', `'${kind}' is missing`);
  }

  const ruleSets: PublicityRuleSet[] = [];
  const paths = new Map<PublicityRuleSet, string>();
  (check.array(root?.['ruleSets'], '$.ruleSets', { nonEmpty: true }) ?? []).forEach((item, index) => {
    const path = `$.ruleSets[${index}]`;
    const entry = check.object(item, path, { required: ['id', 'title', 'effectiveFrom', 'bySeverity', 'byKind'] });
    if (!entry) return;
    const id = check.string(entry['id'], `${path}.id`);
    const title = check.string(entry['title'], `${path}.title`);
    const effectiveFrom = check.date(entry['effectiveFrom'], `${path}.effectiveFrom`);
    if (effectiveFrom !== undefined && ruleSets.some((r) => r.effectiveFrom === effectiveFrom))
      check.problem(`${path}.effectiveFrom`, `another rule set is also in force from ${effectiveFrom}`);
    const bySeverity = readPeriods(check, entry['bySeverity'], `${path}.bySeverity`, SEVERITIES);
    const byKind = readPeriods(check, entry['byKind'], `${path}.byKind`, CREDIT_RECORD_KINDS);
    if (id === undefined || title === undefined || effectiveFrom === undefined || !bySeverity || !byKind) return;
    const ruleSet = { id, title, effectiveFrom, bySeverity, byKind };
    ruleSets.push(ruleSet);
    paths.set(ruleSet, path);
  });

  // Every kind published for a period must find its period in every rule set.
  for (const ruleSet of ruleSets) {
    for (const kind of CREDIT_RECORD_KINDS) {
      const rule = kinds[kind];
      if (rule?.publishedUntil !== 'PERIOD' || ruleSet.byKind[kind]) continue;
      const needed = rule.severity === 'BY_PENALTY_CONTENT' ? PERIOD_SEVERITIES : [rule.severity];
      for (const severity of needed) {
        if (!ruleSet.bySeverity[severity])
          check.problem(`${paths.get(ruleSet)}`, `no period for ${kind} records of severity ${severity}`);
      }
    }
  }

  const penaltySeverity = readPenaltySeverity(check, root?.['penaltySeverity']);
  check.done(file);
  ruleSets.sort((a, b) => b.effectiveFrom.localeCompare(a.effectiveFrom));
  return { ruleSets, kinds: kinds as Record<CreditRecordKind, KindRule>, penaltySeverity: penaltySeverity! };
}

function readPeriods<K extends string>(
  check: DataChecker,
  value: unknown,
  path: string,
  keys: readonly K[],
): Partial<Record<K, PublicityPeriod>> | undefined {
  const map = check.map(value, path);
  if (!map) return undefined;
  const periods: Partial<Record<K, PublicityPeriod>> = {};
  for (const key of Object.keys(map)) {
    const name = check.oneOf(key, `${path}.${key}`, keys);
    const entry = check.object(map[key], `${path}.${key}`, { required: ['minMonths', 'maxMonths'] });
    if (!entry || name === undefined) continue;
    const minMonths = check.number(entry['minMonths'], `${path}.${key}.minMonths`, { min: 0, max: 120, integer: true });
    const maxMonths = check.number(entry['maxMonths'], `${path}.${key}.maxMonths`, { min: 0, max: 120, integer: true });
    if (minMonths === undefined || maxMonths === undefined) continue;
    if (minMonths > maxMonths) check.problem(`${path}.${key}`, 'minMonths is longer than maxMonths');
    periods[name] = { minMonths, maxMonths };
  }
  return periods;
}

function readPenaltySeverity(check: DataChecker, value: unknown): PenaltySeverityRule | undefined {
  const entry = check.object(value, '$.penaltySeverity', { required: ['serious', 'minor'] });
  if (!entry) return undefined;
  const serious = check.object(entry['serious'], '$.penaltySeverity.serious', {
    required: ['sanctionsIncluding', 'fineAtLeastYuan'],
  });
  const minor = check.object(entry['minor'], '$.penaltySeverity.minor', {
    required: ['sanctionsOnly', 'fineAtMostYuan'],
  });
  const sanctionsIncluding = check.strings(
    serious?.['sanctionsIncluding'],
    '$.penaltySeverity.serious.sanctionsIncluding',
  );
  const fineAtLeastYuan = check.number(serious?.['fineAtLeastYuan'], '$.penaltySeverity.serious.fineAtLeastYuan', {
    min: 0,
  });
  const sanctionsOnly = check.strings(minor?.['sanctionsOnly'], '$.penaltySeverity.minor.sanctionsOnly');
  const fineAtMostYuan = check.number(minor?.['fineAtMostYuan'], '$.penaltySeverity.minor.fineAtMostYuan', { min: 0 });
  if (fineAtLeastYuan !== undefined && fineAtMostYuan !== undefined && fineAtMostYuan >= fineAtLeastYuan)
    check.problem('$.penaltySeverity', 'the minor fine ceiling must be below the serious fine floor');
  if (!sanctionsIncluding || fineAtLeastYuan === undefined || !sanctionsOnly || fineAtMostYuan === undefined)
    return undefined;
  return { serious: { sanctionsIncluding, fineAtLeastYuan }, minor: { sanctionsOnly, fineAtMostYuan } };
}

/** The rule set in force on a date; dates before the oldest set follow the oldest. */
export function ruleSetFor(policy: PublicityPolicy, date: string): PublicityRuleSet {
  const inForce = policy.ruleSets.find((r) => r.effectiveFrom <= date);
  return inForce ?? policy.ruleSets[policy.ruleSets.length - 1]!;
}

/** The publicity period of a record of this kind and severity, decided on this date. */
export function publicityPeriod(
  policy: PublicityPolicy,
  kind: CreditRecordKind,
  severity: Severity,
  decidedOn: string,
): PublicityPeriod | null {
  const ruleSet = ruleSetFor(policy, decidedOn);
  return ruleSet.byKind[kind] ?? ruleSet.bySeverity[severity] ?? null;
}

const FINE = /罚款(?:人民币)?\s*([\d.,]+)\s*(万)?元/;

/** Fines written in a penalty's content, in yuan (罚款人民币20000元, 罚款225.22万元). */
export function finesInYuan(content: string): number[] {
  return [...content.matchAll(new RegExp(FINE, 'g'))].map(
    ([, amount = '0', wan]) => Number(amount.replaceAll(',', '')) * (wan ? 10_000 : 1),
  );
}

/**
 * Classifies an administrative penalty by what it imposed: revocation, closure or a large fine is
 * serious; a warning, a circulated criticism or a small fine and nothing more is minor; anything
 * else is general.
 */
export function penaltySeverity(rule: PenaltySeverityRule, content: string): Severity {
  const fines = finesInYuan(content);
  if (rule.serious.sanctionsIncluding.some((s) => content.includes(s))) return 'SERIOUS';
  if (fines.some((fine) => fine >= rule.serious.fineAtLeastYuan)) return 'SERIOUS';
  const sanctions = content
    .split(/[，,、；;。\s]|并处|并|和|及/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const minor = sanctions.every(
    (sanction) =>
      rule.minor.sanctionsOnly.includes(sanction) ||
      (FINE.test(sanction) && finesInYuan(sanction).every((fine) => fine <= rule.minor.fineAtMostYuan)),
  );
  return minor && sanctions.length > 0 ? 'MINOR' : 'GENERAL';
}

/** A calendar date plus whole months; the 31st of a shorter month falls on its last day. */
export function addMonths(date: string, months: number): string {
  const [year = 0, month = 1, day = 1] = date.split('-').map(Number);
  const target = new Date(Date.UTC(year, month - 1 + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(day, lastDay));
  return target.toISOString().slice(0, 10);
}
