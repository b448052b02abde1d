import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@credit-gateway/common';
import { demoCode } from '@credit-gateway/sources';
import { loadConfig, startGateway } from '../../src/server.js';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;

beforeAll(async () => {
  // Faults here are errors, never hangs: the default source timeout leaves room for a loaded machine.
  stack = await startStack({ populationSize: 200 });
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

/** A second gateway over the same subgraphs, with some subgraph URLs or settings changed. */
async function withGateway<T>(env: Record<string, string>, run: (url: string) => Promise<T>): Promise<T> {
  const gateway = await startGateway(
    loadConfig({
      PORT: '0',
      ...stack.gatewayEnv,
      SUBGRAPH_MARKET_URL: stack.subgraphUrls.market,
      SUBGRAPH_TAX_URL: stack.subgraphUrls.tax,
      SUBGRAPH_COURTS_URL: stack.subgraphUrls.courts,
      SUBGRAPH_SOCIAL_SECURITY_URL: stack.subgraphUrls['social-security'],
      SUBGRAPH_PROCUREMENT_URL: stack.subgraphUrls.procurement,
      SUBGRAPH_CREDIT_URL: stack.subgraphUrls.credit,
      REGISTER_DIR: `${stack.gatewayEnv['REGISTER_DIR']}-${randomUUID()}`,
      ...env,
    }),
    silentLogger(),
  );
  try {
    return await run(gateway.url);
  } finally {
    await gateway.close();
  }
}

async function decisionsAt(url: string, code: string) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await stack.headers()) },
    body: JSON.stringify({ query: DECISIONS, variables: { code } }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { data: any; errors?: any[]; extensions?: any };
}

describe('when a whole department subgraph is unreachable', () => {
  it('its sections come as null, as for a failed source, and the rules read them as could not be read', async () => {
    const body = await withGateway({ SUBGRAPH_TAX_URL: 'http://127.0.0.1:1/graphql' }, (url) =>
      decisionsAt(url, demoCode('major-tax-violator')),
    );
    console.log(JSON.stringify(body, null, 1).slice(0, 3000));
    const enterprise = body.data.enterprise;
    expect(enterprise.code).toBe(demoCode('major-tax-violator'));
    expect(enterprise.creditAssessment).toMatchObject({ complete: false, missingSources: ['TAX'] });
    expect(enterprise.greenChannel.eligible).toBe(false);
    expect(incompleteAt(body.errors, 'evaluation')[0].extensions.source).toEqual(['tax']);
    expect(body.errors).toContainEqual({
      message: 'The tax department system is unavailable',
      extensions: { code: 'SOURCE_UNAVAILABLE', source: 'tax' },
    });
  });
});

describe('a section the entity cache serves stale', () => {
  it('shows its age in the decision inputs, next to extensions.staleSources', async () => {
    const code = demoCode('major-tax-violator');
    await withGateway(
      { ENTITY_CACHE: 'true', CACHE_TTLS: 'tax=1', CACHE_PREFIX: `test-decisions-${randomUUID()}:` },
      async (url) => {
        const fresh = await decisionsAt(url, code);
        expect(fresh.errors).toBeUndefined();
        // Past the one-second TTL, so that the next read asks the tax subgraph again, which fails.
        await sleep(1_500);
        await stack.setFaults('tax', { errorRate: 1 });
        const askedAt = Date.now();
        const stale = await decisionsAt(url, code);
        expect(stale.extensions?.staleSources).toContain('tax');
        expect(stale.errors).toBeUndefined();
        const { inputs } = stale.data.enterprise.evaluation;
        expect(inputs).toMatchObject({ complete: true, missingSources: [] });
        // Every other section was read for this request; only the cached tax section is older than it.
        expect(Date.parse(inputs.asOf)).toBeLessThan(askedAt - 1_000);
        expect(Date.parse(inputs.asOf)).toBeGreaterThanOrEqual(
          Date.parse(fresh.data.enterprise.evaluation.inputs.asOf),
        );
        expect(stale.data.enterprise.evaluation.grade).toBe(fresh.data.enterprise.evaluation.grade);
      },
    );
  });
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

describe('the finding: a repair office rewrites a debtor’s credit state (谁认定、谁修复)', () => {
  const APPLY = 'mutation($input: RepairApplicationInput!) { applyForRepair(input: $input) { id } }';
  const RECORDS =
    'query($code: CreditCode!) { enterprise(code: $code) { creditRecords { id kind state } creditLists { name } } }';
  const codesOf = (body: { errors?: any[] }) => body.errors?.map((e) => e.extensions?.code);

  it('refuses the court record for everyone, and lets only the owning department handle a repair', async () => {
    const debtor = demoCode('partial-debtor');
    const { body: read } = await stack.query(RECORDS, { code: debtor });
    const byKind = (kind: string) => read.data.enterprise.creditRecords.find((r: any) => r.kind === kind).id;
    const repairOffice = { tier: 'GOVERNMENT' as const, client: 'repair-office', purpose: 'CREDIT_REPAIR' };
    const courts = { ...repairOffice, client: 'court-office', department: 'COURTS' };
    const input = (kind: string, key: string) => ({
      code: debtor,
      recordId: byKind(kind),
      basis: '已履行',
      correction: '履行凭证',
      commitment: '信用承诺',
      idempotencyKey: key,
    });
    // Court records leave through the courts only, even for the courts' own clients.
    for (const as of [repairOffice, courts])
      for (const kind of ['DISHONEST_JUDGMENT_DEBTOR', 'CONSUMPTION_RESTRICTION']) {
        const { body } = await stack.query(APPLY, { input: input(kind, `${as.client}-${kind}`) }, as);
        expect(codesOf(body), kind).toEqual(['RECORD_NOT_REPAIRABLE']);
      }
    const { body: after } = await stack.query(RECORDS, { code: debtor });
    expect(after.data.enterprise.creditLists).toEqual(read.data.enterprise.creditLists);
  });

  it('lets only the owning department decide an objection', async () => {
    const code = demoCode('wage-arrears');
    const { body: read } = await stack.query(RECORDS, { code });
    const recordId = read.data.enterprise.creditRecords.find((r: any) => r.kind === 'WAGE_ARREARS').id;
    const filed = await stack.query(
      'mutation($input: FileObjectionInput!) { fileObjection(input: $input) { id } }',
      { input: { code, recordId, reason: '工资已结清', idempotencyKey: 'obj-dept-1' } },
      { tier: 'GOVERNMENT', client: 'approval-system', purpose: 'CREDIT_OBJECTION' },
    );
    expect(filed.body.errors).toBeUndefined();
    const advance = (as: Record<string, string>, key: string) =>
      stack.query(
        'mutation($input: AdvanceObjectionInput!) { advanceObjection(input: $input) { status } }',
        { input: { id: filed.body.data.fileObjection.id, status: 'VERIFYING', idempotencyKey: key } },
        { tier: 'GOVERNMENT', purpose: 'CREDIT_OBJECTION', ...as },
      );
    expect(codesOf((await advance({ client: 'repair-office' }, 'a-1')).body)).toEqual(['FORBIDDEN_DEPARTMENT']);
    expect(codesOf((await advance({ client: 'tax-office', department: 'TAX' }, 'a-2')).body)).toEqual([
      'FORBIDDEN_DEPARTMENT',
    ]);
    const ok = await advance({ client: 'hr-office', department: 'SOCIAL_SECURITY' }, 'a-3');
    expect(ok.body.errors).toBeUndefined();
    expect(ok.body.data.advanceObjection.status).toBe('VERIFYING');
  });

  it('refuses a record id the subject does not have, and markup in free text', async () => {
    const code = demoCode('wage-arrears');
    const file = 'mutation($input: FileObjectionInput!) { fileObjection(input: $input) { id reason } }';
    const as = { tier: 'GOVERNMENT' as const, client: 'approval-system', purpose: 'CREDIT_OBJECTION' };
    const missing = await stack.query(
      file,
      { input: { code, recordId: 'TAX:NO-SUCH-RECORD', reason: '不存在', idempotencyKey: 'nf-1' } },
      as,
    );
    expect(codesOf(missing.body)).toEqual(['RECORD_NOT_FOUND']);
    const { body: read } = await stack.query(RECORDS, { code });
    const recordId = read.data.enterprise.creditRecords[0].id;
    const markup = await stack.query(
      file,
      { input: { code, recordId, reason: '<script>alert(1)</script>', idempotencyKey: 'mk-1' } },
      as,
    );
    expect(codesOf(markup.body)).toEqual(['BAD_USER_INPUT']);
    expect(JSON.stringify(markup.body)).not.toContain('<script>');
  });
});
