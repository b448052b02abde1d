import type { CreditRecordModel, EnterpriseInputs, ListMembershipModel, Overlays } from '../models.js';
import { enterpriseInputs, type DecisionInputsModel } from './inputs.js';
import { listMemberships } from './lists.js';
import type { CreditPolicy } from './policy.js';
import { brokenCommitmentRecords } from './commitments.js';
import { withPublicationTimeliness } from './publication.js';
import { applyOverlays, deriveRecords } from './records.js';

/** What the rules make of one enterprise: its records with their states, and its list memberships. */
export interface Assessment {
  records: CreditRecordModel[];
  memberships: ListMembershipModel[];
  /** What the records and lists were decided on: every department, read or not. */
  inputs: DecisionInputsModel;
}

export function assess(inputs: EnterpriseInputs, policy: CreditPolicy, overlays: Overlays, today: string): Assessment {
  const derived = [
    ...deriveRecords(inputs, policy.publicity, today),
    ...brokenCommitmentRecords(overlays.commitments ?? [], policy.publicity, today),
  ];
  const records = applyOverlays(derived, overlays, policy.repair).map((record) =>
    withPublicationTimeliness(record, policy.publication, policy.calendar),
  );
  return {
    records,
    memberships: listMemberships(inputs.code, records, policy.catalog),
    inputs: enterpriseInputs(inputs),
  };
}
