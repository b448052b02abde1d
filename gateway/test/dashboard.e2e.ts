/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, assert, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { epochToChinaDate } from '@credit-gateway/common';
import { demoCode, type DemoKey } from '@credit-gateway/sources';
import { closedTab, launchClosedBrowser } from './support/browser.js';
import { startStack, type As, type Stack } from './support/stack.js';

// The analyst dashboard in headless Chromium with every outside request blocked: an analyst's
// token draws the charts from /graphql, and the numbers drawn are those GraphQL answers; a tier
// that may not read statistics gets the coded error in place of each chart.

/** Screenshots are kept here (gitignored) for a person to look at. */
const ARTIFACTS = resolve(import.meta.dirname, '../../test-artifacts');

let stack: Stack;
let browser: Browser;
/** The credit subgraph's clock: moved past the response deadline so cases become overdue. */
let clock = new Date();

const SUBJECTS: readonly DemoKey[] = [
  'clean-sme',
  'partial-debtor',
  'major-tax-violator',
  'serious-illegal',
  'wage-arrears',
  'individual-business',
  'farmer-coop',
  'social-org',
  'procurement-ban-ended',
  'abnormal-removed',
];
const CODES = SUBJECTS.map((key) => demoCode(key));

const ANALYST: As = { tier: 'ANALYST', client: 'analyst-workbench', purpose: null };
const TAX: As = { tier: 'GOVERNMENT', client: 'dongguan-tax-bureau', purpose: 'JOINT_PUNISHMENT', department: 'TAX' };
const MOF: As = { tier: 'GOVERNMENT', client: 'procurement-platform', purpose: 'JOINT_PUNISHMENT', department: 'MOF' };
const APPROVAL: As = { tier: 'GOVERNMENT', client: 'approval-system', purpose: 'PROJECT_APPROVAL', department: 'NDRC' };

/** The dashboard's own queries, asked over HTTP with the same analyst's token. */
const STATISTICS = `query($codes: [CreditCode!]!) { creditStatistics(codes: $codes) { statistics {
  subjects incompleteSubjects
  byDivision { key subjects redListed watchListed blackListed measures }
  byOrganizationCategory { key subjects redListed watchListed blackListed measures }
  byGrade { grade subjects }
  inputsBySource { source read missing }
  publicationTimeliness { department decisions late } } } }`;
const LOOP = `{ loopStatistics {
  departments { department { id name } responseRate feedbackRate enforcementRate overdue }
  overdueCases { id code listName }
  checks { matter department checkRate reportRate enforcementRate } } }`;

async function ask(query: string, variables: Record<string, unknown>, as: As) {
  const { body } = await stack.query(query, variables, as);
  expect(body.errors).toBeUndefined();
  return body.data;
}

beforeAll(async () => {
  stack = await startStack({ creditOptions: { now: () => clock } });
  browser = await launchClosedBrowser();

  // The loop has something to show: a tax case, one department's response, an approval check.
  const code = demoCode('major-tax-violator');
  await ask('query($code: CreditCode!) { enterprise(code: $code) { creditRecords { id } } }', { code }, TAX);
  const opened = await ask(
    'mutation($input: InitiateCaseInput!) { initiateCase(input: $input) { id responseDue } }',
    { input: { code, listName: '重大税收违法失信主体名单', idempotencyKey: 'dashboard-case' } },
    TAX,
  );
  await ask(
    'mutation($input: AcknowledgeCaseInput!) { acknowledgeCase(input: $input) { id } }',
    { input: { caseId: opened.initiateCase.id, idempotencyKey: 'dashboard-ack' } },
    MOF,
  );
  await ask(
    `query($code: CreditCode!, $input: ApprovalCheckInput!) { enterprise(code: $code) { approvalCheck(input: $input) { id } } }`,
    {
      code,
      input: {
        matter: '企业投资项目核准',
        context: 'PROJECT_APPROVAL',
        applicationId: 'XM-1',
        idempotencyKey: 'dash-chk',
      },
    },
    APPROVAL,
  );
  // Counting the subjects opens the cases of their listings, before the page reads the loop.
  await ask(STATISTICS, { codes: CODES }, ANALYST);
  // Past the response deadline: the departments that did not respond are overdue.
  clock = new Date(Date.parse(`${opened.initiateCase.responseDue}T12:00:00+08:00`) + 86_400_000);
  expect(epochToChinaDate(clock.getTime()) > opened.initiateCase.responseDue).toBe(true);
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

const CHART_IDS = ['divisions', 'categories', 'grades', 'inputs', 'publication', 'loop', 'checks', 'overdue'];

interface Drawn {
  state: string | undefined;
  code: string | undefined;
  error: string;
  labels: unknown[] | undefined;
  series: { id: string; data: unknown[] }[];
  title: string | undefined;
}

/** A closed-network tab on the gateway, wide enough for two charts a row. */
const tab = () => closedTab(browser, stack.gatewayUrl, { width: 1400, height: 1000 });

/** Opens the dashboard, enters the token (and purpose), loads, and reads what each chart drew. */
async function loadDashboard(
  page: Page,
  token: string,
  purpose = '',
  codes: readonly string[] = CODES,
): Promise<Record<string, Drawn>> {
  const url = new URL('/dashboard', stack.gatewayUrl);
  url.searchParams.set('codes', codes.join(','));
  const response = await page.goto(url.toString(), { waitUntil: 'load' });
  const policy = response?.headers()['content-security-policy'] ?? '';
  expect(policy).toContain("script-src 'self'");
  expect(policy).not.toContain('unsafe');
  await page.locator('#token').fill(token);
  await page.locator('#purpose').fill(purpose);
  const before = await page.evaluate(() => document.body.dataset['loaded'] ?? '0');
  await page.locator('#load').click();
  await expect
    .poll(() => page.evaluate(() => document.body.dataset['loaded'] ?? 'pending'), { timeout: 30_000 })
    .not.toMatch(new RegExp(`^(pending|${before})$`));
  return page.evaluate((ids) => {
    const charts = (window as unknown as { echarts: any }).echarts;
    const drawn: Record<string, unknown> = {};
    for (const id of ids) {
      const card = document.getElementById(`card-${id}`)!;
      const option = charts.getInstanceByDom(document.getElementById(`chart-${id}`)).getOption();
      drawn[id] = {
        state: card.dataset['state'],
        code: card.dataset['code'],
        error: card.querySelector('.chart-error')!.textContent,
        labels: option.xAxis?.[0]?.data,
        series: (option.series ?? []).map((s: any) => ({ id: s.id, data: s.data })),
        title: option.title?.[0]?.text,
      };
    }
    return drawn;
  }, CHART_IDS) as Promise<Record<string, Drawn>>;
}

const series = (drawn: Drawn, id: string) => drawn.series.find((s) => s.id === id)?.data;
const percent = (rate: number | null) => (rate === null ? null : Math.round(rate * 1000) / 10);

describe('the analyst dashboard in a closed network', () => {
  it('draws every chart from the numbers GraphQL answers the analyst', async () => {
    const { context, page, outside, problems } = await tab();
    const token = await stack.token('ANALYST', 'analyst-workbench');
    const drawn = await loadDashboard(page, token);

    const statistics = (await ask(STATISTICS, { codes: CODES }, ANALYST)).creditStatistics.statistics;
    const loop = (await ask(LOOP, {}, ANALYST)).loopStatistics;
    for (const id of CHART_IDS) expect([id, drawn[id]!.state]).toEqual([id, 'data']);

    for (const [id, rows] of [
      ['divisions', statistics.byDivision],
      ['categories', statistics.byOrganizationCategory],
    ] as const) {
      const chart = drawn[id]!;
      expect(chart.labels).toEqual(rows.map((r: any) => r.key));
      for (const field of ['redListed', 'watchListed', 'blackListed', 'subjects', 'measures'])
        expect([id, field, series(chart, field)]).toEqual([id, field, rows.map((r: any) => r[field])]);
    }
    // The demo set has listed subjects in more than one division: the charts show something.
    expect(statistics.byDivision.length).toBeGreaterThan(1);
    expect(statistics.byDivision.reduce((n: number, r: any) => n + r.blackListed, 0)).toBeGreaterThan(0);
    expect(statistics.byDivision.reduce((n: number, r: any) => n + r.redListed, 0)).toBeGreaterThan(0);

    expect(drawn['grades']!.labels).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(series(drawn['grades']!, 'subjects')).toEqual(statistics.byGrade.map((r: any) => r.subjects));
    expect(statistics.byGrade.reduce((n: number, r: any) => n + r.subjects, 0)).toBe(CODES.length);

    expect(drawn['inputs']!.labels).toEqual(statistics.inputsBySource.map((r: any) => r.source));
    expect(series(drawn['inputs']!, 'read')).toEqual(statistics.inputsBySource.map((r: any) => r.read));
    expect(series(drawn['inputs']!, 'missing')).toEqual(statistics.inputsBySource.map((r: any) => r.missing));

    const publication = statistics.publicationTimeliness;
    expect(publication.length).toBeGreaterThan(0);
    expect(drawn['publication']!.labels).toEqual(publication.map((r: any) => r.department));
    expect(series(drawn['publication']!, 'late')).toEqual(publication.map((r: any) => r.late));
    expect(series(drawn['publication']!, 'onTime')).toEqual(publication.map((r: any) => r.decisions - r.late));

    const departments = loop.departments;
    expect(departments.find((d: any) => d.department.id === 'MOF').responseRate).toBeGreaterThan(0);
    expect(drawn['loop']!.labels).toEqual(departments.map((d: any) => d.department.name));
    for (const rate of ['responseRate', 'feedbackRate', 'enforcementRate'])
      expect([rate, series(drawn['loop']!, rate)]).toEqual([rate, departments.map((d: any) => percent(d[rate]))]);

    expect(loop.checks.length).toBeGreaterThan(0);
    expect(drawn['checks']!.labels).toEqual(loop.checks.map((c: any) => `${c.matter} · ${c.department}`));
    for (const rate of ['checkRate', 'reportRate', 'enforcementRate'])
      expect([rate, series(drawn['checks']!, rate)]).toEqual([rate, loop.checks.map((c: any) => percent(c[rate]))]);

    expect(loop.overdueCases.length).toBeGreaterThan(0);
    expect(series(drawn['overdue']!, 'overdue')).toEqual(departments.map((d: any) => d.overdue));
    const table = await page
      .locator('#overdue-cases tbody tr')
      .evaluateAll((rows) =>
        rows.map((row) => [...row.querySelectorAll('td')].slice(0, 3).map((cell) => cell.textContent)),
      );
    expect(table).toEqual(loop.overdueCases.map((c: any) => [c.id, c.code, c.listName]));

    // The token is kept for this tab only: not in localStorage, not in a cookie.
    expect(
      await page.evaluate(() => [
        sessionStorage.getItem('credit-dashboard.token'),
        localStorage.length,
        document.cookie,
      ]),
    ).toEqual([token, 0, '']);

    mkdirSync(ARTIFACTS, { recursive: true });
    const screenshot = resolve(ARTIFACTS, 'dashboard-analyst.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    console.info(`dashboard screenshot: ${screenshot}`);

    expect(outside).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('shows a lower tier the coded error in place of every chart, and sends the purpose a tier needs', async () => {
    const { context, page, outside, problems } = await tab();

    const publicTier = await loadDashboard(page, await stack.token('PUBLIC', 'public-portal'));
    for (const id of CHART_IDS) {
      const chart = publicTier[id]!;
      expect([id, chart.state, chart.code, chart.title, chart.series]).toEqual([
        id,
        'error',
        'UNAUTHORIZED_FIELD_OR_TYPE',
        'UNAUTHORIZED_FIELD_OR_TYPE',
        [],
      ]);
      expect(chart.error).toMatch(/^UNAUTHORIZED_FIELD_OR_TYPE: \S/);
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    const screenshot = resolve(ARTIFACTS, 'dashboard-public.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    console.info(`dashboard screenshot: ${screenshot}`);

    // A lender's token must state a purpose: without one every chart says so.
    const lender = await stack.token('AUTHORIZED', 'xinyidai-bank');
    const noPurpose = await loadDashboard(page, lender);
    for (const id of CHART_IDS) expect([id, noPurpose[id]!.code]).toEqual([id, 'PURPOSE_REQUIRED']);
    // With it, the request is read and statistics are refused to its tier.
    const withPurpose = await loadDashboard(page, lender, 'LOAN_APPROVAL');
    for (const id of CHART_IDS) expect([id, withPurpose[id]!.code]).toEqual([id, 'UNAUTHORIZED_FIELD_OR_TYPE']);

    // Forgetting the token clears it from the tab.
    await page.locator('#forget').click();
    expect(await page.evaluate(() => sessionStorage.getItem('credit-dashboard.token'))).toBeNull();

    expect(outside).toEqual([]);
    // The refusals are answers, not page errors; the browser logs a failed status as a console error.
    expect(problems.filter((p) => !p.includes('status of'))).toEqual([]);
    await context.close();
  });

  it('shows what an answer says as text, never as markup', async () => {
    const { context, page, outside, problems } = await tab();
    const hostile = '<img/src=x/onerror=document.body.dataset.injected=1>';
    const drawn = await loadDashboard(page, await stack.token('ANALYST', 'analyst-workbench'), '', [hostile]);
    const answer = await stack.query(STATISTICS, { codes: [hostile] }, ANALYST);
    assert(answer.body.errors, 'the gateway refuses the value');
    const [error] = answer.body.errors;
    // The gateway names the value it refused: the page must show it as the text it is.
    expect(error.message).toContain(hostile);
    for (const id of ['divisions', 'categories', 'grades', 'inputs', 'publication']) {
      expect([id, drawn[id]!.state, drawn[id]!.code]).toEqual([id, 'error', error.extensions.code]);
      expect(drawn[id]!.error).toBe(`${error.extensions.code}: ${error.message}`);
    }
    // The loop does not depend on the codes: it is still drawn.
    expect(drawn['loop']!.state).toBe('data');
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.evaluate(() => document.body.dataset['injected'])).toBeUndefined();
    expect(outside).toEqual([]);
    expect(problems.filter((p) => !p.includes('status of'))).toEqual([]);
    await context.close();
  });
});
