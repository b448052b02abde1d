import { closeOnSignals, createLogger, startTracing } from '@credit-gateway/common';
import { loadConfig } from './config.js';
import { startCreditSubgraph } from './server.js';

const config = loadConfig(process.env);
const logger = createLogger({ service: 'subgraph-credit', level: config.logLevel });
const tracing = startTracing({ service: 'subgraph-credit', ...config.tracing });
const server = await startCreditSubgraph(config, logger);
logger.info({ url: `${server.url}/graphql` }, 'credit subgraph listening');
closeOnSignals(async () => {
  await server.close();
  await tracing?.shutdown();
}, logger);
