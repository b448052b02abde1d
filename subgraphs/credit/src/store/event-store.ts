import type { Logger } from '@credit-gateway/common';
import { CommitQueue, follows, type ChainWriter } from '@credit-gateway/common/durable-log';
import { openFileEvents } from './file-events.js';
import { openPostgresEvents } from './postgres-events.js';
import {
  deepFreeze,
  eventFormat,
  isRecord,
  isStorable,
  nameProblem,
  StoreStartError,
  unsealed,
  type EventInput,
  type SealedEvent,
  type StoredEvent,
} from './stored-event.js';

export {
  parseStoredEvent,
  StoreStartError,
  type EventInput,
  type SealedEvent,
  type StoredEvent,
} from './stored-event.js';

/** The log under the store: one hash chain, in files or a PostgreSQL table. */
export type EventChain = ChainWriter<EventInput, SealedEvent>;

export interface AppendResult<T extends object = Record<string, unknown>> {
  event: StoredEvent<T>;
  /** True when the key was already on the stream: `event` is the one appended first. */
  duplicate: boolean;
}

export interface EventStore {
  readonly kind: EventChain['kind'];
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
}

const keyOf = (stream: string, idempotencyKey: string) => `${stream}\u0000${idempotencyKey}`;

/**
 * The events in memory, indexed by stream and key, in front of the chain that makes them
 * durable. Appends go by group commit: while one batch is being written, the next ones queue up
 * and go together, so one fsync or COMMIT serves many appends, and positions stay in order.
 */
class EventLog implements EventStore {
  readonly kind: EventChain['kind'];
  private readonly events: StoredEvent[] = [];
  private readonly streams = new Map<string, StoredEvent[]>();
  private readonly keys = new Map<string, StoredEvent>();
  /** Appends queued or being written, by stream and key: a second one waits for the first. */
  private readonly inFlight = new Map<string, Promise<AppendResult>>();
  private readonly projections: ((event: StoredEvent) => void)[] = [];
  private readonly queue: CommitQueue<Pending, AppendResult>;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly chain: EventChain,
    stored: readonly SealedEvent[],
    private readonly options: { batchMax: number; logger: Logger; now: () => Date },
  ) {
    this.kind = chain.kind;
    let previous: SealedEvent | null = null;
    for (const event of stored) {
      const problem = this.problemWith(event) ?? chainProblem(event, previous);
      if (problem !== null) throw new StoreStartError(`Credit store: event at position ${event.position}: ${problem}`);
      this.apply(event);
      previous = event;
    }
    this.queue = new CommitQueue({
      name: 'credit store',
      batchMax: options.batchMax,
      logger: options.logger,
      write: (batch) => this.writeBatch(batch),
      unavailable: (cause) => new Error('The credit store could not write', { cause }),
    });
  }

  get position(): number {
    return this.events.length;
  }

  append<T extends object>(stream: string, data: T, idempotencyKey: string): Promise<AppendResult<T>> {
    const problem = nameProblem('stream', stream) ?? nameProblem('idempotencyKey', idempotencyKey);
    if (problem !== null) return Promise.reject(new TypeError(`Event not appended: ${problem}`));
    if (this.closing) return Promise.reject(new Error('The credit store is closed'));
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
    const promise = this.queue.append({ stream, idempotencyKey, data: copy });
    this.inFlight.set(key, promise);
    const forget = () => this.inFlight.delete(key);
    promise.then(forget, forget);
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

  close(): Promise<void> {
    this.closing ??= this.queue.close().then(() => this.chain.close());
    return this.closing;
  }

  /**
   * One group commit. A failed write may have been durable after all (a COMMIT whose answer was
   * lost): what the chain recovers is taken in first, so a retry finds its key answered rather
   * than written twice. An event already durable is answered, not written again.
   */
  private async writeBatch(batch: readonly Pending[]): Promise<(AppendResult | Error)[]> {
    for (const event of await this.chain.recover()) this.applyNew(event);
    const recordedAt = this.options.now().toISOString();
    const outcomes: (AppendResult | Error)[] = [];
    const inputs: EventInput[] = [];
    const written: number[] = [];
    const versions = new Map<string, number>();
    for (const [i, pending] of batch.entries()) {
      const durable = this.keys.get(keyOf(pending.stream, pending.idempotencyKey));
      if (durable) {
        outcomes[i] = { event: durable, duplicate: true };
        continue;
      }
      const version = (versions.get(pending.stream) ?? this.streams.get(pending.stream)?.length ?? 0) + 1;
      versions.set(pending.stream, version);
      inputs.push({ ...pending, version, recordedAt });
      written.push(i);
    }
    if (inputs.length === 0) return outcomes;
    let events: SealedEvent[];
    try {
      events = await this.chain.append(inputs);
    } catch (error) {
      this.options.logger.error({ err: error, events: inputs.length }, 'credit store: write failed');
      const failure = new Error('The credit store could not write', { cause: error });
      for (const i of written) outcomes[i] = failure;
      return outcomes;
    }
    events.forEach((sealed, j) => (outcomes[written[j]!] = { event: this.applyNew(sealed), duplicate: false }));
    return outcomes;
  }

  private problemWith(event: StoredEvent): string | null {
    if (event.position !== this.position + 1) return `expected position ${this.position + 1}`;
    const version = (this.streams.get(event.stream)?.length ?? 0) + 1;
    if (event.version !== version) return `expected version ${version} of stream '${event.stream}'`;
    if (this.keys.has(keyOf(event.stream, event.idempotencyKey))) return 'its idempotency key is already used';
    return null;
  }

  private apply(sealed: SealedEvent): StoredEvent {
    const event = deepFreeze(unsealed(sealed));
    this.events.push(event);
    const stream = this.streams.get(event.stream);
    if (stream) stream.push(event);
    else this.streams.set(event.stream, [event]);
    this.keys.set(keyOf(event.stream, event.idempotencyKey), event);
    return event;
  }

  /** A new durable event: into memory, then to every projection. */
  private applyNew(sealed: SealedEvent): StoredEvent {
    const problem = this.problemWith(sealed);
    if (problem !== null) {
      // Only another process writing the same store can cause this; refuse to guess.
      throw new Error(`Credit store: event at position ${sealed.position}: ${problem}`);
    }
    const event = this.apply(sealed);
    for (const projection of this.projections) {
      try {
        projection(event);
      } catch (error) {
        this.options.logger.error({ err: error, position: event.position }, 'credit store: a projection failed');
      }
    }
    return event;
  }
}

/** Why a stored event does not belong in the hash chain after `previous`, or null. */
function chainProblem(event: SealedEvent, previous: SealedEvent | null): string | null {
  if (eventFormat.hashOf(event) !== event.hash)
    return 'it does not match its hash: it was changed after it was written';
  const link = eventFormat.link(event);
  if (!follows(link, previous && eventFormat.link(previous))) {
    return 'it does not link to the event before it: that one was replaced, or this one was changed';
  }
  return null;
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
    const log = eventLog(opened.chain, opened.events, { batchMax: config.batchMax, logger, now: options.now });
    logger.info({ store: log.kind, events: opened.events.length }, 'credit store opened');
    return log;
  } catch (error) {
    await opened.chain.close();
    throw error;
  }
}

/**
 * The store over any chain, given the events it holds: what openEventStore builds. Refuses, with
 * StoreStartError, events out of order or out of their hash chain.
 */
export function eventLog(
  chain: EventChain,
  stored: readonly SealedEvent[],
  options: { batchMax?: number | undefined; logger: Logger; now?: (() => Date) | undefined },
): EventStore {
  return new EventLog(chain, stored, {
    batchMax: options.batchMax ?? 500,
    logger: options.logger,
    now: options.now ?? (() => new Date()),
  });
}
