import { CreditGatewayError, isTier, TIERS, type EnvReader, type Tier } from '@credit-gateway/common';
import type { IdentifierArgument } from './identifier-arguments.js';

/**
 * Most distinct subjects one request may name, per tier. An approval system's batch is 500 codes
 * (MAX_BATCH_SIZE), and GOVERNMENT and JUDICIAL callers may look up the people in it in the same
 * request; a lender checks its own applicants, an analyst's statistics take a batch; an anonymous
 * caller reads a few published profiles at a time.
 */
export const DEFAULT_MAX_SUBJECTS: Readonly<Record<Tier, number>> = {
  PUBLIC: 50,
  AUTHORIZED: 500,
  GOVERNMENT: 1_000,
  JUDICIAL: 1_000,
  ANALYST: 500,
};

/** Reads MAX_SUBJECTS_PER_REQUEST: `TIER=n` pairs, comma-separated; a tier left out keeps its default. */
export function readSubjectLimitConfig(reader: EnvReader): Readonly<Record<Tier, number>> {
  const limits = { ...DEFAULT_MAX_SUBJECTS };
  const doc = {
    text: 'Most distinct subjects (credit codes and ID numbers) one request may name, per tier; more is TOO_MANY_SUBJECTS',
    default: Object.entries(DEFAULT_MAX_SUBJECTS)
      .map(([tier, count]) => `${tier}=${count}`)
      .join(','),
    values: '`TIER=count`, comma-separated; a tier left out keeps its default',
  };
  for (const item of reader.section('limits').list('MAX_SUBJECTS_PER_REQUEST', [], doc)) {
    const [tier, value] = item.split('=').map((part) => part.trim());
    const count = Number(value);
    if (!isTier(tier)) {
      reader.problem(`MAX_SUBJECTS_PER_REQUEST names an unknown tier '${tier}': use ${TIERS.join(', ')}`);
    } else if (!Number.isInteger(count) || count < 1 || count > 100_000) {
      reader.problem(`MAX_SUBJECTS_PER_REQUEST for ${tier} must be an integer from 1 to 100000, got '${value}'`);
    } else {
      limits[tier] = count;
    }
  }
  return limits;
}

/**
 * How many distinct subjects a request names: every credit code and ID number in its arguments,
 * across all aliases and fields, written inline or passed as variables, each subject once. Rate
 * limits that count subjects use the same number.
 */
export function countSubjects(arguments_: readonly IdentifierArgument[]): number {
  const subjects = new Set<string>();
  for (const { scalar, values } of arguments_) for (const value of values) subjects.add(`${scalar}:${value}`);
  return subjects.size;
}

export class TooManySubjectsError extends CreditGatewayError {
  constructor(count: number, maximum: number, tier: Tier) {
    super(
      'TOO_MANY_SUBJECTS',
      `The request names ${count} subjects; a ${tier} caller may name at most ${maximum} in one request`,
      { extensions: { subjects: count, maximum, tier } },
    );
  }
}

/**
 * Refuses a request naming more distinct subjects (`countSubjects`) than the caller's tier may,
 * before planning: MAX_BATCH_SIZE bounds one argument, this bounds the request, so aliased copies
 * of a batch field cannot multiply what one request reaches.
 */
export function findTooManySubjects(
  count: number,
  tier: Tier,
  limits: Readonly<Record<Tier, number>>,
): TooManySubjectsError | null {
  return count > limits[tier] ? new TooManySubjectsError(count, limits[tier], tier) : null;
}
