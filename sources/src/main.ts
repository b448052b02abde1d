import { closeOnSignals, createLogger } from '@credit-gateway/common';
import { loadStandInConfig } from './config.js';
import { startStandIn } from './stand-ins.js';

/** Runs one department stand-in: `node sources/dist/main.js <market|tax|courts|procurement>`. */
const { name, faults, populationSize, port, host, logLevel } = loadStandInConfig(process.env, process.argv.slice(2));
const logger = createLogger({ service: `stand-in-${name}`, level: logLevel });
const server = await startStandIn(name, { logger, faults, populationSize, port, host });
logger.info({ url: server.url, faults }, `${name} department stand-in listening`);
closeOnSignals(() => server.close(), logger);
