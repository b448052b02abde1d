import {
  EnvReader,
  readServiceConfig,
  STAND_IN_NAMES,
  STAND_IN_PORTS,
  type Env,
  type ServiceConfig,
  type StandInName,
} from '@credit-gateway/common';
import { faultsFromEnv, type Faults } from './sim/faults.js';

export interface StandInProcessConfig extends ServiceConfig {
  name: StandInName;
  faults: Faults;
  populationSize: number;
}

/** Config of `node sources/dist/main.js <market|tax|courts|procurement>`; `argv` is what follows the script. */
export function loadStandInConfig(env: Env, argv: readonly string[]): StandInProcessConfig {
  const reader = new EnvReader(env);
  const own = reader.section('Department stand-ins');
  const fromEnv = own.string('STAND_IN', '', {
    text: 'Which stand-in to run when the command line names none',
    values: STAND_IN_NAMES.map((name) => `\`${name}\``).join(', '),
  });
  const requested = argv[0] ?? fromEnv;
  const name: StandInName | undefined = STAND_IN_NAMES.find((candidate) => candidate === requested);
  if (!name) reader.problem(`unknown stand-in '${requested}': use one of ${STAND_IN_NAMES.join(', ')}`);
  const service = readServiceConfig(reader, name ? STAND_IN_PORTS[name] : 0);
  const faults = faultsFromEnv(env, reader);
  const populationSize = own.int(
    'POPULATION_SIZE',
    100_000,
    { min: 0, max: 10_000_000 },
    'Generated subjects a stand-in indexes for reverse look-ups (the people the courts bind)',
  );
  reader.done();
  if (!name) throw new Error('unreachable: reader.done() reports an unknown stand-in');
  return { ...service, name, faults, populationSize };
}
