import type { StandInConfig } from '../stand-ins.js';
import { createStandInHandler, type StandInHandler } from '../sim/server.js';

// Placeholder until the procurement department's endpoints are written.
export function createProcurementStandIn(config: StandInConfig): StandInHandler {
  return createStandInHandler({ name: 'procurement', logger: config.logger, faults: config.faults, errorBody: {}, routes: [] });
}
