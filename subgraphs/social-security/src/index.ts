import { closeOnSignals, createLogger, startTracing } from '@credit-gateway/common';
import { loadConfig } from './config.js';
import { startSocialSecuritySubgraph } from './server.js';

const config = loadConfig(process.env);
const logger = createLogger({ service: 'subgraph-social-security', level: config.logLevel });
const tracing = startTracing({ service: 'subgraph-social-security', ...config.tracing });
const server = await startSocialSecuritySubgraph(config, logger);
logger.info({ url: `${server.url}/graphql`, frontDb: server.frontDb.driver }, 'social security subgraph listening');
closeOnSignals(async () => {
  await server.close();
  await tracing?.shutdown();
}, logger);
