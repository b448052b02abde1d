import { scalarResolvers, type CreditCodePolicy } from '@credit-gateway/common';
import type { Resolvers } from '../__generated__/resolvers-types.js';
import { BoundPerson } from './BoundPerson.js';
import { Enterprise } from './Enterprise.js';
import { Person } from './Person.js';
import { Query } from './Query.js';

export function createResolvers(policy: CreditCodePolicy): Resolvers {
  return { ...scalarResolvers(policy), Query, Enterprise, Person, BoundPerson };
}
