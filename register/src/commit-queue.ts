import type { Logger } from '@credit-gateway/common';
import { RegisterUnavailableError } from './errors.js';
import { boundedInput, inputProblem, type QueryRecordInput, type StoredQueryRecord } from './record.js';

/** Writes one batch durably, in order, and returns the records as stored. */
export type BatchWriter = (inputs: readonly QueryRecordInput[]) => Promise<StoredQueryRecord[]>;

interface Pending {
  input: QueryRecordInput;
  settled: boolean;
  resolve(record: StoredQueryRecord): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * Group commit. Appends queue up while a batch is being made durable and are written together
 * as the next batch, one batch at a time: one fsync or COMMIT serves many requests, and the
 * chain is extended strictly in order. Every append settles within `timeoutMs`: a store that
 * fails or hangs costs requests a REGISTER_UNAVAILABLE, never an unbounded wait. An append that
 * times out before its batch is taken is dropped; one whose batch was already being written may
 * still be recorded, which errs on the side of registering.
 */
export class CommitQueue {
  private queue: Pending[] = [];
  private draining: Promise<void> | null = null;
  private closed = false;

  constructor(private readonly options: { batchMax: number; timeoutMs: number; logger: Logger; write: BatchWriter }) {}

  append(given: QueryRecordInput): Promise<StoredQueryRecord> {
    const input = boundedInput(given);
    const problem = inputProblem(input);
    if (problem !== null) return Promise.reject(new TypeError(`Query record not registered: ${problem}`));
    if (this.closed) return Promise.reject(new RegisterUnavailableError({ cause: new Error('register closed') }));
    return new Promise<StoredQueryRecord>((resolve, reject) => {
      const pending: Pending = {
        input,
        settled: false,
        resolve: (record) => {
          if (pending.settled) return;
          pending.settled = true;
          clearTimeout(pending.timer);
          resolve(record);
        },
        reject: (error) => {
          if (pending.settled) return;
          pending.settled = true;
          clearTimeout(pending.timer);
          reject(error);
        },
        timer: setTimeout(() => {
          pending.reject(new RegisterUnavailableError({ cause: new Error('register write timed out') }));
          this.dropSettledHead();
        }, this.options.timeoutMs),
      };
      this.queue.push(pending);
      this.draining ??= this.drain();
    });
  }

  /** Stops taking appends and waits, at most `timeoutMs`, for the queued ones to be written. */
  async close(): Promise<void> {
    this.closed = true;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.draining,
      new Promise<void>((resolve) => (timer = setTimeout(resolve, this.options.timeoutMs))),
    ]);
    clearTimeout(timer);
  }

  private async drain(): Promise<void> {
    // Appends made in the same turn of the event loop join the first batch.
    await new Promise<void>((resolve) => setImmediate(resolve));
    try {
      for (;;) {
        const batch = this.take();
        if (batch.length === 0) return;
        try {
          const records = await this.options.write(batch.map((pending) => pending.input));
          batch.forEach((pending, i) => pending.resolve(records[i]!));
        } catch (error) {
          this.options.logger.error({ err: error, records: batch.length }, 'query register write failed');
          for (const pending of batch) pending.reject(new RegisterUnavailableError({ cause: error }));
        }
      }
    } finally {
      this.draining = null;
    }
  }

  private take(): Pending[] {
    const batch: Pending[] = [];
    let i = 0;
    while (i < this.queue.length && batch.length < this.options.batchMax) {
      const pending = this.queue[i++]!;
      if (!pending.settled) batch.push(pending);
    }
    this.queue = this.queue.slice(i);
    return batch;
  }

  /** Appends time out in queue order: forget the timed-out ones at the head while a write hangs. */
  private dropSettledHead(): void {
    let i = 0;
    while (i < this.queue.length && this.queue[i]!.settled) i++;
    if (i > 0) this.queue = this.queue.slice(i);
  }
}
