import { afterAll, beforeAll, expect, it } from 'vitest';
import { listen, silentLogger, type RunningServer } from '@credit-gateway/common';
import { demoCode, startStandIn, type RunningStandIn } from '@credit-gateway/sources';
import { createMarketSubgraph, loadConfig as marketConfig } from '@credit-gateway/subgraph-market';
import { loadConfig, startGateway } from '../src/server.js';

let standIn: RunningStandIn;
let market: RunningServer;
let gateway: RunningServer;

beforeAll(async () => {
  standIn = await startStandIn('market', { logger: silentLogger(), populationSize: 0, port: 0 });
  market = await listen(
    createMarketSubgraph(marketConfig({ PORT: '0', SOURCE_URL: standIn.url }), silentLogger()).handler,
    0,
  );
  gateway = await startGateway(
    loadConfig({
      PORT: '0',
      SUBGRAPH_MARKET_URL: `${market.url}/graphql`,
      SUBGRAPH_TAX_URL: 'http://127.0.0.1:1/graphql',
    }),
    silentLogger(),
  );
});
afterAll(async () => {
  await gateway?.close();
  await market?.close();
  await standIn?.close();
});

it('smoke', async () => {
  const r = await fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: `{ enterprise(code: "${demoCode('clean-sme').toLowerCase()}") { code marketRegulation { registration { name } } tax { taxpayerNumber } } }`,
    }),
  });
  const body = await r.json();
  console.log(r.status, JSON.stringify(body, null, 1));
  expect(r.status).toBe(200);
});
