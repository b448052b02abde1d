import {
  closeOnSignals,
  createLogger,
  EnvReader,
  readServiceConfig,
  STAND_IN_NAMES,
  STAND_IN_PORTS,
  type StandInName,
} from '@credit-gateway/common';
import { faultsFromEnv } from './sim/faults.js';
import { startStandIn } from './stand-ins.js';

/** Runs one department stand-in: `node sources/dist/main.js <market|tax|courts|procurement>`. */
const reader = new EnvReader(process.env);
const requested = process.argv[2] ?? reader.string('STAND_IN', '');
const name: StandInName | undefined = STAND_IN_NAMES.find((candidate) => candidate === requested);
if (!name) reader.problem(`unknown stand-in '${requested}': use one of ${STAND_IN_NAMES.join(', ')}`);
const service = readServiceConfig(reader, name ? STAND_IN_PORTS[name] : 0);
const faults = faultsFromEnv(process.env, reader);
const populationSize = reader.int('POPULATION_SIZE', 100_000, { min: 0, max: 10_000_000 });
reader.done();
if (!name) throw new Error('unreachable: reader.done() reports an unknown stand-in');

const logger = createLogger({ service: `stand-in-${name}`, level: service.logLevel });
const server = await startStandIn(name, { logger, faults, populationSize, port: service.port, host: service.host });
logger.info({ url: server.url, faults }, `${name} department stand-in listening`);
closeOnSignals(() => server.close(), logger);
