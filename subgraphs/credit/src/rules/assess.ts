import type { CreditRecordModel, EnterpriseInputs, ListMembershipModel, Overlays } from '../models.js';
import { listMemberships } from './lists.js';
import type { CreditPolicy } from './policy.js';
import { applyOverlays, deriveRecords } from './records.js';

/** What the rules make of one enterprise: its records with their states, and its list memberships. */
export interface Assessment {
  records: CreditRecordModel[];
  memberships: ListMembershipModel[];
}

export function assess(inputs: EnterpriseInputs, policy: CreditPolicy, overlays: Overlays, today: string): Assessment {
  const records = applyOverlays(deriveRecords(inputs, policy.publicity, today), overlays);
  return { records, memberships: listMemberships(inputs.code, records, policy.catalog) };
}
