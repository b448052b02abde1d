import { createHash } from 'node:crypto';
import type { EventStore, StoredEvent } from '../store/event-store.js';

/**
 * The outbox as events in the credit store (信息推送): messages enqueued, endpoints registered
 * and removed, delivery attempts and redeliveries, each durable before it counts, and the state
 * below projected from them in log order, at start and as they are appended.
 */
export const OUTBOX_STREAM_PREFIX = 'outbox/';
export const MESSAGE_STREAM = 'outbox/message/';
export const ENDPOINT_STREAM = 'outbox/endpoints/';
export const DELIVERY_STREAM = 'outbox/delivery/';

export type DeliveryState = 'PENDING' | 'RETRYING' | 'DELIVERED' | 'DEAD_LETTER';

export interface MessageEnqueued {
  type: 'OUTBOX_ENQUEUED';
  id: string;
  department: string;
  topic: string;
  idempotencyKey: string;
  payload: Record<string, unknown>;
  enqueuedAt: string;
}

export interface EndpointRegistered {
  type: 'OUTBOX_ENDPOINT_REGISTERED';
  id: string;
  department: string;
  url: string;
  topics: string[];
  by: string;
  at: string;
}

export interface EndpointRemoved {
  type: 'OUTBOX_ENDPOINT_REMOVED';
  id: string;
  department: string;
  by: string;
  at: string;
}

/** One attempt's outcome, and the state it leaves the delivery in (decided when it was made). */
export interface DeliveryAttempted {
  type: 'OUTBOX_ATTEMPTED';
  deliveryId: string;
  messageId: string;
  endpointId: string;
  attempt: number;
  state: 'DELIVERED' | 'RETRYING' | 'DEAD_LETTER';
  /** The receiver's HTTP status, when it answered. */
  status: number | null;
  error: string | null;
  at: string;
  nextAttemptAt: string | null;
}

export interface DeliveryRedelivered {
  type: 'OUTBOX_REDELIVERED';
  deliveryId: string;
  by: string;
  at: string;
}

export type OutboxEventData =
  MessageEnqueued | EndpointRegistered | EndpointRemoved | DeliveryAttempted | DeliveryRedelivered;

export interface MessageRecord {
  id: string;
  department: string;
  topic: string;
  idempotencyKey: string;
  payload: Record<string, unknown>;
  enqueuedAt: string;
}

export interface EndpointRecord {
  id: string;
  department: string;
  url: string;
  topics: readonly string[];
  registeredBy: string;
  registeredAt: string;
  removedAt: string | null;
}

export interface DeliveryRecord {
  id: string;
  messageId: string;
  endpointId: string;
  state: DeliveryState;
  /** Every attempt made, across redeliveries. */
  attempts: number;
  /** Attempts since the delivery was (re)queued: what the attempt budget counts. */
  attemptsSinceQueued: number;
  lastStatus: number | null;
  lastError: string | null;
  lastAttemptAt: string | null;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  /** Its endpoint was removed before it was delivered: no longer attempted. */
  cancelled: boolean;
}

function digestId(prefix: string, parts: readonly string[]): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([prefix, ...parts]))
    .digest('hex');
  return `${prefix}-${digest.slice(0, 24).toUpperCase()}`;
}

/** A message's id: one per department and idempotency key. */
export const messageIdOf = (department: string, idempotencyKey: string) =>
  digestId('MSG', [department, idempotencyKey]);
/** A delivery's id: one per message and endpoint, the same for every attempt (the signature's nonce). */
export const deliveryIdOf = (messageId: string, endpointId: string) => digestId('DLV', [messageId, endpointId]);
/** An endpoint's id, from the registering client's idempotency key. */
export const endpointIdOf = (department: string, client: string, key: string) =>
  digestId('EP', [department, client, key]);

/** Whether an endpoint subscribed to a topic: by name, or `*` for every topic. */
export function subscribes(endpoint: Pick<EndpointRecord, 'topics'>, topic: string): boolean {
  return endpoint.topics.includes('*') || endpoint.topics.includes(topic);
}

/** The outbox's state, projected from the store's events in order. */
export class OutboxBook {
  private readonly messages = new Map<string, MessageRecord>();
  private readonly endpoints = new Map<string, EndpointRecord>();
  private readonly deliveries = new Map<string, DeliveryRecord>();
  private readonly deliveriesByMessage = new Map<string, string[]>();
  /** Messages with no delivery that is or was going anywhere, by department, in enqueue order. */
  private readonly waiting = new Map<string, Set<string>>();
  /** Deliveries still to be attempted: PENDING or RETRYING, not cancelled. */
  private readonly active = new Map<string, DeliveryRecord>();
  /** Every message of a department, in enqueue order. */
  private readonly byDepartment = new Map<string, string[]>();
  private readonly listeners: ((deliveryIds: readonly string[]) => void)[] = [];
  /** Deliveries the event being applied made due, or changed the due time of. */
  private touched: string[] = [];

  constructor(readonly events: EventStore) {
    events.project((event) => this.apply(event));
  }

  /**
   * Called after every outbox event is applied, with the deliveries to attempt it queued or
   * rescheduled: the dispatcher wakes on it.
   */
  onChange(listener: (deliveryIds: readonly string[]) => void): void {
    this.listeners.push(listener);
  }

  message(id: string): MessageRecord | undefined {
    return this.messages.get(id);
  }

  endpoint(id: string): EndpointRecord | undefined {
    return this.endpoints.get(id);
  }

  delivery(id: string): DeliveryRecord | undefined {
    return this.deliveries.get(id);
  }

  /** A department's endpoints in force, oldest first. */
  endpointsOf(department: string): EndpointRecord[] {
    return [...this.endpoints.values()].filter((e) => e.department === department && e.removedAt === null);
  }

  /** Deliveries to attempt, oldest first. */
  activeDeliveries(): IterableIterator<DeliveryRecord> {
    return this.active.values();
  }

  /** A department's messages, newest first: with their deliveries, or waiting for an endpoint. */
  *messagesOf(department: string): Generator<{ message: MessageRecord; deliveries: DeliveryRecord[] }> {
    const ids = this.byDepartment.get(department) ?? [];
    for (let i = ids.length - 1; i >= 0; i--) {
      const message = this.messages.get(ids[i]!)!;
      const deliveries = (this.deliveriesByMessage.get(message.id) ?? [])
        .map((id) => this.deliveries.get(id)!)
        .filter((delivery) => !delivery.cancelled);
      yield { message, deliveries };
    }
  }

  departments(): string[] {
    return [...this.byDepartment.keys()].sort();
  }

  private apply(event: StoredEvent): void {
    if (!event.stream.startsWith(OUTBOX_STREAM_PREFIX)) return;
    const data = event.data as unknown as OutboxEventData;
    this.touched = [];
    switch (data.type) {
      case 'OUTBOX_ENQUEUED':
        this.enqueued(data);
        break;
      case 'OUTBOX_ENDPOINT_REGISTERED':
        this.registered(data);
        break;
      case 'OUTBOX_ENDPOINT_REMOVED':
        this.removed(data);
        break;
      case 'OUTBOX_ATTEMPTED':
        this.attempted(data);
        break;
      case 'OUTBOX_REDELIVERED':
        this.redelivered(data);
        break;
      default:
        throw new Error(`Credit store: unknown outbox event at position ${event.position}`);
    }
    const touched = this.touched.filter((id) => this.active.has(id));
    for (const listener of this.listeners) listener(touched);
  }

  private enqueued(data: MessageEnqueued): void {
    const message: MessageRecord = {
      id: data.id,
      department: data.department,
      topic: data.topic,
      idempotencyKey: data.idempotencyKey,
      payload: data.payload,
      enqueuedAt: data.enqueuedAt,
    };
    this.messages.set(message.id, message);
    const list = this.byDepartment.get(message.department);
    if (list) list.push(message.id);
    else this.byDepartment.set(message.department, [message.id]);
    const targets = this.endpointsOf(message.department).filter((endpoint) => subscribes(endpoint, message.topic));
    if (targets.length === 0) this.wait(message);
    for (const endpoint of targets) this.route(message, endpoint);
  }

  private registered(data: EndpointRegistered): void {
    const endpoint: EndpointRecord = {
      id: data.id,
      department: data.department,
      url: data.url,
      topics: [...data.topics],
      registeredBy: data.by,
      registeredAt: data.at,
      removedAt: null,
    };
    this.endpoints.set(endpoint.id, endpoint);
    // Messages that had nowhere to go go to the first endpoint that wants them.
    const waiting = this.waiting.get(endpoint.department);
    for (const id of [...(waiting ?? [])]) {
      const message = this.messages.get(id)!;
      if (!subscribes(endpoint, message.topic)) continue;
      waiting!.delete(id);
      this.route(message, endpoint);
    }
  }

  private removed(data: EndpointRemoved): void {
    const endpoint = this.endpoints.get(data.id);
    if (!endpoint || endpoint.removedAt !== null) return;
    endpoint.removedAt = data.at;
    for (const delivery of this.deliveries.values()) {
      if (delivery.endpointId !== endpoint.id || delivery.state === 'DELIVERED' || delivery.cancelled) continue;
      delivery.cancelled = true;
      this.active.delete(delivery.id);
      // A message with nowhere left to go waits for the next endpoint, so it is never lost.
      const live = (this.deliveriesByMessage.get(delivery.messageId) ?? []).some(
        (id) => !this.deliveries.get(id)!.cancelled,
      );
      if (!live) this.wait(this.messages.get(delivery.messageId)!);
    }
  }

  private attempted(data: DeliveryAttempted): void {
    const delivery = this.deliveries.get(data.deliveryId);
    if (!delivery) throw new Error(`Credit store: outbox delivery ${data.deliveryId} attempted before it was routed`);
    delivery.attempts = Math.max(delivery.attempts, data.attempt);
    delivery.attemptsSinceQueued++;
    delivery.lastStatus = data.status;
    delivery.lastError = data.error;
    delivery.lastAttemptAt = data.at;
    delivery.nextAttemptAt = data.nextAttemptAt;
    if (delivery.state === 'DELIVERED') return;
    delivery.state = data.state;
    if (data.state === 'DELIVERED') {
      delivery.deliveredAt = data.at;
      if (delivery.cancelled) {
        // Delivered while its endpoint was being removed: it did arrive.
        delivery.cancelled = false;
        this.waiting.get(this.messages.get(delivery.messageId)!.department)?.delete(delivery.messageId);
      }
    }
    if (data.state === 'RETRYING' && !delivery.cancelled) {
      this.active.set(delivery.id, delivery);
      this.touched.push(delivery.id);
    } else this.active.delete(delivery.id);
  }

  private redelivered(data: DeliveryRedelivered): void {
    const delivery = this.deliveries.get(data.deliveryId);
    if (!delivery || delivery.state !== 'DEAD_LETTER' || delivery.cancelled) return;
    delivery.state = 'PENDING';
    delivery.attemptsSinceQueued = 0;
    delivery.nextAttemptAt = null;
    this.active.set(delivery.id, delivery);
    this.touched.push(delivery.id);
  }

  private wait(message: MessageRecord): void {
    const set = this.waiting.get(message.department);
    if (set) set.add(message.id);
    else this.waiting.set(message.department, new Set([message.id]));
  }

  private route(message: MessageRecord, endpoint: EndpointRecord): void {
    const id = deliveryIdOf(message.id, endpoint.id);
    if (this.deliveries.has(id)) return;
    const delivery: DeliveryRecord = {
      id,
      messageId: message.id,
      endpointId: endpoint.id,
      state: 'PENDING',
      attempts: 0,
      attemptsSinceQueued: 0,
      lastStatus: null,
      lastError: null,
      lastAttemptAt: null,
      nextAttemptAt: null,
      deliveredAt: null,
      cancelled: false,
    };
    this.deliveries.set(id, delivery);
    const list = this.deliveriesByMessage.get(message.id);
    if (list) list.push(id);
    else this.deliveriesByMessage.set(message.id, [id]);
    this.active.set(id, delivery);
    this.touched.push(id);
  }
}
