import { parseIdNumber } from '@credit-gateway/common';
import type { PersonResolvers } from '../__generated__/resolvers-types.js';
import { applicableMeasures } from '../rules/measures.js';
import { noteIfIncomplete } from './Enterprise.js';

export const Person: PersonResolvers = {
  __resolveReference: (reference) =>
    Promise.resolve(reference.idNumber).then((idNumber) => ({ idNumber: parseIdNumber(idNumber) })),
  // Only the enterprises the platform has checked are known (see RepresentativeIndex).
  representedDishonesty: ({ idNumber }, _, context, info) => {
    noteIfIncomplete(context, info, context.representatives.inputsOf(idNumber));
    return context.representatives.dishonestyOf(idNumber);
  },
  representedDishonestyInputs: ({ idNumber }, _, { representatives }) => representatives.inputsOf(idNumber),
  representedMeasures: ({ idNumber }, { context: decision }, context, info) => {
    const inputs = context.representatives.inputsOf(idNumber);
    noteIfIncomplete(context, info, inputs);
    return applicableMeasures(
      context.catalog,
      context.representatives.dishonestyOf(idNumber),
      decision,
      inputs.missingSources,
    );
  },
};
