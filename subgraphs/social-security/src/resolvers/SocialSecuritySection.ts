import { CreditGatewayError } from '@credit-gateway/common';
import type { SocialSecuritySectionResolvers } from '../__generated__/resolvers-types.js';

/** The front-end database keeps fewer periods than this; the bound keeps the argument honest. */
export const MAX_CONTRIBUTION_MONTHS = 36;
const DEFAULT_CONTRIBUTION_MONTHS = 12;

export const SocialSecuritySection: SocialSecuritySectionResolvers = {
  contributions: ({ history }, args) => {
    // A variable explicitly set to null overrides the SDL default; it means "the default" here too.
    const months = (args.months as number | null) ?? DEFAULT_CONTRIBUTION_MONTHS;
    if (months < 1 || months > MAX_CONTRIBUTION_MONTHS) {
      throw new CreditGatewayError(
        'BAD_USER_INPUT',
        `months must be from 1 to ${MAX_CONTRIBUTION_MONTHS}, got ${months}`,
        {
          extensions: { argument: 'months', minimum: 1, maximum: MAX_CONTRIBUTION_MONTHS },
        },
      );
    }
    return history.slice(0, months);
  },
};
