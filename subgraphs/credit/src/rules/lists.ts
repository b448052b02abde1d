import type { CreditRecordModel, ListMembershipModel } from '../models.js';
import type { MeasuresCatalog } from './catalog.js';
import { isPublished } from './records.js';

/**
 * List memberships (red, watch, black…, as data): a subject is on a list while a record of a kind the list takes
 * is still published. A record under objection keeps the subject listed; the measures resting on
 * it are suspended instead (see measures.ts). Expired, repaired, revoked and removed records
 * list nothing. Lists come in catalog order.
 */
export function listMemberships(
  code: string,
  records: readonly CreditRecordModel[],
  catalog: MeasuresCatalog,
): ListMembershipModel[] {
  const memberships: ListMembershipModel[] = [];
  for (const definition of catalog.lists()) {
    const behind = records.filter(
      (r) =>
        isPublished(r) &&
        definition.recordKinds.includes(r.kind) &&
        (definition.severities === undefined || definition.severities.includes(r.severity)),
    );
    if (behind.length === 0) continue;
    const since = behind.reduce(
      (earliest, r) => (r.decidedOn < earliest ? r.decidedOn : earliest),
      behind[0]!.decidedOn,
    );
    memberships.push({
      list: definition.list,
      kind: definition.kind,
      name: definition.name,
      code,
      since,
      records: behind,
    });
  }
  return memberships;
}

/** Whether a membership still acts: at least one record behind it is not under objection. */
export function isInForce(membership: ListMembershipModel): boolean {
  return membership.records.some((r) => r.state === 'ACTIVE');
}
