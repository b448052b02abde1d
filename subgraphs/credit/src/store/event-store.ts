import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Logger } from '@credit-gateway/common';
import { openFileEvents } from './file-events.js';
import { openPostgresEvents } from './postgres-events.js';
import {
  deepFreeze,
  isRecord,
  isStorable,
  nameProblem,
  StoreStartError,
  type EventBackend,
  type StoredEvent,
} from './stored-event.js';

export { parseStoredEvent, StoreStartError, type EventBackend, type StoredEvent } from './stored-event.js';

export interface AppendResult<T extends object = Record<string, unknown>> {
  event: StoredEvent<T>;
  /** True when the key was already on the stream: `event` is the one appended first. */
  duplicate: boolean;
}

export interface EventStore {
  readonly kind: EventBackend['kind'];
  /**
   * Appends one event to a stream and resolves once it is durable (fsync, or COMMIT). The same
   * idempotency key on the same stream resolves to the first event, across restarts too.
   */
  append<T extends object>(stream: string, data: T, idempotencyKey: string): Promise<AppendResult<T>>;
  /** A stream's events, oldest first. */
  read(stream: string): readonly StoredEvent[];
  /** The event appended to `stream` with `idempotencyKey`, if one is durable. */
  find(stream: string, idempotencyKey: string): StoredEvent | undefined;
  /**
   * Feeds a projection every durable event in order: at once all those stored so far, then each
   * new one before its append resolves.
   */
  project(projection: (event: StoredEvent) => void): void;
  close(): Promise<void>;
}

/** Where the store lives: PostgreSQL when `databaseUrl` is set, JSON lines files in `dir` otherwise. */
export interface EventStoreConfig {
  dir?: string;
  databaseUrl?: string;
  /** Bound on one database call (PostgreSQL); default 5000. */
  timeoutMs?: number;
  /** Most events written in one group commit; default 500. */
  batchMax?: number;
  /** PostgreSQL connections; default 4. */
  poolSize?: number;
  /**
   * How long a start waits for the PostgreSQL table's previous writer to go away (a process just
   * killed holds its lock until the server notices); default 10000.
   */
  writerLockWaitMs?: number;
}

export const DEFAULT_STORE_DIR = '.data/credit';

interface Pending {
  stream: string;
  idempotencyKey: string;
  data: Record<string, unknown>;
  resolve(result: AppendResult): void;
  reject(error: Error): void;
}

const keyOf = (stream: string, idempotencyKey: string) => `${stream}\u0000${idempotencyKey}`;

/**
 * The events in memory, indexed by stream and key, in front of a backend that makes them
 * durable. Appends go by group commit: while one batch is being written, the next ones queue up
 * and go together, so one fsync or COMMIT serves many appends, and positions stay in order.
 */
class EventLog implements EventStore {
  readonly kind: EventBackend['kind'];
  private readonly events: StoredEvent[] = [];
  private readonly streams = new Map<string, StoredEvent[]>();
  private readonly keys = new Map<string, StoredEvent>();
  /** Appends queued or being written, by stream and key: a second one waits for the first. */
  private readonly inFlight = new Map<string, Promise<AppendResult>>();
  private readonly projections: ((event: StoredEvent) => void)[] = [];
  private queue: Pending[] = [];
  private draining: Promise<void> | null = null;
  /** After a failed write the backend may hold more than memory does: recover before writing. */
  private uncertain = false;
  private closed = false;

  constructor(
    private readonly backend: EventBackend,
    stored: readonly StoredEvent[],
    private readonly options: { batchMax: number; logger: Logger; now: () => Date },
  ) {
    this.kind = backend.kind;
    for (const event of stored) {
      const problem = this.problemWith(event);
      if (problem !== null) throw new StoreStartError(`Credit store: event at position ${event.position}: ${problem}`);
      this.apply(event);
    }
  }

  get position(): number {
    return this.events.length;
  }

  append<T extends object>(stream: string, data: T, idempotencyKey: string): Promise<AppendResult<T>> {
    const problem = nameProblem('stream', stream) ?? nameProblem('idempotencyKey', idempotencyKey);
    if (problem !== null) return Promise.reject(new TypeError(`Event not appended: ${problem}`));
    if (this.closed) return Promise.reject(new Error('The credit store is closed'));
    const key = keyOf(stream, idempotencyKey);
    const done = this.keys.get(key);
    if (done) return Promise.resolve({ event: done as StoredEvent<T>, duplicate: true });
    const first = this.inFlight.get(key);
    if (first) return first.then(({ event }) => ({ event: event as StoredEvent<T>, duplicate: true }));
    let copy: unknown;
    try {
      // Stored as JSON: what comes back after a restart is what was accepted.
      copy = JSON.parse(JSON.stringify(data));
    } catch (error) {
      return Promise.reject(new TypeError(`Event not appended: not JSON (${(error as Error).message})`));
    }
    if (!isRecord(copy)) return Promise.reject(new TypeError('Event not appended: data must be an object'));
    if (!isStorable(copy)) {
      // One such event would fail the whole group commit it is written in.
      return Promise.reject(new TypeError('Event not appended: a string holds a NUL character or a lone surrogate'));
    }
    const eventData = copy;
    const promise = new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ stream, idempotencyKey, data: eventData, resolve, reject });
    });
    this.inFlight.set(key, promise);
    const forget = () => this.inFlight.delete(key);
    promise.then(forget, forget);
    this.draining ??= this.drain();
    return promise as Promise<AppendResult<T>>;
  }

  read(stream: string): readonly StoredEvent[] {
    return [...(this.streams.get(stream) ?? [])];
  }

  find(stream: string, idempotencyKey: string): StoredEvent | undefined {
    return this.keys.get(keyOf(stream, idempotencyKey));
  }

  project(projection: (event: StoredEvent) => void): void {
    for (const event of this.events) projection(event);
    this.projections.push(projection);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.draining;
    await this.backend.close();
  }

  private async drain(): Promise<void> {
    // Appends made in the same turn of the event loop join the first batch.
    await nextTurn();
    try {
      for (;;) {
        const batch = this.queue.slice(0, this.options.batchMax);
        this.queue = this.queue.slice(batch.length);
        if (batch.length === 0) return;
        await this.writeBatch(batch).catch((error: unknown) => {
          // Settled appends ignore this; none is left waiting for ever.
          this.options.logger.error({ err: error }, 'credit store: batch failed');
          for (const pending of batch) pending.reject(new Error('The credit store could not write', { cause: error }));
        });
      }
    } finally {
      this.draining = null;
    }
  }

  private async writeBatch(batch: Pending[]): Promise<void> {
    try {
      if (this.uncertain) {
        for (const event of await this.backend.recover(this.position)) this.applyNew(event);
        this.uncertain = false;
      }
    } catch (error) {
      this.options.logger.error({ err: error }, 'credit store: could not recover after a failed write');
      for (const pending of batch) pending.reject(new Error('The credit store could not write', { cause: error }));
      return;
    }
    const recordedAt = this.options.now().toISOString();
    const events: StoredEvent[] = [];
    const written: { pending: Pending; event: StoredEvent }[] = [];
    const versions = new Map<string, number>();
    for (const pending of batch) {
      // Written after all by a write that seemed to fail: recovered above.
      const durable = this.keys.get(keyOf(pending.stream, pending.idempotencyKey));
      if (durable) {
        pending.resolve({ event: durable, duplicate: true });
        continue;
      }
      const version = (versions.get(pending.stream) ?? this.streams.get(pending.stream)?.length ?? 0) + 1;
      versions.set(pending.stream, version);
      const event = deepFreeze<StoredEvent>({
        position: this.position + events.length + 1,
        stream: pending.stream,
        version,
        idempotencyKey: pending.idempotencyKey,
        recordedAt,
        data: pending.data,
      });
      events.push(event);
      written.push({ pending, event });
    }
    if (events.length === 0) return;
    try {
      await this.backend.write(events);
    } catch (error) {
      this.uncertain = true;
      this.options.logger.error({ err: error, events: events.length }, 'credit store: write failed');
      for (const { pending } of written)
        pending.reject(new Error('The credit store could not write', { cause: error }));
      return;
    }
    for (const { pending, event } of written) {
      this.applyNew(event);
      pending.resolve({ event, duplicate: false });
    }
  }

  private problemWith(event: StoredEvent): string | null {
    if (event.position !== this.position + 1) return `expected position ${this.position + 1}`;
    const version = (this.streams.get(event.stream)?.length ?? 0) + 1;
    if (event.version !== version) return `expected version ${version} of stream '${event.stream}'`;
    if (this.keys.has(keyOf(event.stream, event.idempotencyKey))) return 'its idempotency key is already used';
    return null;
  }

  private apply(event: StoredEvent): void {
    deepFreeze(event);
    this.events.push(event);
    const stream = this.streams.get(event.stream);
    if (stream) stream.push(event);
    else this.streams.set(event.stream, [event]);
    this.keys.set(keyOf(event.stream, event.idempotencyKey), event);
  }

  /** A new durable event: into memory, then to every projection. */
  private applyNew(event: StoredEvent): void {
    const problem = this.problemWith(event);
    if (problem !== null) {
      // Only another process writing the same store can cause this; refuse to guess.
      throw new Error(`Credit store: event at position ${event.position}: ${problem}`);
    }
    this.apply(event);
    for (const projection of this.projections) {
      try {
        projection(event);
      } catch (error) {
        this.options.logger.error({ err: error, position: event.position }, 'credit store: a projection failed');
      }
    }
  }
}

/** Opens the store: reads every stored event, then takes appends. */
export async function openEventStore(
  config: EventStoreConfig,
  logger: Logger,
  options: { now?: () => Date } = {},
): Promise<EventStore> {
  const opened = config.databaseUrl
    ? await openPostgresEvents({
        url: config.databaseUrl,
        poolSize: config.poolSize ?? 4,
        timeoutMs: config.timeoutMs ?? 5_000,
        writerLockWaitMs: config.writerLockWaitMs ?? 10_000,
        logger,
      })
    : await openFileEvents({ dir: config.dir ?? DEFAULT_STORE_DIR, logger });
  try {
    const log = eventLog(opened.backend, opened.events, { batchMax: config.batchMax, logger, now: options.now });
    logger.info({ store: log.kind, events: opened.events.length }, 'credit store opened');
    return log;
  } catch (error) {
    await opened.backend.close();
    throw error;
  }
}

/** The store over any backend, given the events it holds: what openEventStore builds. */
export function eventLog(
  backend: EventBackend,
  stored: readonly StoredEvent[],
  options: { batchMax?: number | undefined; logger: Logger; now?: (() => Date) | undefined },
): EventStore {
  return new EventLog(backend, stored, {
    batchMax: options.batchMax ?? 500,
    logger: options.logger,
    now: options.now ?? (() => new Date()),
  });
}
