import { afterAll, beforeAll } from 'vitest';
import { listen, silentLogger, type RunningServer } from '@credit-gateway/common';
import { startStandIn, demoCode, type RunningStandIn, type StandInStats } from '@credit-gateway/sources';
import { GATEWAY_KEYS } from '../../../common/test/support/gateway-identity.js';
import { describeGatewayOnly } from '../../../common/test/support/gateway-only.js';
import { createMarketSubgraph, loadConfig } from '../src/server.js';

let standIn: RunningStandIn;
let subgraph: RunningServer;

beforeAll(async () => {
  standIn = await startStandIn('market', { logger: silentLogger(), populationSize: 0, port: 0 });
  const config = loadConfig({
    PORT: '0',
    SOURCE_URL: standIn.url,
    GATEWAY_PUBLIC_KEY: GATEWAY_KEYS.GATEWAY_PUBLIC_KEY,
  });
  subgraph = await listen(createMarketSubgraph(config, silentLogger()).handler, 0);
});

afterAll(async () => {
  await subgraph?.close();
  await standIn?.close();
});

describeGatewayOnly('market', {
  graphqlUrl: () => `${subgraph.url}/graphql`,
  request: {
    query: `query($code: CreditCode!) { enterprise(code: $code) { code marketRegulation { registration { name } } } }`,
    variables: { code: demoCode('clean-sme') },
  },
  sourceCalls: async () => ((await (await fetch(`${standIn.url}/_sim/stats`)).json()) as StandInStats).requests,
  resetSourceCalls: async () => {
    await fetch(`${standIn.url}/_sim/reset`, { method: 'POST' });
  },
});
