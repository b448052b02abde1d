import { listen, silentLogger, type RunningServer, type StandInName } from '@credit-gateway/common';
import { startStandIn, type RunningStandIn } from '@credit-gateway/sources';
import { createMarketSubgraph, loadConfig as marketConfig } from '@credit-gateway/subgraph-market';
import { loadConfig, startGateway } from '../../src/server.js';

export interface Stack {
  gatewayUrl: string;
  standIns: Partial<Record<StandInName, RunningStandIn>>;
  close(): Promise<void>;
}

export async function startStack(): Promise<Stack> {
  const logger = silentLogger();
  const market = await startStandIn('market', { logger, populationSize: 0, port: 0 });
  const marketSubgraph: RunningServer = await listen(createMarketSubgraph(marketConfig({ PORT: '0', SOURCE_URL: market.url }), logger).handler, 0);
  const gateway = await startGateway(loadConfig({ PORT: '0', SUBGRAPH_MARKET_URL: `${marketSubgraph.url}/graphql` }), logger);
  return {
    gatewayUrl: gateway.url,
    standIns: { market },
    close: async () => {
      await gateway.close();
      await marketSubgraph.close();
      await market.close();
    },
  };
}
