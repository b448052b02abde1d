import cluster from 'node:cluster';
import { closeOnSignals, createLogger, listenMetrics, registrySource, startTracing } from '@credit-gateway/common';
import { loadConfig } from './config.js';
import { answerPrimaryMetricsRequests, clusterMetricsSource } from './observability/metrics/index.js';
import { drainAndClose, exitAfterBound } from './performance/shutdown.js';
import { primaryOptions, runPrimary, startHeartbeat, workerConfig, workerSlot } from './performance/workers.js';
import { startGateway } from './server.js';

const METRICS_PORT_TAKEN = 'the metrics port cannot be opened: set METRICS_PORT (0 for none) or METRICS_HOST';

const config = loadConfig(process.env);
const logger = createLogger({ service: 'gateway', level: config.logLevel });
if (cluster.isPrimary && config.performance.supervised) {
  // One page for every worker, on the metrics port (METRICS_PORT), never on the public one.
  await listenMetrics(clusterMetricsSource(), config.metrics, logger).catch((error: unknown) => {
    logger.fatal({ err: error, port: config.metrics.port }, METRICS_PORT_TAKEN);
    process.exit(1);
  });
  await runPrimary(primaryOptions(config), logger);
} else {
  const slot = workerSlot(process.env);
  const workerLogger = slot === undefined ? logger : logger.child({ worker: slot });
  const tracing = startTracing({ service: 'credit-gateway', ...config.tracing });
  const server = await startGateway(workerConfig(config, slot), workerLogger);
  const { metrics } = server.gateway;
  // A worker's metrics reach the scraper through the primary; a single process serves its own.
  if (metrics && cluster.isWorker) answerPrimaryMetricsRequests(metrics);
  const metricsServer =
    metrics && !cluster.isWorker
      ? await listenMetrics(registrySource(metrics), config.metrics, workerLogger).catch(async (error: unknown) => {
          workerLogger.fatal({ err: error, port: config.metrics.port }, METRICS_PORT_TAKEN);
          await server.close();
          process.exit(1);
        })
      : undefined;
  const heartbeat = cluster.isWorker ? startHeartbeat(() => server.gateway.readiness()) : undefined;
  workerLogger.info(
    { url: `${server.url}/graphql`, metrics: metricsServer ? `${metricsServer.url}/metrics` : null, pid: process.pid },
    'credit-gateway listening',
  );
  // Turns unready and drains (SHUTDOWN_DRAIN_DELAY_MS), stops accepting, answers (and registers)
  // what is in flight within the grace (SHUTDOWN_GRACE_MS), then flushes the register.
  const times = { drainDelayMs: config.performance.shutdownDrainDelayMs, graceMs: config.performance.shutdownGraceMs };
  closeOnSignals(async () => {
    exitAfterBound(times, workerLogger);
    await drainAndClose(server, times, workerLogger, () => heartbeat?.draining());
    await metricsServer?.close();
    heartbeat?.stop();
    await tracing?.shutdown();
  }, workerLogger);
}
