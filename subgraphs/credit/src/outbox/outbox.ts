import type { Logger } from '@credit-gateway/common';
import type { EventStore } from '../store/event-store.js';
import { KeyedLock } from '../store/keyed-lock.js';
import {
  ENDPOINT_STREAM,
  DELIVERY_STREAM,
  endpointIdOf,
  MESSAGE_STREAM,
  messageIdOf,
  OutboxBook,
  type DeliveryRecord,
  type DeliveryRedelivered,
  type DeliveryState,
  type EndpointRecord,
  type EndpointRegistered,
  type EndpointRemoved,
  type MessageEnqueued,
  type MessageRecord,
} from './book.js';
import { isDepartmentId } from './departments.js';
import {
  DEFAULT_DISPATCHER_SETTINGS,
  Dispatcher,
  httpSender,
  type DispatcherSettings,
  type Sender,
} from './dispatcher.js';
import type { Outbox, OutboxMessage } from './port.js';
import type { OutboxSigningKey } from './signing.js';

/** Bounds on what a department registers and on what the platform enqueues. */
export const OUTBOX_LIMITS = {
  urlLength: 2_048,
  endpointsPerDepartment: 10,
  topicsPerEndpoint: 32,
  topicLength: 64,
  idempotencyKeyLength: 200,
  payloadBytes: 64 * 1024,
  messagesPerEnqueue: 1_000,
  redeliveriesPerCall: 500,
} as const;

/** A topic: lower case words joined by `.`, `_` or `-`, like `case.opened`; `*` subscribes to every one. */
const TOPIC = /^[a-z][a-z0-9]*(?:[._-][a-z0-9]+)*$/;
const CONTROL = /[\u0000-\u001f\u007f]/;

/** One delivery, or a message still waiting for an endpoint, as operators see it. */
export interface DeliveryView {
  /** The delivery's id; for a message waiting for an endpoint, the message's. */
  id: string;
  message: MessageRecord;
  endpoint: EndpointRecord | null;
  state: DeliveryState;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  lastAttemptAt: string | null;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
}

/** Why an input was refused: every problem at once. */
export class OutboxInputError extends Error {
  override name = 'OutboxInputError';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid input: ${problems.join('; ')}`);
  }
}

/**
 * Whether a URL's host is one of `allowed` (OUTBOX_ALLOWED_HOSTS): a host name, or a suffix that
 * starts with a dot (`.gov.cn`). Every host when `allowed` is empty.
 */
export function hostAllowed(url: string, allowed: readonly string[]): boolean {
  if (allowed.length === 0) return true;
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  return allowed.some((entry) => {
    const name = entry.toLowerCase();
    return name.startsWith('.') ? host.endsWith(name) : host === name;
  });
}

/** Checks a webhook URL: http or https, no credentials, bounded. Returns it normalized, or a problem. */
export function checkEndpointUrl(
  value: string,
  allowedHosts: readonly string[] = [],
): { url: string } | { problem: string } {
  const text = value.trim();
  if (text.length === 0 || text.length > OUTBOX_LIMITS.urlLength) {
    return { problem: `url must be 1 to ${OUTBOX_LIMITS.urlLength} characters` };
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { problem: 'url is not a URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { problem: 'url must be http or https' };
  if (url.username !== '' || url.password !== '') return { problem: 'url must not hold credentials' };
  if (url.hash !== '') return { problem: 'url must not have a fragment' };
  if (url.href.length > OUTBOX_LIMITS.urlLength) {
    return { problem: `url is longer than ${OUTBOX_LIMITS.urlLength} characters` };
  }
  if (!hostAllowed(url.href, allowedHosts)) {
    return { problem: `url's host ${url.hostname} is not one the platform delivers to (OUTBOX_ALLOWED_HOSTS)` };
  }
  return { url: url.href };
}

function checkTopics(problems: string[], topics: readonly string[]): string[] {
  const unique = [...new Set(topics.map((topic) => topic.trim()))];
  if (unique.length === 0 || unique.length > OUTBOX_LIMITS.topicsPerEndpoint) {
    problems.push(`topics must name 1 to ${OUTBOX_LIMITS.topicsPerEndpoint} topics, or '*' for every topic`);
  }
  for (const topic of unique.slice(0, OUTBOX_LIMITS.topicsPerEndpoint + 1)) {
    if (topic !== '*' && (topic.length > OUTBOX_LIMITS.topicLength || !TOPIC.test(topic))) {
      problems.push(`topic '${topic.slice(0, OUTBOX_LIMITS.topicLength)}' is not a topic like case.opened`);
    }
  }
  return unique;
}

function checkKey(problems: string[], key: string): string {
  const text = key.trim();
  if (text.length === 0 || text.length > OUTBOX_LIMITS.idempotencyKeyLength || CONTROL.test(text)) {
    problems.push(
      `idempotencyKey must be 1 to ${OUTBOX_LIMITS.idempotencyKeyLength} characters, no control characters`,
    );
  }
  return text;
}

/** Why a message cannot be enqueued, or null. */
export function messageProblem(message: OutboxMessage): string | null {
  if (!isDepartmentId(message.department)) return 'department must be a department id like TAX';
  if (
    typeof message.topic !== 'string' ||
    message.topic.length > OUTBOX_LIMITS.topicLength ||
    !TOPIC.test(message.topic)
  ) {
    return 'topic must be a topic like case.opened';
  }
  const keyProblems: string[] = [];
  if (
    typeof message.idempotencyKey !== 'string' ||
    checkKey(keyProblems, message.idempotencyKey) !== message.idempotencyKey
  ) {
    return 'idempotencyKey must be trimmed';
  }
  if (keyProblems.length > 0) return keyProblems[0]!;
  if (typeof message.payload !== 'object' || message.payload === null || Array.isArray(message.payload)) {
    return 'payload must be an object';
  }
  let size: number;
  try {
    size = Buffer.byteLength(JSON.stringify(message.payload));
  } catch {
    return 'payload is not JSON';
  }
  if (size > OUTBOX_LIMITS.payloadBytes) return `payload is larger than ${OUTBOX_LIMITS.payloadBytes} bytes`;
  return null;
}

export interface DurableOutboxOptions {
  signingKey: OutboxSigningKey;
  settings?: Partial<DispatcherSettings>;
  logger: Logger;
  now?: () => Date;
  random?: () => number;
  /** How a delivery is sent: over HTTP by default. */
  send?: Sender;
  /** Hosts endpoints may be at (OUTBOX_ALLOWED_HOSTS): names, or suffixes starting with a dot; any when empty. */
  allowedHosts?: readonly string[];
}

/**
 * The outbox on the credit store: messages, endpoints and every attempt are events of its hash
 * chain, durable before anything answers, and the state is projected from them at start. A
 * background dispatcher delivers; `close` stops it (the store is the caller's to close after).
 */
export class DurableOutbox implements Outbox {
  readonly book: OutboxBook;
  readonly signingKey: OutboxSigningKey;
  readonly settings: DispatcherSettings;
  private readonly dispatcher: Dispatcher;
  private readonly lock = new KeyedLock();
  private readonly now: () => Date;
  private readonly allowedHosts: readonly string[];

  constructor(
    private readonly events: EventStore,
    options: DurableOutboxOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    this.signingKey = options.signingKey;
    this.settings = { ...DEFAULT_DISPATCHER_SETTINGS, ...options.settings };
    this.allowedHosts = options.allowedHosts ?? [];
    this.book = new OutboxBook(events);
    this.dispatcher = new Dispatcher(this.book, events, options.signingKey, this.settings, options.logger, {
      now: this.now,
      random: options.random ?? Math.random,
      send: options.send ?? httpSender,
      allowed: (url) => hostAllowed(url, this.allowedHosts),
    });
    this.dispatcher.wake();
  }

  /**
   * Makes the messages durable, then resolves; delivery follows in the background. A message
   * whose department and idempotency key were enqueued before (across restarts too) is a no-op.
   * A message that breaks the bounds rejects the whole call, before anything is written.
   */
  async enqueue(messages: readonly OutboxMessage[]): Promise<void> {
    if (messages.length > OUTBOX_LIMITS.messagesPerEnqueue) {
      throw new TypeError(`Outbox: at most ${OUTBOX_LIMITS.messagesPerEnqueue} messages per enqueue`);
    }
    messages.forEach((message, index) => {
      const problem = messageProblem(message);
      if (problem !== null) throw new TypeError(`Outbox: message ${index} not enqueued: ${problem}`);
    });
    const enqueuedAt = this.now().toISOString();
    const fresh = messages.filter(
      (message) => !this.book.message(messageIdOf(message.department, message.idempotencyKey)),
    );
    await Promise.all(
      fresh.map((message) => {
        const id = messageIdOf(message.department, message.idempotencyKey);
        const data: MessageEnqueued = {
          type: 'OUTBOX_ENQUEUED',
          id,
          department: message.department,
          topic: message.topic,
          idempotencyKey: message.idempotencyKey,
          payload: message.payload,
          enqueuedAt,
        };
        return this.events.append(`${MESSAGE_STREAM}${id}`, data, message.idempotencyKey);
      }),
    );
  }

  /**
   * Registers a department's webhook endpoint for some topics. The same idempotency key returns
   * the endpoint registered first; a URL already registered for the department is refused.
   */
  async registerEndpoint(
    department: string,
    client: string,
    input: { url: string; topics: readonly string[]; idempotencyKey: string },
  ): Promise<EndpointRecord> {
    const problems: string[] = [];
    const checked = checkEndpointUrl(input.url, this.allowedHosts);
    if ('problem' in checked) problems.push(checked.problem);
    const topics = checkTopics(problems, input.topics);
    const key = checkKey(problems, input.idempotencyKey);
    if (problems.length > 0) throw new OutboxInputError(problems);
    const url = (checked as { url: string }).url;
    const id = endpointIdOf(department, client, key);
    return this.lock.run([`endpoints/${department}`], async () => {
      const existing = this.book.endpoint(id);
      if (existing) {
        if (existing.url === url && sameTopics(existing.topics, topics)) return existing;
        throw new OutboxInputError([`idempotencyKey '${key}' was already used for another endpoint (${id})`]);
      }
      const current = this.book.endpointsOf(department);
      const same = current.find((endpoint) => endpoint.url === url);
      if (same)
        throw new OutboxInputError([`url is already registered for ${department} as ${same.id}; remove it first`]);
      if (current.length >= OUTBOX_LIMITS.endpointsPerDepartment) {
        throw new OutboxInputError([
          `${department} has ${OUTBOX_LIMITS.endpointsPerDepartment} endpoints already, the most a department may have`,
        ]);
      }
      const data: EndpointRegistered = {
        type: 'OUTBOX_ENDPOINT_REGISTERED',
        id,
        department,
        url,
        topics,
        by: client,
        at: this.now().toISOString(),
      };
      await this.events.append(`${ENDPOINT_STREAM}${department}`, data, `register/${id}`);
      return this.book.endpoint(id)!;
    });
  }

  /**
   * Removes an endpoint of `department`: deliveries to it not yet made stop, and messages left
   * with nowhere to go wait for the department's next endpoint. Removing it again returns it.
   */
  async removeEndpoint(department: string, client: string, id: string): Promise<EndpointRecord> {
    return this.lock.run([`endpoints/${department}`], async () => {
      const endpoint = this.book.endpoint(id);
      if (!endpoint || endpoint.department !== department) {
        throw new OutboxInputError([`${department} has no endpoint '${id.slice(0, 100)}'`]);
      }
      if (endpoint.removedAt !== null) return endpoint;
      const data: EndpointRemoved = {
        type: 'OUTBOX_ENDPOINT_REMOVED',
        id,
        department,
        by: client,
        at: this.now().toISOString(),
      };
      await this.events.append(`${ENDPOINT_STREAM}${department}`, data, `remove/${id}`);
      return this.book.endpoint(id)!;
    });
  }

  /**
   * Puts a department's dead letters back to PENDING, with a fresh attempt budget: those named,
   * or every one (up to OUTBOX_LIMITS.redeliveriesPerCall). Returns the deliveries requeued.
   */
  async redeliver(department: string, by: string, ids: readonly string[] | null): Promise<DeliveryView[]> {
    const wanted = ids === null ? null : new Set(ids);
    const dead: DeliveryRecord[] = [];
    for (const { deliveries } of this.book.messagesOf(department)) {
      for (const delivery of deliveries) {
        if (delivery.state === 'DEAD_LETTER' && (wanted === null || wanted.has(delivery.id))) dead.push(delivery);
      }
      if (dead.length >= OUTBOX_LIMITS.redeliveriesPerCall) break;
    }
    const at = this.now().toISOString();
    await Promise.all(
      dead.slice(0, OUTBOX_LIMITS.redeliveriesPerCall).map((delivery) => {
        const data: DeliveryRedelivered = { type: 'OUTBOX_REDELIVERED', deliveryId: delivery.id, by, at };
        // One redelivery per dead-letter episode: the attempts made so far tell them apart.
        return this.events.append(`${DELIVERY_STREAM}${delivery.id}`, data, `redeliver/${delivery.attempts}`);
      }),
    );
    return dead.slice(0, OUTBOX_LIMITS.redeliveriesPerCall).map((delivery) => this.view(delivery)!);
  }

  /**
   * A department's deliveries, newest first, optionally in one state; waiting messages count as
   * PENDING. `after`: the id of the last one of the previous page.
   */
  deliveries(
    department: string,
    state: DeliveryState | null,
    first: number,
    after: string | null = null,
  ): DeliveryView[] {
    const views: DeliveryView[] = [];
    let skipping = after !== null;
    for (const { message, deliveries } of this.book.messagesOf(department)) {
      const items: DeliveryView[] =
        deliveries.length === 0 ? [waitingView(message)] : deliveries.map((delivery) => this.view(delivery)!);
      for (const item of items) {
        if (skipping) {
          skipping = item.id !== after;
          continue;
        }
        if (state !== null && item.state !== state) continue;
        views.push(item);
        if (views.length >= first) return views;
      }
    }
    return views;
  }

  /** Departments with messages in the outbox. */
  departments(): string[] {
    return this.book.departments();
  }

  view(delivery: DeliveryRecord): DeliveryView | null {
    const message = this.book.message(delivery.messageId);
    if (!message) return null;
    return {
      id: delivery.id,
      message,
      endpoint: this.book.endpoint(delivery.endpointId) ?? null,
      state: delivery.state,
      attempts: delivery.attempts,
      lastStatus: delivery.lastStatus,
      lastError: delivery.lastError,
      lastAttemptAt: delivery.lastAttemptAt,
      nextAttemptAt: delivery.state === 'RETRYING' ? delivery.nextAttemptAt : null,
      deliveredAt: delivery.deliveredAt,
    };
  }

  /** Stops the dispatcher; attempts in flight are cut short and made again after the next start. */
  close(): Promise<void> {
    return this.dispatcher.close();
  }
}

function waitingView(message: MessageRecord): DeliveryView {
  return {
    id: message.id,
    message,
    endpoint: null,
    state: 'PENDING',
    attempts: 0,
    lastStatus: null,
    lastError: 'no endpoint of the department subscribes to this topic yet',
    lastAttemptAt: null,
    nextAttemptAt: null,
    deliveredAt: null,
  };
}

function sameTopics(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((topic) => b.includes(topic));
}

/** Opens the outbox over the credit store's events and starts delivering. */
export function openOutbox(events: EventStore, options: DurableOutboxOptions): DurableOutbox {
  return new DurableOutbox(events, options);
}
