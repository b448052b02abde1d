import { closeOnSignals, createLogger } from '@credit-gateway/common';
import { loadConfig } from './config.js';
import { startCourtsSubgraph } from './server.js';

const config = loadConfig(process.env);
const logger = createLogger({ service: 'subgraph-courts', level: config.logLevel });
const server = await startCourtsSubgraph(config, logger);
logger.info({ url: `${server.url}/graphql` }, 'courts subgraph listening');
closeOnSignals(() => server.close(), logger);
