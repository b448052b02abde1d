import { GENESIS_HASH, HASH_PATTERN, sealedHash, type LogFormat } from '@credit-gateway/common/durable-log';

/**
 * An event as stored: what a mutation accepted, with where it sits. Stored events are never
 * changed or removed; the state of the platform's own records is rebuilt from them.
 */
export interface StoredEvent<T extends object = Record<string, unknown>> {
  /** 1, 2, 3… over the whole store, in the order events became durable. */
  position: number;
  stream: string;
  /** 1, 2, 3… within the stream. */
  version: number;
  /** The key the event was appended with: appending it again returns this event. */
  idempotencyKey: string;
  /** When the store wrote it. */
  recordedAt: string;
  data: T;
}

/**
 * An event as the log holds it: sealed into the store's one hash chain, `position` being its
 * place there. Events written before the chain (format 1, no `prevHash` and `hash`) are read
 * as if they had been chained, so the first chained event after them seals them too.
 */
export type SealedEvent = StoredEvent & { prevHash: string; hash: string };

/** What an append brings: the event without its place in the chain. */
export type EventInput = Omit<StoredEvent, 'position'>;

/** The store cannot start: its files or table hold something a crash cannot leave, or it is in use. */
export class StoreStartError extends Error {
  override name = 'StoreStartError';
}

const MAX_NAME_LENGTH = 512;

export function nameProblem(what: string, value: unknown): string | null {
  if (typeof value !== 'string' || value === '') return `${what} must be a non-empty string`;
  if (value.length > MAX_NAME_LENGTH) return `${what} is longer than ${MAX_NAME_LENGTH} characters`;
  if (!storable(value)) return `${what} holds a NUL character or a lone surrogate`;
  return null;
}

/** NUL and unpaired surrogates: neither a PostgreSQL text nor a jsonb value can hold them. */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function storable(text: string): boolean {
  return !UNSTORABLE.test(text);
}

/** Whether every string in a JSON value, keys included, can be stored by either backend. */
export function isStorable(value: unknown): boolean {
  if (typeof value === 'string') return storable(value);
  if (Array.isArray(value)) return value.every(isStorable);
  if (isRecord(value)) return Object.entries(value).every(([key, child]) => storable(key) && isStorable(child));
  return true;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Events of format 1, read back with the hashes they would have had. */
const unchained = new WeakSet<SealedEvent>();

/**
 * A stored event as read back from a file line or a row, or why it is not one. `previous` is
 * the event stored before it: an event without hashes (format 1) takes its place in the chain
 * after it, and is refused after a chained one, as only a hand could strip the hashes off.
 */
export function parseStoredEvent(value: unknown, previous: SealedEvent | null = null): SealedEvent | string {
  if (!isRecord(value)) return 'not an object';
  const { position, stream, version, idempotencyKey, recordedAt, data, prevHash, hash } = value;
  if (!Number.isSafeInteger(position) || (position as number) < 1) return 'bad position';
  if (nameProblem('stream', stream) !== null) return 'bad stream';
  if (!Number.isSafeInteger(version) || (version as number) < 1) return 'bad version';
  if (nameProblem('idempotencyKey', idempotencyKey) !== null) return 'bad idempotency key';
  if (typeof recordedAt !== 'string' || Number.isNaN(Date.parse(recordedAt))) return 'bad recordedAt';
  if (!isRecord(data)) return 'bad data';
  const event: StoredEvent = {
    position: position as number,
    stream: stream as string,
    version: version as number,
    idempotencyKey: idempotencyKey as string,
    recordedAt,
    data,
  };
  if (prevHash === undefined && hash === undefined) {
    if (previous !== null && !unchained.has(previous)) return 'no hash, after hash-chained events';
    const sealed = seal(event, previous?.hash ?? GENESIS_HASH);
    unchained.add(sealed);
    return sealed;
  }
  if (typeof prevHash !== 'string' || !HASH_PATTERN.test(prevHash)) return 'bad prevHash';
  if (typeof hash !== 'string' || !HASH_PATTERN.test(hash)) return 'bad hash';
  return { ...event, prevHash, hash };
}

/** The event after `prevHash` in the chain, with its hash. */
function seal(event: StoredEvent, prevHash: string): SealedEvent {
  const unsealed = { ...event, prevHash };
  return { ...unsealed, hash: sealedHash(unsealed) };
}

/** What readers get: the event without its links, which are the log's business. */
export function unsealed(event: SealedEvent): StoredEvent {
  const { prevHash: _prevHash, hash: _hash, ...rest } = event;
  return rest;
}

/**
 * The store's events in the durable log: one JSON line, or row, per event, in the one chain
 * `events`, `position` being its seq.
 */
export const eventFormat: LogFormat<EventInput, SealedEvent> = {
  noun: 'credit store event',
  seal: (input, _writer, prev) => seal({ position: prev.seq + 1, ...input }, prev.hash),
  link: (event) => ({ seq: event.position, prevHash: event.prevHash, hash: event.hash }),
  hashOf: (event) => sealedHash(event),
  // The fields in the order format 1 wrote them, the links last.
  line: (event) =>
    JSON.stringify({
      position: event.position,
      stream: event.stream,
      version: event.version,
      idempotencyKey: event.idempotencyKey,
      recordedAt: event.recordedAt,
      data: event.data,
      prevHash: event.prevHash,
      hash: event.hash,
    }),
  parse: parseStoredEvent,
};

/** The one chain of a store. */
export const EVENTS_CHAIN = 'events';

/** Stored events are shared by every reader: none may change them. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
