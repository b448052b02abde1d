import type { Outbox, OutboxMessage } from '@credit-gateway/subgraph-credit';

/**
 * Records what the platform gives the credit subgraph's real outbox, in order, once per
 * idempotency key (as the outbox itself keeps them), and passes it on, so a test reads what was
 * pushed while the messages still go the real way: durable in the store, then delivered.
 * `failNext` makes the next enqueue fail before it reaches the outbox, as a store that cannot
 * write would.
 */
export class RecordingOutbox {
  readonly messages: OutboxMessage[] = [];
  private readonly keys = new Set<string>();
  failNext = false;

  /** Puts the recorder in front of `outbox` (the stack's credit outbox). */
  wrap(outbox: Outbox): void {
    const enqueue = outbox.enqueue.bind(outbox);
    outbox.enqueue = async (messages: readonly OutboxMessage[]) => {
      if (this.failNext) {
        this.failNext = false;
        throw new Error('outbox unavailable');
      }
      await enqueue(messages);
      for (const message of messages) {
        const key = `${message.department}\n${message.idempotencyKey}`;
        if (this.keys.has(key)) continue;
        this.keys.add(key);
        this.messages.push(structuredClone(message));
      }
    };
  }

  /** The messages about one case. */
  forCase(caseId: string): OutboxMessage[] {
    return this.messages.filter((m) => m.payload['caseId'] === caseId);
  }
}
