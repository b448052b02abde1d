import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { population } from '@credit-gateway/sources';
import { scrape } from '../support/metrics.js';
import { startStack, type Stack } from '../support/stack.js';

const APPROVAL = `query ApprovalCheck($code: CreditCode!) { enterprise(code: $code) { code
  marketRegulation { registration { name status } abnormalOperations { listedOn removedOn } }
  tax { creditGrades { year grade } majorViolations { caseNature publicityEndsOn } }
  courts { dishonestDebtorRecords { caseNumber status } }
  socialSecurity { wageArrearsListings { listedOn removedOn } insuredHeadcount }
  procurement { banned } } }`;

interface FetchMetrics {
  subgraphFetches: Record<string, { requests: number; operations: number; merged: number; unmerged: number }>;
}

/** The transport's counters per subgraph, as the gateway's metrics page shows them. */
async function metrics(stack: Stack): Promise<FetchMetrics> {
  const page = await scrape(stack.metricsUrl);
  const subgraphFetches: FetchMetrics['subgraphFetches'] = {};
  for (const subgraph of page.labelValues('credit_gateway_subgraph_operations_total', 'subgraph')) {
    const total = (name: string) => page.value(`credit_gateway_subgraph_${name}_total`, { subgraph });
    subgraphFetches[subgraph] = {
      requests: total('requests'),
      operations: total('operations'),
      merged: total('merged'),
      unmerged: total('unmerged'),
    };
  }
  return { subgraphFetches };
}

describe('merged subgraph fetches (MERGE_FETCHES)', () => {
  let stack: Stack;
  const codes = [...population(200)].slice(0, 24);
  beforeAll(async () => {
    stack = await startStack({ populationSize: 200 });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('answers concurrent checks exactly as it answers each alone, with fewer subgraph requests', async () => {
    // One at a time: nothing to merge with.
    const alone = new Map<string, unknown>();
    for (const code of codes) alone.set(code, (await stack.query(APPROVAL, { code })).body);
    const before = await metrics(stack);
    expect(Object.values(before.subgraphFetches).every((m) => m.merged === 0)).toBe(true);

    // All at once: fetches started in the same turn of the gateway's event loop go together. A
    // burst that happens to arrive spread out merges nothing, so a few bursts are sent.
    let merged = 0;
    for (let burst = 0; burst < 5 && merged === 0; burst++) {
      const answers = await Promise.all(codes.map((code) => stack.query(APPROVAL, { code })));
      answers.forEach((answer, i) => expect(answer.body).toEqual(alone.get(codes[i]!)));
      const after = await metrics(stack);
      merged = Object.values(after.subgraphFetches).reduce((sum, m) => sum + m.merged, 0);
    }
    expect(merged).toBeGreaterThan(0);
    const after = await metrics(stack);
    for (const [name, m] of Object.entries(after.subgraphFetches)) {
      // Every operation was answered, by fewer requests when some were merged.
      expect(m.requests, name).toBeLessThanOrEqual(m.operations);
    }
  });

  it('never merges requests of callers with different access, and each keeps its own answer', async () => {
    const code = codes[0]!;
    const [government, analyst] = await Promise.all([
      stack.query(APPROVAL, { code }),
      stack.query(APPROVAL, { code }, { tier: 'ANALYST', purpose: 'STATISTICS' }),
    ]);
    expect(government.body.errors).toBeUndefined();
    expect(government.body.data.enterprise.socialSecurity.insuredHeadcount).toEqual(expect.any(Number));
    expect(analyst.body.data.enterprise.socialSecurity?.insuredHeadcount ?? null).toBeNull();
    expect(analyst.body.errors?.map((e: { extensions: { code: string } }) => e.extensions.code)).toContain(
      'UNAUTHORIZED_FIELD_OR_TYPE',
    );
  });
});
