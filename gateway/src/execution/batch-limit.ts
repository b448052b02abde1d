import { BatchTooLargeError } from '@credit-gateway/common';
import type { IdentifierArgument } from './identifier-arguments.js';

/**
 * Refuses a request whose list of credit codes or ID numbers is longer than the configured maximum,
 * whether the list is written inline or passed as a variable. Runs before planning, so an oversized
 * batch never reaches a subgraph.
 */
export function findOversizedBatch(
  arguments_: readonly IdentifierArgument[],
  maximum: number,
): BatchTooLargeError | null {
  const oversized = arguments_.find((argument) => argument.values.length > maximum);
  return oversized ? new BatchTooLargeError(oversized.argument, oversized.values.length, maximum) : null;
}
