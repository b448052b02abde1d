import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@credit-gateway/common';
import type { RunningGateway } from '../server.js';

/** What a gateway process has, past its drain and its grace for requests, to flush the register and exit. */
export const FLUSH_MARGIN_MS = 5_000;

export interface ShutdownTimes {
  /** SHUTDOWN_DRAIN_DELAY_MS: unready but still serving, before the listener closes. */
  drainDelayMs: number;
  /** SHUTDOWN_GRACE_MS: what requests in flight then get to finish. */
  graceMs: number;
}

/** The longest a gateway process takes to stop once told to: past this it is killed, or kills itself. */
export function shutdownBoundMs(times: ShutdownTimes): number {
  return times.drainDelayMs + times.graceMs + FLUSH_MARGIN_MS;
}

/**
 * A gateway's shutdown, in the order a load balancer needs:
 * 1. /readyz answers 503 at once, and every answer from then on closes its connection;
 * 2. requests are still served for the drain delay, while the balancer notices and stops sending;
 * 3. the listener closes: idle connections are closed, requests in flight get the grace to finish
 *    (and be registered), then what is left is cut;
 * 4. the gateway stops: the register is flushed and closed.
 * `onDraining` runs as soon as /readyz turns (a worker tells its primary).
 */
export async function drainAndClose(
  server: RunningGateway,
  times: ShutdownTimes,
  logger: Logger,
  onDraining?: () => void,
): Promise<void> {
  server.drain();
  onDraining?.();
  logger.info({ drainDelayMs: times.drainDelayMs }, 'draining: /readyz answers 503, requests are still served');
  if (times.drainDelayMs > 0) await sleep(times.drainDelayMs);
  logger.info({ graceMs: times.graceMs }, 'closing the listener: finishing the requests in flight');
  await server.close(times.graceMs);
  logger.info('the gateway has stopped: requests answered, register flushed');
}

/**
 * Past the bound, a process whose shutdown hangs (a register that cannot flush, say) exits anyway,
 * with 1: an orchestrator would kill it then, and it says so first.
 */
export function exitAfterBound(times: ShutdownTimes, logger: Logger): void {
  const boundMs = shutdownBoundMs(times);
  setTimeout(() => {
    logger.error({ boundMs }, 'the gateway did not stop in time: exiting');
    process.exit(1);
  }, boundMs).unref();
}
