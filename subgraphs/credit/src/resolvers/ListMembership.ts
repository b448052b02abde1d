import type { ListMembershipResolvers } from '../__generated__/resolvers-types.js';

export const ListMembership: ListMembershipResolvers = {
  // A copy: list kinds are frozen data, and the subject is remembered on what a field returns.
  kind: (membership) => ({ ...membership.kind }),
};
