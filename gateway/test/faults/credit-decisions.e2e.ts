import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { demoCode } from '@credit-gateway/sources';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ populationSize: 200, sourceTimeoutMs: 400 });
});
afterAll(async () => {
  await stack?.close();
});
afterEach(async () => {
  await stack.clearFaults();
});

const INPUTS = 'complete missingSources readSources asOf';

const DECISIONS = /* GraphQL */ `
  query Decisions($code: CreditCode!) {
    enterprise(code: $code) {
      code
      creditAssessment { ${INPUTS} }
      creditRecords { id kind state }
      creditLists { list name }
      procurementMeasures: measures(context: GOVERNMENT_PROCUREMENT) { measure { id list } status }
      licensingMeasures: measures(context: ADMINISTRATIVE_LICENSING) { measure { id list } status }
      greenChannel { eligible reason inputs { ${INPUTS} } }
      evaluation { grade score inputs { ${INPUTS} } }
      legalRepresentativeDebtorRecords { id }
      legalRepresentativeInputs { ${INPUTS} }
    }
  }
`;

const GRADES = ['A', 'B', 'C', 'D', 'E'];

/** Each department as the fault injection, the errors and the decision inputs name it. */
const DEPARTMENTS = [
  { stand: 'market', source: 'MARKET', field: 'marketRegulation' },
  { stand: 'tax', source: 'TAX', field: 'tax' },
  { stand: 'courts', source: 'COURTS', field: 'courts' },
  { stand: 'social-security', source: 'SOCIAL_SECURITY', field: 'socialSecurity' },
  { stand: 'procurement', source: 'PROCUREMENT', field: 'procurement' },
] as const;

/** Subjects with something for each department to hide, and a clean one whose channel is open. */
const SUBJECTS = [
  'major-tax-violator',
  'partial-debtor',
  'clean-sme',
  'wage-arrears',
  'serious-illegal',
  'procurement-ban-ended',
] as const;

async function decisions(code: string) {
  const { status, body } = await stack.query(DECISIONS, { code });
  expect(status).toBe(200);
  return body;
}

function incompleteAt(errors: any[] | undefined, field: string) {
  return (errors ?? []).filter((e) => e.extensions?.code === 'DECISION_INCOMPLETE' && e.path?.at(-1) === field);
}

describe('the finding: the tax system down while a major tax violator is checked', () => {
  it('no longer answers a clean record: the decisions are incomplete, name tax, and the channel is closed', async () => {
    const code = demoCode('major-tax-violator');
    const complete = await decisions(code);
    expect(complete.errors).toBeUndefined();
    expect(complete.data.enterprise.evaluation.grade).not.toBe('B');

    await stack.setFaults('tax', { errorRate: 1 });
    const body = await decisions(code);
    const enterprise = body.data.enterprise;
    expect(enterprise.creditAssessment).toMatchObject({ complete: false, missingSources: ['TAX'] });
    expect(enterprise.greenChannel).toMatchObject({
      eligible: false,
      inputs: { complete: false, missingSources: ['TAX'] },
    });
    expect(enterprise.greenChannel.reason).toContain('tax');
    expect(GRADES.indexOf(enterprise.evaluation.grade)).toBeGreaterThanOrEqual(
      GRADES.indexOf(complete.data.enterprise.evaluation.grade),
    );
    const codes = (body.errors ?? []).map((e: any) => [e.path?.slice(-1)[0], e.extensions?.code, e.extensions?.source]);
    expect(codes).toEqual(
      expect.arrayContaining([
        ['creditLists', 'DECISION_INCOMPLETE', ['tax']],
        ['greenChannel', 'DECISION_INCOMPLETE', ['tax']],
        ['evaluation', 'DECISION_INCOMPLETE', ['tax']],
        ['creditRecords', 'DECISION_INCOMPLETE', ['tax']],
      ]),
    );
    for (const field of ['creditLists', 'greenChannel', 'evaluation'])
      expect(incompleteAt(body.errors, field)[0].path).toEqual(['enterprise', field]);
  });
});

describe.each(DEPARTMENTS)('when $stand is down', ({ stand, source }) => {
  it.each(SUBJECTS)(
    '%s: affected decisions are incomplete and name it, never more favourable than with every department up',
    async (key) => {
      const code = demoCode(key);
      const complete = await decisions(code);
      expect(complete.errors).toBeUndefined();
      const up = complete.data.enterprise;
      expect(up.creditAssessment.complete).toBe(true);
      expect(up.greenChannel.inputs.complete).toBe(true);

      await stack.setFaults(stand, { errorRate: 1 });
      const body = await decisions(code);
      const down = body.data.enterprise;

      // (a) The decisions say so, and name the department.
      for (const inputs of [down.creditAssessment, down.greenChannel.inputs, down.evaluation.inputs]) {
        expect(inputs.complete).toBe(false);
        expect(inputs.missingSources).toEqual([source]);
        expect(inputs.readSources).not.toContain(source);
      }
      // (b) An error at each decision's path, naming the department as SOURCE_* errors do.
      for (const field of ['creditLists', 'greenChannel', 'evaluation', 'creditRecords']) {
        const [error] = incompleteAt(body.errors, field);
        expect(error, field).toBeDefined();
        expect(error.extensions.source).toEqual([stand]);
        expect(error.path).toEqual(['enterprise', field]);
      }
      // Never in the subject's favour.
      expect(down.greenChannel.eligible).toBe(false);
      expect(GRADES.indexOf(down.evaluation.grade)).toBeGreaterThanOrEqual(GRADES.indexOf(up.evaluation.grade));
      const upBlack = up.creditLists.filter((m: any) => m.list === 'BLACK').map((m: any) => m.name);
      const downBlack = down.creditLists.filter((m: any) => m.list === 'BLACK').map((m: any) => m.name);
      for (const name of downBlack) expect(upBlack).toContain(name);
      // Measures: those known in force still come; fewer than with every department up only with an error.
      for (const alias of ['procurementMeasures', 'licensingMeasures']) {
        const ids = (list: any[]) => list.map((m) => m.measure.id).sort();
        const black = (list: any[]) => list.filter((m) => m.measure.list === 'BLACK');
        const red = (list: any[]) => list.filter((m) => m.measure.list === 'RED');
        for (const id of ids(black(down[alias]))) expect(ids(black(up[alias]))).toContain(id);
        for (const id of ids(red(down[alias]))) expect(ids(red(up[alias]))).toContain(id);
        if (ids(black(down[alias])).join() !== ids(black(up[alias])).join() || down[alias].length === 0)
          expect(incompleteAt(body.errors, alias), `${alias} is marked incomplete`).toHaveLength(1);
      }
    },
  );
});

describe('the legal representative (落实到人)', () => {
  it('says the representative is unknown while market regulation is down', async () => {
    await stack.setFaults('market', { errorRate: 1 });
    const body = await decisions(demoCode('rep-is-debtor'));
    expect(body.data.enterprise.legalRepresentativeInputs).toMatchObject({
      complete: false,
      missingSources: ['MARKET'],
    });
    expect(incompleteAt(body.errors, 'legalRepresentativeDebtorRecords')[0].extensions.source).toEqual(['market']);
  });

  it('is complete, with its records, when every department answers', async () => {
    const body = await decisions(demoCode('rep-is-debtor'));
    expect(body.errors).toBeUndefined();
    expect(body.data.enterprise.legalRepresentativeInputs).toMatchObject({
      complete: true,
      missingSources: [],
      readSources: ['MARKET', 'COURTS'],
    });
    expect(body.data.enterprise.legalRepresentativeDebtorRecords.length).toBeGreaterThan(0);
  });
});

describe('departments that hold nothing on a subject', () => {
  it('count as read: a subject unknown to tax and procurement is decided completely', async () => {
    const body = await decisions(demoCode('clean-sme'));
    expect(body.errors).toBeUndefined();
    const { creditAssessment } = body.data.enterprise;
    expect(creditAssessment).toMatchObject({ complete: true, missingSources: [] });
    expect(creditAssessment.readSources).toEqual(['MARKET', 'TAX', 'COURTS', 'SOCIAL_SECURITY', 'PROCUREMENT']);
    expect(Number.isNaN(Date.parse(creditAssessment.asOf))).toBe(false);
  });
});

describe('statistics over subjects', () => {
  it('count incomplete subjects and say which department was missing', async () => {
    const codes = SUBJECTS.map((key) => demoCode(key));
    const query = `query($codes: [CreditCode!]!) { creditStatistics(codes: $codes) { statistics {
      subjects incompleteSubjects inputs { ${INPUTS} }
    } } }`;
    const up = await stack.query(query, { codes });
    expect(up.body.errors).toBeUndefined();
    expect(up.body.data.creditStatistics.statistics).toMatchObject({
      incompleteSubjects: 0,
      inputs: { complete: true },
    });
    await stack.setFaults('courts', { errorRate: 1 });
    const down = await stack.query(query, { codes });
    expect(down.body.data.creditStatistics.statistics).toMatchObject({
      subjects: codes.length,
      incompleteSubjects: codes.length,
      inputs: { complete: false, missingSources: ['COURTS'] },
    });
    expect(incompleteAt(down.body.errors, 'statistics')[0].extensions.source).toEqual(['courts']);
  });
});
