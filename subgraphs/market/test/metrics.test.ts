import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenSubgraph, silentLogger, type RunningServer } from '@credit-gateway/common';
import { startStandIn, demoCode, type RunningStandIn } from '@credit-gateway/sources';
import { GATEWAY_KEYS, gatewayHeaders } from '../../../common/test/support/gateway-identity.js';
import { scrape } from '../../../common/test/support/metrics.js';
import { createMarketSubgraph, loadConfig } from '../src/server.js';

/**
 * A subgraph serves its metrics on its own port, as `startMarketSubgraph` listens (listenSubgraph):
 * its adapter's calls to GSXT, timed by the HTTP client, by outcome.
 */
let standIn: RunningStandIn;
let subgraph: RunningServer;
let metricsUrl: string;

async function profile(): Promise<{ data?: any; errors?: any[] }> {
  const response = await fetch(`${subgraph.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await gatewayHeaders()) },
    body: JSON.stringify({
      query: 'query($code: CreditCode!) { enterprise(code: $code) { marketRegulation { registration { name } } } }',
      variables: { code: demoCode('clean-sme') },
    }),
  });
  return (await response.json()) as { data?: any; errors?: any[] };
}

async function setFaults(errorRate: number): Promise<void> {
  const response = await fetch(`${standIn.url}/_sim/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ delayMs: 0, jitterMs: 0, errorRate, garbageRate: 0, hang: false }),
  });
  expect(response.ok).toBe(true);
}

/** Requests the GSXT stand-in has received. */
async function calls(): Promise<number> {
  const response = await fetch(`${standIn.url}/_sim/stats`);
  return ((await response.json()) as { requests: number }).requests;
}

beforeAll(async () => {
  standIn = await startStandIn('market', { logger: silentLogger(), populationSize: 0, port: 0 });
  const config = loadConfig({
    PORT: '0',
    SOURCE_URL: standIn.url,
    SOURCE_TIMEOUT_MS: '2000',
    GATEWAY_PUBLIC_KEY: GATEWAY_KEYS.GATEWAY_PUBLIC_KEY,
  });
  expect(config.metrics).toEqual({ enabled: true, port: 9401, host: '127.0.0.1' });
  // A free port rather than 9401.
  const metrics = { ...config.metrics, port: 0 };
  const logger = silentLogger();
  const started = await listenSubgraph(createMarketSubgraph(config, logger), { ...config, metrics }, logger);
  subgraph = started;
  metricsUrl = `${started.metricsUrl!}/metrics`;
});

afterAll(async () => {
  await subgraph?.close();
  await standIn?.close();
});

const CALLS = 'credit_source_call_duration_seconds_count';

describe('the market subgraph’s metrics', () => {
  it('counts each call to GSXT by outcome, labelled with the subgraph', async () => {
    const before = await scrape(metricsUrl);
    expect((await profile()).errors).toBeUndefined();
    const ok = await scrape(metricsUrl);
    expect(ok.value(CALLS, { subgraph: 'market', source: 'market', outcome: 'OK' })).toBe(
      before.value(CALLS, { outcome: 'OK' }) + 1,
    );

    const served = await calls();
    await setFaults(1);
    try {
      const failed = await profile();
      expect(failed.errors?.[0]?.extensions).toMatchObject({ code: 'SOURCE_UNAVAILABLE', source: 'market' });
    } finally {
      await setFaults(0);
    }
    // Each call GSXT refused, as many as it received.
    const refused = (await calls()) - served;
    expect(refused).toBeGreaterThanOrEqual(1);
    const after = await scrape(metricsUrl);
    expect(after.value(CALLS, { source: 'market', outcome: 'SOURCE_UNAVAILABLE' })).toBe(refused);
    expect(after.value('credit_source_call_errors_total', { source: 'market', code: 'SOURCE_UNAVAILABLE' })).toBe(
      refused,
    );
    expect(after.value(CALLS)).toBe(ok.value(CALLS) + refused);
  });

  it('serves them only on the metrics port, none with METRICS_PORT=0, and closes it with the subgraph', async () => {
    expect((await fetch(`${subgraph.url}/metrics`)).status).toBe(404);
    const env = { PORT: '0', GATEWAY_PUBLIC_KEY: GATEWAY_KEYS.GATEWAY_PUBLIC_KEY };
    const off = loadConfig({ ...env, METRICS_PORT: '0' });
    const without = await listenSubgraph(createMarketSubgraph(off, silentLogger()), off, silentLogger());
    expect(without.metricsUrl).toBeUndefined();
    await without.close();

    const on = loadConfig(env);
    const metrics = { ...on.metrics, port: 0 };
    const other = await listenSubgraph(createMarketSubgraph(on, silentLogger()), { ...on, metrics }, silentLogger());
    expect((await scrape(`${other.metricsUrl!}/metrics`)).value('credit_source_call_errors_total')).toBe(0);
    await other.close();
    await expect(fetch(`${other.metricsUrl!}/metrics`)).rejects.toThrow();
  });
});
