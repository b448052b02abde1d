/**
 * The social security subgraph on the embedded front-end database, as `npm start` runs it:
 * `node sources/dist/social-security/main.js`. The subgraph itself reads only PostgreSQL; this
 * process supplies the simulator's embedded database as its driver, seeded with
 * FRONT_DB_POPULATION subjects and misbehaving as FAULT_* say.
 */
import { closeOnSignals, createLogger } from '@credit-gateway/common';
import { startSocialSecuritySubgraph } from '@credit-gateway/subgraph-social-security';
import { loadEmbeddedConfig } from './config.js';
import { openEmbeddedFrontDb } from './embedded.js';

const config = loadEmbeddedConfig(process.env);
const logger = createLogger({ service: 'subgraph-social-security', level: config.logLevel });
const frontDb = await openEmbeddedFrontDb({ ...config.embedded, logger });
const server = await startSocialSecuritySubgraph(config, logger, frontDb);
logger.info({ url: `${server.url}/graphql`, frontDb: server.frontDb.driver }, 'social security subgraph listening');
closeOnSignals(() => server.close(), logger);
