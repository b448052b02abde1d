import type { GraphQLResolveInfo } from 'graphql';
import { parseIdNumber } from '@credit-gateway/common';
import type { PersonResolvers } from '../__generated__/resolvers-types.js';
import type { DecisionContext } from '../__generated__/types.js';
import type { SubgraphContext } from '../context.js';
import { applicableMeasures } from '../rules/measures.js';
import { noteIfIncomplete } from './Enterprise.js';

/**
 * The measures of the lists this person's enterprises are on, in a decision context (落实到人),
 * incomplete (and noted so) while a department about them could not be read.
 */
export function representedMeasuresOf(
  idNumber: string,
  decision: DecisionContext,
  context: SubgraphContext,
  info: GraphQLResolveInfo,
) {
  const inputs = context.representatives.inputsOf(idNumber);
  noteIfIncomplete(context, info, inputs);
  return applicableMeasures(
    context.catalog,
    context.representatives.dishonestyOf(idNumber),
    decision,
    inputs.missingSources,
  );
}

export const Person: PersonResolvers = {
  __resolveReference: (reference) =>
    Promise.resolve(reference.idNumber).then((idNumber) => ({ idNumber: parseIdNumber(idNumber) })),
  // Only the enterprises the platform has checked are known (see RepresentativeIndex).
  representedDishonesty: ({ idNumber }, _, context, info) => {
    noteIfIncomplete(context, info, context.representatives.inputsOf(idNumber));
    return context.representatives.dishonestyOf(idNumber);
  },
  representedDishonestyInputs: ({ idNumber }, _, { representatives }) => representatives.inputsOf(idNumber),
  representedMeasures: ({ idNumber }, { context: decision }, context, info) =>
    representedMeasuresOf(idNumber, decision, context, info),
};
