import type {
  CreditEvaluation,
  CreditRecordKind,
  CreditRecordState,
  EvaluationFactor,
  EvaluationGrade,
  EvaluationGroup,
  IndicatorGroup,
  RegistrationStatus,
  Severity,
  SourceSystem,
} from '../__generated__/types.js';
import type { CreditRecordModel, RegistrationInput, SpotCheckInput } from '../models.js';
import {
  CREDIT_RECORD_KINDS,
  CREDIT_RECORD_STATES,
  DataChecker,
  defaultDataFile,
  EVALUATION_GRADES,
  INDICATOR_GROUPS,
  readDataFile,
  SEVERITIES,
} from './data.js';
import { RECORD_KIND_SOURCE, SOURCE_NAMES } from './inputs.js';
import { addMonths } from './publicity.js';

export const DEFAULT_EVALUATION_FILE = defaultDataFile('evaluation-model.json');

const REGISTRATION_STATUSES = [
  'EXISTING',
  'OPERATING',
  'REVOKED',
  'DEREGISTERED',
] as const satisfies readonly RegistrationStatus[];

/** The factor rules the model can use; their points and parameters are data. */
export type FactorRule =
  | { rule: 'REGISTRATION_STATUS'; name: string; points: Readonly<Record<RegistrationStatus, number>> }
  | { rule: 'YEARS_ESTABLISHED'; name: string; pointsPerYear: number; maxPoints: number }
  | {
      rule: 'SPOT_CHECKS';
      name: string;
      withinYears: number;
      passResults: readonly string[];
      passPoints: number;
      failPoints: number;
      /** At most this many checks count, newest first. */
      limit: number;
    }
  | {
      rule: 'RECORDS';
      name: string;
      kinds: readonly CreditRecordKind[];
      severities: readonly Severity[] | null;
      states: readonly CreditRecordState[];
      /** Only records decided within this many years count; null for all. */
      withinYears: number | null;
      pointsEach: number;
      /** At most this many records count, newest first; null for all. */
      limit: number | null;
    };

export interface GroupModel {
  group: IndicatorGroup;
  name: string;
  weight: number;
  basePoints: number;
  factors: readonly FactorRule[];
}

/** The comprehensive evaluation model (公共信用综合评价): groups, weights, factors and grade thresholds. */
export interface EvaluationModel {
  model: string;
  title: string;
  /** Highest grade first; the last one's floor is 0. */
  grades: readonly { grade: EvaluationGrade; minScore: number }[];
  groups: readonly GroupModel[];
}

/** What the evaluation reads: public department data, through the records the rules derived. */
export interface EvaluationInputs {
  registration: RegistrationInput | null;
  spotChecks: readonly SpotCheckInput[];
  records: readonly CreditRecordModel[];
  /** China date the evaluation is made on. */
  today: string;
  /** Departments that could not be read: the factors they feed take their worst points. */
  missingSources?: readonly SourceSystem[];
}

/** Reads and validates data/evaluation-model.json; every problem in it is reported at once. */
export function loadEvaluationModel(file: string = DEFAULT_EVALUATION_FILE): EvaluationModel {
  return parseEvaluationModel(readDataFile(file), file);
}

export function parseEvaluationModel(data: unknown, file = 'evaluation-model.json'): EvaluationModel {
  const check = new DataChecker();
  const root = check.object(data, '$', { required: ['model', 'title', 'grades', 'groups'] });
  const model = check.string(root?.['model'], '$.model');
  const title = check.string(root?.['title'], '$.title');

  const grades: { grade: EvaluationGrade; minScore: number }[] = [];
  (check.array(root?.['grades'], '$.grades', { nonEmpty: true }) ?? []).forEach((item, index) => {
    const path = `$.grades[${index}]`;
    const entry = check.object(item, path, { required: ['grade', 'minScore'] });
    const grade = check.oneOf(entry?.['grade'], `${path}.grade`, EVALUATION_GRADES);
    const minScore = check.number(entry?.['minScore'], `${path}.minScore`, { min: 0, max: 100 });
    if (grade === undefined || minScore === undefined) return;
    const previous = grades[grades.length - 1];
    if (grades.some((g) => g.grade === grade)) check.problem(`${path}.grade`, `'${grade}' is defined twice`);
    if (previous && minScore >= previous.minScore)
      check.problem(
        `${path}.minScore`,
        `must be below ${previous.grade}'s ${previous.minScore}: grades go from best to worst`,
      );
    grades.push({ grade, minScore });
  });
  for (const grade of EVALUATION_GRADES)
    if (grades.length > 0 && !grades.some((g) => g.grade === grade)) check.problem('$.grades', `'${grade}' is missing`);
  if (grades.length > 0 && grades[grades.length - 1]!.minScore !== 0)
    check.problem('$.grades', 'the worst grade must start at 0 so that every score has a grade');

  const groups: GroupModel[] = [];
  (check.array(root?.['groups'], '$.groups', { nonEmpty: true }) ?? []).forEach((item, index) => {
    const path = `$.groups[${index}]`;
    const entry = check.object(item, path, { required: ['group', 'name', 'weight', 'basePoints', 'factors'] });
    if (!entry) return;
    const group = check.oneOf(entry['group'], `${path}.group`, INDICATOR_GROUPS);
    const name = check.string(entry['name'], `${path}.name`);
    const weight = check.number(entry['weight'], `${path}.weight`, { min: 0, max: 1 });
    const basePoints = check.number(entry['basePoints'], `${path}.basePoints`, { min: 0, max: 100 });
    const factors = (check.array(entry['factors'], `${path}.factors`) ?? []).flatMap((factor, f) => {
      const parsed = readFactor(check, factor, `${path}.factors[${f}]`);
      return parsed ? [parsed] : [];
    });
    if (group !== undefined && groups.some((g) => g.group === group))
      check.problem(`${path}.group`, `'${group}' is defined twice`);
    if (group === undefined || name === undefined || weight === undefined || basePoints === undefined) return;
    groups.push({ group, name, weight, basePoints, factors });
  });
  for (const group of INDICATOR_GROUPS)
    if (groups.length > 0 && !groups.some((g) => g.group === group)) check.problem('$.groups', `'${group}' is missing`);
  const totalWeight = groups.reduce((sum, g) => sum + g.weight, 0);
  if (groups.length > 0 && Math.abs(totalWeight - 1) > 1e-9)
    check.problem('$.groups', `weights must add up to 1, they add up to ${totalWeight}`);

  check.done(file);
  return { model: model!, title: title!, grades, groups };
}

function readFactor(check: DataChecker, value: unknown, path: string): FactorRule | undefined {
  const rule = check.oneOf((value as Record<string, unknown> | null)?.['rule'], `${path}.rule`, [
    'REGISTRATION_STATUS',
    'YEARS_ESTABLISHED',
    'SPOT_CHECKS',
    'RECORDS',
  ] as const);
  switch (rule) {
    case 'REGISTRATION_STATUS': {
      const entry = check.object(value, path, { required: ['rule', 'name', 'points'] });
      const name = check.string(entry?.['name'], `${path}.name`);
      const map = check.object(entry?.['points'], `${path}.points`, { required: REGISTRATION_STATUSES });
      const points: Partial<Record<RegistrationStatus, number>> = {};
      for (const status of REGISTRATION_STATUSES) {
        const p = check.number(map?.[status], `${path}.points.${status}`, { min: -100, max: 100 });
        if (p !== undefined) points[status] = p;
      }
      if (name === undefined || Object.keys(points).length !== REGISTRATION_STATUSES.length) return undefined;
      return { rule, name, points: points as Record<RegistrationStatus, number> };
    }
    case 'YEARS_ESTABLISHED': {
      const entry = check.object(value, path, { required: ['rule', 'name', 'pointsPerYear', 'maxPoints'] });
      const name = check.string(entry?.['name'], `${path}.name`);
      const pointsPerYear = check.number(entry?.['pointsPerYear'], `${path}.pointsPerYear`, { min: 0, max: 100 });
      const maxPoints = check.number(entry?.['maxPoints'], `${path}.maxPoints`, { min: 0, max: 100 });
      if (name === undefined || pointsPerYear === undefined || maxPoints === undefined) return undefined;
      return { rule, name, pointsPerYear, maxPoints };
    }
    case 'SPOT_CHECKS': {
      const entry = check.object(value, path, {
        required: ['rule', 'name', 'withinYears', 'passResults', 'passPoints', 'failPoints', 'limit'],
      });
      const name = check.string(entry?.['name'], `${path}.name`);
      const withinYears = check.number(entry?.['withinYears'], `${path}.withinYears`, {
        min: 1,
        max: 20,
        integer: true,
      });
      const passResults = check.strings(entry?.['passResults'], `${path}.passResults`);
      const passPoints = check.number(entry?.['passPoints'], `${path}.passPoints`, { min: -100, max: 100 });
      const failPoints = check.number(entry?.['failPoints'], `${path}.failPoints`, { min: -100, max: 100 });
      const limit = check.number(entry?.['limit'], `${path}.limit`, { min: 1, max: 100, integer: true });
      if (
        name === undefined ||
        withinYears === undefined ||
        passResults === undefined ||
        passPoints === undefined ||
        failPoints === undefined ||
        limit === undefined
      )
        return undefined;
      return { rule, name, withinYears, passResults, passPoints, failPoints, limit };
    }
    case 'RECORDS': {
      const entry = check.object(value, path, {
        required: ['rule', 'name', 'kinds', 'states', 'pointsEach'],
        optional: ['severities', 'withinYears', 'limit'],
      });
      const name = check.string(entry?.['name'], `${path}.name`);
      const kinds = check.setOf(entry?.['kinds'], `${path}.kinds`, CREDIT_RECORD_KINDS);
      const states = check.setOf(entry?.['states'], `${path}.states`, CREDIT_RECORD_STATES);
      const pointsEach = check.number(entry?.['pointsEach'], `${path}.pointsEach`, { min: -100, max: 100 });
      const severities =
        entry?.['severities'] === undefined ? null : check.setOf(entry['severities'], `${path}.severities`, SEVERITIES);
      const withinYears =
        entry?.['withinYears'] === undefined
          ? null
          : check.number(entry['withinYears'], `${path}.withinYears`, { min: 1, max: 20, integer: true });
      const limit =
        entry?.['limit'] === undefined
          ? null
          : check.number(entry['limit'], `${path}.limit`, { min: 1, max: 100, integer: true });
      if (
        name === undefined ||
        kinds === undefined ||
        states === undefined ||
        pointsEach === undefined ||
        severities === undefined ||
        withinYears === undefined ||
        limit === undefined
      )
        return undefined;
      return { rule, name, kinds, severities, states, withinYears, pointsEach, limit };
    }
    default:
      return undefined;
  }
}

/** Whole years from one date to another (a year is complete on its anniversary). */
export function wholeYearsBetween(from: string, to: string): number {
  const years = Number(to.slice(0, 4)) - Number(from.slice(0, 4));
  return to.slice(5) >= from.slice(5) ? years : years - 1;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** A factor's points when the departments feeding it could not be read: `unbounded` takes the group to 0. */
type WorstCase = { points: number } | 'unbounded';

/**
 * The worst points a factor could give from departments that could not be read (never in the
 * subject's favour): the lowest status points, no years, every spot check failed, and for a records
 * factor as many adverse records as it counts (every one, when it counts without limit). A factor
 * that can only add points gets none from what was not read, which the data already gives it.
 */
function worstCase(rule: FactorRule, inputs: EvaluationInputs, counted: number): WorstCase | null {
  const missing = inputs.missingSources ?? [];
  switch (rule.rule) {
    case 'REGISTRATION_STATUS':
      return missing.includes('MARKET') ? { points: Math.min(0, ...Object.values(rule.points)) } : null;
    case 'YEARS_ESTABLISHED':
      return null;
    case 'SPOT_CHECKS':
      return missing.includes('MARKET') ? { points: rule.limit * Math.min(0, rule.passPoints, rule.failPoints) } : null;
    case 'RECORDS': {
      if (rule.pointsEach >= 0 || !rule.kinds.some((kind) => missing.some((s) => s === RECORD_KIND_SOURCE[kind])))
        return null;
      if (rule.limit === null) return 'unbounded';
      return { points: Math.max(0, rule.limit - counted) * rule.pointsEach };
    }
  }
}

function missingFeeding(rule: FactorRule, inputs: EvaluationInputs): string {
  const missing = inputs.missingSources ?? [];
  const feeding =
    rule.rule === 'RECORDS'
      ? missing.filter((s) => rule.kinds.some((k) => RECORD_KIND_SOURCE[k] === s))
      : ['MARKET' as const];
  return feeding.map((s) => SOURCE_NAMES[s]).join(', ');
}

function factorPoints(rule: FactorRule, inputs: EvaluationInputs): EvaluationFactor[] {
  const factors = knownFactorPoints(rule, inputs);
  const worst = worstCase(rule, inputs, factors.length);
  if (worst === null || worst === 'unbounded') return factors;
  if (rule.rule === 'REGISTRATION_STATUS' || rule.rule === 'SPOT_CHECKS') {
    // Nothing of these was read: the worst case replaces the "no data" factor.
    return [
      {
        name: `${rule.name}: ${missingFeeding(rule, inputs)} could not be read, worst case`,
        points: worst.points,
        recordId: null,
      },
    ];
  }
  if (worst.points === 0) return factors;
  return [
    ...factors,
    {
      name: `${rule.name}: ${missingFeeding(rule, inputs)} could not be read, worst case`,
      points: worst.points,
      recordId: null,
    },
  ];
}

function knownFactorPoints(rule: FactorRule, inputs: EvaluationInputs): EvaluationFactor[] {
  switch (rule.rule) {
    case 'REGISTRATION_STATUS': {
      const status = inputs.registration?.status;
      if (status === undefined) return [{ name: `${rule.name}: no registration data`, points: 0, recordId: null }];
      return [{ name: `${rule.name}: ${status}`, points: rule.points[status], recordId: null }];
    }
    case 'YEARS_ESTABLISHED': {
      const establishedOn = inputs.registration?.establishedOn;
      if (establishedOn === undefined)
        return [{ name: `${rule.name}: no registration data`, points: 0, recordId: null }];
      const years = Math.max(0, wholeYearsBetween(establishedOn, inputs.today));
      return [
        {
          name: `${rule.name}: ${years} years`,
          points: Math.min(rule.maxPoints, years * rule.pointsPerYear),
          recordId: null,
        },
      ];
    }
    case 'SPOT_CHECKS': {
      const since = addMonths(inputs.today, -12 * rule.withinYears);
      return inputs.spotChecks
        .filter((c) => c.inspectedOn >= since && c.inspectedOn <= inputs.today)
        .sort((a, b) => b.inspectedOn.localeCompare(a.inspectedOn))
        .slice(0, rule.limit)
        .map((c) => ({
          name: `${rule.name}: ${c.inspectedOn} ${c.result}`,
          points: rule.passResults.includes(c.result) ? rule.passPoints : rule.failPoints,
          recordId: null,
        }));
    }
    case 'RECORDS': {
      const since = rule.withinYears === null ? null : addMonths(inputs.today, -12 * rule.withinYears);
      const counted = inputs.records
        .filter(
          (r) =>
            rule.kinds.includes(r.kind) &&
            rule.states.includes(r.state) &&
            (rule.severities === null || rule.severities.includes(r.severity)) &&
            (since === null || r.decidedOn >= since),
        )
        .sort((a, b) => b.decidedOn.localeCompare(a.decidedOn));
      return counted
        .slice(0, rule.limit ?? counted.length)
        .map((r) => ({ name: `${rule.name}: ${r.summary}`, points: rule.pointsEach, recordId: r.id }));
    }
  }
}

/**
 * Grades a subject A–E. Each indicator group starts from its base points; every factor adds or
 * takes points, and says which record it comes from; the group's points are bounded to 0–100
 * (the bound shows as a factor too, so a group's factors always add up to its points). The score
 * is the weighted sum of the groups' points, and the grade the first whose floor it reaches.
 */
export function evaluate(model: EvaluationModel, inputs: EvaluationInputs): Omit<CreditEvaluation, 'inputs'> {
  const groups: EvaluationGroup[] = model.groups.map((group) => {
    const factors: EvaluationFactor[] = [
      { name: `${group.name}: base points`, points: group.basePoints, recordId: null },
      ...group.factors.flatMap((rule) => factorPoints(rule, inputs)),
    ];
    // A factor counting every adverse record of a department not read could take any number of points.
    const unbounded = group.factors.filter(
      (rule) => worstCase(rule, inputs, knownFactorPoints(rule, inputs).length) === 'unbounded',
    );
    if (unbounded.length > 0) {
      const before = round(factors.reduce((total, f) => total + f.points, 0));
      factors.push({
        name: `${unbounded.map((rule) => rule.name).join(', ')}: ${unbounded.map((rule) => missingFeeding(rule, inputs)).join(', ')} could not be read, worst case`,
        points: -Math.max(0, before),
        recordId: null,
      });
    }
    const sum = round(factors.reduce((total, f) => total + f.points, 0));
    const points = Math.min(100, Math.max(0, sum));
    if (points !== sum)
      factors.push({ name: `${group.name}: bounded to 0–100`, points: round(points - sum), recordId: null });
    return { group: group.group, weight: group.weight, points, factors };
  });
  const score = round(groups.reduce((total, g) => total + g.weight * g.points, 0));
  const grade = model.grades.find((g) => score >= g.minScore)?.grade ?? model.grades[model.grades.length - 1]!.grade;
  return { grade, score, groups, model: model.model };
}
