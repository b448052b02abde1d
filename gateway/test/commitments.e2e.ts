import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { epochToChinaDate } from '@credit-gateway/common';
import { demoCode } from '@credit-gateway/sources';
import { startStack, type As, type Stack } from './support/stack.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ populationSize: 200 });
});
afterAll(async () => {
  await stack?.close();
});

/** The district's market regulation bureau, which accepts commitments for the licences it grants. */
const MARKET_BUREAU: As = {
  tier: 'GOVERNMENT',
  client: 'liangping-market-bureau',
  purpose: 'ADMINISTRATIVE_LICENSING',
  department: 'MARKET',
};
const TAX_BUREAU: As = {
  tier: 'GOVERNMENT',
  client: 'liangping-tax-bureau',
  purpose: 'ADMINISTRATIVE_LICENSING',
  department: 'TAX',
};
const APPROVAL: As = { tier: 'GOVERNMENT', client: 'approval-system', purpose: 'ADMINISTRATIVE_LICENSING' };
const ANALYST: As = { tier: 'ANALYST', client: 'credit-analytics', purpose: 'STATISTICS' };

const COMMITMENT_FIELDS =
  'id code kind { id dueWorkingDays } matter department madeOn dueOn state overdue resolvedOn recordId history { state by note }';
const MAKE = `mutation($input: MakeCommitmentInput!) { makeCommitment(input: $input) { ${COMMITMENT_FIELDS} } }`;
const RESOLVE = `mutation($input: ResolveCommitmentInput!) { resolveCommitment(input: $input) { ${COMMITMENT_FIELDS} } }`;

async function ask(query: string, variables: Record<string, unknown>, as: As = APPROVAL) {
  const { body } = await stack.query(query, variables, as);
  return body;
}

const code = demoCode('clean-sme');

const DECISION = `query($code: CreditCode!) { enterprise(code: $code) {
  creditRecords { id kind severity state decidedOn publishedUntil provenance { source recordId } }
  creditLists { list kind { id } name records { id } }
  measures(context: ADMINISTRATIVE_LICENSING) { measure { id list } status because { id } }
  greenChannel { eligible reason }
  commitments { id state kind { id } }
} }`;

describe('scenario: a commitment kept (容缺受理, documents supplied in time)', () => {
  it('is made with a due date in working days, kept, and leaves the subject’s credit as it was', async () => {
    const made = await ask(
      MAKE,
      {
        input: {
          code,
          kind: 'ACCEPTANCE_WITH_DEFICIENCIES',
          matter: '特种设备生产许可证延续',
          content: '承诺于10个工作日内补齐压力管道元件型式试验报告',
          idempotencyKey: 'kept-1',
        },
      },
      MARKET_BUREAU,
    );
    expect(made.errors).toBeUndefined();
    const commitment = made.data.makeCommitment;
    const today = epochToChinaDate(Date.now());
    expect(commitment).toMatchObject({
      code,
      kind: { id: 'ACCEPTANCE_WITH_DEFICIENCIES', dueWorkingDays: 10 },
      department: 'MARKET',
      madeOn: today,
      state: 'MADE',
      overdue: false,
      resolvedOn: null,
      recordId: null,
      history: [{ state: 'MADE', by: 'liangping-market-bureau', note: null }],
    });
    // Ten working days: at least two weeks of calendar days.
    expect(Date.parse(commitment.dueOn) - Date.parse(today)).toBeGreaterThanOrEqual(14 * 86_400_000);

    // The same key again returns the same commitment; another department cannot resolve it.
    const again = await ask(
      MAKE,
      {
        input: {
          code,
          kind: 'ACCEPTANCE_WITH_DEFICIENCIES',
          matter: '特种设备生产许可证延续',
          content: '承诺于10个工作日内补齐压力管道元件型式试验报告',
          idempotencyKey: 'kept-1',
        },
      },
      MARKET_BUREAU,
    );
    expect(again.data.makeCommitment.id).toBe(commitment.id);
    const foreign = await ask(
      RESOLVE,
      { input: { id: commitment.id, state: 'KEPT', idempotencyKey: 'k' } },
      TAX_BUREAU,
    );
    expect(foreign.errors?.[0]?.extensions).toMatchObject({
      code: 'FORBIDDEN_DEPARTMENT',
      owner: 'MARKET',
      department: 'TAX',
    });

    const kept = await ask(
      RESOLVE,
      { input: { id: commitment.id, state: 'KEPT', note: '材料已补齐', idempotencyKey: 'kept-1-done' } },
      MARKET_BUREAU,
    );
    expect(kept.errors).toBeUndefined();
    expect(kept.data.resolveCommitment).toMatchObject({ state: 'KEPT', resolvedOn: today, recordId: null });

    const decision = await ask(DECISION, { code });
    expect(decision.errors).toBeUndefined();
    const { creditRecords, creditLists, greenChannel, commitments } = decision.data.enterprise;
    expect(creditRecords.filter((r: any) => r.kind === 'BROKEN_COMMITMENT')).toEqual([]);
    expect(creditLists.map((l: any) => l.list)).toEqual(['RED', 'RED']);
    expect(greenChannel.eligible).toBe(true);
    expect(commitments).toEqual([{ id: commitment.id, state: 'KEPT', kind: { id: 'ACCEPTANCE_WITH_DEFICIENCIES' } }]);
  });
});

describe('scenario: a commitment broken (告知承诺, the pledge was false)', () => {
  it('becomes a credit record, puts the subject on the watch list, bars 告知承诺 and closes the green channel', async () => {
    const before = await ask(DECISION, { code });
    expect(before.data.enterprise.greenChannel.eligible).toBe(true);
    expect(before.data.enterprise.measures.map((m: any) => m.measure.id)).not.toContain('NO-COMMITMENT-APPROVAL');

    const made = await ask(
      MAKE,
      {
        input: {
          code,
          kind: 'NOTIFICATION_APPROVAL',
          matter: '食品经营许可证核发',
          content: '承诺经营场所符合食品安全要求',
          idempotencyKey: 'broken-1',
        },
      },
      MARKET_BUREAU,
    );
    expect(made.errors).toBeUndefined();
    const id = made.data.makeCommitment.id;

    // Breaking one needs a note: what was not done.
    const bare = await ask(
      RESOLVE,
      { input: { id, state: 'BROKEN', idempotencyKey: 'broken-1-check' } },
      MARKET_BUREAU,
    );
    expect(bare.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    const broken = await ask(
      RESOLVE,
      { input: { id, state: 'BROKEN', note: '核查发现经营场所与承诺不符', idempotencyKey: 'broken-1-check' } },
      MARKET_BUREAU,
    );
    expect(broken.errors).toBeUndefined();
    const today = epochToChinaDate(Date.now());
    expect(broken.data.resolveCommitment).toMatchObject({
      state: 'BROKEN',
      resolvedOn: today,
      recordId: `MARKET:${id}`,
    });

    // Once resolved it stays so; the same key with the same step returns it unchanged.
    const retry = await ask(
      RESOLVE,
      { input: { id, state: 'BROKEN', note: '核查发现经营场所与承诺不符', idempotencyKey: 'broken-1-check' } },
      MARKET_BUREAU,
    );
    expect(retry.data.resolveCommitment.state).toBe('BROKEN');
    const flip = await ask(RESOLVE, { input: { id, state: 'KEPT', idempotencyKey: 'broken-1-flip' } }, MARKET_BUREAU);
    expect(flip.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(flip.errors?.[0]?.message).toBe(`Commitment ${id} is already BROKEN`);

    const after = await ask(DECISION, { code });
    expect(after.errors).toBeUndefined();
    const { creditRecords, creditLists, measures, greenChannel } = after.data.enterprise;
    const record = creditRecords.find((r: any) => r.kind === 'BROKEN_COMMITMENT');
    // Its own publicity period (publicity-periods.json): twelve months from the breach.
    const year = Number(today.slice(0, 4));
    expect(record).toMatchObject({
      id: `MARKET:${id}`,
      severity: 'GENERAL',
      state: 'ACTIVE',
      decidedOn: today,
      provenance: { source: 'MARKET', recordId: id },
    });
    expect(record.publishedUntil.slice(0, 4)).toBe(String(year + 1));
    expect(creditLists).toContainEqual({
      list: 'WATCH',
      kind: { id: 'WATCH' },
      name: '信用承诺失信名单',
      records: [{ id: `MARKET:${id}` }],
    });
    expect(measures).toContainEqual({
      measure: { id: 'NO-COMMITMENT-APPROVAL', list: 'BLACK' },
      status: 'IN_FORCE',
      because: [{ id: `MARKET:${id}` }],
    });
    expect(measures).toContainEqual({
      measure: { id: 'WATCH-KEY-SUPERVISION', list: 'WATCH' },
      status: 'IN_FORCE',
      because: [{ id: `MARKET:${id}` }],
    });
    // An exemplary subject, yet the broken commitment closes the channel.
    expect(greenChannel).toEqual({
      eligible: false,
      reason: expect.stringMatching(
        new RegExp(
          `^Closed: credit commitment broken within the last 3 years \\(since \\d{4}-\\d{2}-\\d{2}\\): ${id}$`,
        ),
      ),
    });

    // Analysts see the commitments too; the public sees the record, not the commitments.
    const analyst = await ask(
      'query($code: CreditCode!) { enterprise(code: $code) { commitments { state } } }',
      { code },
      ANALYST,
    );
    expect(analyst.data.enterprise.commitments.map((c: any) => c.state)).toEqual(['KEPT', 'BROKEN']);
    const anonymous = await ask(
      'query($code: CreditCode!) { enterprise(code: $code) { commitments { state } creditRecords { kind } } }',
      { code },
      { anonymous: true },
    );
    expect(anonymous.data.enterprise.commitments).toBeNull();
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHORIZED_FIELD_OR_TYPE');
    expect(anonymous.data.enterprise.creditRecords.map((r: any) => r.kind)).toContain('BROKEN_COMMITMENT');

    // The department can read it back by id.
    const read = await ask(
      'query($id: ID!) { commitment(id: $id) { state history { state note } } }',
      { id },
      MARKET_BUREAU,
    );
    expect(read.data.commitment.history).toEqual([
      { state: 'MADE', note: null },
      { state: 'BROKEN', note: '核查发现经营场所与承诺不符' },
    ]);
  });

  it('refuses a commitment from a caller acting for no department, and unknown kinds', async () => {
    const input = { code, kind: 'NOTIFICATION_APPROVAL', matter: '事项', content: '承诺', idempotencyKey: 'nodept' };
    const nobody = await ask(MAKE, { input }, APPROVAL);
    expect(nobody.errors?.[0]?.extensions?.code).toBe('FORBIDDEN_DEPARTMENT');
    const unknown = await ask(MAKE, { input: { ...input, kind: 'PINKY_SWEAR' } }, MARKET_BUREAU);
    expect(unknown.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const markup = await ask(MAKE, { input: { ...input, content: '<script>' } }, MARKET_BUREAU);
    expect(markup.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const kinds = await ask('{ commitmentKinds { id dueWorkingDays } }', {}, { anonymous: true });
    expect(kinds.data.commitmentKinds).toEqual([
      { id: 'NOTIFICATION_APPROVAL', dueWorkingDays: 20 },
      { id: 'ACCEPTANCE_WITH_DEFICIENCIES', dueWorkingDays: 10 },
      { id: 'REPAIR', dueWorkingDays: 60 },
    ]);
  });
});
