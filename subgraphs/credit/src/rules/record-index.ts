import { CreditGatewayError } from '@credit-gateway/common';
import type { CreditRecordModel } from '../models.js';

/**
 * Every subject's credit records as the platform last assessed them, so that a mutation can check
 * the record it names is one of the subject's (the credit subgraph holds no department data of its
 * own). Bounded: the least recently assessed subjects are forgotten first.
 */
export class RecordIndex {
  private readonly bySubject = new Map<string, ReadonlyMap<string, CreditRecordModel>>();

  constructor(private readonly capacity: number) {}

  remember(code: string, records: readonly CreditRecordModel[]): void {
    this.bySubject.delete(code);
    this.bySubject.set(code, new Map(records.map((record) => [record.id, record])));
    while (this.bySubject.size > this.capacity) {
      const oldest = this.bySubject.keys().next();
      if (oldest.done) break;
      this.bySubject.delete(oldest.value);
    }
  }

  /** The subject's records as last assessed completely; none when it was not (or was forgotten). */
  forSubject(code: string): CreditRecordModel[] {
    return [...(this.bySubject.get(code)?.values() ?? [])];
  }

  find(code: string, recordId: string): CreditRecordModel | undefined {
    return this.bySubject.get(code)?.get(recordId);
  }
}

/**
 * The subject's record a mutation names; RECORD_NOT_FOUND when it is not one of the subject's
 * credit records as last read (ask for the subject's `creditRecords` first).
 */
export function requireRecord(index: RecordIndex, code: string, recordId: string): CreditRecordModel {
  const record = index.find(code, recordId.trim());
  if (!record) {
    throw new CreditGatewayError(
      'RECORD_NOT_FOUND',
      // The id is not echoed: it is client input.
      "recordId is not one of the subject's credit records as last read; read its creditRecords first",
      { extensions: { field: 'recordId', subject: code } },
    );
  }
  return record;
}
