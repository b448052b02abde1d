import { listen, type RunningServer, type StandInName } from '@credit-gateway/common';
import { createCourtsStandIn } from './courts/server.js';
import { createMarketStandIn } from './market/server.js';
import { createProcurementStandIn } from './procurement/server.js';
import type { StandInConfig, StandInHandler } from './sim/server.js';
import { createTaxStandIn } from './tax/server.js';

export type { StandInConfig };

export const STAND_INS: Readonly<Record<StandInName, (config: StandInConfig) => StandInHandler>> = {
  market: createMarketStandIn,
  tax: createTaxStandIn,
  courts: createCourtsStandIn,
  procurement: createProcurementStandIn,
};

export interface RunningStandIn extends RunningServer {
  name: StandInName;
  handler: StandInHandler;
}

export async function startStandIn(
  name: StandInName,
  config: StandInConfig & { port: number; host?: string },
): Promise<RunningStandIn> {
  const handler = STAND_INS[name](config);
  const server = await listen(handler, config.port, config.host);
  return { ...server, name, handler };
}
