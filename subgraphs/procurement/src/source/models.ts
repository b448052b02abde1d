import type { ProcurementContract, ProcurementDishonestyRecord } from '../__generated__/resolvers-types.js';

/** What the other subgraphs and the gateway pass around: just the key. */
export interface EnterpriseRef {
  code: string;
}

/** A dishonesty record as the service holds it; whether its ban is in force is judged per request. */
export type DishonestyRecordModel = Omit<ProcurementDishonestyRecord, 'active'>;

/** One supplier's procurement record, translated to the shared schema; `banned` is judged per request. */
export interface ProcurementRecord {
  seriousDishonestyRecords: DishonestyRecordModel[];
  contracts: ProcurementContract[];
}
