import cluster, { type Worker } from 'node:cluster';
import type { Env, Logger } from '@credit-gateway/common';
import type { GatewayConfig } from '../config.js';
import { hostRegisterForWorkers, registerOwnedByPrimary, type RegisterConfig } from '../register/index.js';

/** Set by the primary on each worker it forks: the worker's place, stable across restarts. */
export const WORKER_SLOT_VARIABLE = 'GATEWAY_WORKER_SLOT';

/** Which slot this process fills, when it is a worker the primary forked. */
export function workerSlot(env: Env): number | undefined {
  if (!cluster.isWorker) return undefined;
  const slot = Number(env[WORKER_SLOT_VARIABLE]);
  return Number.isInteger(slot) && slot >= 1 ? slot : undefined;
}

/**
 * A worker's configuration. On the file store, the primary's register, which every worker shares
 * (see register/cluster-writer.ts). On PostgreSQL, its own query register chain,
 * `<writer>-w<slot>`, since one chain has one writer; the same slot continues the same chain
 * after a restart, and look-ups search every chain.
 */
export function workerConfig(config: GatewayConfig, slot: number | undefined): GatewayConfig {
  if (slot === undefined) return config;
  if (registerOwnedByPrimary(config.register)) return { ...config, register: { ...config.register, viaPrimary: true } };
  const suffix = `-w${slot}`;
  const writer = `${config.register.writer.slice(0, 64 - suffix.length)}${suffix}`;
  return { ...config, register: { ...config.register, writer } };
}

/** A worker that dies sooner than this after its start is restarted after a pause, not at once. */
const RESTART_PAUSE_MS = 1_000;
/** Workers still running this long after SIGTERM are killed. */
const SHUTDOWN_GRACE_MS = 15_000;

/**
 * The primary process: forks `count` workers that share the gateway's port, restarts any that
 * exits, and on SIGINT or SIGTERM stops them all and exits once they have finished. On the file
 * store it holds the query register for the workers, and stops if it cannot open it.
 */
export function runPrimary(count: number, logger: Logger, register?: RegisterConfig): void {
  const slots = new Map<Worker, { slot: number; startedAt: number }>();
  let stopping = false;
  const registerHost =
    register && registerOwnedByPrimary(register) ? hostRegisterForWorkers(register, logger) : undefined;
  const exit = (code: number) => void (registerHost?.close() ?? Promise.resolve()).finally(() => process.exit(code));

  function fork(slot: number): void {
    const worker = cluster.fork({ [WORKER_SLOT_VARIABLE]: String(slot) });
    slots.set(worker, { slot, startedAt: Date.now() });
  }

  cluster.on('exit', (worker, code, signal) => {
    const entry = slots.get(worker);
    slots.delete(worker);
    if (stopping) {
      if (slots.size === 0) {
        logger.info('every gateway worker has stopped');
        exit(0);
      }
      return;
    }
    if (!entry) return;
    logger.error({ worker: entry.slot, pid: worker.process.pid, code, signal }, 'gateway worker exited: restarting it');
    const quick = Date.now() - entry.startedAt < RESTART_PAUSE_MS;
    setTimeout(() => stopping || fork(entry.slot), quick ? RESTART_PAUSE_MS : 0);
  });

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, workers: slots.size }, 'shutting down');
    if (slots.size === 0) exit(0);
    for (const worker of slots.keys()) worker.process.kill('SIGTERM');
    setTimeout(() => {
      logger.error({ workers: slots.size }, 'gateway workers did not stop in time: killing them');
      for (const worker of slots.keys()) worker.process.kill('SIGKILL');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  for (let slot = 1; slot <= count; slot++) fork(slot);
  logger.info({ workers: count }, 'gateway primary started');
  registerHost?.ready.catch((error: unknown) => {
    logger.fatal({ err: error }, 'the query register cannot be opened: the gateway stops');
    for (const worker of slots.keys()) worker.process.kill('SIGKILL');
    stopping = true;
    process.exit(1);
  });
}
