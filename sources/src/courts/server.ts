import type { StandInConfig } from '../stand-ins.js';
import { createStandInHandler, type StandInHandler } from '../sim/server.js';

// Placeholder until the courts department's endpoints are written.
export function createCourtsStandIn(config: StandInConfig): StandInHandler {
  return createStandInHandler({ name: 'courts', logger: config.logger, faults: config.faults, errorBody: {}, routes: [] });
}
