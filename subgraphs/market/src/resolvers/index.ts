import { scalarResolvers, type CreditCodePolicy } from '@credit-gateway/common';
import type { Resolvers } from '../__generated__/resolvers-types.js';
import { Enterprise } from './Enterprise.js';
import { LegalRepresentative } from './LegalRepresentative.js';
import { Query } from './Query.js';
import { SubjectSet } from './SubjectSet.js';

export function createResolvers(policy: CreditCodePolicy): Resolvers {
  return { ...scalarResolvers(policy), Query, Enterprise, LegalRepresentative, SubjectSet };
}
