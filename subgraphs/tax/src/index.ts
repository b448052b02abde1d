import { closeOnSignals, createLogger } from '@credit-gateway/common';
import { loadConfig } from './config.js';
import { startTaxSubgraph } from './server.js';

const config = loadConfig(process.env);
const logger = createLogger({ service: 'subgraph-tax', level: config.logLevel });
const server = await startTaxSubgraph(config, logger);
logger.info({ url: `${server.url}/graphql` }, 'tax subgraph listening');
closeOnSignals(() => server.close(), logger);
