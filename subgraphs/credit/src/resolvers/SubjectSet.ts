import type { SubjectSetResolvers } from '../__generated__/resolvers-types.js';
import type { AppliedMeasureModel, ListMembershipModel } from '../models.js';
import type { MeasuresCatalog } from '../rules/catalog.js';
import { applicableMeasures } from '../rules/measures.js';
import { creditStatistics } from '../rules/statistics.js';
import { assessmentOf } from './Enterprise.js';

/** Every catalog measure that applies to the subject in some decision context, each once. */
function measuresInAnyContext(
  catalog: MeasuresCatalog,
  memberships: readonly ListMembershipModel[],
): AppliedMeasureModel[] {
  const contexts = new Set(catalog.all().flatMap((measure) => measure.contexts));
  const byId = new Map<string, AppliedMeasureModel>();
  for (const context of contexts) {
    for (const applied of applicableMeasures(catalog, memberships, context)) byId.set(applied.measure.id, applied);
  }
  return [...byId.values()];
}

export const SubjectSet: SubjectSetResolvers = {
  __resolveReference: (ref) => ref,
  // Counts over what each department holds; every measure in every decision context counts once.
  statistics: async ({ subjects = [] }, _, context) =>
    creditStatistics(
      await Promise.all(
        subjects.map(async (subject) => {
          const { memberships } = await assessmentOf(subject, context);
          return { code: subject.code, memberships, measures: measuresInAnyContext(context.catalog, memberships) };
        }),
      ),
    ),
};
