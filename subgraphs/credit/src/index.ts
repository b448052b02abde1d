import { closeOnSignals, createLogger } from '@credit-gateway/common';
import { loadConfig } from './config.js';
import { startCreditSubgraph } from './server.js';

const config = loadConfig(process.env);
const logger = createLogger({ service: 'subgraph-credit', level: config.logLevel });
const server = await startCreditSubgraph(config, logger);
logger.info({ url: `${server.url}/graphql` }, 'credit subgraph listening');
closeOnSignals(() => server.close(), logger);
