import type { LogHooks } from '@credit-gateway/common/durable-log';
import type { QueryRecordInput, StoredQueryRecord } from './record.js';

export interface BySubjectOptions {
  /** How many records, 1 to 1,000; 50 when absent. */
  limit?: number;
  /** Only records whose `time` is earlier than this ISO 8601 time: the next page after a record's time. */
  before?: string;
}

/** The query register (查询使用登记): append-only, one hash chain per writer, durable before it answers. */
export interface QueryRegister {
  /** This process's chain. */
  readonly writer: string;
  /**
   * Resolves once the record is durably stored (fdatasync, or COMMIT), sealed into the chain.
   * Rejects with RegisterUnavailableError (REGISTER_UNAVAILABLE) when the store fails or does
   * not answer within the configured timeout, and with a TypeError for an invalid record.
   */
  append(record: QueryRecordInput): Promise<StoredQueryRecord>;
  /**
   * Records that touched `subject`, newest first: by `time`, then writer, then seq, newest
   * first. Every chain the store holds is searched.
   */
  bySubject(subject: string, options?: BySubjectOptions): Promise<StoredQueryRecord[]>;
  /** Writes what is queued (waiting at most the timeout), then releases the store. */
  close(): Promise<void>;
}

/**
 * For tests and metrics: what the register does, observed from inside. `commit` is called once
 * per group commit with its record count, just before the batch is made durable: after the
 * file write and before fdatasync, or before the INSERT. A throw fails the batch.
 */
export type RegisterHooks = LogHooks;

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 1_000;

/** Checks look-up options: the limit, and `before` as epoch milliseconds (Infinity when absent). */
export function lookupOptions(options: BySubjectOptions): { limit: number; before: number } {
  const limit = options.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new TypeError(`limit must be a whole number from 1 to ${MAX_LIMIT}`);
  }
  if (options.before === undefined) return { limit, before: Infinity };
  const before = Date.parse(options.before);
  if (!Number.isFinite(before)) throw new TypeError('before must be an ISO 8601 time');
  return { limit, before };
}
