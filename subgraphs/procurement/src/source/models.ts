import type { ProcurementContract, ProcurementDishonestyRecord } from '../__generated__/types.js';

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

/**
 * A section as the subgraph answers it: the department's record, or, when the department answered
 * but holds nothing on the subject, an empty one with `known: false`. `readAt` is when it was read.
 */
export type ProcurementSectionModel = ProcurementRecord & { known: boolean; readAt: string };

export function procurementSection(record: ProcurementRecord | null, readAt: string): ProcurementSectionModel {
  if (record) return { ...record, known: true, readAt };
  return { seriousDishonestyRecords: [], contracts: [], known: false, readAt };
}
