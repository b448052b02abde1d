import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { GATEWAY_METRICS_PORT, SUBGRAPH_METRICS_PORTS, SUBGRAPH_NAMES } from '@credit-gateway/common';
import {
  dashboardQueries,
  grafanaProblems,
  imageProblems,
  metricsServices,
  readCompose,
  REPOSITORY,
  repositoryDashboards,
  scrapeProblems,
  tracingProblems,
  type Compose,
} from './support/observability.js';
import { parseExpression } from './support/promql.js';

// docker-compose.yml's Prometheus, Grafana and Jaeger against the services they watch, offline.
// What the dashboard's queries select is checked against real metrics pages in dashboards.e2e.ts.

const DEFAULT_PORTS = { gateway: GATEWAY_METRICS_PORT, subgraphs: SUBGRAPH_METRICS_PORTS };
const compose = readCompose();
const dashboards = repositoryDashboards();
const copy = (): Compose => structuredClone(compose);

describe('reading PromQL', () => {
  it('finds the metric names and label names of a query, past functions, ranges, strings and variables', () => {
    expect(
      parseExpression(
        'histogram_quantile(0.99, sum by (le, tier) (rate(credit_gateway_request_duration_seconds_bucket{operation="ApprovalCheck"}[5m])))',
      ),
    ).toEqual({
      selectors: [{ name: 'credit_gateway_request_duration_seconds_bucket', labels: ['operation'] }],
      grouping: ['le', 'tier'],
    });
    expect(
      parseExpression(
        'sum(rate(a_total[$__rate_interval])) / (sum(rate(b_total{x!="sum(c_total)", y=~"z"}[1h:1m])) + d offset 5m) > bool 1e3',
      ),
    ).toEqual({
      selectors: [
        { name: 'a_total', labels: [] },
        { name: 'b_total', labels: ['x', 'y'] },
        { name: 'd', labels: [] },
      ],
      grouping: [],
    });
    expect(parseExpression('max without (instance) (up{job="${job}"}) and on (service) nodejs_heap').selectors).toEqual(
      [
        { name: 'up', labels: ['job'] },
        { name: 'nodejs_heap', labels: [] },
      ],
    );
  });

  it('refuses what Prometheus would not run, or what names no metric', () => {
    expect(() => parseExpression('sum(rate(a_total[5m])')).toThrow(/parentheses/);
    expect(() => parseExpression('a_total{job="x"')).toThrow(/braces/);
    expect(() => parseExpression('a_total{job="x}')).toThrow(/string/);
    expect(() => parseExpression('rate(a_total[5m)')).toThrow(/brackets/);
    expect(() => parseExpression('sum({__name__=~"credit_.*"})')).toThrow(/without a metric name/);
  });

  it('reads every query of the dashboards, each selecting at least one metric', () => {
    const queries = dashboards.flatMap(({ dashboard }) => dashboardQueries(dashboard));
    expect(queries.length).toBeGreaterThan(30);
    for (const { panel, expr } of queries) expect(parseExpression(expr).selectors.length, panel).toBeGreaterThan(0);
  });
});

describe('Prometheus in docker-compose', () => {
  it('scrapes the gateway and every subgraph on its METRICS_PORT, on the compose network', () => {
    const services = metricsServices(compose, DEFAULT_PORTS);
    expect(services.map(({ script }) => script).sort()).toEqual(
      ['gateway/dist/index.js', ...SUBGRAPH_NAMES.map((name) => `subgraphs/${name}/dist/index.js`)].sort(),
    );
    expect(scrapeProblems(compose, DEFAULT_PORTS)).toEqual([]);
  });

  it('notices a target missing, one too many, a port moved, and a metrics port closed to the network', () => {
    const moved = copy();
    moved.services['subgraph-tax']!.environment!['METRICS_PORT'] = '9499';
    moved.services['subgraph-credit']!.environment!['METRICS_HOST'] = '127.0.0.1';
    moved.services['elsewhere'] = {
      image: 'credit-gateway:latest',
      command: ['node', 'subgraphs/market/dist/index.js'],
    };
    expect(scrapeProblems(moved, DEFAULT_PORTS)).toEqual([
      'subgraph-tax:9499 is scraped 0 times',
      'subgraph-credit: METRICS_HOST 127.0.0.1 is not reachable from prometheus',
      'elsewhere: METRICS_HOST undefined is not reachable from prometheus',
      'elsewhere:9401 is scraped 0 times',
      "subgraph-tax:9402 is no compose service's metrics port",
    ]);
    const unmounted = copy();
    unmounted.services['prometheus']!.volumes = [];
    expect(scrapeProblems(unmounted, DEFAULT_PORTS)).toEqual([
      'prometheus: --config.file /etc/prometheus/prometheus.yml is not a file of the repository',
    ]);
  });
});

describe('Grafana in docker-compose', () => {
  it('provisions the data sources the dashboards query and a provider that loads every dashboard file, offline', () => {
    expect(dashboards.map(({ file }) => file.slice(REPOSITORY.length))).toContain(
      'deploy/observability/grafana/dashboards/credit-gateway.json',
    );
    expect(grafanaProblems(compose, dashboards)).toEqual([]);
  });

  it('notices a dashboard no provider loads, a data source the dashboard does not have, and a plugin download', () => {
    const broken = copy();
    const grafana = broken.services['grafana']!;
    grafana.volumes = grafana.volumes!.filter((volume) => !volume.includes('/dashboards'));
    grafana.environment!['GF_INSTALL_PLUGINS'] = 'grafana-piechart-panel';
    const dashboard = structuredClone(dashboards[0]!);
    dashboard.dashboard.panels[1]!.targets![0]!.datasource = { type: 'prometheus', uid: 'thanos' };
    expect(grafanaProblems(broken, [dashboard])).toEqual([
      'provider credit-gateway: /var/lib/grafana/dashboards is not a directory of the repository',
      'deploy/observability/grafana/dashboards/credit-gateway.json is loaded by no provider',
      `credit-gateway/${dashboard.dashboard.panels[1]!.title}: data source thanos is not a provisioned Prometheus`,
      'grafana: its providers load no dashboard',
      'grafana: home dashboard /var/lib/grafana/dashboards/credit-gateway.json is not loaded',
      'grafana: plugins would be downloaded',
    ]);
  });

  it('charts what operators watch', () => {
    const selected = new Set(
      dashboards.flatMap(({ dashboard }) =>
        dashboardQueries(dashboard).flatMap(({ expr }) => parseExpression(expr).selectors.map(({ name }) => name)),
      ),
    );
    const watched = [
      'credit_gateway_request_duration_seconds_bucket',
      'credit_gateway_request_duration_seconds_count',
      'credit_gateway_subgraph_fetch_duration_seconds_bucket',
      'credit_gateway_subgraph_fetch_errors_total',
      'credit_source_call_duration_seconds_bucket',
      'credit_source_call_errors_total',
      'credit_gateway_entity_cache_hits_total',
      'credit_gateway_entity_cache_misses_total',
      'credit_gateway_entity_cache_stale_served_total',
      'credit_gateway_subgraph_merged_total',
      'credit_gateway_subgraph_deduplicated_total',
      'credit_gateway_register_commit_duration_seconds_bucket',
      'credit_gateway_register_queue_depth',
      'credit_gateway_rate_limited_total',
      'credit_gateway_admission_queue_length',
      'credit_decisions_incomplete_total',
    ];
    expect(watched.filter((name) => !selected.has(name))).toEqual([]);
  });
});

describe('tracing and images in docker-compose', () => {
  it('sends every service’s traces to Jaeger over OTLP/HTTP', () => {
    const services = metricsServices(compose, DEFAULT_PORTS).map(({ service }) => service);
    expect(tracingProblems(compose, services)).toEqual([]);
    const broken = copy();
    delete broken.services['gateway']!.environment!['OTEL_EXPORTER_OTLP_ENDPOINT'];
    broken.services['subgraph-tax']!.environment!['OTEL_EXPORTER_OTLP_ENDPOINT'] = 'http://jaeger:4317';
    expect(tracingProblems(broken, services)).toEqual([
      "subgraph-tax: http://jaeger:4317 is not Jaeger's OTLP/HTTP receiver",
      'gateway: no OTEL_EXPORTER_OTLP_ENDPOINT',
    ]);
  });

  it('pins every image it does not build', () => {
    expect(imageProblems(compose)).toEqual([]);
    const broken = copy();
    broken.services['grafana']!.image = 'grafana/grafana';
    broken.services['jaeger']!.image = 'jaegertracing/all-in-one:latest';
    expect(imageProblems(broken)).toEqual([
      'grafana: grafana/grafana is not pinned',
      'jaeger: jaegertracing/all-in-one:latest is not pinned',
    ]);
  });

  it('is a compose file docker-compose accepts', async () => {
    const { stderr } = await promisify(execFile)('docker-compose', ['config', '-q'], { cwd: REPOSITORY });
    expect(stderr).toBe('');
  });
});
