import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Logger } from '@credit-gateway/common';
import type { EventStore } from '../store/event-store.js';
import {
  DELIVERY_STREAM,
  type DeliveryAttempted,
  type DeliveryRecord,
  type EndpointRecord,
  type MessageRecord,
  type OutboxBook,
} from './book.js';
import { signDelivery, type OutboxSigningKey, type SignedRequest } from './signing.js';

/** How deliveries are attempted (OUTBOX_* settings). */
export interface DispatcherSettings {
  /** Attempts before a delivery becomes a dead letter. */
  maxAttempts: number;
  /** The wait before the second attempt; doubled for each further one, up to `backoffMaxMs`. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** How long one attempt may take, connection to status line. */
  attemptTimeoutMs: number;
  /** Attempts in flight at once, over every endpoint; one at a time per endpoint. */
  concurrency: number;
}

export const DEFAULT_DISPATCHER_SETTINGS: DispatcherSettings = {
  maxAttempts: 8,
  backoffBaseMs: 2_000,
  backoffMaxMs: 600_000,
  attemptTimeoutMs: 10_000,
  concurrency: 8,
};

/** What one attempt came to: the receiver's status, or why there was none. */
export type SendOutcome = { status: number } | { error: string };

/** Sends one signed delivery; resolves, never rejects. */
export type Sender = (request: SignedRequest, timeoutMs: number, signal: AbortSignal) => Promise<SendOutcome>;

/**
 * POSTs over a connection of its own (no pool: a slow receiver holds nothing others need), no
 * redirects followed, the answer's body not read: a 2xx status is what counts.
 */
export const httpSender: Sender = (signed, timeoutMs, signal) =>
  new Promise((resolve) => {
    let settled = false;
    const url = new URL(signed.url);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const body = Buffer.from(signed.body);
    const request = send(url, {
      method: 'POST',
      agent: false,
      headers: { ...signed.headers, 'content-length': String(body.length), 'user-agent': 'credit-gateway-outbox' },
    });
    const finish = (outcome: SendOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      request.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ error: `no answer within ${timeoutMs} ms` }), timeoutMs);
    const onAbort = () => finish({ error: 'stopped: the outbox is closing' });
    signal.addEventListener('abort', onAbort);
    request.on('response', (response) => {
      response.resume();
      finish({ status: response.statusCode ?? 0 });
    });
    request.on('error', (error: NodeJS.ErrnoException) => finish({ error: describe(error) }));
    request.end(body);
  });

function describe(error: NodeJS.ErrnoException): string {
  if (error.code === 'ECONNREFUSED') return 'connection refused';
  if (error.code === 'ENOTFOUND') return 'host not found';
  if (error.code === 'ECONNRESET') return 'connection reset';
  return (error.code ?? error.message).slice(0, 200);
}

/** The wait before attempt `n + 1` after `n` failed: exponential, capped, with jitter (½ to 1 of it). */
export function backoffMs(settings: DispatcherSettings, failed: number, random: () => number): number {
  const full = Math.min(settings.backoffMaxMs, settings.backoffBaseMs * 2 ** Math.min(failed - 1, 30));
  return Math.round(full / 2 + (random() * full) / 2);
}

/** The body a department receives. */
export function deliveryBody(message: MessageRecord): string {
  return JSON.stringify({
    id: message.id,
    department: message.department,
    topic: message.topic,
    idempotencyKey: message.idempotencyKey,
    enqueuedAt: message.enqueuedAt,
    payload: message.payload,
  });
}

/**
 * Delivers the outbox in the background: every delivery due is attempted, at most
 * `concurrency` at once and one per endpoint, so a slow or dead receiver holds one slot at most
 * and only for `attemptTimeoutMs`. Each outcome is durable before the next attempt of it; a
 * crash between sending and recording sends it again after the restart, with the same
 * idempotency key (at least once).
 */
export class Dispatcher {
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly busyEndpoints = new Set<string>();
  /** Deliveries whose outcome could not be recorded: not before this time. */
  private readonly held = new Map<string, number>();
  /**
   * Per endpoint, its deliveries by due time. Entries go stale when a delivery is attempted or
   * cancelled; a stale entry is dropped when it comes up. Endpoints in the order they are served.
   */
  private readonly queues = new Map<string, DueQueue>();
  private readonly abort = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private closed = false;

  constructor(
    private readonly book: OutboxBook,
    private readonly events: EventStore,
    private readonly key: OutboxSigningKey,
    private readonly settings: DispatcherSettings,
    private readonly logger: Logger,
    private readonly options: {
      now: () => Date;
      random: () => number;
      send: Sender;
      /** Whether a host may be sent to (OUTBOX_ALLOWED_HOSTS), checked again at each attempt. */
      allowed: (url: string) => boolean;
    },
  ) {
    for (const delivery of book.activeDeliveries()) this.queue(delivery.id);
    book.onChange((ids) => {
      for (const id of ids) this.queue(id);
      this.wake();
    });
  }

  /** Looks for due deliveries now, on the next turn of the event loop. */
  wake(): void {
    if (this.closed) return;
    this.schedule(0);
  }

  /** Stops attempting; attempts in flight are cut short and not recorded (they go again after a start). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.abort.abort();
    await Promise.all(this.inFlight.values());
  }

  /** When a delivery is due: its next attempt, or later if its last outcome could not be recorded. */
  private dueOf(delivery: DeliveryRecord): number {
    return Math.max(
      delivery.nextAttemptAt === null ? 0 : Date.parse(delivery.nextAttemptAt),
      this.held.get(delivery.id) ?? 0,
    );
  }

  private queue(id: string): void {
    const delivery = this.book.delivery(id);
    if (!delivery) return;
    let queue = this.queues.get(delivery.endpointId);
    if (!queue) this.queues.set(delivery.endpointId, (queue = new DueQueue()));
    queue.push(this.dueOf(delivery), id);
  }

  private schedule(delayMs: number): void {
    const at = Date.now() + delayMs;
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.pump();
    }, delayMs);
  }

  /** Starts the first due delivery of each idle endpoint, endpoints served in turn, up to `concurrency`. */
  private pump(): void {
    if (this.closed) return;
    const now = this.options.now().getTime();
    let next = Infinity;
    for (const [endpointId, queue] of [...this.queues]) {
      if (this.inFlight.size >= this.settings.concurrency) return;
      if (this.busyEndpoints.has(endpointId)) continue;
      const due = this.firstDue(queue);
      if (due === null) {
        this.queues.delete(endpointId);
        continue;
      }
      if (due.at > now) {
        next = Math.min(next, due.at);
        continue;
      }
      queue.pop();
      // Served: to the back of the line.
      this.queues.delete(endpointId);
      this.queues.set(endpointId, queue);
      this.start(due.delivery);
    }
    if (next !== Infinity) this.schedule(Math.max(0, next - now));
  }

  /** The queue's first entry still current: active, not in flight, and due when the entry says. */
  private firstDue(queue: DueQueue): { at: number; delivery: DeliveryRecord } | null {
    for (let top = queue.peek(); top !== undefined; top = queue.peek()) {
      const delivery = this.book.delivery(top.id);
      const current =
        delivery !== undefined &&
        (delivery.state === 'PENDING' || delivery.state === 'RETRYING') &&
        !delivery.cancelled &&
        !this.inFlight.has(delivery.id) &&
        this.dueOf(delivery) === top.at;
      if (current) return { at: top.at, delivery };
      queue.pop();
    }
    return null;
  }

  private start(delivery: DeliveryRecord): void {
    const message = this.book.message(delivery.messageId);
    const endpoint = this.book.endpoint(delivery.endpointId);
    if (!message || !endpoint) return;
    this.busyEndpoints.add(endpoint.id);
    const attempt = this.attempt(delivery, message, endpoint).finally(() => {
      this.inFlight.delete(delivery.id);
      this.busyEndpoints.delete(endpoint.id);
      this.wake();
    });
    this.inFlight.set(delivery.id, attempt);
  }

  private async attempt(delivery: DeliveryRecord, message: MessageRecord, endpoint: EndpointRecord): Promise<void> {
    const number = delivery.attempts + 1;
    const signed = signDelivery(
      this.key,
      {
        url: endpoint.url,
        body: deliveryBody(message),
        idempotencyKey: message.idempotencyKey,
        deliveryId: delivery.id,
        topic: message.topic,
        attempt: number,
      },
      this.options.now(),
    );
    const outcome: SendOutcome = this.options.allowed(endpoint.url)
      ? await this.options.send(signed, this.settings.attemptTimeoutMs, this.abort.signal)
      : { error: 'host not allowed (OUTBOX_ALLOWED_HOSTS)' };
    // Cut short by close: not an outcome of the receiver's, so not recorded.
    if (this.closed) return;
    const at = this.options.now();
    const delivered = 'status' in outcome && outcome.status >= 200 && outcome.status < 300;
    const failed = delivery.attemptsSinceQueued + 1;
    const dead = !delivered && failed >= this.settings.maxAttempts;
    const wait = backoffMs(this.settings, failed, this.options.random);
    const recorded: DeliveryAttempted = {
      type: 'OUTBOX_ATTEMPTED',
      deliveryId: delivery.id,
      messageId: message.id,
      endpointId: endpoint.id,
      attempt: number,
      state: delivered ? 'DELIVERED' : dead ? 'DEAD_LETTER' : 'RETRYING',
      status: 'status' in outcome ? outcome.status : null,
      error: delivered ? null : 'status' in outcome ? `HTTP ${outcome.status}` : outcome.error,
      at: at.toISOString(),
      nextAttemptAt: delivered || dead ? null : new Date(at.getTime() + wait).toISOString(),
    };
    // Cleared first: the outcome, once durable, queues the delivery at the time it names.
    this.held.delete(delivery.id);
    try {
      await this.events.append(`${DELIVERY_STREAM}${delivery.id}`, recorded, `attempt/${number}`);
    } catch (error) {
      if (this.closed) return;
      // Sent but not recorded: it goes again, with the same idempotency key.
      this.logger.error({ err: error, deliveryId: delivery.id }, 'outbox: a delivery attempt could not be recorded');
      this.held.set(delivery.id, at.getTime() + wait);
      this.queue(delivery.id);
    }
    if (recorded.state !== 'DELIVERED') {
      this.logger.warn(
        {
          deliveryId: delivery.id,
          department: message.department,
          attempt: number,
          state: recorded.state,
          error: recorded.error,
        },
        'outbox: delivery attempt failed',
      );
    }
  }
}

/** Earlier due time first; at the same time, queued first (deliveries go out in enqueue order). */
function before(a: { at: number; seq: number }, b: { at: number; seq: number }): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/** A binary min-heap of (due time, delivery id). */
class DueQueue {
  private readonly heap: { at: number; seq: number; id: string }[] = [];
  private seq = 0;

  push(at: number, id: string): void {
    const heap = this.heap;
    heap.push({ at, seq: this.seq++, id });
    for (let i = heap.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
      i = parent;
    }
  }

  peek(): { at: number; seq: number; id: string } | undefined {
    return this.heap[0];
  }

  pop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    heap[0] = last;
    for (let i = 0; ;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && before(heap[left]!, heap[smallest]!)) smallest = left;
      if (right < heap.length && before(heap[right]!, heap[smallest]!)) smallest = right;
      if (smallest === i) break;
      [heap[smallest], heap[i]] = [heap[i]!, heap[smallest]!];
      i = smallest;
    }
  }
}
