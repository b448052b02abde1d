import type { StandInConfig } from '../stand-ins.js';
import { createStandInHandler, type StandInHandler } from '../sim/server.js';

// Placeholder until the tax department's endpoints are written.
export function createTaxStandIn(config: StandInConfig): StandInHandler {
  return createStandInHandler({ name: 'tax', logger: config.logger, faults: config.faults, errorBody: {}, routes: [] });
}
