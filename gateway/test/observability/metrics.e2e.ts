import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { demoCode } from '@credit-gateway/sources';
import { CLIENT_OPERATIONS } from '../../src/observability/metrics/index.js';
import { scrape, type Scrape } from '../support/metrics.js';
import { startStack, type Stack } from '../support/stack.js';

/**
 * The metrics pages through the real path: requests over HTTP through the gateway, the subgraphs
 * and their adapters to the department stand-ins, then the gateway's and each subgraph's metrics
 * port scraped and read as Prometheus reads them.
 */
let stack: Stack;

const MAX_OPERATION_NAMES = 10;
const MAX_OPERATION_NAMES_PER_CLIENT = 2;

beforeAll(async () => {
  stack = await startStack({
    populationSize: 200,
    // A department that hangs is cut off by the gateway long before its subgraph gives up on it.
    sourceTimeoutMs: 20_000,
    gatewayEnv: {
      SUBGRAPH_TIMEOUT_MS: '3000',
      // Anonymous callers as fast as the tests send: their names, not the rate limit, are under test.
      RATE_LIMITS: 'ANALYST=2/1m,PUBLIC=100000/1m',
      RATE_LIMIT_ADDRESS: 'PUBLIC=off',
      RATE_LIMIT_TIER_TOTAL: 'PUBLIC=off',
      METRICS_MAX_OPERATION_NAMES: String(MAX_OPERATION_NAMES),
      METRICS_MAX_OPERATION_NAMES_PER_CLIENT: String(MAX_OPERATION_NAMES_PER_CLIENT),
    },
  });
});
afterAll(async () => {
  await stack?.close();
});
afterEach(async () => {
  await stack.clearFaults();
});

const INPUTS = 'complete missingSources';
const DECISIONS = /* GraphQL */ `
  query Decisions($code: CreditCode!) {
    enterprise(code: $code) {
      code
      creditAssessment { ${INPUTS} }
      evaluation { grade inputs { ${INPUTS} } }
    }
  }
`;
const CODE = demoCode('major-tax-violator');

const gateway = () => scrape(stack.metricsUrl);
const subgraph = (name: keyof Stack['subgraphMetricsUrls']) => scrape(stack.subgraphMetricsUrls[name]);

/** How much each sample named grew between two scrapes. */
function grew(before: Scrape, after: Scrape, name: string, labels: Record<string, string> = {}): number {
  return after.value(name, labels) - before.value(name, labels);
}

const REQUESTS = 'credit_gateway_request_duration_seconds_count';

describe('the metrics port', () => {
  it('serves the exposition format there, and nothing on the public port', async () => {
    const page = await gateway();
    expect(page.value('credit_gateway_processes')).toBe(1);
    expect(page.series('nodejs_eventloop_lag_seconds')).toHaveLength(1);
    // Without Redis URLs both roles keep their state in memory.
    for (const role of ['state', 'cache'])
      expect(page.series('credit_gateway_redis_status', { role, connection: 'command' })).toEqual(
        ['memory', 'idle', 'up', 'down', 'closed'].map((status) => ({
          name: 'credit_gateway_redis_status',
          labels: { role, connection: 'command', status },
          value: status === 'memory' ? 1 : 0,
        })),
      );

    const publicPort = await fetch(new URL('/metrics', stack.gatewayUrl));
    expect(publicPort.status).toBe(404);
    expect(await publicPort.json()).toMatchObject({ errors: [{ extensions: { code: 'BAD_REQUEST' } }] });

    const elsewhere = await fetch(stack.metricsUrl.replace(/\/metrics$/, '/graphql'));
    expect(elsewhere.status).toBe(404);
    const refused = await fetch(stack.metricsUrl, { method: 'POST', body: '{}' });
    expect(refused.status).toBe(405);
  });
});

describe('requests, subgraph fetches and department calls', () => {
  it('times each request by operation, tier and outcome, and every fetch and department call it made', async () => {
    await stack.resetStats();
    const [before, market] = await Promise.all([gateway(), subgraph('market')]);
    for (let i = 0; i < 2; i++) {
      const { status, body } = await stack.query(DECISIONS, { code: CODE });
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
    }
    const [after, marketAfter] = await Promise.all([gateway(), subgraph('market')]);

    expect(grew(before, after, REQUESTS, { operation: 'Decisions', tier: 'GOVERNMENT', outcome: 'OK' })).toBe(2);
    expect(grew(before, after, REQUESTS)).toBe(2);
    // Every department subgraph was fetched for the decision's inputs, and each fetch succeeded.
    for (const name of ['market', 'tax', 'courts', 'social-security', 'procurement', 'credit']) {
      const fetched = grew(before, after, 'credit_gateway_subgraph_fetch_duration_seconds_count', {
        subgraph: name,
        outcome: 'OK',
      });
      expect(fetched, name).toBeGreaterThanOrEqual(2);
    }
    expect(after.value('credit_gateway_subgraph_fetch_errors_total')).toBe(
      before.value('credit_gateway_subgraph_fetch_errors_total'),
    );
    // The transport's counters: every operation answered, none by more requests than operations.
    for (const name of after.labelValues('credit_gateway_subgraph_operations_total', 'subgraph')) {
      expect(after.value('credit_gateway_subgraph_requests_total', { subgraph: name })).toBeLessThanOrEqual(
        after.value('credit_gateway_subgraph_operations_total', { subgraph: name }),
      );
    }
    expect(
      grew(before, after, 'credit_gateway_subgraph_operations_total', { subgraph: 'market' }),
    ).toBeGreaterThanOrEqual(2);
    // The market adapter's calls to GSXT, counted in the market subgraph's own registry.
    const calls = grew(market, marketAfter, 'credit_source_call_duration_seconds_count', {
      source: 'market',
      outcome: 'OK',
      subgraph: 'market',
    });
    expect(calls).toBeGreaterThanOrEqual(1);
    expect(calls).toBe((await stack.standInStats('market')).requests);
    // Each request was registered, and the register's queue is empty once they are answered.
    expect(grew(before, after, 'credit_gateway_register_commit_duration_seconds_count', { committed: 'true' })).toBe(2);
    expect(after.value('credit_gateway_register_queue_depth')).toBe(0);
    expect(after.value('credit_gateway_admission_active')).toBe(0);
    expect(after.value('credit_gateway_admission_queue_length')).toBe(0);
  });

  it('counts a department that fails in its subgraph, and the credit decisions left incomplete by it', async () => {
    const [before, tax, credit] = await Promise.all([gateway(), subgraph('tax'), subgraph('credit')]);
    await stack.setFaults('tax', { errorRate: 1 });
    const { status, body } = await stack.query(DECISIONS, { code: CODE });
    expect(status).toBe(200);
    const incomplete = (body.errors ?? []).filter((error) => error.extensions?.code === 'DECISION_INCOMPLETE');
    expect(incomplete.length).toBeGreaterThan(0);
    for (const error of incomplete) expect(error.extensions.source).toEqual(['tax']);
    const [after, taxAfter, creditAfter] = await Promise.all([gateway(), subgraph('tax'), subgraph('credit')]);

    // The tax adapter met a 503 at least once, each failure counted by its code.
    const failed = grew(tax, taxAfter, 'credit_source_call_errors_total', {
      source: 'tax',
      code: 'SOURCE_UNAVAILABLE',
    });
    expect(failed).toBeGreaterThanOrEqual(1);
    expect(
      grew(tax, taxAfter, 'credit_source_call_duration_seconds_count', {
        source: 'tax',
        outcome: 'SOURCE_UNAVAILABLE',
      }),
    ).toBe(failed);
    // One count for each incomplete decision the credit subgraph answered, by the missing department.
    expect(grew(credit, creditAfter, 'credit_decisions_incomplete_total', { source: 'tax' })).toBe(incomplete.length);
    expect(grew(credit, creditAfter, 'credit_decisions_incomplete_total')).toBe(incomplete.length);
    // The tax subgraph answered (with its section's error), so the gateway's fetch of it succeeded.
    expect(grew(before, after, REQUESTS, { operation: 'Decisions', outcome: 'PARTIAL' })).toBe(1);
  });

  it('counts a subgraph that does not answer in time as that subgraph’s SOURCE_TIMEOUT', async () => {
    const [before, credit] = await Promise.all([gateway(), subgraph('credit')]);
    await stack.setFaults('procurement', { hang: true });
    const { status, body } = await stack.query(DECISIONS, { code: CODE });
    expect(status).toBe(200);
    expect(body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ extensions: expect.objectContaining({ code: 'DECISION_INCOMPLETE' }) }),
      ]),
    );
    const [after, creditAfter] = await Promise.all([gateway(), subgraph('credit')]);
    expect(
      grew(before, after, 'credit_gateway_subgraph_fetch_errors_total', {
        subgraph: 'procurement',
        code: 'SOURCE_TIMEOUT',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      grew(before, after, 'credit_gateway_subgraph_fetch_duration_seconds_count', {
        subgraph: 'procurement',
        outcome: 'SOURCE_TIMEOUT',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(grew(credit, creditAfter, 'credit_decisions_incomplete_total', { source: 'procurement' })).toBeGreaterThan(
      0,
    );
  });
});

describe('rate limits', () => {
  it('counts the refusals by tier', async () => {
    const before = await gateway();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const { status } = await stack.query(
        'query Names { __typename }',
        {},
        { tier: 'ANALYST', purpose: 'STATISTICS', client: 'statistics-bureau' },
      );
      statuses.push(status);
    }
    const refused = statuses.filter((status) => status === 429).length;
    expect(refused).toBe(2);
    const after = await gateway();
    expect(grew(before, after, 'credit_gateway_rate_limited_total', { tier: 'ANALYST' })).toBe(refused);
    expect(grew(before, after, 'credit_gateway_rate_limited_total')).toBe(refused);
    // Every tier has its series from the start, at 0 until refused.
    expect(after.labelValues('credit_gateway_rate_limited_total', 'tier')).toEqual(
      new Set(['PUBLIC', 'AUTHORIZED', 'GOVERNMENT', 'JUDICIAL', 'ANALYST']),
    );
  });
});

describe('operation names, which callers choose', () => {
  const named = (name: string) => `query ${name} { __typename }`;
  /** A name of letters only, unlike every other: random digits could make six in a row, screened. */
  const lettersOnly = (i: number) => i.toString(26).replace(/./g, (c) => String.fromCharCode(97 + parseInt(c, 26)));
  const APPROVAL_CHECK = 'query ApprovalCheck($code: CreditCode!) { enterprise(code: $code) { code } }';
  /** Sends each request, a few at a time. */
  async function send(count: number, request: (i: number) => Promise<{ status: number }>): Promise<void> {
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < count; i = next++) expect((await request(i)).status).toBe(200);
    };
    await Promise.all(Array.from({ length: 8 }, worker));
  }

  it('are labels for anonymous callers only when known: 1,000 names leave a GOVERNMENT ApprovalCheck itself', async () => {
    const before = await gateway();
    await send(1_000, (i) => stack.query(named(`Squat${String(i).padStart(4, '0')}`), {}, { anonymous: true }));
    // Of the client package: labelled for anyone, as the approval system's own is.
    expect((await stack.query(APPROVAL_CHECK, { code: CODE }, { anonymous: true })).status).toBe(200);
    expect((await stack.query(APPROVAL_CHECK, { code: CODE })).status).toBe(200);
    // An authenticated caller's own name still finds a slot.
    expect((await stack.query(named('CourtLedger'), {}, { tier: 'JUDICIAL', client: 'court-ledger' })).status).toBe(
      200,
    );
    const after = await gateway();

    expect(grew(before, after, REQUESTS, { operation: '__public__', tier: 'PUBLIC' })).toBe(1_000);
    expect(grew(before, after, REQUESTS, { operation: 'ApprovalCheck', tier: 'GOVERNMENT', outcome: 'OK' })).toBe(1);
    expect(grew(before, after, REQUESTS, { operation: 'ApprovalCheck', tier: 'PUBLIC' })).toBe(1);
    expect(grew(before, after, REQUESTS, { operation: 'CourtLedger', tier: 'JUDICIAL', outcome: 'OK' })).toBe(1);
    expect(after.text).not.toContain('Squat');
  });

  it("give one authenticated client at most its share of the slots; another client's name still has one", async () => {
    const flood = { tier: 'AUTHORIZED', client: 'flooding-bank' } as const;
    await send(40, (i) => stack.query(named(`Flood${lettersOnly(i)}`), {}, flood));
    // A valid GraphQL name, but too long to be a label.
    expect((await stack.query(named(`Long${'x'.repeat(200)}`), {}, flood)).status).toBe(200);
    expect((await stack.query(named('LoanReview'), {}, { tier: 'AUTHORIZED', client: 'other-bank' })).status).toBe(200);
    const page = await gateway();
    const operations = page.labelValues(REQUESTS, 'operation');
    expect([...operations].filter((name) => name.startsWith('Flood'))).toHaveLength(MAX_OPERATION_NAMES_PER_CLIENT);
    expect(page.value(REQUESTS, { operation: '__other__', tier: 'AUTHORIZED' })).toBe(
      41 - MAX_OPERATION_NAMES_PER_CLIENT,
    );
    expect(page.value(REQUESTS, { operation: 'LoanReview', tier: 'AUTHORIZED' })).toBe(1);
    const learned = [...operations].filter((name) => !name.startsWith('__') && !CLIENT_OPERATIONS.includes(name));
    expect(learned.length).toBeLessThanOrEqual(MAX_OPERATION_NAMES);
    for (const name of operations)
      expect(name).toMatch(/^(__(none|other|public|screened)__|[A-Za-z][_0-9A-Za-z]{0,63})$/);
  });

  it('never carry an ID number: such a name is __screened__, from any caller', async () => {
    const before = await gateway();
    for (const as of [{ anonymous: true }, {}, { tier: 'ANALYST', client: 'analyst-desk' }] as const)
      expect((await stack.query(named('Person_510107198203154517'), {}, as)).status).toBe(200);
    const after = await gateway();
    expect(grew(before, after, REQUESTS, { operation: '__screened__' })).toBe(3);
    expect(after.text).not.toContain('510107198203154517');
    for (const name of after.labelValues(REQUESTS, 'operation')) expect(name).not.toMatch(/\d(_*\d){5}/);
  });
});
