import { closeOnSignals, createLogger, startTracing } from '@credit-gateway/common';
import { loadConfig } from './config.js';
import { startTaxSubgraph } from './server.js';

const config = loadConfig(process.env);
const logger = createLogger({ service: 'subgraph-tax', level: config.logLevel });
const tracing = startTracing({ service: 'subgraph-tax', ...config.tracing });
const server = await startTaxSubgraph(config, logger);
logger.info({ url: `${server.url}/graphql` }, 'tax subgraph listening');
closeOnSignals(async () => {
  await server.close();
  await tracing?.shutdown();
}, logger);
