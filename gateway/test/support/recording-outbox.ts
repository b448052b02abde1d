import type { Outbox, OutboxMessage } from '@credit-gateway/subgraph-credit';

/**
 * An outbox that keeps what it is given, in order, once per idempotency key (as the durable one
 * does), for tests to read; it delivers nothing. `failNext` makes the next enqueue fail.
 */
export class RecordingOutbox implements Outbox {
  readonly messages: OutboxMessage[] = [];
  private readonly keys = new Set<string>();
  failNext = false;

  enqueue(messages: readonly OutboxMessage[]): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      return Promise.reject(new Error('outbox unavailable'));
    }
    for (const message of messages) {
      if (this.keys.has(message.idempotencyKey)) continue;
      this.keys.add(message.idempotencyKey);
      this.messages.push(structuredClone(message));
    }
    return Promise.resolve();
  }

  /** The messages about one case. */
  forCase(caseId: string): OutboxMessage[] {
    return this.messages.filter((m) => m.payload['caseId'] === caseId);
  }
}
