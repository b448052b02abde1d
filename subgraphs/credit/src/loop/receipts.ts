import { CreditGatewayError } from '@credit-gateway/common';
import type { DecisionContext, SourceSystem } from '../__generated__/types.js';
import { badInput, derivedId, scopedKey } from '../store/caller.js';
import type { EventStore, StoredEvent } from '../store/event-store.js';
import { KeyedLock } from '../store/keyed-lock.js';

export const RECEIPT_STREAM_PREFIX = 'receipt/';

/** An approval check recorded (应查必查): what was in force when the approval system looked. */
export interface CheckRecorded {
  type: 'CHECK_RECORDED';
  receiptId: string;
  code: string;
  matter: string;
  context: DecisionContext;
  applicationId: string | null;
  checkedBy: string;
  /** The calling system, kept for review (查询使用登记). */
  client: string;
  checkedAt: string;
  complete: boolean;
  missingSources: SourceSystem[];
  measuresInForce: string[];
}

/** What the approval system applied to the application it checked (奖惩到位). */
export interface ApplicationReported {
  type: 'APPLICATION_REPORTED';
  receiptId: string;
  applied: string[];
  reason: string | null;
  by: string;
  at: string;
}

/** An application decided without a check (应查未查), as the approval system reported it. */
export interface UncheckedReported {
  type: 'UNCHECKED_APPLICATION_REPORTED';
  id: string;
  code: string;
  matter: string;
  context: DecisionContext;
  applicationId: string;
  reason: string;
  reportedBy: string;
  client: string;
  at: string;
}

export const UNCHECKED_STREAM_PREFIX = 'unchecked/';

export interface ReceiptState {
  issued: CheckRecorded;
  application: ApplicationReported | null;
}

export function receiptNotFound(): CreditGatewayError {
  return new CreditGatewayError('RECEIPT_NOT_FOUND', 'There is no check receipt with this id', {
    extensions: { field: 'receiptId' },
  });
}

/** The receipts of approval checks and the application reports on them, as events in the credit store. */
export class ReceiptBook {
  private readonly receipts = new Map<string, ReceiptState>();
  private readonly unchecked = new Map<string, UncheckedReported>();
  private readonly lock = new KeyedLock();

  constructor(private readonly events: EventStore) {
    events.project((event) => this.apply(event));
  }

  get(id: string): ReceiptState | undefined {
    return this.receipts.get(id);
  }

  all(): ReceiptState[] {
    return [...this.receipts.values()];
  }

  allUnchecked(): UncheckedReported[] {
    return [...this.unchecked.values()];
  }

  /** Records an application decided without a check, once per client and key. */
  async recordUnchecked(
    report: Omit<UncheckedReported, 'type' | 'id'>,
    idempotencyKey: string,
  ): Promise<UncheckedReported> {
    const id = derivedId('UNCK', report.client, idempotencyKey);
    return this.lock.run([id], async () => {
      const existing = this.unchecked.get(id);
      if (existing) {
        const same =
          existing.code === report.code &&
          existing.matter === report.matter &&
          existing.context === report.context &&
          existing.applicationId === report.applicationId &&
          existing.reason === report.reason;
        if (same) return existing;
        throw badInput(`idempotencyKey '${idempotencyKey}' was already used for another report (${id})`, {
          field: 'idempotencyKey',
        });
      }
      const reported: UncheckedReported = { type: 'UNCHECKED_APPLICATION_REPORTED', id, ...report };
      await this.events.append(`${UNCHECKED_STREAM_PREFIX}${id}`, reported, scopedKey(report.client, idempotencyKey));
      return this.unchecked.get(id)!;
    });
  }

  /**
   * Records a check once per client and key: a retry returns the first receipt, as it was then; the
   * same key for another subject, matter or context is refused.
   */
  async record(check: Omit<CheckRecorded, 'type' | 'receiptId'>, idempotencyKey: string): Promise<ReceiptState> {
    const receiptId = derivedId('RCPT', check.client, idempotencyKey);
    return this.lock.run([receiptId], async () => {
      const existing = this.receipts.get(receiptId);
      if (existing) {
        const { issued } = existing;
        const same =
          issued.code === check.code &&
          issued.matter === check.matter &&
          issued.context === check.context &&
          issued.applicationId === check.applicationId;
        if (same) return existing;
        throw badInput(`idempotencyKey '${idempotencyKey}' was already used for another check (${receiptId})`, {
          field: 'idempotencyKey',
        });
      }
      const recorded: CheckRecorded = { type: 'CHECK_RECORDED', receiptId, ...check };
      await this.events.append(
        `${RECEIPT_STREAM_PREFIX}${receiptId}`,
        recorded,
        scopedKey(check.client, idempotencyKey),
      );
      return this.receipts.get(receiptId)!;
    });
  }

  /**
   * The approval system reports what it applied: only measures on the receipt, a reason whenever
   * one in force was not applied, once per receipt, only by the system that checked.
   */
  async reportApplication(
    report: { receiptId: string; applied: readonly string[]; reason: string | null; client: string },
    idempotencyKey: string,
    now: Date,
  ): Promise<ReceiptState> {
    const state = this.receipts.get(report.receiptId);
    // Another system's receipt is answered as unknown: its existence is not disclosed.
    if (!state || state.issued.client !== report.client) throw receiptNotFound();
    const applied = [...new Set(report.applied)].sort();
    const problems: string[] = [];
    for (const id of applied) {
      if (!state.issued.measuresInForce.includes(id)) problems.push(`measure '${id}' was not in force on the receipt`);
    }
    const notApplied = state.issued.measuresInForce.filter((id) => !applied.includes(id));
    if ((notApplied.length > 0 || state.issued.measuresInForce.length === 0) && report.reason === null) {
      problems.push(
        notApplied.length > 0
          ? `reason is required: ${notApplied.join(', ')} were in force and not applied`
          : 'reason is required: no measure was in force, say why none was applied',
      );
    }
    if (problems.length > 0) throw badInput(`Invalid input: ${problems.join('; ')}`, { problems });
    const stream = `${RECEIPT_STREAM_PREFIX}${report.receiptId}`;
    return this.lock.run([report.receiptId], async () => {
      const current = this.receipts.get(report.receiptId)!;
      if (current.application) {
        const same =
          this.events.find(stream, scopedKey(report.client, idempotencyKey)) !== undefined &&
          current.application.applied.join('\n') === applied.join('\n') &&
          current.application.reason === report.reason;
        if (same) return current;
        throw badInput('The application of this receipt was already reported', { field: 'receiptId' });
      }
      const reported: ApplicationReported = {
        type: 'APPLICATION_REPORTED',
        receiptId: report.receiptId,
        applied,
        reason: report.reason,
        by: report.client,
        at: now.toISOString(),
      };
      await this.events.append(stream, reported, scopedKey(report.client, idempotencyKey));
      return this.receipts.get(report.receiptId)!;
    });
  }

  private apply(event: StoredEvent): void {
    if (event.stream.startsWith(UNCHECKED_STREAM_PREFIX)) {
      const data = event.data as unknown as UncheckedReported;
      this.unchecked.set(data.id, data);
      return;
    }
    if (!event.stream.startsWith(RECEIPT_STREAM_PREFIX)) return;
    const data = event.data as unknown as CheckRecorded | ApplicationReported;
    if (data.type === 'CHECK_RECORDED') this.receipts.set(data.receiptId, { issued: data, application: null });
    else if (data.type === 'APPLICATION_REPORTED') {
      const state = this.receipts.get(data.receiptId);
      if (state) state.application = data;
    }
  }
}
