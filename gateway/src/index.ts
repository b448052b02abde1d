import cluster from 'node:cluster';
import { closeOnSignals, createLogger } from '@credit-gateway/common';
import { loadConfig } from './config.js';
import { runPrimary, workerConfig, workerSlot } from './performance/workers.js';
import { startGateway } from './server.js';

const config = loadConfig(process.env);
const logger = createLogger({ service: 'gateway', level: config.logLevel });
if (cluster.isPrimary && config.performance.workers > 1) {
  runPrimary(config.performance.workers, logger, config.register);
} else {
  const slot = workerSlot(process.env);
  const workerLogger = slot === undefined ? logger : logger.child({ worker: slot });
  const server = await startGateway(workerConfig(config, slot), workerLogger);
  workerLogger.info({ url: `${server.url}/graphql`, pid: process.pid }, 'credit-gateway listening');
  closeOnSignals(() => server.close(), workerLogger);
}
