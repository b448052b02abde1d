import type { SourceSystem } from '../__generated__/resolvers-types.js';
import type { SubjectSetResolvers } from '../__generated__/resolvers-types.js';
import type { AppliedMeasureModel, ListMembershipModel } from '../models.js';
import type { MeasuresCatalog } from '../rules/catalog.js';
import { combineInputs } from '../rules/inputs.js';
import { applicableMeasures } from '../rules/measures.js';
import { publicationTimeliness } from '../rules/publication.js';
import { creditStatistics, gradeDistribution, inputsBySource } from '../rules/statistics.js';
import { assessmentOf, evaluationOf, noteIfIncomplete } from './Enterprise.js';

/** Every catalog measure that applies to the subject in some decision context, each once. */
function measuresInAnyContext(
  catalog: MeasuresCatalog,
  memberships: readonly ListMembershipModel[],
  missingSources: readonly SourceSystem[],
): AppliedMeasureModel[] {
  const contexts = new Set(catalog.all().flatMap((measure) => measure.contexts));
  const byId = new Map<string, AppliedMeasureModel>();
  for (const context of contexts) {
    for (const applied of applicableMeasures(catalog, memberships, context, missingSources))
      byId.set(applied.measure.id, applied);
  }
  return [...byId.values()];
}

export const SubjectSet: SubjectSetResolvers = {
  __resolveReference: (ref) => ref,
  // Counts over what each department holds; every measure in every decision context counts once.
  // Subjects counted while a department could not be read are counted, and said to be.
  statistics: async ({ subjects = [] }, _, context, info) => {
    const assessed = await Promise.all(
      subjects.map(async (subject) => ({ subject, assessment: await assessmentOf(subject, context) })),
    );
    const inputs = combineInputs(assessed.map(({ assessment }) => assessment.inputs));
    noteIfIncomplete(context, info, inputs);
    const statistics = creditStatistics(
      assessed.map(({ subject, assessment }) => ({
        code: subject.code,
        memberships: assessment.memberships,
        measures: measuresInAnyContext(context.catalog, assessment.memberships, assessment.inputs.missingSources),
      })),
    );
    const incompleteSubjects = new Set(
      assessed.filter(({ assessment }) => !assessment.inputs.complete).map(({ subject }) => subject.code),
    ).size;
    // Late publication per department (公示及时性), over every record of the set, each once.
    const timeliness = publicationTimeliness(assessed.flatMap(({ assessment }) => assessment.records));
    // Each subject at the grade its own evaluation gives (fail-closed for a department not read).
    const graded = await Promise.all(
      subjects.map(async (subject) => ({ code: subject.code, grade: (await evaluationOf(subject, context)).grade })),
    );
    return {
      ...statistics,
      incompleteSubjects,
      inputs,
      publicationTimeliness: timeliness,
      byGrade: gradeDistribution(
        context.policy.evaluation.grades.map((g) => g.grade),
        graded,
      ),
      inputsBySource: inputsBySource(
        assessed.map(({ subject, assessment }) => ({ code: subject.code, inputs: assessment.inputs })),
      ),
    };
  },
};
