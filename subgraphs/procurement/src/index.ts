import { closeOnSignals, createLogger, startTracing } from '@credit-gateway/common';
import { loadConfig } from './config.js';
import { startProcurementSubgraph } from './server.js';

const config = loadConfig(process.env);
const logger = createLogger({ service: 'subgraph-procurement', level: config.logLevel });
const tracing = startTracing({ service: 'subgraph-procurement', ...config.tracing });
const server = await startProcurementSubgraph(config, logger);
logger.info({ url: `${server.url}/graphql` }, 'government procurement subgraph listening');
closeOnSignals(async () => {
  await server.close();
  await tracing?.shutdown();
}, logger);
