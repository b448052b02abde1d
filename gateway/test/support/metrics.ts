/**
 * A metrics port for a gateway started in the test process (a process's entry starts its own:
 * src/index.ts), and the gateway's metrics as the tests read them.
 */
import { listenMetrics, registrySource, silentLogger, type RunningServer } from '@credit-gateway/common';
import type { Registry } from 'prom-client';
import { scrape } from '../../../common/test/support/metrics.js';

export { parseExposition, scrape, Scrape, type Sample } from '../../../common/test/support/metrics.js';

/** Serves `registry` on a free metrics port, as the gateway's entry does on METRICS_PORT. */
export async function serveMetrics(registry: Registry | undefined): Promise<RunningServer & { metricsUrl: string }> {
  if (!registry) throw new Error('metrics are off (METRICS_PORT=0)');
  const server = await listenMetrics(
    registrySource(registry),
    { enabled: true, port: 0, host: '127.0.0.1' },
    silentLogger(),
  );
  if (!server) throw new Error('the metrics port did not open');
  return { ...server, metricsUrl: `${server.url}/metrics` };
}

/** The entity cache's counters as a gateway's metrics page shows them. */
export async function entityCacheMetrics(metricsUrl: string) {
  const page = await scrape(metricsUrl);
  const total = (name: string, labels?: Record<string, string>) =>
    page.value(`credit_gateway_entity_cache_${name}_total`, labels);
  return {
    hits: total('hits'),
    misses: total('misses'),
    staleServed: total('stale_served'),
    bypassed: total('skipped', { reason: 'bypassed' }),
    oversized: total('skipped', { reason: 'oversized' }),
    redisFull: total('skipped', { reason: 'redis_full' }),
    evictions: total('evictions'),
    redisErrors: total('redis_errors'),
  };
}
