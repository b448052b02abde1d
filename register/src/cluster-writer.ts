import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '@credit-gateway/common';
import type { RegisterConfig } from './config.js';
import { RegisterUnavailableError } from './errors.js';
import { openRegisterStore } from './open.js';
import { registrable, type QueryRecordInput, type StoredQueryRecord } from './record.js';
import { lookupOptions, type BySubjectOptions, type QueryRegister } from './types.js';

/**
 * One register for a gateway of several worker processes (WORKERS > 1) on the file store: the
 * primary process opens the store and owns its one chain, and every worker appends and reads
 * over the cluster's IPC channel. Every worker thus sees every other worker's records at once,
 * and one chain per deployment stays one chain, whatever worker answered. (On PostgreSQL each
 * worker keeps its own chain in the one shared table, whose reads search every chain.)
 */

/** Marks the register's messages on the channel the cluster shares with other users. */
const CHANNEL = 'credit-gateway:query-register';

type Operation =
  { op: 'append'; record: QueryRecordInput } | { op: 'bySubject'; subject: string; options: BySubjectOptions };

type Request = Operation & { channel: typeof CHANNEL; id: number };

type Reply =
  | { channel: typeof CHANNEL; id: number; ok: true; result: StoredQueryRecord | StoredQueryRecord[] }
  | { channel: typeof CHANNEL; id: number; ok: false; invalid: boolean; message: string };

function isRequest(message: unknown): message is Request {
  return typeof message === 'object' && message !== null && (message as { channel?: unknown }).channel === CHANNEL;
}

/** Whether the workers of this configuration use the primary's register rather than their own. */
export function registerOwnedByPrimary(config: RegisterConfig): boolean {
  return config.store.kind === 'file';
}

/**
 * The register of the worker in `slot`. On the file store, the primary's, which every worker
 * shares. On PostgreSQL, its own chain, `<writer>-w<slot>`, since one chain has one writer; the
 * same slot continues the same chain after a restart, and look-ups search every chain.
 */
export function workerRegisterConfig(config: RegisterConfig, slot: number): RegisterConfig {
  if (registerOwnedByPrimary(config)) return { ...config, viaPrimary: true };
  const suffix = `-w${slot}`;
  return { ...config, writer: `${config.writer.slice(0, 64 - suffix.length)}${suffix}` };
}

export interface RegisterHost {
  /** Resolves once the store is open; rejects as `openQueryRegister` does. */
  readonly ready: Promise<void>;
  /** Writes what is queued, then releases the store. */
  close(): Promise<void>;
}

/**
 * In the primary: opens the register and answers the workers' appends and look-ups. An append
 * is acknowledged only once its record is durable (the store's own append resolved); a failure
 * is answered as such, and the worker answers its request REGISTER_UNAVAILABLE.
 */
export function hostRegisterForWorkers(config: RegisterConfig, logger: Logger): RegisterHost {
  const opening = openRegisterStore(config, logger);
  // Until the store is open, requests wait for it (each within the worker's own timeout).
  opening.catch(() => undefined);

  function reply(worker: Worker, message: Reply): void {
    if (!worker.isConnected()) return;
    worker.send(message, (error: Error | null) => {
      if (error) logger.warn({ err: error, worker: worker.id }, 'query register: could not answer a worker');
    });
  }

  async function serve(worker: Worker, request: Request): Promise<void> {
    try {
      const register = await opening;
      const result =
        request.op === 'append'
          ? await register.append(request.record)
          : await register.bySubject(request.subject, request.options);
      reply(worker, { channel: CHANNEL, id: request.id, ok: true, result });
    } catch (error) {
      reply(worker, {
        channel: CHANNEL,
        id: request.id,
        ok: false,
        // Invalid input is the worker's mistake, told as such; anything else is the store's.
        invalid: error instanceof TypeError,
        message: error instanceof TypeError ? error.message : 'register unavailable',
      });
    }
  }

  const onMessage = (worker: Worker, message: unknown) => {
    if (isRequest(message)) void serve(worker, message);
  };
  cluster.on('message', onMessage);
  let closing: Promise<void> | undefined;
  return {
    ready: opening.then(() => undefined),
    close() {
      closing ??= (async () => {
        cluster.off('message', onMessage);
        const register = await opening.catch(() => undefined);
        await register?.close();
      })();
      return closing;
    },
  };
}

interface Waiting {
  resolve(value: StoredQueryRecord | StoredQueryRecord[]): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * In a worker: the register the primary holds. An append not acknowledged within
 * REGISTER_TIMEOUT_MS fails with REGISTER_UNAVAILABLE, like a store that does not answer.
 */
export class PrimaryRegisterClient implements QueryRegister {
  readonly writer: string;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private closed = false;
  private readonly timeoutMs: number;
  private readonly onMessage = (message: unknown) => this.settle(message);

  constructor(
    config: RegisterConfig,
    private readonly logger: Logger,
    private readonly channel: Pick<NodeJS.Process, 'send' | 'on' | 'off'> = process,
  ) {
    if (typeof channel.send !== 'function') throw new TypeError('The primary register is reached from a worker only');
    this.writer = config.writer;
    this.timeoutMs = config.timeoutMs;
    channel.on('message', this.onMessage);
  }

  append(given: QueryRecordInput): Promise<StoredQueryRecord> {
    // Bounded and checked here too, so a bad record is refused without crossing the channel.
    const record = registrable(given);
    if (record instanceof TypeError) return Promise.reject(record);
    return this.call({ op: 'append', record }) as Promise<StoredQueryRecord>;
  }

  bySubject(subject: string, options: BySubjectOptions = {}): Promise<StoredQueryRecord[]> {
    try {
      lookupOptions(options);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new TypeError(String(error)));
    }
    return this.call({ op: 'bySubject', subject, options }) as Promise<StoredQueryRecord[]>;
  }

  /** Waits for the answers still due, each at most the timeout; the primary writes what it took. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled(this.inFlight);
    this.channel.off('message', this.onMessage);
  }

  private call(request: Operation): Promise<StoredQueryRecord | StoredQueryRecord[]> {
    if (this.closed) return Promise.reject(new RegisterUnavailableError({ cause: new Error('register closed') }));
    const id = this.nextId++;
    const answer = new Promise<StoredQueryRecord | StoredQueryRecord[]>((resolve, reject) => {
      const waiting: Waiting = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiting.delete(id);
          waiting.reject(new RegisterUnavailableError({ cause: new Error('the primary did not answer in time') }));
        }, this.timeoutMs),
      };
      this.waiting.set(id, waiting);
      try {
        this.channel.send!({ ...request, channel: CHANNEL, id }, undefined, undefined, (error) => {
          if (error) this.fail(id, error);
        });
      } catch (error) {
        this.fail(id, error);
      }
    });
    this.inFlight.add(answer);
    const forget = () => this.inFlight.delete(answer);
    answer.then(forget, forget);
    return answer;
  }

  private fail(id: number, cause: unknown): void {
    const waiting = this.waiting.get(id);
    if (!waiting) return;
    this.waiting.delete(id);
    clearTimeout(waiting.timer);
    this.logger.error({ err: cause }, 'query register: the primary cannot be reached');
    waiting.reject(new RegisterUnavailableError({ cause }));
  }

  private settle(message: unknown): void {
    if (typeof message !== 'object' || message === null || (message as { channel?: unknown }).channel !== CHANNEL)
      return;
    const reply = message as Reply;
    const waiting = this.waiting.get(reply.id);
    if (!waiting) return;
    this.waiting.delete(reply.id);
    clearTimeout(waiting.timer);
    if (reply.ok) waiting.resolve(reply.result);
    else if (reply.invalid) waiting.reject(new TypeError(reply.message));
    else waiting.reject(new RegisterUnavailableError({ cause: new Error(reply.message) }));
  }
}
