import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUBGRAPH_NAMES } from '@credit-gateway/common';
import { demoCode } from '@credit-gateway/sources';
import { scrape, type Scrape } from '../../gateway/test/support/metrics.js';
import { startStack, type Stack } from '../../gateway/test/support/stack.js';
import { dashboardQueries, repositoryDashboards } from './support/observability.js';
import { exportedFamilies, parseExpression, seriesNames } from './support/promql.js';

/**
 * The dashboards against what the real system exports: the whole stack started (gateway,
 * subgraphs, adapters, department stand-ins), requests sent through it, one of them with a
 * department failing, then the gateway's and every subgraph's metrics port scraped. Every metric a
 * dashboard query selects must be on one of those pages, and every label it matches or groups on
 * must be one the selected metrics carry. A renamed metric or label fails here, not on a blank
 * panel in production.
 */
let stack: Stack;
let pages: Scrape[];

/** Series Prometheus makes itself for each target, and the labels it and the scrape config add. */
const PROMETHEUS_SERIES = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped']);
const TARGET_LABELS = new Set(['job', 'instance', 'service']);

const DECISIONS = /* GraphQL */ `
  query Decisions($code: CreditCode!) {
    enterprise(code: $code) {
      code
      creditAssessment {
        complete
        missingSources
      }
      evaluation {
        grade
        inputs {
          complete
          missingSources
        }
      }
    }
  }
`;

beforeAll(async () => {
  stack = await startStack({ populationSize: 200, gatewayEnv: { ENTITY_CACHE: 'true' } });
  for (const code of [demoCode('major-tax-violator'), demoCode('major-tax-violator'), demoCode('wage-arrears')]) {
    const { status } = await stack.query(DECISIONS, { code });
    expect(status).toBe(200);
  }
  // A department down: the credit subgraph counts the decisions it answered without it.
  await stack.setFaults('tax', { errorRate: 1 });
  const { body } = await stack.query(DECISIONS, { code: demoCode('clean-sme') });
  expect((body.errors ?? []).some((error) => error.extensions?.code === 'DECISION_INCOMPLETE')).toBe(true);
  await stack.clearFaults();
  pages = await Promise.all([
    scrape(stack.metricsUrl),
    ...SUBGRAPH_NAMES.map((name) => scrape(stack.subgraphMetricsUrls[name])),
  ]);
});
afterAll(async () => {
  await stack?.close();
});

/** Every series name the pages export, with the label names their samples carry. */
function exported(): Map<string, Set<string>> {
  const names = new Map<string, Set<string>>();
  for (const page of pages) {
    for (const [family, type] of exportedFamilies(page.text))
      for (const name of seriesNames(family, type)) if (!names.has(name)) names.set(name, new Set());
    for (const sample of page.samples) {
      const labels = names.get(sample.name) ?? new Set<string>();
      for (const label of Object.keys(sample.labels)) labels.add(label);
      names.set(sample.name, labels);
    }
  }
  return names;
}

describe('the dashboards against the metrics the system exports', () => {
  it('select only metrics the gateway or a subgraph exports', () => {
    const names = exported();
    expect(names.has('credit_gateway_request_duration_seconds_bucket')).toBe(true);
    expect(names.has('credit_source_call_errors_total')).toBe(true);
    const missing = repositoryDashboards().flatMap(({ dashboard }) =>
      dashboardQueries(dashboard).flatMap(({ panel, expr }) =>
        parseExpression(expr)
          .selectors.filter(({ name }) => !names.has(name) && !PROMETHEUS_SERIES.has(name))
          .map(({ name }) => `${dashboard.uid}/${panel}: ${name}`),
      ),
    );
    expect(missing).toEqual([]);
  });

  it('match and group on labels the selected metrics carry', () => {
    const names = exported();
    const unknown = repositoryDashboards().flatMap(({ dashboard }) =>
      dashboardQueries(dashboard).flatMap(({ panel, expr }) => {
        const { selectors, grouping } = parseExpression(expr);
        const carried = new Set([...TARGET_LABELS, ...selectors.flatMap(({ name }) => [...(names.get(name) ?? [])])]);
        // A metric without samples yet says nothing of its labels: only what was seen is checked.
        const seen = selectors.every(({ name }) => PROMETHEUS_SERIES.has(name) || (names.get(name)?.size ?? 0) > 0);
        if (!seen) return [];
        return [...selectors.flatMap(({ labels }) => labels), ...grouping]
          .filter((label) => !carried.has(label))
          .map((label) => `${dashboard.uid}/${panel}: ${label} in ${expr}`);
      }),
    );
    expect(unknown).toEqual([]);
  });

  it('would notice a metric renamed in the code', () => {
    const names = exported();
    names.delete('credit_gateway_register_queue_depth');
    const { dashboard } = repositoryDashboards()[0]!;
    const selecting = dashboardQueries(dashboard).filter(({ expr }) =>
      parseExpression(expr).selectors.some(({ name }) => !names.has(name) && !PROMETHEUS_SERIES.has(name)),
    );
    expect(selecting.map(({ panel }) => panel)).toEqual(['Register queue depth and refused appends']);
  });
});
