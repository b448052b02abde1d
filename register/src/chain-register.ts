import type { Logger } from '@credit-gateway/common';
import { CommitQueue, type ChainWriter } from '@credit-gateway/common/durable-log';
import { RegisterUnavailableError } from './errors.js';
import { registrable, type QueryRecordInput, type StoredQueryRecord } from './record.js';
import type { BySubjectOptions, QueryRegister } from './types.js';

/**
 * What both stores do alike: an append is bounded and checked, then queued for the next group
 * commit into this writer's chain, and settles within `timeoutMs` either way: a store that fails
 * or hangs costs the request REGISTER_UNAVAILABLE, never an unbounded wait. The stores differ in
 * how they look records up.
 */
export abstract class ChainRegister implements QueryRegister {
  readonly writer: string;
  private readonly queue: CommitQueue<QueryRecordInput, StoredQueryRecord>;
  private closing: Promise<void> | undefined;

  constructor(
    protected readonly chain: ChainWriter<QueryRecordInput, StoredQueryRecord>,
    options: { timeoutMs: number; batchMax: number; logger: Logger },
  ) {
    this.writer = chain.writer;
    this.queue = new CommitQueue({
      name: 'query register',
      batchMax: options.batchMax,
      timeoutMs: options.timeoutMs,
      logger: options.logger,
      write: (inputs) => chain.append(inputs),
      unavailable: (cause) => new RegisterUnavailableError({ cause }),
    });
  }

  append(given: QueryRecordInput): Promise<StoredQueryRecord> {
    const input = registrable(given);
    return input instanceof TypeError ? Promise.reject(input) : this.queue.append(input);
  }

  abstract bySubject(subject: string, options?: BySubjectOptions): Promise<StoredQueryRecord[]>;

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.queue.close();
      await this.chain.close();
      await this.release();
    })();
    return this.closing;
  }

  /** Releases what the store holds besides its chain. */
  protected abstract release(): Promise<void>;
}
