import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PEOPLE, demoCode } from '@credit-gateway/sources';
import type { OutboxMessage } from '@credit-gateway/subgraph-credit';
import { startStack, type As, type Stack } from './support/stack.js';

/** The platform's clock, set by each scenario: the day the rules judge by. */
let clock = new Date();
let stack: Stack;
/** What the platform pushed to departments, in order. */
const pushed: OutboxMessage[] = [];

/** Records what the credit subgraph's real outbox is given, and lets it go on to the outbox. */
function recordEnqueued(): void {
  const outbox = stack.creditOutbox;
  const enqueue = outbox.enqueue.bind(outbox);
  outbox.enqueue = (messages) => {
    pushed.push(...messages);
    return enqueue(messages);
  };
}

/** The court records of the partial debtor, and the day it was listed. */
const DEBTOR_RECORD = 'COURTS:1503212086';
const RESTRICTION_RECORD = 'COURTS:5001122023000001234';
const LISTED_ON = '2023-08-21';
let storeDir: string;

/**
 * The store of an earlier release: it holds the platform's repairs of both court records of the
 * partial debtor, recorded by a repair office 12 days after the listing, before the platform
 * refused them (format 1, before the hash chain).
 */
async function earlierStore(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'credit-repair-e2e-'));
  const repairedOn = addDays(LISTED_ON, 12);
  const lines = [DEBTOR_RECORD, RESTRICTION_RECORD].map((recordId, i) =>
    JSON.stringify({
      position: i + 1,
      stream: `repair/REP-LEGACY-${i + 1}`,
      version: 1,
      idempotencyKey: JSON.stringify(['repair-office', `legacy-${i + 1}`]),
      recordedAt: `${repairedOn}T04:00:00.000Z`,
      data: {
        type: 'REPAIR_RECORDED',
        id: `REP-LEGACY-${i + 1}`,
        code: demoCode('partial-debtor'),
        recordId,
        basis: '已部分履行',
        by: 'repair-office',
        repairedOn,
        at: `${repairedOn}T04:00:00.000Z`,
      },
    }),
  );
  await writeFile(join(dir, 'events.jsonl'), `${lines.join('\n')}\n`);
  return dir;
}

beforeAll(async () => {
  storeDir = await earlierStore();
  stack = await startStack({
    populationSize: 200,
    creditOptions: { now: () => clock },
    creditEnv: {
      CREDIT_STORE_DIR: storeDir,
      CREDIT_PERSON_INDEX_KEY: 'a-test-key-of-at-least-thirty-two-characters',
    },
  });
  recordEnqueued();
});
afterAll(async () => {
  await stack?.close();
  if (storeDir) await rm(storeDir, { recursive: true, force: true });
});

/** Noon in China on a China date. */
function chinaNoon(date: string): Date {
  return new Date(`${date}T04:00:00.000Z`);
}

function addDays(date: string, days: number): string {
  const day = new Date(`${date}T00:00:00.000Z`);
  day.setUTCDate(day.getUTCDate() + days);
  return day.toISOString().slice(0, 10);
}

const AUDITOR: As = { tier: 'GOVERNMENT', client: 'credit-office', purpose: 'CREDIT_REPAIR' };
/** 信用中国's intake window: takes applications in, owns no record. */
const WINDOW: As = { tier: 'GOVERNMENT', client: 'xinyong-window', purpose: 'CREDIT_REPAIR' };
const MARKET: As = { ...WINDOW, client: 'tianjin-amr', department: 'MARKET' };
const TAX: As = { ...WINDOW, client: 'tianjin-tax', department: 'TAX' };
const COURTS: As = { ...WINDOW, client: 'tianjin-court', department: 'COURTS' };
const codesOf = (body: { errors?: any[] }) => body.errors?.map((e) => e.extensions?.code);

async function ask(query: string, variables: Record<string, unknown>, as: As = AUDITOR) {
  const { status, body } = await stack.query(query, variables, as);
  expect(status).toBe(200);
  return body;
}

const PROFILE = /* GraphQL */ `
  query Profile($code: CreditCode!) {
    enterprise(code: $code) {
      creditRecords {
        id
        kind
        state
        decidedOn
        repairedOn
      }
      creditLists {
        name
      }
      consumption: measures(context: HIGH_CONSUMPTION) {
        measure {
          id
        }
        status
      }
      procurement: measures(context: GOVERNMENT_PROCUREMENT) {
        measure {
          id
        }
        status
      }
      bidding: measures(context: PUBLIC_BIDDING) {
        measure {
          id
        }
        status
      }
    }
  }
`;

function measureIds(enterprise: any): string[] {
  return [...enterprise.consumption, ...enterprise.procurement, ...enterprise.bidding]
    .map((m: any) => m.measure.id)
    .sort();
}

describe('the finding: a platform repair of a court 失信被执行人 record, 12 days after listing', () => {
  it('never lifts what the courts still list, even when the store holds such a repair from before', async () => {
    const code = demoCode('partial-debtor');
    clock = chinaNoon(addDays(LISTED_ON, 12));
    const body = await ask(PROFILE, { code });
    expect(body.errors).toBeUndefined();
    expect(measureIds(body.data.enterprise)).toEqual(
      expect.arrayContaining([
        'DEBTOR-BIDDING',
        'PROCUREMENT-BAN',
        ...Array.from({ length: 9 }, (_, i) => `RESTRICT-${i + 1}`),
      ]),
    );
    expect(body.data.enterprise.creditLists.map((l: any) => l.name)).toEqual(
      expect.arrayContaining(['失信被执行人名单', '限制消费被执行人名单']),
    );
    const states = body.data.enterprise.creditRecords
      .filter((r: any) => r.id === DEBTOR_RECORD || r.id === RESTRICTION_RECORD)
      .map((r: any) => [r.kind, r.state, r.repairedOn]);
    expect(states).toEqual([
      ['DISHONEST_JUDGMENT_DEBTOR', 'ACTIVE', null],
      ['CONSUMPTION_RESTRICTION', 'ACTIVE', null],
    ]);
    // The earlier repairs still load, as history.
    const repairs = await ask(
      'query($code: CreditCode!) { enterprise(code: $code) { repairs { id recordId status legacy repairedOn by } } }',
      { code },
    );
    expect(repairs.data.enterprise.repairs).toEqual([
      {
        id: 'REP-LEGACY-1',
        recordId: DEBTOR_RECORD,
        status: 'GRANTED',
        legacy: true,
        repairedOn: '2023-09-02',
        by: 'repair-office',
      },
      {
        id: 'REP-LEGACY-2',
        recordId: RESTRICTION_RECORD,
        status: 'GRANTED',
        legacy: true,
        repairedOn: '2023-09-02',
        by: 'repair-office',
      },
    ]);
  });
});

const REPAIR_FIELDS = `id code recordId department status basis correction commitment appliedBy appliedAt acceptedAt
  dueOn decidedAt decidedWithinTarget overdue reason repairedOn by legacy conditions { condition met detail }`;
const APPLY = `mutation($input: RepairApplicationInput!) { applyForRepair(input: $input) { ${REPAIR_FIELDS} } }`;
const ACCEPT = `mutation($input: RepairStepInput!) { acceptRepair(input: $input) { ${REPAIR_FIELDS} } }`;
const DECIDE = `mutation($input: RepairDecisionInput!) { decideRepair(input: $input) { ${REPAIR_FIELDS} } }`;
const RECORDS = `query($code: CreditCode!) { enterprise(code: $code) {
  creditRecords { id kind state repairedOn } creditLists { name }
  licensing: measures(context: ADMINISTRATIVE_LICENSING) { measure { id } }
} }`;

const PENALTY = 'MARKET:PEN120116000503';
const LISTING = 'MARKET:ILL120116000502';
const COMMITMENT = '本企业承诺依法诚信经营，如再次违法自愿接受惩戒';
const CORRECTION = '整改报告 津滨市监整改〔2024〕11号';

describe('scenario: a repair refused for a court record and one granted for a penalty', () => {
  const code = demoCode('serious-illegal');

  it('refuses any repair of a court record, for every department, the courts included', async () => {
    clock = chinaNoon('2024-03-01');
    const { data } = await ask(RECORDS, { code }, AUDITOR);
    const court = data.enterprise.creditRecords.find((r: any) => r.kind === 'DISHONEST_JUDGMENT_DEBTOR');
    for (const as of [WINDOW, COURTS, MARKET]) {
      const body = await ask(
        APPLY,
        {
          input: {
            code,
            recordId: court.id,
            basis: '已履行',
            correction: CORRECTION,
            commitment: COMMITMENT,
            idempotencyKey: `court-${as.client}`,
          },
        },
        as,
      );
      expect(codesOf(body)).toEqual(['RECORD_NOT_REPAIRABLE']);
      expect(body.errors![0].extensions.basis).toContain('最高人民法院');
    }
  });

  it('refuses an application short of its conditions, and names them', async () => {
    clock = chinaNoon('2022-10-10');
    await ask(RECORDS, { code }, AUDITOR);
    const early = await ask(
      APPLY,
      {
        input: { code, recordId: PENALTY, basis: '已整改', correction: CORRECTION, idempotencyKey: 'early-1' },
      },
      WINDOW,
    );
    expect(codesOf(early)).toEqual(['REPAIR_CONDITIONS_NOT_MET']);
    expect(early.errors![0].extensions.unmet).toEqual(['MINIMUM_PUBLICITY_SERVED', 'REPAIR_COMMITMENT']);
    expect(early.errors![0].extensions.conditions[0]).toEqual({
      condition: 'MINIMUM_PUBLICITY_SERVED',
      met: false,
      detail: 'not before 2023-08-15',
    });
  });

  it('grants a penalty repair by the owning department within 3 working days; the record stops being published and shared', async () => {
    clock = chinaNoon('2024-03-01');
    await ask(RECORDS, { code }, AUDITOR);
    const input = {
      code,
      recordId: PENALTY,
      basis: '已整改并恢复联系',
      correction: CORRECTION,
      commitment: COMMITMENT,
      idempotencyKey: 'pen-1',
    };
    const applied = await ask(APPLY, { input }, WINDOW);
    expect(applied.errors).toBeUndefined();
    const id = applied.data.applyForRepair.id;
    expect(applied.data.applyForRepair).toMatchObject({
      department: 'MARKET',
      status: 'APPLIED',
      appliedBy: 'xinyong-window',
      dueOn: '2024-03-06',
      overdue: false,
      decidedWithinTarget: null,
      legacy: false,
    });
    expect(applied.data.applyForRepair.conditions.map((c: any) => [c.condition, c.met])).toEqual([
      ['MINIMUM_PUBLICITY_SERVED', true],
      ['CORRECTION_SHOWN', true],
      ['REPAIR_COMMITMENT', true],
    ]);
    // The same key gives the same application; a second application for the record is refused.
    expect((await ask(APPLY, { input }, WINDOW)).data.applyForRepair.id).toBe(id);
    expect(codesOf(await ask(APPLY, { input: { ...input, idempotencyKey: 'pen-2' } }, WINDOW))).toEqual([
      'BAD_USER_INPUT',
    ]);

    // 谁认定、谁修复: neither the window nor another department accepts or decides it.
    for (const as of [WINDOW, TAX]) {
      expect(codesOf(await ask(ACCEPT, { input: { id, idempotencyKey: 'a-x' } }, as))).toEqual([
        'FORBIDDEN_DEPARTMENT',
      ]);
      expect(codesOf(await ask(DECIDE, { input: { id, decision: 'GRANTED', idempotencyKey: 'd-x' } }, as))).toEqual([
        'FORBIDDEN_DEPARTMENT',
      ]);
    }
    // Decided only once accepted.
    expect(codesOf(await ask(DECIDE, { input: { id, decision: 'GRANTED', idempotencyKey: 'd-0' } }, MARKET))).toEqual([
      'BAD_USER_INPUT',
    ]);
    const accepted = await ask(ACCEPT, { input: { id, idempotencyKey: 'a-1' } }, MARKET);
    expect(accepted.data.acceptRepair.status).toBe('ACCEPTED');
    clock = chinaNoon('2024-03-05');
    const granted = await ask(DECIDE, { input: { id, decision: 'GRANTED', idempotencyKey: 'd-1' } }, MARKET);
    expect(granted.errors).toBeUndefined();
    expect(granted.data.decideRepair).toMatchObject({
      status: 'GRANTED',
      repairedOn: '2024-03-05',
      by: 'tianjin-amr',
      decidedWithinTarget: true,
      overdue: false,
    });

    // The owner still sees it, marked; another department and the public no longer do.
    const owner = await ask(RECORDS, { code }, MARKET);
    expect(owner.data.enterprise.creditRecords).toContainEqual({
      id: PENALTY,
      kind: 'ADMINISTRATIVE_PENALTY',
      state: 'REPAIRED',
      repairedOn: '2024-03-05',
    });
    for (const as of [TAX, { anonymous: true }] as As[]) {
      const other = await ask(RECORDS, { code }, as);
      expect(other.data.enterprise.creditRecords.map((r: any) => r.id)).not.toContain(PENALTY);
    }
  });

  it('lifts the measures of a repaired listing and withdraws the pushed cases through the outbox', async () => {
    clock = chinaNoon('2024-03-11');
    const before = await ask(RECORDS, { code }, MARKET);
    expect(before.data.enterprise.creditLists.map((l: any) => l.name)).toContain('严重违法失信名单');
    const applied = await ask(
      APPLY,
      {
        input: {
          code,
          recordId: LISTING,
          basis: '已履行全部义务',
          correction: CORRECTION,
          commitment: COMMITMENT,
          idempotencyKey: 'ill-1',
        },
      },
      WINDOW,
    );
    const id = applied.data.applyForRepair.id;
    await ask(ACCEPT, { input: { id, idempotencyKey: 'a-1' } }, MARKET);
    // Decided late: the target was 2024-03-14.
    clock = chinaNoon('2024-03-20');
    await ask(RECORDS, { code }, MARKET);
    pushed.length = 0;
    const granted = await ask(
      DECIDE,
      { input: { id, decision: 'GRANTED', reason: '经核查已整改', idempotencyKey: 'd-1' } },
      MARKET,
    );
    expect(granted.data.decideRepair).toMatchObject({ status: 'GRANTED', decidedWithinTarget: false });

    const after = await ask(RECORDS, { code }, MARKET);
    expect(after.data.enterprise.creditLists.map((l: any) => l.name)).not.toContain('严重违法失信名单');
    expect(after.data.enterprise.creditRecords).toContainEqual({
      id: LISTING,
      kind: 'SERIOUS_ILLEGAL_LIST',
      state: 'REPAIRED',
      repairedOn: '2024-03-20',
    });
    expect(pushed.length).toBeGreaterThan(0);
    expect(new Set(pushed.map((m) => m.topic))).toEqual(new Set(['case.withdrawn']));
    const measures = pushed.flatMap((m) => m.payload['measures'] as string[]);
    expect(measures).toEqual(
      expect.arrayContaining(['STRICT-LICENSING', 'NO-COMMITMENT-APPROVAL', 'DISHONESTY-HONOURS']),
    );
    expect(pushed.every((m) => m.payload['recordId'] === LISTING && m.payload['repairId'] === id)).toBe(true);
    expect(new Set(pushed.map((m) => m.idempotencyKey)).size).toBe(pushed.length);

    // The loop's case for the listing is withdrawn: nothing is due on it any more.
    const cases = await ask(
      `query($code: CreditCode!) { enterprise(code: $code) { jointCases { id listName recordIds overdue
        withdrawal { reason repairId recordId } } } }`,
      { code },
      MARKET,
    );
    expect(cases.errors).toBeUndefined();
    const listingCases = cases.data.enterprise.jointCases.filter((c: any) => c.recordIds.includes(LISTING));
    expect(listingCases.length).toBeGreaterThan(0);
    for (const c of listingCases) {
      expect(c).toMatchObject({
        overdue: false,
        withdrawal: { reason: 'CREDIT_REPAIR', repairId: id, recordId: LISTING },
      });
    }
    expect(new Set(pushed.map((m) => m.payload['caseId']))).toEqual(new Set(listingCases.map((c: any) => c.id)));

    // A retry of the decision pushes the same keys again, which the outbox deduplicates.
    const keys = pushed.map((m) => m.idempotencyKey);
    await ask(DECIDE, { input: { id, decision: 'GRANTED', reason: '经核查已整改', idempotencyKey: 'd-1' } }, MARKET);
    expect(pushed.slice(keys.length).map((m) => m.idempotencyKey)).toEqual(keys);
  });

  it('refuses with a reason, and shows analysts each department against the 3-working-day target', async () => {
    clock = chinaNoon('2024-03-21');
    const { data } = await ask(RECORDS, { code }, MARKET);
    const abnormal = data.enterprise.creditRecords.find((r: any) => r.kind === 'ABNORMAL_OPERATIONS');
    const applied = await ask(
      APPLY,
      {
        input: {
          code,
          recordId: abnormal.id,
          basis: '已变更住所',
          correction: '住所变更登记通知书',
          commitment: COMMITMENT,
          idempotencyKey: 'abn-1',
        },
      },
      WINDOW,
    );
    expect(applied.errors).toBeUndefined();
    const id = applied.data.applyForRepair.id;
    await ask(ACCEPT, { input: { id, idempotencyKey: 'a-1' } }, MARKET);
    const noReason = await ask(DECIDE, { input: { id, decision: 'REFUSED', idempotencyKey: 'r-0' } }, MARKET);
    expect(codesOf(noReason)).toEqual(['BAD_USER_INPUT']);
    const refused = await ask(
      DECIDE,
      { input: { id, decision: 'REFUSED', reason: '住所仍无法联系', idempotencyKey: 'r-1' } },
      MARKET,
    );
    expect(refused.data.decideRepair).toMatchObject({ status: 'REFUSED', reason: '住所仍无法联系', repairedOn: null });
    // The record stays as it was.
    const after = await ask(RECORDS, { code }, MARKET);
    expect(after.data.enterprise.creditRecords).toContainEqual({ ...abnormal, state: 'ACTIVE' });

    const timeliness = await ask(
      '{ repairTimeliness { department applications decided decidedWithinTarget late overdue medianWorkingDays } }',
      {},
      { tier: 'ANALYST', client: 'analyst', purpose: null },
    );
    expect(timeliness.errors).toBeUndefined();
    const market = timeliness.data.repairTimeliness.find((r: any) => r.department === 'MARKET');
    expect(market).toEqual({
      department: 'MARKET',
      applications: 3,
      decided: 3,
      decidedWithinTarget: 2,
      late: 1,
      overdue: 0,
      // 2 (03-01 to 03-05), 7 (03-11 to 03-20), 0 (refused the day it was filed)
      medianWorkingDays: 2,
    });
    // Nothing on the court's row: court records are never repaired here, and the legacy repairs have no target.
    expect(timeliness.data.repairTimeliness.map((r: any) => r.department)).not.toContain('COURTS');
  });
});

const OBJECTION_FIELDS = 'id code recordId department status dueOn overdue decidedAt decidedWithinTarget resolution';
const FILE = `mutation($input: FileObjectionInput!) { fileObjection(input: $input) { ${OBJECTION_FIELDS} } }`;
const ADVANCE = `mutation($input: AdvanceObjectionInput!) { advanceObjection(input: $input) { ${OBJECTION_FIELDS} } }`;
const OBJECTION = `query($id: ID!) { objection(id: $id) { ${OBJECTION_FIELDS} } }`;
const FISCAL = `query($code: CreditCode!) { enterprise(code: $code) {
  creditRecords { id kind state }
  measures(context: FISCAL_FUNDS) { measure { id } status objectionId }
} }`;

describe('scenario: an objection routed to the department that supplied the record', () => {
  const HR: As = {
    tier: 'GOVERNMENT',
    client: 'nanshan-hr-bureau',
    purpose: 'CREDIT_OBJECTION',
    department: 'SOCIAL_SECURITY',
  };

  it('filed by the subject through a consenting AUTHORIZED client, pushed to the owner, decided within 5 working days', async () => {
    clock = chinaNoon('2026-09-21');
    const code = demoCode('wage-arrears');
    const { data } = await ask(FISCAL, { code }, AUDITOR);
    const record = data.enterprise.creditRecords.find((r: any) => r.kind === 'WAGE_ARREARS');
    expect(record.state).toBe('ACTIVE');
    expect(data.enterprise.measures.map((m: any) => [m.measure.id, m.status])).toContainEqual([
      'WAGE-ARREARS-LIMITS',
      'IN_FORCE',
    ]);

    const agent = 'credit-easy-lender';
    const consent = await stack.consent({
      subject: code,
      grantee: agent,
      purpose: 'CREDIT_OBJECTION',
      groups: ['CREDIT_OBJECTION'],
    });
    const subject: As = { tier: 'AUTHORIZED', client: agent, purpose: 'CREDIT_OBJECTION', consents: [consent] };
    pushed.length = 0;
    const filed = await ask(
      FILE,
      { input: { code, recordId: record.id, reason: '工资已于8月结清', idempotencyKey: 'wage-1' } },
      subject,
    );
    expect(filed.errors).toBeUndefined();
    const objection = filed.data.fileObjection;
    // Filed Monday 2026-09-21: five working days later, 中秋 (Friday 09-25) not counted.
    expect(objection).toMatchObject({
      department: 'SOCIAL_SECURITY',
      status: 'RECEIVED',
      dueOn: '2026-09-29',
      overdue: false,
      decidedAt: null,
    });
    expect(pushed).toEqual([
      {
        department: 'SOCIAL_SECURITY',
        topic: 'objection.filed',
        idempotencyKey: `objection.filed/${objection.id}`,
        payload: {
          objectionId: objection.id,
          code,
          recordId: record.id,
          reason: '工资已于8月结清',
          filedAt: clock.toISOString(),
          dueOn: '2026-09-29',
        },
      },
    ]);

    // While it is open the measures resting on the record are suspended (暂不执行).
    const open = await ask(FISCAL, { code }, AUDITOR);
    expect(open.data.enterprise.measures).toContainEqual({
      measure: { id: 'WAGE-ARREARS-LIMITS' },
      status: 'SUSPENDED',
      objectionId: objection.id,
    });
    // Only the department that supplied the record acknowledges and decides.
    const verify = { id: objection.id, status: 'VERIFYING', idempotencyKey: 'v-1' };
    expect(codesOf(await ask(ADVANCE, { input: verify }, { ...HR, client: 'tax-bureau', department: 'TAX' }))).toEqual([
      'FORBIDDEN_DEPARTMENT',
    ]);
    expect((await ask(ADVANCE, { input: verify }, HR)).data.advanceObjection.status).toBe('VERIFYING');
    // The subject follows it through its client.
    expect((await ask(OBJECTION, { id: objection.id }, subject)).data.objection).toMatchObject({
      status: 'VERIFYING',
      overdue: false,
    });

    clock = chinaNoon('2026-09-28');
    const upheld = await ask(
      ADVANCE,
      { input: { id: objection.id, status: 'UPHELD', note: '经核查仍欠薪', idempotencyKey: 'u-1' } },
      HR,
    );
    expect(upheld.data.advanceObjection).toMatchObject({ status: 'UPHELD', decidedWithinTarget: true, overdue: false });
    const after = await ask(FISCAL, { code }, AUDITOR);
    expect(after.data.enterprise.measures).toContainEqual({
      measure: { id: 'WAGE-ARREARS-LIMITS' },
      status: 'IN_FORCE',
      objectionId: null,
    });
  });

  it('shows an objection overdue past 5 working days, and decided late', async () => {
    clock = chinaNoon('2026-09-29');
    const code = demoCode('wage-arrears');
    const { data } = await ask(FISCAL, { code }, AUDITOR);
    const record = data.enterprise.creditRecords.find((r: any) => r.kind === 'WAGE_ARREARS');
    const filed = await ask(
      FILE,
      { input: { code, recordId: record.id, reason: '金额有误', idempotencyKey: 'wage-2' } },
      { tier: 'GOVERNMENT', client: 'approval-system', purpose: 'CREDIT_OBJECTION' },
    );
    const objection = filed.data.fileObjection;
    // Filed Tuesday 2026-09-29: 国庆 falls in between (data/holidays.json).
    expect(objection.dueOn > '2026-10-06').toBe(true);
    clock = chinaNoon(addDays(objection.dueOn, 1));
    expect((await ask(OBJECTION, { id: objection.id }, HR)).data.objection).toMatchObject({
      status: 'RECEIVED',
      overdue: true,
    });
    await ask(ADVANCE, { input: { id: objection.id, status: 'VERIFYING', idempotencyKey: 'v-2' } }, HR);
    const corrected = await ask(
      ADVANCE,
      { input: { id: objection.id, status: 'CORRECTED', note: '欠薪金额已更正', idempotencyKey: 'c-2' } },
      HR,
    );
    expect(corrected.data.advanceObjection).toMatchObject({
      status: 'CORRECTED',
      overdue: false,
      decidedWithinTarget: false,
      resolution: '欠薪金额已更正',
    });
  });
});

describe('scenario: punishment reaches the people, durably (落实到人)', () => {
  const PERSON = 'query($id: IdNumber!) { person(idNumber: $id) { representedDishonesty { list name code } } }';

  it('shows a finance officer and a legal representative their enterprises’ lists across a restart, ID numbers never stored in the clear', async () => {
    clock = new Date();
    const officer = DEMO_PEOPLE.taxFinanceOfficer.idNumber;
    const representative = DEMO_PEOPLE.partialDebtorRepresentative.idNumber;
    const violator = demoCode('major-tax-violator');
    const debtor = demoCode('partial-debtor');
    // Nobody checked yet: the officer's record names no list.
    await stack.restartCredit();
    expect((await ask(PERSON, { id: officer })).data.person.representedDishonesty).toEqual([]);
    for (const code of [violator, debtor])
      await ask('query($code: CreditCode!) { enterprise(code: $code) { creditLists { name } } }', { code });
    const before = {
      officer: (await ask(PERSON, { id: officer })).data.person.representedDishonesty,
      representative: (await ask(PERSON, { id: representative })).data.person.representedDishonesty,
    };
    expect(before.officer).toContainEqual({ list: 'BLACK', name: '重大税收违法失信主体名单', code: violator });
    expect(before.representative).toContainEqual({ list: 'BLACK', name: '失信被执行人名单', code: debtor });

    // A new process on the same store knows them before any enterprise is checked again.
    await stack.restartCredit();
    expect((await ask(PERSON, { id: officer })).data.person.representedDishonesty).toEqual(before.officer);
    expect((await ask(PERSON, { id: representative })).data.person.representedDishonesty).toEqual(
      before.representative,
    );
    const stored = await readFile(join(stack.creditStoreDir, 'events.jsonl'), 'utf8');
    expect(stored).toContain('PEOPLE_INDEXED');
    expect(stored).not.toContain(officer);
    expect(stored).not.toContain(representative);
    // And the measures those lists carry reach the representative.
    const measures = await ask(
      'query($id: IdNumber!) { person(idNumber: $id) { representedMeasures(context: HIGH_CONSUMPTION) { measure { id } status } } }',
      { id: representative },
    );
    expect(measures.errors).toBeUndefined();
    expect(measures.data.person.representedMeasures.map((m: any) => m.measure.id)).toEqual(
      Array.from({ length: 9 }, (_, i) => `RESTRICT-${i + 1}`),
    );
  });
});
