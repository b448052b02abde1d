import { scalarResolvers, type CreditCodePolicy } from '@credit-gateway/common';
import type { Resolvers } from '../__generated__/resolvers-types.js';
import { Enterprise } from './Enterprise.js';
import { SocialSecuritySection } from './SocialSecuritySection.js';

export function createResolvers(policy: CreditCodePolicy): Resolvers {
  return { ...scalarResolvers(policy), Enterprise, SocialSecuritySection };
}
