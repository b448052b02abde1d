import type { EvaluationGrade } from '../__generated__/types.js';
import { DataChecker, defaultDataFile, EVALUATION_GRADES, readDataFile } from './data.js';
import type { DecisionInputsModel } from './inputs.js';

export const DEFAULT_SUPERVISION_FILE = defaultDataFile('supervision.json');

/** What one evaluation grade sets for supervision (分级分类监管). */
export interface GradeSupervision {
  randomCheckShare: number;
  inspectionsPerYear: number;
  summary: string;
}

export interface SupervisionPolicy {
  source: string;
  grades: Readonly<Record<EvaluationGrade, GradeSupervision>>;
  /** The grade with the most supervision: what an incomplete evaluation takes. */
  strictest: EvaluationGrade;
}

export function loadSupervisionPolicy(file: string = DEFAULT_SUPERVISION_FILE): SupervisionPolicy {
  return parseSupervisionPolicy(readDataFile(file), file);
}

/**
 * Reads the supervision settings per grade. Every grade A–E is required, and a worse grade is
 * never supervised less than a better one (share and frequency both non-decreasing from A to E):
 * a file that would reward a worse grade is refused at start.
 */
export function parseSupervisionPolicy(data: unknown, file = 'supervision.json'): SupervisionPolicy {
  const check = new DataChecker();
  const root = check.object(data, '$', { required: ['source', 'grades'] });
  const source = check.string(root?.['source'], '$.source');
  const gradesEntry = check.object(root?.['grades'], '$.grades', { required: EVALUATION_GRADES });
  const grades: Partial<Record<EvaluationGrade, GradeSupervision>> = {};
  for (const grade of EVALUATION_GRADES) {
    const path = `$.grades.${grade}`;
    if (!gradesEntry || !(grade in gradesEntry)) continue;
    const entry = check.object(gradesEntry[grade], path, {
      required: ['randomCheckShare', 'inspectionsPerYear', 'summary'],
    });
    if (!entry) continue;
    const randomCheckShare = check.number(entry['randomCheckShare'], `${path}.randomCheckShare`, { min: 0, max: 1 });
    const inspectionsPerYear = check.number(entry['inspectionsPerYear'], `${path}.inspectionsPerYear`, {
      min: 0,
      max: 52,
      integer: true,
    });
    const summary = check.string(entry['summary'], `${path}.summary`);
    if (randomCheckShare === undefined || inspectionsPerYear === undefined || summary === undefined) continue;
    grades[grade] = { randomCheckShare, inspectionsPerYear, summary };
  }
  for (let i = 1; i < EVALUATION_GRADES.length; i++) {
    const better = grades[EVALUATION_GRADES[i - 1]!];
    const worse = grades[EVALUATION_GRADES[i]!];
    if (!better || !worse) continue;
    if (worse.randomCheckShare < better.randomCheckShare || worse.inspectionsPerYear < better.inspectionsPerYear)
      check.problem(
        `$.grades.${EVALUATION_GRADES[i]}`,
        `must be supervised at least as much as ${EVALUATION_GRADES[i - 1]} (share and inspections per year)`,
      );
  }
  check.done(file);
  const complete = grades as Record<EvaluationGrade, GradeSupervision>;
  const strictest = [...EVALUATION_GRADES].reduce((a, b) => (supervisionOrder(complete[b], complete[a]) > 0 ? b : a));
  return { source: source!, grades: complete, strictest };
}

/** Positive when `a` supervises more than `b`. */
function supervisionOrder(a: GradeSupervision, b: GradeSupervision): number {
  return a.randomCheckShare - b.randomCheckShare || a.inspectionsPerYear - b.inspectionsPerYear;
}

export interface SupervisionModel extends GradeSupervision {
  grade: EvaluationGrade;
  evaluatedGrade: EvaluationGrade;
  basis: string;
  inputs: DecisionInputsModel;
}

/**
 * The supervision a subject gets from its evaluation. Fail-closed: an evaluation made while a
 * department could not be read takes the strictest grade's supervision, and never less than its
 * own grade's.
 */
export function supervisionFor(
  policy: SupervisionPolicy,
  evaluatedGrade: EvaluationGrade,
  inputs: DecisionInputsModel,
): SupervisionModel {
  let grade = evaluatedGrade;
  if (!inputs.complete && supervisionOrder(policy.grades[policy.strictest], policy.grades[grade]) >= 0)
    grade = policy.strictest;
  return { grade, evaluatedGrade, ...policy.grades[grade], basis: policy.source, inputs };
}
