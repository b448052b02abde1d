import type { Logger } from '../logger.js';

/**
 * Writes one batch durably, in order, and returns an outcome per entry: its result, or an
 * Error for an entry that failed on its own while the others in the batch went through.
 */
export type BatchWriter<Input, Output> = (batch: readonly Input[]) => Promise<(Output | Error)[]>;

export interface CommitQueueOptions<Input, Output> {
  /** Most entries written together. */
  batchMax: number;
  /**
   * When set, every append settles within this many milliseconds, and `close` waits at most
   * this long; when absent, appends wait for their batch however long it takes.
   */
  timeoutMs?: number;
  write: BatchWriter<Input, Output>;
  /** The error an append fails with when its batch failed, it timed out, or the queue is closed. */
  unavailable(cause: Error): Error;
  /** In log lines: "query register", "credit store". */
  name: string;
  logger: Logger;
}

interface Pending<Input, Output> {
  input: Input;
  settled: boolean;
  resolve(output: Output): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Group commit. Appends queue up while a batch is being made durable and are written together
 * as the next batch, one batch at a time: one fsync or COMMIT serves many appends, and a chain
 * is extended strictly in order. With a timeout, a store that fails or hangs costs appends an
 * error, never an unbounded wait: an append that times out before its batch is taken is
 * dropped; one whose batch was already being written may still be stored, which errs on the
 * side of recording.
 */
export class CommitQueue<Input, Output> {
  private queue: Pending<Input, Output>[] = [];
  private draining: Promise<void> | null = null;
  private closed = false;

  constructor(private readonly options: CommitQueueOptions<Input, Output>) {}

  append(input: Input): Promise<Output> {
    if (this.closed) return Promise.reject(this.options.unavailable(new Error(`${this.options.name} closed`)));
    return new Promise<Output>((resolve, reject) => {
      // Settled once: by its batch, or by its timeout, whichever comes first.
      const settle = () => {
        if (pending.settled) return false;
        pending.settled = true;
        clearTimeout(pending.timer);
        return true;
      };
      const pending: Pending<Input, Output> = {
        input,
        settled: false,
        resolve: (output) => {
          if (settle()) resolve(output);
        },
        reject: (error) => {
          if (settle()) reject(error);
        },
        timer: undefined,
      };
      const { timeoutMs } = this.options;
      if (timeoutMs !== undefined) {
        pending.timer = setTimeout(() => {
          pending.reject(this.options.unavailable(new Error(`${this.options.name} write timed out`)));
          this.dropSettledHead();
        }, timeoutMs);
      }
      this.queue.push(pending);
      this.draining ??= this.drain();
    });
  }

  /** Stops taking appends and waits for the queued ones to be written (at most the timeout, if any). */
  async close(): Promise<void> {
    this.closed = true;
    const { timeoutMs } = this.options;
    if (timeoutMs === undefined) {
      await this.draining;
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.draining, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
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
          const outcomes = await this.options.write(batch.map((pending) => pending.input));
          batch.forEach((pending, i) => {
            const outcome = outcomes[i]!;
            if (outcome instanceof Error) pending.reject(outcome);
            else pending.resolve(outcome);
          });
        } catch (error) {
          this.options.logger.error({ err: error, records: batch.length }, `${this.options.name} write failed`);
          const cause = error instanceof Error ? error : new Error(String(error));
          for (const pending of batch) pending.reject(this.options.unavailable(cause));
        }
      }
    } finally {
      this.draining = null;
    }
  }

  private take(): Pending<Input, Output>[] {
    const batch: Pending<Input, Output>[] = [];
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
