import { closeOnSignals, createLogger } from '@credit-gateway/common';
import { loadConfig } from './config.js';
import { startGateway } from './server.js';

const config = loadConfig(process.env);
const logger = createLogger({ service: 'gateway', level: config.logLevel });
const server = await startGateway(config, logger);
logger.info({ url: `${server.url}/graphql` }, 'credit-gateway listening');
closeOnSignals(() => server.close(), logger);
