import { creditCodeParts } from '@credit-gateway/common';
import type {
  CreditStatistics,
  EvaluationGrade,
  GradeCount,
  SourceInputsRow,
  StatisticsRow,
} from '../__generated__/types.js';
import type { AppliedMeasureModel, ListMembershipModel } from '../models.js';
import { SOURCE_SYSTEMS, type DecisionInputsModel } from './inputs.js';

/** One subject as the statistics count it: its memberships and the measures applying to it. */
export interface StatisticsSubject {
  code: string;
  memberships: readonly ListMembershipModel[];
  measures: readonly AppliedMeasureModel[];
}

interface Tally {
  subjects: Set<string>;
  blackListed: Set<string>;
  redListed: Set<string>;
  watchListed: Set<string>;
  measures: number;
}

function tally(rows: Map<string, Tally>, key: string): Tally {
  let row = rows.get(key);
  if (!row)
    rows.set(
      key,
      (row = {
        subjects: new Set(),
        blackListed: new Set(),
        redListed: new Set(),
        watchListed: new Set(),
        measures: 0,
      }),
    );
  return row;
}

function toRows(rows: Map<string, Tally>): StatisticsRow[] {
  return [...rows.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, t]) => ({
      key,
      subjects: t.subjects.size,
      blackListed: t.blackListed.size,
      redListed: t.redListed.size,
      watchListed: t.watchListed.size,
      measures: t.measures,
    }));
}

/**
 * Counts over a set of subjects (统计分析): subjects, how many are black- or red-listed, and how many
 * measures apply, by administrative division (code positions 3–8), by organization category, and
 * by the department whose records put subjects on lists. A subject is counted once per row; in
 * `bySource` it counts under every department behind one of its memberships, and a measure under
 * every department behind one of its triggering records. Codes are counted once however often given.
 */
export function creditStatistics(
  subjects: readonly StatisticsSubject[],
): Omit<CreditStatistics, 'incompleteSubjects' | 'inputs' | 'publicationTimeliness' | 'byGrade' | 'inputsBySource'> {
  const distinct = [...new Map(subjects.map((s) => [s.code, s])).values()];
  const byDivision = new Map<string, Tally>();
  const byCategory = new Map<string, Tally>();
  const bySource = new Map<string, Tally>();
  for (const subject of distinct) {
    const parts = creditCodeParts(subject.code);
    const black = subject.memberships.some((m) => m.list === 'BLACK');
    const red = subject.memberships.some((m) => m.list === 'RED');
    const watch = subject.memberships.some((m) => m.list === 'WATCH');
    for (const row of [
      tally(byDivision, parts.divisionCode),
      tally(byCategory, parts.organizationCategory ?? 'UNKNOWN'),
    ]) {
      row.subjects.add(subject.code);
      if (black) row.blackListed.add(subject.code);
      if (red) row.redListed.add(subject.code);
      if (watch) row.watchListed.add(subject.code);
      row.measures += subject.measures.length;
    }
    for (const membership of subject.memberships) {
      for (const source of new Set(membership.records.map((r) => r.provenance.source))) {
        const row = tally(bySource, source);
        row.subjects.add(subject.code);
        const listed = { BLACK: row.blackListed, WATCH: row.watchListed, RED: row.redListed }[membership.list];
        listed.add(subject.code);
      }
    }
    for (const measure of subject.measures) {
      for (const source of new Set(measure.because.map((r) => r.provenance.source)))
        tally(bySource, source).measures += 1;
    }
  }
  return {
    subjects: distinct.length,
    byDivision: toRows(byDivision),
    byOrganizationCategory: toRows(byCategory),
    bySource: toRows(bySource),
  };
}

/**
 * The grade distribution (等级分布): subjects per grade, every grade of the model in its order, a
 * grade no subject has at zero. Codes are counted once however often given.
 */
export function gradeDistribution(
  grades: readonly EvaluationGrade[],
  subjects: readonly { code: string; grade: EvaluationGrade }[],
): GradeCount[] {
  const counts = new Map<EvaluationGrade, number>(grades.map((grade) => [grade, 0]));
  for (const { grade } of new Map(subjects.map((s) => [s.code, s])).values())
    counts.set(grade, (counts.get(grade) ?? 0) + 1);
  return [...counts.entries()].map(([grade, subjects]) => ({ grade, subjects }));
}

/**
 * Incompleteness by source (数据缺失): per department, the subjects whose section the rules read and
 * those whose section could not be read, in SourceSystem order; a department no subject's rules
 * rest on is left out. Codes are counted once however often given.
 */
export function inputsBySource(
  subjects: readonly { code: string; inputs: Pick<DecisionInputsModel, 'readSources' | 'missingSources'> }[],
): SourceInputsRow[] {
  const distinct = [...new Map(subjects.map((s) => [s.code, s.inputs])).values()];
  return SOURCE_SYSTEMS.map((source) => ({
    source,
    read: distinct.filter((inputs) => inputs.readSources.includes(source)).length,
    missing: distinct.filter((inputs) => inputs.missingSources.includes(source)).length,
  })).filter((row) => row.read + row.missing > 0);
}
