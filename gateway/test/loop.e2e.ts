import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { epochToChinaDate } from '@credit-gateway/common';
import { DEMO_PEOPLE, demoCode } from '@credit-gateway/sources';
import { RecordingOutbox } from './support/recording-outbox.js';
import { startStack, type As, type Stack } from './support/stack.js';

// The joint reward-and-punishment loop (联合奖惩闭环) through the gateway: 认定, push, response,
// feedback, the analysts' rates, approval check receipts, and 限制出境 on the legal representative.

let stack: Stack;
const outbox = new RecordingOutbox();
/** The credit subgraph's clock: the tests move it past the deadlines. */
let clock = new Date();

beforeAll(async () => {
  stack = await startStack({ populationSize: 200, creditOptions: { now: () => clock } });
  // The real outbox, with a recorder in front to read what was pushed.
  outbox.wrap(stack.creditOutbox);
});
afterAll(async () => {
  await stack?.close();
});

const TAX: As = { tier: 'GOVERNMENT', client: 'dongguan-tax-bureau', purpose: 'JOINT_PUNISHMENT', department: 'TAX' };
const MOF: As = { tier: 'GOVERNMENT', client: 'procurement-platform', purpose: 'JOINT_PUNISHMENT', department: 'MOF' };
const NDRC: As = { tier: 'GOVERNMENT', client: 'project-approval', purpose: 'JOINT_PUNISHMENT', department: 'NDRC' };
const CAAC: As = { tier: 'GOVERNMENT', client: 'caac-ticketing', purpose: 'JOINT_PUNISHMENT', department: 'CAAC' };
const ANALYST: As = { tier: 'ANALYST', client: 'analyst-workbench', purpose: null };
const APPROVAL: As = { tier: 'GOVERNMENT', client: 'approval-system', purpose: 'PROJECT_APPROVAL', department: 'NDRC' };

const TAX_LIST = '重大税收违法失信主体名单';
const CASE_FIELDS = `id code listName recordIds initiatedBy responseDue feedbackDue overdue
  departments { department { id name } pushedAt acknowledgedAt response }
  tasks { measure { id } department { id } status reason actedOn due }`;

async function ask(query: string, variables: Record<string, unknown>, as: As) {
  const { body } = await stack.query(query, variables, as);
  return body;
}

const codesOf = (body: { errors?: any[] }) => (body.errors ?? []).map((e: any) => e.extensions?.code);
const today = () => epochToChinaDate(clock.getTime());

async function initiateTaxCase() {
  const code = demoCode('major-tax-violator');
  // The tax bureau reads the subject: its records are what the case rests on.
  const read = await ask(
    'query($code: CreditCode!) { enterprise(code: $code) { creditRecords { id kind } } }',
    { code },
    TAX,
  );
  expect(read.errors).toBeUndefined();
  const body = await ask(
    `mutation($input: InitiateCaseInput!) { initiateCase(input: $input) { ${CASE_FIELDS} } }`,
    { input: { code, listName: TAX_LIST, idempotencyKey: 'tax-case-1' } },
    TAX,
  );
  expect(body.errors).toBeUndefined();
  return body.data.initiateCase;
}

async function report(as: As, input: Record<string, unknown>) {
  return ask(
    `mutation($input: ReportExecutionInput!) { reportExecution(input: $input) { ${CASE_FIELDS} } }`,
    { input: { actedOn: today(), ...input } },
    as,
  );
}

describe('scenario: the full loop for a tax blacklisting', () => {
  it('goes from 认定 through push, response and feedback to the analysts’ rates', async () => {
    const opened = await initiateTaxCase();
    expect(opened).toMatchObject({ code: demoCode('major-tax-violator'), listName: TAX_LIST, initiatedBy: 'TAX' });
    expect(opened.recordIds.every((id: string) => id.startsWith('TAX:'))).toBe(true);

    // 信息推送: one message per implementing department, each naming the measures it implements.
    const messages = outbox.forCase(opened.id);
    const pushedTo = messages.map((m) => m.department).sort();
    expect(pushedTo).toEqual(opened.departments.map((d: any) => d.department.id).sort());
    expect(pushedTo).toEqual(expect.arrayContaining(['MOF', 'NDRC', 'TAX', 'BANKS', 'APPROVAL_AUTHORITIES']));
    expect(new Set(pushedTo).size).toBe(pushedTo.length);
    for (const message of messages) {
      expect(message.topic).toBe('case.opened');
      expect(message.idempotencyKey).toBe(`case.opened/${opened.id}/${message.department}`);
      const measures = message.payload['measures'] as string[];
      for (const id of measures) {
        expect(opened.tasks).toContainEqual(
          expect.objectContaining({ measure: { id }, department: { id: message.department } }),
        );
      }
    }
    const mofMessage = messages.find((m) => m.department === 'MOF')!;
    expect(mofMessage.payload['measures']).toEqual(
      expect.arrayContaining(['PROCUREMENT-BAN', 'FISCAL-FUNDS-LIMIT', 'FRANCHISE-BAN']),
    );
    expect(opened.departments.every((d: any) => d.pushedAt !== null && d.response === 'PENDING')).toBe(true);

    // Initiating again, or reading the subject again, neither opens another case nor pushes again.
    const again = await initiateTaxCase();
    expect(again.id).toBe(opened.id);
    expect(outbox.forCase(opened.id)).toHaveLength(messages.length);

    // 响应: the finance department acknowledges; then 反馈 on each of its measures.
    const ack = await ask(
      'mutation($input: AcknowledgeCaseInput!) { acknowledgeCase(input: $input) { departments { department { id } response } } }',
      { input: { caseId: opened.id, idempotencyKey: 'ack-1' } },
      MOF,
    );
    expect(ack.errors).toBeUndefined();
    expect(ack.data.acknowledgeCase.departments).toContainEqual({
      department: { id: 'MOF' },
      response: 'ACKNOWLEDGED',
    });

    const applied = await report(MOF, {
      caseId: opened.id,
      measureId: 'PROCUREMENT-BAN',
      outcome: 'APPLIED',
      action: '已在政府采购平台限制其参与投标',
      idempotencyKey: 'mof-1',
    });
    expect(applied.errors).toBeUndefined();
    expect(applied.data.reportExecution.tasks).toContainEqual(
      expect.objectContaining({ measure: { id: 'PROCUREMENT-BAN' }, department: { id: 'MOF' }, status: 'APPLIED' }),
    );
    // The same report again is answered as it was; another report under the same key is refused.
    const retry = await report(MOF, {
      caseId: opened.id,
      measureId: 'PROCUREMENT-BAN',
      outcome: 'APPLIED',
      action: '已在政府采购平台限制其参与投标',
      idempotencyKey: 'mof-1',
    });
    expect(retry.errors).toBeUndefined();

    // Not applicable needs a reason.
    const noReason = await report(NDRC, {
      caseId: opened.id,
      measureId: 'PROJECT-APPROVAL-LIMIT',
      outcome: 'NOT_APPLICABLE',
      idempotencyKey: 'ndrc-1',
    });
    expect(codesOf(noReason)).toEqual(['BAD_USER_INPUT']);
    const withReason = await report(NDRC, {
      caseId: opened.id,
      measureId: 'PROJECT-APPROVAL-LIMIT',
      outcome: 'NOT_APPLICABLE',
      reason: '该主体在本期无在审投资项目',
      idempotencyKey: 'ndrc-1',
    });
    expect(withReason.errors).toBeUndefined();
    expect(withReason.data.reportExecution.tasks).toContainEqual(
      expect.objectContaining({
        measure: { id: 'PROJECT-APPROVAL-LIMIT' },
        status: 'NOT_APPLICABLE',
        reason: '该主体在本期无在审投资项目',
      }),
    );

    // 跟踪问效: the analysts' rates per department.
    const stats = await ask(
      `{ loopStatistics { departments { department { id } pushed acknowledged responseRate required reported feedbackRate enforced enforcementRate overdue } } }`,
      {},
      ANALYST,
    );
    expect(stats.errors).toBeUndefined();
    const rows = Object.fromEntries(stats.data.loopStatistics.departments.map((r: any) => [r.department.id, r]));
    const mofTasks = opened.tasks.filter((t: any) => t.department.id === 'MOF').length;
    const casesFor = (department: string) =>
      new Set(outbox.messages.filter((m) => m.department === department).map((m) => m.payload['caseId'])).size;
    expect(rows['MOF']).toMatchObject({ pushed: casesFor('MOF'), acknowledged: 1, reported: 1, enforced: 1 });
    expect(rows['MOF'].required).toBeGreaterThanOrEqual(mofTasks);
    expect(rows['MOF'].responseRate).toBeCloseTo(1 / casesFor('MOF'));
    expect(rows['MOF'].feedbackRate).toBeCloseTo(1 / rows['MOF'].required);
    expect(rows['NDRC']).toMatchObject({ acknowledged: 0, responseRate: 0, reported: 1, enforced: 1 });
    for (const row of Object.values(rows) as any[]) {
      for (const r of [row.responseRate, row.feedbackRate, row.enforcementRate]) {
        if (r !== null) expect(r >= 0 && r <= 1).toBe(true);
      }
    }
  });

  it('refuses a report from a department that does not implement the measure', async () => {
    const opened = await initiateTaxCase();
    const body = await report(CAAC, {
      caseId: opened.id,
      measureId: 'PROCUREMENT-BAN',
      outcome: 'APPLIED',
      idempotencyKey: 'caac-1',
    });
    expect(codesOf(body)).toEqual(['NOT_IMPLEMENTING_DEPARTMENT']);
    const ack = await ask(
      'mutation($input: AcknowledgeCaseInput!) { acknowledgeCase(input: $input) { id } }',
      { input: { caseId: opened.id, idempotencyKey: 'caac-ack' } },
      CAAC,
    );
    expect(codesOf(ack)).toEqual(['NOT_IMPLEMENTING_DEPARTMENT']);
    // A GOVERNMENT caller whose token names no department cannot act in the loop at all.
    const nobody = await report(
      { tier: 'GOVERNMENT', client: 'someone', purpose: 'JOINT_PUNISHMENT' },
      { caseId: opened.id, measureId: 'PROCUREMENT-BAN', outcome: 'APPLIED', idempotencyKey: 'x-1' },
    );
    expect(codesOf(nobody)).toEqual(['FORBIDDEN_DEPARTMENT']);
  });

  it('refuses a report on a measure the case does not carry, and on a case that does not exist', async () => {
    const opened = await initiateTaxCase();
    const body = await report(MOF, {
      caseId: opened.id,
      measureId: 'RESTRICT-1',
      outcome: 'APPLIED',
      idempotencyKey: 'mof-restrict',
    });
    expect(codesOf(body)).toEqual(['MEASURE_NOT_ON_CASE']);
    const missing = await report(MOF, {
      caseId: 'CASE-00000000000000000000',
      measureId: 'PROCUREMENT-BAN',
      outcome: 'APPLIED',
      idempotencyKey: 'mof-missing',
    });
    expect(codesOf(missing)).toEqual(['CASE_NOT_FOUND']);
  });

  it('refuses initiation by a department that does not determine the list', async () => {
    const code = demoCode('major-tax-violator');
    const body = await ask(
      'mutation($input: InitiateCaseInput!) { initiateCase(input: $input) { id } }',
      { input: { code, listName: TAX_LIST, idempotencyKey: 'mof-initiates' } },
      MOF,
    );
    expect(codesOf(body)).toEqual(['FORBIDDEN_DEPARTMENT']);
  });

  it('shows responses and tasks OVERDUE once their working-day deadlines have passed', async () => {
    const opened = await initiateTaxCase();
    const saved = clock;
    try {
      // Past the feedback deadline: the day after it, at noon China time.
      clock = new Date(`${opened.feedbackDue}T12:00:00+08:00`);
      clock = new Date(clock.getTime() + 86_400_000);
      const body = await ask(`query($id: ID!) { jointCase(id: $id) { ${CASE_FIELDS} } }`, { id: opened.id }, ANALYST);
      expect(body.errors).toBeUndefined();
      const view = body.data.jointCase;
      expect(view.overdue).toBe(true);
      expect(view.tasks).toContainEqual(
        expect.objectContaining({
          measure: { id: 'FISCAL-FUNDS-LIMIT' },
          department: { id: 'MOF' },
          status: 'OVERDUE',
        }),
      );
      // What was reported stays reported; an acknowledgement stays acknowledged.
      expect(view.tasks).toContainEqual(
        expect.objectContaining({ measure: { id: 'PROCUREMENT-BAN' }, department: { id: 'MOF' }, status: 'APPLIED' }),
      );
      expect(view.departments).toContainEqual(
        expect.objectContaining({ department: expect.objectContaining({ id: 'NDRC' }), response: 'OVERDUE' }),
      );
      expect(view.departments).toContainEqual(
        expect.objectContaining({ department: expect.objectContaining({ id: 'MOF' }), response: 'ACKNOWLEDGED' }),
      );
      const stats = await ask(
        '{ loopStatistics { overdueCases { id } departments { department { id } overdue } } }',
        {},
        ANALYST,
      );
      expect(stats.data.loopStatistics.overdueCases.map((c: any) => c.id)).toContain(opened.id);
      const ndrc = stats.data.loopStatistics.departments.find((r: any) => r.department.id === 'NDRC');
      expect(ndrc.overdue).toBeGreaterThan(0);
      // A late report counts as feedback, not as enforced on time.
      const late = await report(MOF, {
        caseId: opened.id,
        measureId: 'FISCAL-FUNDS-LIMIT',
        outcome: 'APPLIED',
        idempotencyKey: 'mof-late',
      });
      expect(late.errors).toBeUndefined();
      const after = await ask(
        '{ loopStatistics { departments { department { id } reported enforced } } }',
        {},
        ANALYST,
      );
      const mof = after.data.loopStatistics.departments.find((r: any) => r.department.id === 'MOF');
      expect(mof.reported - mof.enforced).toBe(1);
    } finally {
      clock = saved;
    }
  });

  it('keeps the loop for analysts and government only', async () => {
    const body = await ask('{ loopStatistics { departments { pushed } } }', {}, { anonymous: true });
    expect(codesOf(body)).toContain('UNAUTHORIZED_FIELD_OR_TYPE');
  });
});

describe('scenario: 应查必查 with receipts', () => {
  const CHECK = `query($code: CreditCode!, $input: ApprovalCheckInput!) { enterprise(code: $code) {
    approvalCheck(input: $input) { id code matter context checkedBy complete missingSources measuresInForce { id } application { applied { id } reason } }
  } }`;

  it('records a check for a matter, returns a receipt, and takes the application report', async () => {
    const code = demoCode('major-tax-violator');
    const input = {
      matter: '企业投资项目核准',
      context: 'PROJECT_APPROVAL',
      applicationId: 'XM-2026-001',
      idempotencyKey: 'chk-1',
    };
    const body = await ask(CHECK, { code, input }, APPROVAL);
    expect(body.errors).toBeUndefined();
    const receipt = body.data.enterprise.approvalCheck;
    expect(receipt).toMatchObject({
      code,
      matter: '企业投资项目核准',
      context: 'PROJECT_APPROVAL',
      checkedBy: 'NDRC',
      complete: true,
      missingSources: [],
      application: null,
    });
    expect(receipt.measuresInForce.map((m: any) => m.id)).toContain('PROJECT-APPROVAL-LIMIT');
    // The same key answers the same receipt.
    const again = await ask(CHECK, { code, input }, APPROVAL);
    expect(again.data.enterprise.approvalCheck.id).toBe(receipt.id);

    const REPORT = `mutation($input: ReportApplicationInput!) { reportApplication(input: $input) { id application { applied { id } reason } } }`;
    const outside = await ask(
      REPORT,
      { input: { receiptId: receipt.id, applied: ['RESTRICT-1'], idempotencyKey: 'app-0' } },
      APPROVAL,
    );
    expect(codesOf(outside)).toEqual(['BAD_USER_INPUT']);
    const reported = await ask(
      REPORT,
      { input: { receiptId: receipt.id, applied: ['PROJECT-APPROVAL-LIMIT'], idempotencyKey: 'app-1' } },
      APPROVAL,
    );
    expect(reported.errors).toBeUndefined();
    expect(reported.data.reportApplication.application).toEqual({
      applied: [{ id: 'PROJECT-APPROVAL-LIMIT' }],
      reason: null,
    });
    // Another system cannot see or report on this receipt.
    const other = await ask(
      REPORT,
      { input: { receiptId: receipt.id, applied: [], reason: 'x', idempotencyKey: 'app-9' } },
      { ...APPROVAL, client: 'another-approval-system' },
    );
    expect(codesOf(other)).toEqual(['RECEIPT_NOT_FOUND']);

    // A clean subject: no measure in force, and the report must say why none applied.
    const clean = await ask(
      CHECK,
      { code: demoCode('clean-sme'), input: { ...input, idempotencyKey: 'chk-2', applicationId: 'XM-2026-002' } },
      APPROVAL,
    );
    const cleanReceipt = clean.data.enterprise.approvalCheck;
    expect(cleanReceipt.measuresInForce).toEqual([]);
    const none = await ask(
      REPORT,
      { input: { receiptId: cleanReceipt.id, applied: [], idempotencyKey: 'app-2' } },
      APPROVAL,
    );
    expect(codesOf(none)).toEqual(['BAD_USER_INPUT']);
    const why = await ask(
      REPORT,
      { input: { receiptId: cleanReceipt.id, applied: [], reason: '无失信记录，正常受理', idempotencyKey: 'app-2' } },
      APPROVAL,
    );
    expect(why.errors).toBeUndefined();

    // An application of the same matter decided without a check (应查未查) lowers the 查询率.
    const UNCHECKED = `mutation($input: UncheckedApplicationInput!) { reportUncheckedApplication(input: $input) {
      id matter reportedBy reason } }`;
    const unchecked = await ask(
      UNCHECKED,
      {
        input: {
          code: demoCode('clean-sme'),
          matter: '企业投资项目核准',
          context: 'PROJECT_APPROVAL',
          applicationId: 'XM-2026-003',
          reason: '系统故障期间人工受理',
          idempotencyKey: 'unchecked-1',
        },
      },
      APPROVAL,
    );
    expect(unchecked.errors).toBeUndefined();
    expect(unchecked.data.reportUncheckedApplication).toMatchObject({ matter: '企业投资项目核准', reportedBy: 'NDRC' });

    const stats = await ask(
      '{ loopStatistics { checks { matter department checks uncheckedApplications checkRate reported reportRate measuresInForce measuresEnforced enforcementRate } } }',
      {},
      ANALYST,
    );
    const row = stats.data.loopStatistics.checks.find(
      (r: any) => r.matter === '企业投资项目核准' && r.department === 'NDRC',
    );
    expect(row).toMatchObject({ checks: 2, uncheckedApplications: 1, reported: 2, reportRate: 1 });
    expect(row.checkRate).toBeCloseTo(2 / 3);
    expect(row.measuresEnforced).toBe(row.measuresInForce);
  });

  it('says on the receipt when a department could not be read', async () => {
    await stack.setFaults('tax', { delayMs: 0, jitterMs: 0, errorRate: 1, garbageRate: 0, hang: false });
    try {
      const body = await ask(
        CHECK,
        {
          code: demoCode('major-tax-violator'),
          input: { matter: '企业投资项目核准', context: 'PROJECT_APPROVAL', idempotencyKey: 'chk-down' },
        },
        APPROVAL,
      );
      const receipt = body.data.enterprise.approvalCheck;
      expect(receipt.complete).toBe(false);
      expect(receipt.missingSources).toContain('TAX');
      expect(codesOf(body)).toContain('DECISION_INCOMPLETE');
    } finally {
      await stack.clearFaults();
    }
  });
});

describe('scenario: 限制出境 reaches a court debtor and its legal representative', () => {
  it('applies the exit restriction to the enterprise and to the person who represents it', async () => {
    const code = demoCode('partial-debtor');
    const enterprise = await ask(
      'query($code: CreditCode!) { enterprise(code: $code) { measures(context: EXIT_ENTRY) { measure { id legalBasis implementingDepartments { id } reachesRepresentative } status } } }',
      { code },
      { tier: 'GOVERNMENT', client: 'exit-entry-admin', purpose: 'EXIT_ENTRY', department: 'IMMIGRATION' },
    );
    expect(enterprise.errors).toBeUndefined();
    expect(enterprise.data.enterprise.measures).toEqual([
      {
        measure: {
          id: 'EXIT-BAN',
          legalBasis: expect.stringContaining('出境入境管理法'),
          implementingDepartments: [{ id: 'IMMIGRATION' }, { id: 'PUBLIC_SECURITY' }],
          reachesRepresentative: true,
        },
        status: 'IN_FORCE',
      },
    ]);
    const person = await ask(
      'query($id: IdNumber!) { person(idNumber: $id) { measures(context: EXIT_ENTRY) { measure { id } status because { id } } } }',
      { id: DEMO_PEOPLE.partialDebtorRepresentative.idNumber },
      { tier: 'GOVERNMENT', client: 'exit-entry-admin', purpose: 'EXIT_ENTRY', department: 'IMMIGRATION' },
    );
    expect(person.errors).toBeUndefined();
    expect(person.data.person.measures).toHaveLength(1);
    expect(person.data.person.measures[0]).toMatchObject({ measure: { id: 'EXIT-BAN' }, status: 'IN_FORCE' });
    expect(person.data.person.measures[0].because[0].id).toMatch(/^COURTS:/);
    // Procurement is not a measure on the person.
    const procurement = await ask(
      'query($id: IdNumber!) { person(idNumber: $id) { measures(context: GOVERNMENT_PROCUREMENT) { measure { id } } } }',
      { id: DEMO_PEOPLE.partialDebtorRepresentative.idNumber },
      { tier: 'GOVERNMENT', client: 'exit-entry-admin', purpose: 'EXIT_ENTRY' },
    );
    expect(procurement.data.person.measures).toEqual([]);
  });

  it('opened the court case on first sight, pushed to the exit administration', async () => {
    const code = demoCode('partial-debtor');
    const body = await ask(
      'query($code: CreditCode!) { enterprise(code: $code) { jointCases { id listName initiatedBy tasks { measure { id } department { id } } } } }',
      { code },
      ANALYST,
    );
    expect(body.errors).toBeUndefined();
    const court = body.data.enterprise.jointCases.find((c: any) => c.listName === '失信被执行人名单');
    expect(court.initiatedBy).toBe('PLATFORM');
    expect(court.tasks).toContainEqual({ measure: { id: 'EXIT-BAN' }, department: { id: 'IMMIGRATION' } });
    expect(outbox.forCase(court.id).map((m) => m.department)).toContain('IMMIGRATION');
  });
});

describe('scenario: the court linkage is one client of the loop', () => {
  it('turns enforcement feedback on a feed change into the department’s report on the court case', async () => {
    const COURT: As = { tier: 'JUDICIAL', client: 'court-linkage', purpose: 'ENFORCEMENT_LINKAGE' };
    const FEED = `query($after: String) { debtorRestrictions(changedSince: "2000-01-01T00:00:00+08:00", after: $after, first: 500) {
      edges { node { id change caseNumber debtorCode listed } } pageInfo { endCursor hasNextPage } } }`;
    // The platform has seen the debtor's listing: its court case is open.
    await ask(
      'query($code: CreditCode!) { enterprise(code: $code) { creditLists { name } } }',
      {
        code: demoCode('partial-debtor'),
      },
      ANALYST,
    );
    let after: string | null = null;
    let issued: any;
    for (;;) {
      const body = await ask(FEED, { after }, COURT);
      expect(body.errors).toBeUndefined();
      const page = body.data.debtorRestrictions;
      issued ??= page.edges
        .map((e: any) => e.node)
        .find((n: any) => n.debtorCode === demoCode('partial-debtor') && n.listed);
      if (issued || !page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(issued).toBeDefined();
    const feedback = await ask(
      `mutation($input: EnforcementFeedbackInput!) { reportEnforcementFeedback(input: $input) { changeId department action } }`,
      {
        input: {
          changeId: issued.id,
          measureId: 'RESTRICT-1',
          action: '已在购票系统中限制其购买机票',
          actedOn: today(),
          idempotencyKey: 'caac-feed-1',
        },
      },
      CAAC,
    );
    expect(feedback.errors).toBeUndefined();
    // The feed keeps its own answer, as before.
    expect(feedback.data.reportEnforcementFeedback).toMatchObject({
      changeId: issued.id,
      department: 'caac-ticketing',
    });

    const cases = await ask(
      'query($code: CreditCode!) { enterprise(code: $code) { jointCases { id listName tasks { measure { id } department { id } status actedOn } } } }',
      { code: demoCode('partial-debtor') },
      ANALYST,
    );
    const court = cases.data.enterprise.jointCases.find((c: any) => c.listName === '失信被执行人名单');
    expect(court.tasks).toContainEqual({
      measure: { id: 'RESTRICT-1' },
      department: { id: 'CAAC' },
      status: 'APPLIED',
      actedOn: today(),
    });
    // The rates count it like any other report.
    const stats = await ask('{ loopStatistics { departments { department { id } reported } } }', {}, ANALYST);
    const caac = stats.data.loopStatistics.departments.find((r: any) => r.department.id === 'CAAC');
    expect(caac.reported).toBe(1);
  });
});

describe('scenario: a department’s work list', () => {
  it('lists the cases pushed to the caller’s department, and no other department’s', async () => {
    const opened = await initiateTaxCase();
    const own = await ask('{ jointCases { id departments { department { id } } } }', {}, NDRC);
    expect(own.errors).toBeUndefined();
    expect(own.data.jointCases.map((c: any) => c.id)).toContain(opened.id);
    const other = await ask('{ jointCases(department: "MOF") { id } }', {}, NDRC);
    expect(codesOf(other)).toEqual(['FORBIDDEN_DEPARTMENT']);
    const analyst = await ask('{ jointCases(department: "MOF") { id } }', {}, ANALYST);
    expect(analyst.data.jointCases.map((c: any) => c.id)).toContain(opened.id);
    const caac = await ask('{ jointCases { id } }', {}, CAAC);
    expect(caac.data.jointCases.map((c: any) => c.id)).not.toContain(opened.id);
  });
});

describe('scenario: the platform opens a case the first time it sees a blacklisting', () => {
  it('opens it once, and pushes it again on the next read when the outbox failed', async () => {
    const code = demoCode('serious-illegal');
    const LISTS = `query($code: CreditCode!) { enterprise(code: $code) { creditLists { list name }
      jointCases { id listName initiatedBy departments { department { id } pushedAt } } } }`;
    outbox.failNext = true;
    const first = await ask(LISTS, { code }, ANALYST);
    expect(first.errors).toBeUndefined();
    const listing = first.data.enterprise.creditLists.find((m: any) => m.name === '严重违法失信名单');
    expect(listing).toBeDefined();
    // The case is durable, its push is not: nothing reached the outbox.
    const cases = await ask(
      'query($code: CreditCode!) { enterprise(code: $code) { jointCases { id listName initiatedBy departments { pushedAt } } } }',
      { code },
      ANALYST,
    );
    const opened = cases.data.enterprise.jointCases.find((c: any) => c.listName === '严重违法失信名单');
    expect(opened.initiatedBy).toBe('PLATFORM');
    expect(opened.departments.every((d: any) => d.pushedAt === null)).toBe(true);
    expect(outbox.forCase(opened.id)).toEqual([]);

    await ask(LISTS, { code }, ANALYST);
    const again = await ask(LISTS, { code }, ANALYST);
    const cases2 = again.data.enterprise.jointCases.filter((c: any) => c.listName === '严重违法失信名单');
    expect(cases2).toHaveLength(1);
    expect(cases2[0].departments.every((d: any) => d.pushedAt !== null)).toBe(true);
    expect(
      outbox
        .forCase(opened.id)
        .map((m) => m.department)
        .sort(),
    ).toEqual(cases2[0].departments.map((d: any) => d.department.id).sort());
  });
});
