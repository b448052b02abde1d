import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SOURCE_CHILD_ENV } from '../../common/test/support/source-child.js';
import { startStack, type Stack } from '../../gateway/test/support/stack.js';
import { createCreditClient, CreditEasyPortraitDocument, CreditGatewayError } from '../src/index.js';
import { checkApplicant, checkBatch } from '../examples/approval-check.js';
import { portrait } from '../examples/credit-easy.js';
import { reportFeedback, restrictionsOf, walkFeed } from '../examples/court-feed.js';
import { explore, statistics } from '../examples/analyst-explore.js';
import { runLoop } from '../examples/joint-loop.js';
import { chinaDate } from '../examples/env.js';

// The example programs of clients/examples, run against the whole system through the gateway,
// with tokens and consents minted by the development keys as `npm run -s auth` mints them.

const PARTIAL_DEBTOR = '91500112MA60YD7K76';
const CLEAN_SME = '91500155MA5UQ01CXD';
const LEGAL_REPRESENTATIVE = '500112197508226133';
const MAJOR_TAX_VIOLATOR = '91441900MA4UW2DQ7T';
const repository = fileURLToPath(new URL('../../', import.meta.url));

let stack: Stack;
let url: string;

beforeAll(async () => {
  stack = await startStack({ populationSize: 200 });
  url = `${stack.gatewayUrl}/graphql`;
});
afterAll(async () => {
  await stack?.close();
});

describe('approval systems', () => {
  it('check an applicant, a clean one, and a batch', async () => {
    const token = await stack.token('GOVERNMENT', 'approval-system');
    const debtor = await checkApplicant({ url, token }, PARTIAL_DEBTOR);
    expect(debtor.name).toBe('重庆渝东建筑工程有限公司');
    expect(debtor.concerns).toEqual(
      expect.arrayContaining(['dishonest judgment debtor (2023)渝0112执1234号', 'banned from government procurement']),
    );
    expect(debtor.measuresInForce.length).toBeGreaterThan(0);
    expect(debtor.greenChannel).toBe(false);
    const clean = await checkApplicant({ url, token }, CLEAN_SME);
    expect(clean).toMatchObject({ name: '重庆清泉精密机械有限公司', concerns: [], greenChannel: true });
    const batch = await checkBatch({ url, token }, [PARTIAL_DEBTOR, CLEAN_SME]);
    expect(batch).toEqual([
      { code: PARTIAL_DEBTOR, registered: true, activeDebtor: true, banned: true },
      { code: CLEAN_SME, registered: true, activeDebtor: false, banned: false },
    ]);
  });

  it('go by hash alone once the gateway knows the query (automatic persisted queries)', async () => {
    const token = await stack.token('GOVERNMENT', 'approval-system');
    const bodies: Record<string, unknown>[] = [];
    const recording: typeof fetch = (input, init) => {
      bodies.push(JSON.parse(String(init?.body)) as Record<string, unknown>);
      return fetch(input, init);
    };
    await checkApplicant({ url, token, fetch: recording }, CLEAN_SME);
    await checkApplicant({ url, token, fetch: recording }, PARTIAL_DEBTOR);
    const approvalChecks = bodies.filter((body) => body['operationName'] === 'ApprovalCheck');
    // Registered by the first test's sends or by this one's first: the last goes by hash alone.
    expect(approvalChecks.at(-1)).not.toHaveProperty('query');
    expect(approvalChecks.at(-1)).toHaveProperty('extensions.persistedQuery.sha256Hash');
  });

  it('runs as a program, with the token in its environment', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'clients/examples/approval-check.ts', PARTIAL_DEBTOR],
      {
        cwd: repository,
        env: {
          PATH: process.env['PATH'],
          ...SOURCE_CHILD_ENV,
          GATEWAY_URL: url,
          CREDIT_TOKEN: await stack.token('GOVERNMENT', 'approval-system'),
        },
      },
    );
    const printed = JSON.parse(stdout) as { applicant: { code: string; greenChannel: boolean }; batch: unknown[] };
    expect(printed.applicant).toMatchObject({ code: PARTIAL_DEBTOR, greenChannel: false });
    expect(printed.batch).toHaveLength(3);
  });
});

describe('Credit-Easy', () => {
  const consent = (groups: string[]) =>
    stack.consent({ subject: CLEAN_SME, grantee: 'xinyidai-bank', purpose: 'LOAN_APPROVAL', groups });

  it('reads the whole portrait with a consent to every group it asks for, without an error', async () => {
    const token = await stack.token('AUTHORIZED', 'xinyidai-bank');
    const answer = await portrait(
      { url, token },
      CLEAN_SME,
      await consent(['TAX_CREDIT', 'TAX_PAYMENTS', 'SOCIAL_SECURITY', 'PROCUREMENT_CONTRACTS']),
    );
    expect(answer).toMatchObject({
      name: '重庆清泉精密机械有限公司',
      latestTaxGrade: { year: 2025, grade: 'A' },
      insuredHeadcount: 46,
      contributionsFullyPaid: true,
      procurementContracts: 2,
      activeDebtorRecords: 0,
    });
    expect(answer.taxPaidLast12Months).toBeGreaterThan(0);
  });

  it('refuses a portrait whose consent leaves out a group: the tax grades need TAX_CREDIT', async () => {
    const token = await stack.token('AUTHORIZED', 'xinyidai-bank');
    const without = await consent(['TAX_PAYMENTS', 'SOCIAL_SECURITY', 'PROCUREMENT_CONTRACTS']);
    const error = await portrait({ url, token }, CLEAN_SME, without).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CreditGatewayError);
    expect((error as CreditGatewayError).code).toBe('CONSENT_REQUIRED');
    expect((error as CreditGatewayError).errors.map((e) => e.path?.join('.'))).toEqual(['enterprise.tax.creditGrades']);
    // execute() answers the same with the grades null beside the error.
    const client = createCreditClient({ url, token, purpose: 'LOAN_APPROVAL', consents: [without] });
    const result = await client.execute(CreditEasyPortraitDocument, { code: CLEAN_SME });
    expect(result.data?.enterprise?.tax?.creditGrades).toBeNull();
    expect(result.data?.enterprise?.tax?.payments?.length).toBeGreaterThan(0);
  });
});

describe('the court enforcement linkage', () => {
  it('walks the feed to its end, reads a debtor’s restrictions, and a department reports feedback', async () => {
    const court = await stack.token('JUDICIAL', 'court-linkage');
    const walk = await walkFeed({ url, token: court }, '2020-01-01T00:00:00+08:00');
    expect(walk.changes.length).toBeGreaterThan(0);
    expect(new Set(walk.changes.map((change) => change.id)).size).toBe(walk.changes.length);
    const listing = walk.changes.find(
      (change) => change.caseNumber === '(2023)渝0112执1234号' && change.change === 'ISSUED',
    )!;
    expect(listing.restrictions).toHaveLength(9);
    expect(listing.boundPersons).toContainEqual({
      name: '周德明',
      role: 'LEGAL_REPRESENTATIVE',
      idNumber: LEGAL_REPRESENTATIVE,
    });
    // Nothing new since the walk's last cursor.
    const again = await walkFeed({ url, token: court }, '2020-01-01T00:00:00+08:00', walk.cursor);
    expect(again.changes).toEqual([]);

    const restrictions = await restrictionsOf({ url, token: court }, PARTIAL_DEBTOR, LEGAL_REPRESENTATIVE);
    expect(restrictions.person?.courts?.consumptionRestrictions).toContainEqual(
      expect.objectContaining({ role: 'LEGAL_REPRESENTATIVE', status: 'ACTIVE' }),
    );

    const feedback = await reportFeedback(
      { url, token: await stack.token('GOVERNMENT', 'civil-aviation-bureau') },
      {
        changeId: listing.id,
        measureId: listing.restrictions[0]!.measure.id,
        action: '已在购票系统中落实限制',
        actedOn: chinaDate(),
        idempotencyKey: 'example-feedback-1',
      },
    );
    expect(feedback).toMatchObject({ changeId: listing.id, department: 'civil-aviation-bureau' });
  });
});

describe('analysts', () => {
  it('explore a subject’s provenance and count lists by division', async () => {
    const token = await stack.token('ANALYST', 'analyst-workbench');
    const explored = await explore({ url, token }, '91330106MA27XW9P6R');
    expect(explored.name).toBe('杭州西子贸易有限公司');
    expect(explored.sources.length).toBeGreaterThan(1);
    expect(explored.sources.every((source) => /^MARKET:.+/.test(source))).toBe(true);
    const rows = await statistics({ url, token }, [PARTIAL_DEBTOR, CLEAN_SME, MAJOR_TAX_VIOLATOR]);
    expect(rows.reduce((sum, row) => sum + row.subjects, 0)).toBe(3);
    expect(rows.reduce((sum, row) => sum + row.blackListed, 0)).toBe(2);
  });
});

describe('the joint reward-and-punishment loop', () => {
  it('goes from the case through response and feedback to a receipt and the rates', async () => {
    const result = await runLoop(
      { url },
      {
        tax: await stack.token('GOVERNMENT', 'dongguan-tax-bureau', 'TAX'),
        mof: await stack.token('GOVERNMENT', 'procurement-platform', 'MOF'),
        ndrc: await stack.token('GOVERNMENT', 'project-approval', 'NDRC'),
        analyst: await stack.token('ANALYST', 'analyst-workbench'),
      },
      MAJOR_TAX_VIOLATOR,
      'example',
    );
    expect(result.caseId).toMatch(/^CASE-/);
    expect(result.departments).toEqual(expect.arrayContaining(['MOF', 'NDRC']));
    expect(result.tasks).toEqual(
      expect.arrayContaining([
        { measure: 'PROCUREMENT-BAN', department: 'MOF', status: 'APPLIED' },
        { measure: 'PROJECT-APPROVAL-LIMIT', department: 'NDRC', status: 'NOT_APPLICABLE' },
      ]),
    );
    expect(result.receipt.complete).toBe(true);
    expect(result.receipt.measuresInForce).toContain('PROJECT-APPROVAL-LIMIT');
    expect(result.applied).toEqual(result.receipt.measuresInForce);
    // Other cases the platform opened on sight count too: the rates have moved off zero, not to one.
    const rate = (department: string) => result.rates.find((row) => row.department === department)!;
    expect(rate('MOF').responseRate).toBeGreaterThan(0);
    expect(rate('MOF').feedbackRate).toBeGreaterThan(0);
    expect(rate('NDRC').feedbackRate).toBeGreaterThan(0);
    expect(rate('NDRC').enforcementRate).toBeGreaterThan(0);
  });
});
