import { scalarResolvers, type CreditCodePolicy } from '@credit-gateway/common';
import type { Resolvers } from '../__generated__/resolvers-types.js';
import { createEnterpriseResolvers } from './Enterprise.js';
import { ResponsiblePerson } from './ResponsiblePerson.js';
import { TaxSection } from './TaxSection.js';

export function createResolvers(policy: CreditCodePolicy): Resolvers {
  return { ...scalarResolvers(policy), Enterprise: createEnterpriseResolvers(policy), ResponsiblePerson, TaxSection };
}
