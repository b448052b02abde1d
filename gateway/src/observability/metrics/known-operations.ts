/**
 * The operation names the gateway knows to be its users': request metrics label them for every
 * caller, without taking a slot (operation-names.ts).
 */
import { Kind, parse } from 'graphql';
import { loadSafelist } from '../../performance/persisted-operations.js';

/**
 * The operations of the client package (clients/operations/*.graphql) and of the gateway's
 * dashboard (http/dashboard/dashboard.js). gateway/test/observability/known-operations.test.ts
 * fails when either has one this list lacks.
 */
export const CLIENT_OPERATIONS: readonly string[] = [
  // approval.graphql
  'ApprovalCheck',
  'BatchCheck',
  'ApprovalRules',
  // credit-easy.graphql
  'CreditEasyPortrait',
  'CreditEasyCheck',
  // court-linkage.graphql
  'DebtorRestrictions',
  'Walk',
  'ReportEnforcementFeedback',
  // analyst.graphql
  'Explore',
  'CreditStatistics',
  'RepairTimeliness',
  // loop.graphql
  'InitiateCase',
  'AcknowledgeCase',
  'ReportExecution',
  'JointCases',
  'JointCase',
  'CheckWithReceipt',
  'ReportApplication',
  'ReportUncheckedApplication',
  'LoopStatistics',
  // the dashboard
  'DashboardStatistics',
  'DashboardLoop',
];

/** The names of the operations a document defines; none for a text that does not parse. */
export function operationNamesOf(query: string): string[] {
  try {
    return parse(query, { noLocation: true }).definitions.flatMap((definition) =>
      definition.kind === Kind.OPERATION_DEFINITION && definition.name ? [definition.name.value] : [],
    );
  } catch {
    return [];
  }
}

/** The client package's operations, and those of the safelist (SAFELIST_FILE) when there is one. */
export function knownOperationNames(safelistFile: string | undefined): Set<string> {
  const names = new Set(CLIENT_OPERATIONS);
  if (safelistFile === undefined) return names;
  for (const query of new Set(loadSafelist(safelistFile).values()))
    for (const name of operationNamesOf(query)) names.add(name);
  return names;
}
