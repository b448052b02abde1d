import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCode } from '@credit-gateway/sources';
import { startStack, type As, type Stack } from './support/stack.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ populationSize: 200 });
});
afterAll(async () => {
  await stack?.close();
});

const SUPERVISOR: As = { tier: 'GOVERNMENT', client: 'inspection-system', purpose: 'REGULATORY_INSPECTION' };
const ANALYST: As = { tier: 'ANALYST', client: 'analyst-workbench', purpose: null };

/** The shipped supervision settings per grade, as the platform must apply them. */
const GRADES = (
  JSON.parse(readFileSync(new URL('../../subgraphs/credit/data/supervision.json', import.meta.url), 'utf8')) as {
    grades: Record<string, { randomCheckShare: number; inspectionsPerYear: number }>;
  }
).grades;

async function ask(query: string, variables: Record<string, unknown>, as: As = SUPERVISOR) {
  const { body } = await stack.query(query, variables, as);
  return body;
}

describe('scenario: a subject on the watch list (重点关注) is called in for a talk (约谈)', () => {
  it('lists a tax-arrears subject on the watch list, with 约谈, 重点监管 and more frequent inspection', async () => {
    const body = await ask(
      `query($code: CreditCode!) { enterprise(code: $code) {
        creditLists { list kind { id name rank } name records { id kind } }
        measures(context: REGULATORY_INSPECTION) { measure { id name list legalBasis implementingDepartment } status because { id } }
      } }`,
      { code: demoCode('major-tax-violator') },
    );
    expect(body.errors).toBeUndefined();
    const { creditLists, measures } = body.data.enterprise;
    expect(creditLists).toContainEqual({
      list: 'WATCH',
      kind: { id: 'WATCH', name: '重点关注名单 (警示)', rank: 1 },
      name: '欠税公告纳税人',
      records: [{ id: 'TAX:QS4419002025000318', kind: 'TAX_ARREARS' }],
    });
    const watch = measures.filter((m: any) => m.measure.list === 'WATCH');
    expect(watch.map((m: any) => [m.measure.id, m.status, m.because])).toEqual([
      ['WATCH-INTERVIEW', 'IN_FORCE', [{ id: 'TAX:QS4419002025000318' }]],
      ['WATCH-KEY-SUPERVISION', 'IN_FORCE', [{ id: 'TAX:QS4419002025000318' }]],
      ['WATCH-MORE-INSPECTIONS', 'IN_FORCE', [{ id: 'TAX:QS4419002025000318' }]],
    ]);
    expect(watch[0].measure.name).toContain('约谈');
    expect(watch[0].measure.legalBasis).toContain('国办发〔2019〕35号');
  });

  it('lists a subject still on the abnormal operations list, and not one whose listing was removed', async () => {
    const query = `query($code: CreditCode!) { enterprise(code: $code) { creditLists { list name } } }`;
    const listed = await ask(query, { code: demoCode('serious-illegal') });
    expect(listed.data.enterprise.creditLists).toContainEqual({ list: 'WATCH', name: '经营异常名录' });
    const removed = await ask(query, { code: demoCode('abnormal-removed') });
    expect(removed.data.enterprise.creditLists).toEqual([]);
  });
});

describe('scenario: supervision graded by the evaluation (分级分类监管)', () => {
  const SUPERVISION = `query($code: CreditCode!) { enterprise(code: $code) {
    evaluation { grade }
    supervision { grade evaluatedGrade randomCheckShare inspectionsPerYear summary basis inputs { complete missingSources } }
  } }`;

  it('sets the inspection share and frequency by grade, more for a worse grade', async () => {
    const clean = await ask(SUPERVISION, { code: demoCode('clean-sme') });
    const dishonest = await ask(SUPERVISION, { code: demoCode('serious-illegal') });
    expect(clean.errors).toBeUndefined();
    expect(dishonest.errors).toBeUndefined();
    for (const { enterprise } of [clean.data, dishonest.data]) {
      const { grade } = enterprise.evaluation;
      expect(enterprise.supervision).toMatchObject({
        grade,
        evaluatedGrade: grade,
        randomCheckShare: GRADES[grade]!.randomCheckShare,
        inspectionsPerYear: GRADES[grade]!.inspectionsPerYear,
        inputs: { complete: true, missingSources: [] },
      });
      expect(enterprise.supervision.basis).toContain('分级分类监管');
    }
    expect(clean.data.enterprise.evaluation.grade < dishonest.data.enterprise.evaluation.grade).toBe(true);
    expect(dishonest.data.enterprise.supervision.randomCheckShare).toBeGreaterThan(
      clean.data.enterprise.supervision.randomCheckShare,
    );
  });

  it('takes the strictest grade’s supervision while a department is down, and says so', async () => {
    await stack.setFaults('tax', { errorRate: 1 });
    try {
      const body = await ask(SUPERVISION, { code: demoCode('clean-sme') });
      expect(body.data.enterprise.supervision).toMatchObject({
        grade: 'E',
        randomCheckShare: GRADES['E']!.randomCheckShare,
        inspectionsPerYear: GRADES['E']!.inspectionsPerYear,
        inputs: { complete: false, missingSources: ['TAX'] },
      });
      expect(body.errors).toContainEqual(
        expect.objectContaining({
          path: ['enterprise', 'supervision'],
          extensions: expect.objectContaining({ code: 'DECISION_INCOMPLETE' }),
        }),
      );
    } finally {
      await stack.clearFaults();
    }
  });

  it('is not for the public', async () => {
    const body = await ask(SUPERVISION, { code: demoCode('clean-sme') }, { anonymous: true });
    expect(body.data.enterprise.supervision).toBeNull();
    expect(body.errors?.[0].extensions.code).toBe('UNAUTHORIZED_FIELD_OR_TYPE');
  });
});

describe('scenario: analysts find the decisions published late (公示及时性)', () => {
  it('marks each record in time or late, and counts the late ones per department', async () => {
    const records = await ask(
      `query($code: CreditCode!) { enterprise(code: $code) {
        creditRecords { id kind decidedOn publishedOn publicationDueOn publishedInTime }
      } }`,
      { code: demoCode('abnormal-removed') },
    );
    expect(records.errors).toBeUndefined();
    // 7 working days after Monday 2025-03-03 is Wednesday 2025-03-12.
    expect(records.data.enterprise.creditRecords).toEqual([
      {
        id: 'MARKET:PEN330106000403',
        kind: 'ADMINISTRATIVE_PENALTY',
        decidedOn: '2025-09-01',
        publishedOn: '2025-09-05',
        publicationDueOn: '2025-09-10',
        publishedInTime: true,
      },
      {
        id: 'MARKET:PEN330106000402',
        kind: 'ADMINISTRATIVE_PENALTY',
        decidedOn: '2025-03-03',
        publishedOn: '2025-03-20',
        publicationDueOn: '2025-03-12',
        publishedInTime: false,
      },
      {
        id: 'MARKET:ABN330106000401',
        kind: 'ABNORMAL_OPERATIONS',
        decidedOn: '2024-07-15',
        publishedOn: null,
        publicationDueOn: null,
        publishedInTime: null,
      },
    ]);

    const query = `query($codes: [CreditCode!]!) { creditStatistics(codes: $codes) { statistics {
      publicationTimeliness { department decisions late lateRecords { id publishedOn publicationDueOn } }
    } } }`;
    const codes = [demoCode('abnormal-removed'), demoCode('partial-debtor'), demoCode('clean-sme')];
    const body = await ask(query, { codes }, ANALYST);
    expect(body.errors).toBeUndefined();
    expect(body.data.creditStatistics.statistics.publicationTimeliness).toEqual([
      {
        department: 'MARKET',
        decisions: 3,
        late: 1,
        lateRecords: [{ id: 'MARKET:PEN330106000402', publishedOn: '2025-03-20', publicationDueOn: '2025-03-12' }],
      },
    ]);
    const refused = await ask(query, { codes }, { anonymous: true });
    expect(refused.errors?.[0].extensions.code).toBe('UNAUTHORIZED_FIELD_OR_TYPE');
  });
});
