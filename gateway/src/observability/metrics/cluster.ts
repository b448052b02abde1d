/**
 * Metrics of a gateway running as a cluster: the primary serves one page for every worker. Each
 * worker answers the primary's request for its registry over the cluster's IPC channel, and the
 * primary adds them up (prom-client's AggregatorRegistry): counters and histograms are summed,
 * gauges summed or, where a metric says so, the largest taken.
 */
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { MetricsSource } from '@credit-gateway/common';

/** In a worker: answer the primary's requests for this registry. */
export function answerPrimaryMetricsRequests(registry: Registry): void {
  AggregatorRegistry.setRegistries([registry]);
  // Constructing it is what starts the worker's listener for the primary's requests.
  new AggregatorRegistry();
}

/** In the primary: every worker's registry, aggregated at each scrape. */
export function clusterMetricsSource(): MetricsSource {
  const aggregator = new AggregatorRegistry();
  return async () => ({ contentType: aggregator.contentType, text: await aggregator.clusterMetrics() });
}
