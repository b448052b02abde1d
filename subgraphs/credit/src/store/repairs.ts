import type { RecordRepairInput } from '../__generated__/types.js';
import type { CreditRepairModel } from '../models.js';
import { chinaDate } from '../workdays/index.js';
import {
  badInput,
  checkIdempotencyKey,
  checkRecordId,
  checkText,
  derivedId,
  requireTier,
  scopedKey,
  throwProblems,
  type Caller,
} from './caller.js';
import type { EventStore, StoredEvent } from './event-store.js';
import { KeyedLock } from './keyed-lock.js';

export const REPAIR_STREAM_PREFIX = 'repair/';
const MAX_BASIS = 2_000;

/** A credit repair as recorded (信用修复). */
export interface RepairRecorded {
  type: 'REPAIR_RECORDED';
  id: string;
  code: string;
  recordId: string;
  basis: string;
  by: string;
  repairedOn: string;
  at: string;
}

/**
 * Credit repairs (信用修复): a government department records that a subject corrected the
 * violation and made a credit commitment; the record then stops being published and stops
 * triggering measures. A record is repaired once.
 */
export class RepairBook {
  private readonly byId = new Map<string, CreditRepairModel>();
  /** code → recordId → its repair. */
  private readonly bySubject = new Map<string, Map<string, CreditRepairModel>>();
  private readonly lock = new KeyedLock();

  constructor(private readonly events: EventStore) {
    events.project((event) => this.apply(event));
  }

  get(id: string): CreditRepairModel | null {
    return this.byId.get(id) ?? null;
  }

  /** A subject's repairs by record id. */
  forSubject(code: string): ReadonlyMap<string, CreditRepairModel> {
    return new Map(this.bySubject.get(code));
  }

  /**
   * Records a repair of one record, dated the China date of `now`. The same idempotency key
   * returns the first repair; the same key with another input, or a record already repaired, is
   * refused.
   */
  async record(caller: Caller, input: RecordRepairInput, now: Date): Promise<CreditRepairModel> {
    const client = requireTier(caller, ['GOVERNMENT'], 'record a credit repair');
    const problems: string[] = [];
    const recordId = checkRecordId(problems, input.recordId);
    const basis = checkText(problems, 'basis', input.basis, { max: MAX_BASIS }) ?? '';
    const key = checkIdempotencyKey(problems, input.idempotencyKey);
    throwProblems(problems);

    const id = derivedId('REP', client, key);
    return this.lock.run([`repair/${id}`, `repaired/${input.code}/${recordId}`], async () => {
      const existing = this.byId.get(id);
      if (existing) {
        if (existing.code === input.code && existing.recordId === recordId && existing.basis === basis) return existing;
        throw badInput(`idempotencyKey '${key}' was already used for another repair (${id})`, {
          field: 'idempotencyKey',
        });
      }
      const earlier = this.bySubject.get(input.code)?.get(recordId);
      if (earlier) {
        throw badInput(`Record ${recordId} was already repaired on ${earlier.repairedOn} (${earlier.id})`, {
          repairId: earlier.id,
        });
      }
      const recorded: RepairRecorded = {
        type: 'REPAIR_RECORDED',
        id,
        code: input.code,
        recordId,
        basis,
        by: client,
        repairedOn: chinaDate(now),
        at: now.toISOString(),
      };
      await this.events.append(`${REPAIR_STREAM_PREFIX}${id}`, recorded, scopedKey(client, key));
      return this.byId.get(id)!;
    });
  }

  private apply(event: StoredEvent): void {
    if (!event.stream.startsWith(REPAIR_STREAM_PREFIX)) return;
    const data = event.data as unknown as RepairRecorded;
    const repair: CreditRepairModel = {
      id: data.id,
      code: data.code,
      recordId: data.recordId,
      repairedOn: data.repairedOn,
      basis: data.basis,
      by: data.by,
    };
    this.byId.set(repair.id, repair);
    const records = this.bySubject.get(repair.code);
    if (records) records.set(repair.recordId, repair);
    else this.bySubject.set(repair.code, new Map([[repair.recordId, repair]]));
  }
}
