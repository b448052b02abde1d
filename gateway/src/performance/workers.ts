import cluster, { type Worker } from 'node:cluster';
import type { RequestListener } from 'node:http';
import { listen, sendJson, type Env, type Logger, type RunningServer } from '@credit-gateway/common';
import type { GatewayConfig } from '../config.js';
import type { AdmissionReport, Readiness } from '../http/health.js';
import { shutdownBoundMs } from './shutdown.js';
import {
  hostRegisterForWorkers,
  registerOwnedByPrimary,
  workerRegisterConfig,
  type RegisterConfig,
} from '../register/index.js';

/** Set by the primary on each worker it forks: the worker's place, stable across restarts. */
export const WORKER_SLOT_VARIABLE = 'GATEWAY_WORKER_SLOT';

/** Which slot this process fills, when it is a worker the primary forked. */
export function workerSlot(env: Env): number | undefined {
  if (!cluster.isWorker) return undefined;
  const slot = Number(env[WORKER_SLOT_VARIABLE]);
  return Number.isInteger(slot) && slot >= 1 ? slot : undefined;
}

/**
 * A worker's configuration: its query register is the primary's on the file store, its own
 * chain on PostgreSQL (see `workerRegisterConfig`).
 */
export function workerConfig(config: GatewayConfig, slot: number | undefined): GatewayConfig {
  if (slot === undefined) return config;
  return { ...config, register: workerRegisterConfig(config.register, slot) };
}

/** How often a worker tells the primary that its event loop turns. */
export const HEARTBEAT_INTERVAL_MS = 250;
/** How often a worker checks its own readiness (subgraphs, admission) for its heartbeat. */
const READINESS_INTERVAL_MS = 1_000;
const HEARTBEAT = 'credit-gateway:heartbeat';

interface Heartbeat {
  type: typeof HEARTBEAT;
  ready: boolean;
  admission: AdmissionReport | null;
}

function isHeartbeat(message: unknown): message is Heartbeat {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === HEARTBEAT;
}

export interface HeartbeatHandle {
  /** From now on the worker reports itself unready: it is shutting down. */
  draining(): void;
  stop(): void;
}

/**
 * In a worker: a heartbeat to the primary from a timer, so that it stops exactly when the event
 * loop stops turning, carrying the worker's last readiness.
 */
export function startHeartbeat(readiness: () => Promise<Readiness>): HeartbeatHandle {
  let last: Readiness | null = null;
  let checking = false;
  let draining = false;
  const check = () => {
    if (checking) return;
    checking = true;
    readiness()
      .then(
        (result) => (last = result),
        () => (last = null),
      )
      .finally(() => (checking = false));
  };
  const beat = () => {
    if (!process.connected) return;
    const message: Heartbeat = {
      type: HEARTBEAT,
      ready: !draining && (last?.ready ?? false),
      admission: last?.admission ?? null,
    };
    process.send?.(message);
  };
  check();
  beat();
  const checks = setInterval(check, READINESS_INTERVAL_MS).unref();
  const beats = setInterval(beat, HEARTBEAT_INTERVAL_MS).unref();
  return {
    draining: () => {
      draining = true;
      beat();
    },
    stop: () => {
      clearInterval(checks);
      clearInterval(beats);
    },
  };
}

export interface PrimaryOptions {
  workers: number;
  /** A worker not heard from for this long is killed and replaced (WORKER_STALL_MS). */
  stallMs: number;
  /** Where the primary answers /healthz and /readyz (HEALTH_PORT); 0 is nowhere. */
  healthPort: number;
  host: string;
  /** How long a worker, on SIGTERM, is unready but still serving (SHUTDOWN_DRAIN_DELAY_MS). */
  shutdownDrainDelayMs: number;
  /** What a worker then gives its requests in flight (SHUTDOWN_GRACE_MS). */
  shutdownGraceMs: number;
  /** The query register: on the file store the primary holds it for every worker. */
  register?: RegisterConfig;
}

export function primaryOptions(config: GatewayConfig): PrimaryOptions {
  const { workers, workerStallMs, healthPort, shutdownDrainDelayMs, shutdownGraceMs } = config.performance;
  return {
    workers,
    stallMs: workerStallMs,
    healthPort,
    host: config.host,
    shutdownDrainDelayMs,
    shutdownGraceMs,
    register: config.register,
  };
}

/** A worker that dies sooner than this after its start is restarted after a pause, not at once. */
const RESTART_PAUSE_MS = 1_000;
/** A worker silent for longer than this (or than WORKER_STALL_MS, if less) makes the primary unready. */
const FRESH_MS = 2_000;

interface WorkerState {
  slot: number;
  startedAt: number;
  /** performance.now() of its last heartbeat; null before the first, while it starts. */
  heardAt: number | null;
  ready: boolean;
  admission: AdmissionReport | null;
  killed: boolean;
}

/**
 * The primary process: forks `workers` workers that share the gateway's port and restarts any
 * that exits. A worker whose heartbeat stops for `stallMs` (its event loop is blocked, so it would
 * ignore SIGTERM too) is killed with SIGKILL and replaced. The primary answers health probes
 * itself on `healthPort`, from the heartbeats, so a busy worker cannot hold a probe. On SIGINT or
 * SIGTERM its /readyz answers 503 at once; it stops the workers (each drains, then finishes what is
 * in flight), kills those still running after their drain and grace, and exits.
 */
export async function runPrimary(options: PrimaryOptions, logger: Logger): Promise<void> {
  const states = new Map<Worker, WorkerState>();
  const freshMs = Math.min(FRESH_MS, options.stallMs);
  let stopping = false;
  /** Some worker had to be killed at shutdown. */
  let forced = false;
  let health: RunningServer | undefined;
  const { register } = options;
  const registerHost =
    register && registerOwnedByPrimary(register) ? hostRegisterForWorkers(register, logger) : undefined;

  function fork(slot: number): void {
    const worker = cluster.fork({ [WORKER_SLOT_VARIABLE]: String(slot) });
    states.set(worker, { slot, startedAt: Date.now(), heardAt: null, ready: false, admission: null, killed: false });
  }

  cluster.on('message', (worker, message: unknown) => {
    const state = states.get(worker);
    if (!state || !isHeartbeat(message)) return;
    state.heardAt = performance.now();
    state.ready = message.ready === true;
    state.admission = message.admission;
  });

  cluster.on('exit', (worker, code, signal) => {
    const state = states.get(worker);
    states.delete(worker);
    if (stopping) {
      if (states.size === 0) finish(forced ? 1 : 0);
      return;
    }
    if (!state) return;
    logger.error({ worker: state.slot, pid: worker.process.pid, code, signal }, 'gateway worker exited: restarting it');
    const quick = Date.now() - state.startedAt < RESTART_PAUSE_MS;
    setTimeout(() => stopping || fork(state.slot), quick ? RESTART_PAUSE_MS : 0);
  });

  const watchdog = setInterval(
    () => {
      const now = performance.now();
      for (const [worker, state] of states) {
        if (state.killed || state.heardAt === null || now - state.heardAt <= options.stallMs) continue;
        state.killed = true;
        // At shutdown it is not replaced, and the primary's exit code says that one had to be killed.
        if (stopping) forced = true;
        logger.error(
          { worker: state.slot, pid: worker.process.pid, silentMs: Math.round(now - state.heardAt) },
          stopping
            ? 'gateway worker stalled while stopping: killing it'
            : 'gateway worker stalled: killing and replacing it',
        );
        worker.process.kill('SIGKILL');
      }
    },
    Math.min(HEARTBEAT_INTERVAL_MS, options.stallMs / 4),
  );

  function report(): { ready: boolean; status: number; body: unknown } {
    const now = performance.now();
    const workers = [...states.values()]
      .sort((a, b) => a.slot - b.slot)
      .map((state) => {
        const silentMs = state.heardAt === null ? null : Math.round(now - state.heardAt);
        const alive = silentMs !== null && silentMs <= freshMs && !state.killed;
        return { worker: state.slot, alive, ready: alive && state.ready, silentMs, admission: state.admission };
      });
    const ready = !stopping && workers.length === options.workers && workers.every((worker) => worker.ready);
    // Stopping, it says `draining` as a worker's own /readyz does: the balancer should send elsewhere.
    const body = { ready, stopping, ...(stopping ? { draining: true } : {}), workers };
    return { ready, status: ready ? 200 : 503, body };
  }

  const healthHandler: RequestListener = (request, response) => {
    const path = new URL(request.url ?? '/', 'http://primary').pathname;
    if (path === '/healthz') return sendJson(response, 200, { status: 'ok', workers: states.size });
    if (path === '/readyz') {
      const { status, body } = report();
      return sendJson(response, status, body);
    }
    sendJson(response, 404, { error: `Nothing at ${path}: the health port serves /healthz and /readyz` });
  };

  function finish(code: number): void {
    clearInterval(watchdog);
    logger.info({ code }, 'every gateway worker has stopped');
    const exit = () => process.exit(code);
    // The workers are gone: what they registered is written, then the store released.
    const closed = (registerHost?.close() ?? Promise.resolve()).catch((error: unknown) =>
      logger.error({ err: error }, 'query register: could not close'),
    );
    void closed.then(() => (health ? health.close().then(exit, exit) : exit()));
  }

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, workers: states.size }, 'shutting down');
    if (states.size === 0) return finish(0);
    for (const worker of states.keys()) worker.process.kill('SIGTERM');
    // A stalled worker never runs its SIGTERM handler; it would keep its locks and its port.
    setTimeout(
      () => {
        forced = true;
        logger.error({ workers: states.size }, 'gateway workers did not stop in time: killing them');
        for (const worker of states.keys()) worker.process.kill('SIGKILL');
        setTimeout(() => process.exit(1), 1_000).unref();
      },
      shutdownBoundMs({ drainDelayMs: options.shutdownDrainDelayMs, graceMs: options.shutdownGraceMs }),
    ).unref();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  if (options.healthPort > 0) {
    try {
      health = await listen(healthHandler, options.healthPort, options.host);
    } catch (error) {
      logger.error(
        { err: error, port: options.healthPort },
        'the health port is taken: set HEALTH_PORT, or 0 for none',
      );
      process.exit(1);
    }
  }
  for (let slot = 1; slot <= options.workers; slot++) fork(slot);
  logger.info({ workers: options.workers, healthPort: options.healthPort || null }, 'gateway primary started');
  registerHost?.ready.catch((error: unknown) => {
    logger.fatal({ err: error }, 'the query register cannot be opened: the gateway stops');
    stopping = true;
    for (const worker of states.keys()) worker.process.kill('SIGKILL');
    process.exit(1);
  });
}
