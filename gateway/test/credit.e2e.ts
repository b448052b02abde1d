import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { epochToChinaDate } from '@credit-gateway/common';
import { DEMO_PEOPLE, demoCode } from '@credit-gateway/sources';
import { startStack, type As, type Stack } from './support/stack.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ populationSize: 200 });
});
afterAll(async () => {
  await stack?.close();
});

const APPROVAL: As = { tier: 'GOVERNMENT', client: 'approval-system', purpose: 'ADMINISTRATIVE_LICENSING' };
const PUBLIC: As = { anonymous: true };

async function ask(query: string, variables: Record<string, unknown>, as: As = APPROVAL) {
  const { body } = await stack.query(query, variables, as);
  return body;
}

async function recordOf(code: string, kind: string): Promise<string> {
  const body = await ask('query($code: CreditCode!) { enterprise(code: $code) { creditRecords { id kind } } }', {
    code,
  });
  const record = body.data.enterprise.creditRecords.find((r: any) => r.kind === kind);
  if (!record) throw new Error(`${code} has no ${kind} record`);
  return record.id as string;
}

const MEASURES =
  'query($code: CreditCode!, $context: DecisionContext!) { enterprise(code: $code) { measures(context: $context) { measure { id kind } status because { id } objectionId } } }';

describe('scenario: an approval system checks a dishonest debtor bidding for a procurement contract', () => {
  it('finds it blacklisted, with the records and their provenance, and the mandatory ban in force', async () => {
    const body = await ask(
      `query($code: CreditCode!) { enterprise(code: $code) {
        creditLists { list name since records { id kind provenance { source recordId } } }
        measures(context: GOVERNMENT_PROCUREMENT) { measure { id kind legalBasis implementingDepartment } status because { id } }
        greenChannel { eligible reason }
      } }`,
      { code: demoCode('partial-debtor') },
    );
    expect(body.errors).toBeUndefined();
    const { creditLists, measures, greenChannel } = body.data.enterprise;
    expect(creditLists.map((m: any) => `${m.list} ${m.name}`)).toEqual([
      'BLACK 失信被执行人名单',
      'BLACK 限制消费被执行人名单',
      'BLACK 政府采购严重违法失信行为记录名单',
    ]);
    expect(creditLists[0].records).toEqual([
      {
        id: 'COURTS:1503212086',
        kind: 'DISHONEST_JUDGMENT_DEBTOR',
        provenance: { source: 'COURTS', recordId: '1503212086' },
      },
    ]);
    expect(measures).toHaveLength(1);
    expect(measures[0]).toMatchObject({
      measure: { id: 'PROCUREMENT-BAN', kind: 'MANDATORY' },
      status: 'IN_FORCE',
      because: [{ id: 'COURTS:1503212086' }, { id: 'PROCUREMENT:YZSX500112202500042' }],
    });
    expect(measures[0].measure.legalBasis).toContain('政府采购法');
    expect(greenChannel.eligible).toBe(false);
  });
});

describe('scenario: a clean A-grade SME', () => {
  it('is on the red list, may use the green channel, and gets an explainable grade', async () => {
    const body = await ask(
      `query($code: CreditCode!) { enterprise(code: $code) {
        creditLists { list name }
        measures(context: ADMINISTRATIVE_LICENSING) { measure { id list } status }
        greenChannel { eligible reason }
        evaluation { grade score model groups { group weight points factors { name points } } }
      } }`,
      { code: demoCode('clean-sme') },
    );
    expect(body.errors).toBeUndefined();
    const { creditLists, measures, greenChannel, evaluation } = body.data.enterprise;
    expect(creditLists).toEqual([
      { list: 'RED', name: '纳税信用A级纳税人名单' },
      { list: 'RED', name: '守合同重信用企业' },
    ]);
    expect(measures).toEqual([{ measure: { id: 'GREEN-CHANNEL', list: 'RED' }, status: 'IN_FORCE' }]);
    expect(greenChannel.eligible).toBe(true);
    expect(['A', 'B']).toContain(evaluation.grade);
    // Explainable: every group's points are its factors' points, and the score is the weighted sum.
    for (const group of evaluation.groups) {
      expect(group.factors.reduce((sum: number, f: any) => sum + f.points, 0)).toBeCloseTo(group.points, 5);
    }
    const weighted = evaluation.groups.reduce((sum: number, g: any) => sum + g.weight * g.points, 0);
    expect(evaluation.score).toBeCloseTo(weighted, 1);
  });
});

describe('scenario: the courts are down during an approval check', () => {
  it('keeps the green channel closed rather than open it on missing records', async () => {
    await stack.setFaults('courts', { errorRate: 1 });
    try {
      const body = await ask(
        'query($code: CreditCode!) { enterprise(code: $code) { greenChannel { eligible reason } } }',
        {
          code: demoCode('clean-sme'),
        },
      );
      expect(body.data.enterprise.greenChannel).toEqual({
        eligible: false,
        reason: 'Cannot confirm: courts could not be read; ask again later',
      });
      expect(body.errors).toContainEqual(
        expect.objectContaining({ extensions: { code: 'SOURCE_UNAVAILABLE', source: 'courts' } }),
      );
    } finally {
      await stack.clearFaults();
    }
  });
});

describe('scenario: an objection suspends the measures resting on the disputed record', () => {
  it('suspends while it is open, and they return when the record is upheld', async () => {
    const code = demoCode('major-tax-violator');
    const recordId = await recordOf(code, 'MAJOR_TAX_VIOLATION');
    const before = await ask(MEASURES, { code, context: 'REGULATORY_INSPECTION' });
    expect(before.data.enterprise.measures.map((m: any) => [m.measure.id, m.status])).toEqual([
      ['MORE-INSPECTIONS', 'IN_FORCE'],
      ['TAX-STRICT-MANAGEMENT', 'IN_FORCE'],
      // Its tax arrears notice also puts it on the watch list (重点关注).
      ['WATCH-INTERVIEW', 'IN_FORCE'],
      ['WATCH-KEY-SUPERVISION', 'IN_FORCE'],
      ['WATCH-MORE-INSPECTIONS', 'IN_FORCE'],
    ]);

    const filed = await ask(
      'mutation($input: FileObjectionInput!) { fileObjection(input: $input) { id status dueOn overdue } }',
      { input: { code, recordId, reason: '发票已全部红冲，案件事实认定有误', idempotencyKey: 'scenario-objection-1' } },
      { tier: 'GOVERNMENT', client: 'dongguan-tax-bureau', purpose: 'CREDIT_OBJECTION' },
    );
    expect(filed.errors).toBeUndefined();
    const objection = filed.data.fileObjection;
    expect(objection).toMatchObject({ status: 'RECEIVED', overdue: false });

    const during = await ask(MEASURES, { code, context: 'REGULATORY_INSPECTION' });
    expect(during.data.enterprise.measures.map((m: any) => [m.measure.id, m.status, m.objectionId])).toEqual([
      ['MORE-INSPECTIONS', 'SUSPENDED', objection.id],
      ['TAX-STRICT-MANAGEMENT', 'SUSPENDED', objection.id],
      // Measures resting on the undisputed arrears notice stay in force.
      ['WATCH-INTERVIEW', 'IN_FORCE', null],
      ['WATCH-KEY-SUPERVISION', 'IN_FORCE', null],
      ['WATCH-MORE-INSPECTIONS', 'IN_FORCE', null],
    ]);

    const advance = (status: string, key: string) =>
      ask(
        'mutation($input: AdvanceObjectionInput!) { advanceObjection(input: $input) { id status history { status } } }',
        { input: { id: objection.id, status, note: '核查完毕', idempotencyKey: key } },
        // 谁认定、谁修复: the tax department decides objections to its own record.
        { tier: 'GOVERNMENT', client: 'dongguan-tax-bureau', purpose: 'CREDIT_OBJECTION', department: 'TAX' },
      );
    expect((await advance('VERIFYING', 'scenario-verify')).data.advanceObjection.status).toBe('VERIFYING');
    expect((await ask(MEASURES, { code, context: 'REGULATORY_INSPECTION' })).data.enterprise.measures[0].status).toBe(
      'SUSPENDED',
    );
    const upheld = await advance('UPHELD', 'scenario-uphold');
    expect(upheld.data.advanceObjection.history.map((e: any) => e.status)).toEqual(['RECEIVED', 'VERIFYING', 'UPHELD']);
    const after = await ask(MEASURES, { code, context: 'REGULATORY_INSPECTION' });
    expect(after.data.enterprise.measures.map((m: any) => m.status)).toEqual(Array(5).fill('IN_FORCE'));
  });

  it('through AUTHORIZED, the subject files only with its own consent, and a retry returns the same objection', async () => {
    const code = demoCode('partial-debtor');
    const recordId = await recordOf(code, 'PROCUREMENT_DISHONESTY');
    expect(recordId).toBe('PROCUREMENT:YZSX500112202500042');
    const agent = 'yudong-legal-agent';
    const input = { code, recordId, reason: '转包事实不成立', idempotencyKey: 'agent-1' };
    const file = 'mutation($input: FileObjectionInput!) { fileObjection(input: $input) { id status code recordId } }';
    const without = await ask(file, { input }, { tier: 'AUTHORIZED', client: agent, purpose: 'CREDIT_OBJECTION' });
    expect(without.errors?.[0].extensions.code).toBe('CONSENT_REQUIRED');
    const consent = await stack.consent({
      subject: code,
      grantee: agent,
      purpose: 'CREDIT_OBJECTION',
      groups: ['CREDIT_OBJECTION'],
    });
    const as: As = { tier: 'AUTHORIZED', client: agent, purpose: 'CREDIT_OBJECTION', consents: [consent] };
    const first = await ask(file, { input }, as);
    expect(first.errors).toBeUndefined();
    expect(first.data.fileObjection).toMatchObject({ status: 'RECEIVED', code, recordId });
    const retry = await ask(file, { input }, as);
    expect(retry.data.fileObjection.id).toBe(first.data.fileObjection.id);
  });
});

describe('scenario: credit repair and publicity periods', () => {
  it('a record past its publicity period is hidden from the public and no longer bans', async () => {
    const code = demoCode('procurement-ban-ended');
    const records =
      'query($code: CreditCode!) { enterprise(code: $code) { creditRecords { kind state } measures(context: GOVERNMENT_PROCUREMENT) { measure { id } } } }';
    const government = await ask(records, { code });
    expect(government.data.enterprise.creditRecords).toContainEqual({
      kind: 'PROCUREMENT_DISHONESTY',
      state: 'EXPIRED',
    });
    expect(government.data.enterprise.measures).toEqual([]);
    const anyone = await ask(records, { code }, PUBLIC);
    expect(anyone.data.enterprise.creditRecords.map((r: any) => r.kind)).not.toContain('PROCUREMENT_DISHONESTY');
  });
});

describe('scenario: punishment reaches the people (落实到人)', () => {
  it("shows the legal representative's own debtor record on the enterprise, and the enterprise's blacklisting on its representative", async () => {
    const body = await ask(
      'query($code: CreditCode!) { enterprise(code: $code) { legalRepresentativeDebtorRecords { id kind state } } }',
      {
        code: demoCode('rep-is-debtor'),
      },
    );
    expect(body.data.enterprise.legalRepresentativeDebtorRecords).toEqual([
      expect.objectContaining({ kind: 'DISHONEST_JUDGMENT_DEBTOR', state: 'ACTIVE' }),
    ]);
    const hidden = await ask(
      'query($code: CreditCode!) { enterprise(code: $code) { legalRepresentativeDebtorRecords { id } } }',
      { code: demoCode('rep-is-debtor') },
      PUBLIC,
    );
    expect(hidden.errors?.[0].extensions.code).toBe('UNAUTHORIZED_FIELD_OR_TYPE');

    await ask('query($code: CreditCode!) { enterprise(code: $code) { creditLists { name } } }', {
      code: demoCode('partial-debtor'),
    });
    const person = await ask(
      'query($id: IdNumber!) { person(idNumber: $id) { representedDishonesty { list name code } } }',
      {
        id: DEMO_PEOPLE.partialDebtorRepresentative.idNumber,
      },
    );
    expect(person.data.person.representedDishonesty).toContainEqual({
      list: 'BLACK',
      name: '失信被执行人名单',
      code: demoCode('partial-debtor'),
    });
  });
});

describe('scenario: statistics for analysts', () => {
  it('counts lists and measures by division, organization category and source over a set of codes', async () => {
    const codes = [
      demoCode('clean-sme'),
      demoCode('partial-debtor'),
      demoCode('major-tax-violator'),
      demoCode('individual-business'),
    ];
    const query = `query($codes: [CreditCode!]!) { creditStatistics(codes: $codes) { statistics {
      subjects byOrganizationCategory { key subjects blackListed redListed } bySource { key blackListed } } } }`;
    const body = await ask(query, { codes }, { tier: 'ANALYST', client: 'analyst-workbench', purpose: null });
    expect(body.errors).toBeUndefined();
    const { statistics } = body.data.creditStatistics;
    expect(statistics.subjects).toBe(4);
    expect(statistics.byOrganizationCategory).toEqual([
      { key: 'ENTERPRISE', subjects: 3, blackListed: 2, redListed: 1 },
      { key: 'INDIVIDUAL_BUSINESS', subjects: 1, blackListed: 0, redListed: 0 },
    ]);
    expect(statistics.bySource).toEqual(
      expect.arrayContaining([expect.objectContaining({ key: 'TAX', blackListed: 1 })]),
    );
    const refused = await ask(query, { codes }, PUBLIC);
    expect(refused.errors?.[0].extensions.code).toBe('UNAUTHORIZED_FIELD_OR_TYPE');
  });
});

describe('scenario: the court enforcement linkage walks the feed', () => {
  const FEED = `query($since: DateTime!, $after: String) { debtorRestrictions(changedSince: $since, after: $after, first: 7) {
    edges { cursor node { id change caseNumber debtorCode debtorIdNumber listed restrictions { measure { id } legalBasis } boundPersons { name role } } }
    pageInfo { endCursor hasNextPage } } }`;
  const COURT: As = { tier: 'JUDICIAL', client: 'court-linkage', purpose: 'ENFORCEMENT_LINKAGE' };

  it('sees every change once, even when changes arrive in the middle of the walk, and takes enforcement feedback', async () => {
    const nodes: any[] = [];
    const cursors: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const body = await ask(FEED, { since: '2020-01-01T00:00:00+08:00', after }, COURT);
      expect(body.errors).toBeUndefined();
      const page = body.data.debtorRestrictions;
      nodes.push(...page.edges.map((e: any) => e.node));
      cursors.push(...page.edges.map((e: any) => e.cursor as string));
      pages++;
      if (pages === 2) {
        // The court removes the partial debtor from the list while the walk is under way.
        const response = await fetch(`${stack.standInUrl('courts')}/_sim/linkage/changes`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ type: 'REMOVED', caseCode: '(2023)渝0112执1234号' }),
        });
        expect(response.status).toBe(201);
      }
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(pages).toBeGreaterThan(2);
    const ids = nodes.map((node) => node.id as string);
    // No duplicates, no gaps: the sequence numbers run on without a hole, in order.
    expect(new Set(ids).size).toBe(ids.length);
    const sequence = ids.map((id) => Number(id.split(':')[1]));
    expect(sequence).toEqual(Array.from({ length: sequence.length }, (_, i) => sequence[0]! + i));
    // The change made mid-walk comes last.
    expect(nodes.at(-1)).toMatchObject({
      caseNumber: '(2023)渝0112执1234号',
      change: 'REMOVED',
      listed: false,
      debtorCode: demoCode('partial-debtor'),
    });
    const listing = nodes.find((node) => node.caseNumber === '(2023)渝0112执1234号' && node.change === 'ISSUED');
    expect(listing.restrictions.map((r: any) => r.measure.id)).toEqual(
      Array.from({ length: 9 }, (_, i) => `RESTRICT-${i + 1}`),
    );
    expect(listing.restrictions[0].legalBasis).toContain('最高人民法院关于限制被执行人高消费');
    expect(listing.boundPersons).toContainEqual({ name: '周德明', role: 'LEGAL_REPRESENTATIVE' });
    const lastId = ids.at(-1)!;

    const feedback = await ask(
      `mutation($input: EnforcementFeedbackInput!) { reportEnforcementFeedback(input: $input) { changeId measureId department action } }`,
      {
        input: {
          changeId: lastId,
          measureId: 'RESTRICT-1',
          action: '已在购票系统中解除限制',
          // The courts date changes in China Standard Time, as the rules do.
          actedOn: epochToChinaDate(Date.now()),
          idempotencyKey: 'feedback-1',
        },
      },
      { tier: 'GOVERNMENT', client: 'civil-aviation-bureau', purpose: 'ENFORCEMENT_FEEDBACK' },
    );
    expect(feedback.errors).toBeUndefined();
    expect(feedback.data.reportEnforcementFeedback).toMatchObject({
      changeId: lastId,
      department: 'civil-aviation-bureau',
    });
    // The court linkage sees it on the change: the walk's second-to-last cursor leads to it.
    const seenByCourt = await ask(
      `query($since: DateTime!, $after: String) { debtorRestrictions(changedSince: $since, after: $after, first: 1) {
        edges { node { id feedback { department action } } } } }`,
      { since: '2020-01-01T00:00:00+08:00', after: cursors.at(-2) },
      COURT,
    );
    expect(seenByCourt.errors).toBeUndefined();
    expect(seenByCourt.data.debtorRestrictions.edges[0].node).toEqual({
      id: lastId,
      feedback: [{ department: 'civil-aviation-bureau', action: '已在购票系统中解除限制' }],
    });
  });
});
