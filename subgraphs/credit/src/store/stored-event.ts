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

/** The store cannot start: its files or table hold something a crash cannot leave, or it is in use. */
export class StoreStartError extends Error {
  override name = 'StoreStartError';
}

/** What a backend does: make batches durable, and say what is durable after a failed write. */
export interface EventBackend {
  readonly kind: 'file' | 'postgres';
  /** Makes `events` durable, in order, or throws. */
  write(events: readonly StoredEvent[]): Promise<void>;
  /**
   * After a failed write: the events past `position` that are durable after all (a COMMIT whose
   * answer was lost), and leaves the backend ready to write again.
   */
  recover(position: number): Promise<StoredEvent[]>;
  close(): Promise<void>;
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

/** A stored event as read back from a file line or a row, or why it is not one. */
export function parseStoredEvent(value: unknown): StoredEvent | string {
  if (!isRecord(value)) return 'not an object';
  const { position, stream, version, idempotencyKey, recordedAt, data } = value;
  if (!Number.isSafeInteger(position) || (position as number) < 1) return 'bad position';
  if (nameProblem('stream', stream) !== null) return 'bad stream';
  if (!Number.isSafeInteger(version) || (version as number) < 1) return 'bad version';
  if (nameProblem('idempotencyKey', idempotencyKey) !== null) return 'bad idempotency key';
  if (typeof recordedAt !== 'string' || Number.isNaN(Date.parse(recordedAt))) return 'bad recordedAt';
  if (!isRecord(data)) return 'bad data';
  return {
    position: position as number,
    stream: stream as string,
    version: version as number,
    idempotencyKey: idempotencyKey as string,
    recordedAt,
    data,
  };
}

/** Stored events are shared by every reader: none may change them. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
