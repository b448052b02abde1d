import { closeOnSignals, createLogger, startTracing } from '@credit-gateway/common';
import { loadConfig } from './config.js';
import { startCourtsSubgraph } from './server.js';

const config = loadConfig(process.env);
const logger = createLogger({ service: 'subgraph-courts', level: config.logLevel });
const tracing = startTracing({ service: 'subgraph-courts', ...config.tracing });
const server = await startCourtsSubgraph(config, logger);
logger.info({ url: `${server.url}/graphql` }, 'courts subgraph listening');
closeOnSignals(async () => {
  await server.close();
  await tracing?.shutdown();
}, logger);
