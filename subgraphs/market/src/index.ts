import { closeOnSignals, createLogger, startTracing } from '@credit-gateway/common';
import { loadConfig } from './config.js';
import { startMarketSubgraph } from './server.js';

const config = loadConfig(process.env);
const logger = createLogger({ service: 'subgraph-market', level: config.logLevel });
const tracing = startTracing({ service: 'subgraph-market', ...config.tracing });
const server = await startMarketSubgraph(config, logger);
logger.info({ url: `${server.url}/graphql` }, 'market regulation subgraph listening');
closeOnSignals(async () => {
  await server.close();
  await tracing?.shutdown();
}, logger);
