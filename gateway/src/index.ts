import cluster from 'node:cluster';
import { closeOnSignals, createLogger, startTracing } from '@credit-gateway/common';
import { loadConfig } from './config.js';
import { primaryOptions, runPrimary, startHeartbeat, workerConfig, workerSlot } from './performance/workers.js';
import { startGateway } from './server.js';

const config = loadConfig(process.env);
const logger = createLogger({ service: 'gateway', level: config.logLevel });
if (cluster.isPrimary && config.performance.workers > 1) {
  await runPrimary(primaryOptions(config), logger);
} else {
  const slot = workerSlot(process.env);
  const workerLogger = slot === undefined ? logger : logger.child({ worker: slot });
  const tracing = startTracing({ service: 'credit-gateway', ...config.tracing });
  const server = await startGateway(workerConfig(config, slot), workerLogger);
  const heartbeat = cluster.isWorker ? startHeartbeat(() => server.gateway.readiness()) : undefined;
  workerLogger.info({ url: `${server.url}/graphql`, pid: process.pid }, 'credit-gateway listening');
  // Stops accepting, answers (and registers) what is in flight within the grace, then flushes the register.
  closeOnSignals(async () => {
    heartbeat?.draining();
    await server.close(config.performance.shutdownGraceMs);
    heartbeat?.stop();
    await tracing?.shutdown();
  }, workerLogger);
}
