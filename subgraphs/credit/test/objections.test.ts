import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '@credit-gateway/common';
import type { CreditStore } from '../src/models.js';
import { openCreditStore, objectionView, type Caller } from '../src/store/index.js';
import { decidedWithinTarget, isRepairOverdue } from '../src/store/repairs.js';
import { tempDir } from './store-support.js';

const SME = '91500155MA5UQ01CXD';
const DEBTOR = '91500112MA60YD7K76';
const RECORD = 'COURTS:(2023)渝0112执1234号';

const department: Caller = { tier: 'GOVERNMENT', client: 'court-enforcement-office', consents: {} };
const lender = (consents: Caller['consents'] = { [DEBTOR]: ['CREDIT_OBJECTION'] }): Caller => ({
  tier: 'AUTHORIZED',
  client: 'xinyidai-bank',
  consents,
});

/** Tuesday 29 September 2026, 10:00 in China: the day before 国庆. */
const FILED = new Date('2026-09-29T02:00:00.000Z');
const at = (iso: string) => new Date(iso);

/** The error's code and message, or 'no error'. */
/** A repair of TAX:ARREARS-7 applied for, accepted and granted at `when`. */
async function grant(store: CreditStore, when: Date) {
  const met = [{ condition: 'REPAIR_COMMITMENT', met: true, detail: 'commitment made' }];
  const { id } = await store.repairs.applyFor(
    'credit-window',
    { code: DEBTOR, recordId: 'TAX:ARREARS-7', basis: '已缴清', commitment: '承诺', idempotencyKey: 'r' },
    { kind: 'TAX_ARREARS', department: 'TAX' },
    met,
    when,
  );
  await store.repairs.accept('tax-office', id, 'a', when);
  return store.repairs.decide('tax-office', { id, decision: 'GRANTED', idempotencyKey: 'd' }, met, when);
}

async function failure(promise: Promise<unknown>): Promise<{ code: unknown; message: string; extensions: unknown }> {
  try {
    await promise;
  } catch (error) {
    const { code, message, extensions } = error as { code: unknown; message: string; extensions: unknown };
    return { code, message, extensions };
  }
  throw new Error('expected the call to fail');
}

describe('objections and repairs', () => {
  let dir: string;
  let remove: () => Promise<void>;
  let store: CreditStore;

  beforeEach(async () => {
    ({ dir, remove } = await tempDir());
    store = await openCreditStore({ dir }, silentLogger());
  });

  afterEach(async () => {
    await store.close();
    await remove();
  });

  const file = (
    caller: Caller,
    overrides: Partial<{ code: string; recordId: string; reason: string; key: string }> = {},
  ) =>
    store.objections.file(
      caller,
      {
        code: overrides.code ?? DEBTOR,
        recordId: overrides.recordId ?? RECORD,
        reason: overrides.reason ?? '已全部履行, 法院未及时屏蔽',
        idempotencyKey: overrides.key ?? 'objection-1',
      },
      FILED,
    );

  describe('filing', () => {
    it('by the subject, through a client it authorized: due 5 working days later, across 国庆', async () => {
      const objection = await file(lender());
      expect(objectionView(objection, '2026-09-29')).toEqual({
        id: expect.stringMatching(/^OBJ-[0-9A-F]{20}$/) as string,
        code: DEBTOR,
        recordId: RECORD,
        reason: '已全部履行, 法院未及时屏蔽',
        status: 'RECEIVED',
        filedBy: DEBTOR,
        filedAt: '2026-09-29T02:00:00.000Z',
        // 09-30, then 10-08, 10-09, 10-10 (a Saturday worked), 10-12.
        dueOn: '2026-10-12',
        overdue: false,
        resolution: null,
        history: [{ status: 'RECEIVED', at: '2026-09-29T02:00:00.000Z', by: DEBTOR, note: null }],
      });
      expect(store.objections.get(objection.id)).toEqual(objection);
    });

    it('by a government department for any subject, in its own name', async () => {
      const objection = await file(department, { code: SME, recordId: 'MARKET:PEN-2025-001' });
      expect({ filedBy: objection.filedBy, code: objection.code }).toEqual({
        filedBy: 'court-enforcement-office',
        code: SME,
      });
    });

    it('counts from the China date of filing', async () => {
      // 01:00 on 30 September in China.
      const late = await store.objections.file(
        department,
        { code: DEBTOR, recordId: RECORD, reason: '有误', idempotencyKey: 'late' },
        at('2026-09-29T17:00:00.000Z'),
      );
      expect(late.dueOn).toBe('2026-10-13');
    });

    it('needs the subject consent CREDIT_OBJECTION from an AUTHORIZED caller', async () => {
      expect(await failure(file(lender({})))).toMatchInlineSnapshot(`
        {
          "code": "CONSENT_REQUIRED",
          "extensions": {
            "code": "CONSENT_REQUIRED",
            "consent": "CREDIT_OBJECTION",
            "subject": "91500112MA60YD7K76",
          },
          "message": "To file an objection needs the subject's consent for CREDIT_OBJECTION",
        }
      `);
      // A consent of another subject, or for another group, does not count.
      expect((await failure(file(lender({ [SME]: ['CREDIT_OBJECTION'], [DEBTOR]: ['TAX_CREDIT'] })))).code).toBe(
        'CONSENT_REQUIRED',
      );
    });

    it('is not for other tiers', async () => {
      for (const tier of ['PUBLIC', 'JUDICIAL', 'ANALYST'] as const) {
        expect(await failure(file({ tier, client: 'someone', consents: { [DEBTOR]: ['CREDIT_OBJECTION'] } }))).toEqual({
          code: 'UNAUTHORIZED_FIELD_OR_TYPE',
          message: 'Not authorized to file an objection',
          extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE', field: 'file an objection' },
        });
      }
    });

    it('reports every problem with the input at once', async () => {
      expect(await failure(file(department, { recordId: 'penalty 1', reason: '  ', key: '' }))).toMatchInlineSnapshot(`
        {
          "code": "BAD_USER_INPUT",
          "extensions": {
            "code": "BAD_USER_INPUT",
            "problems": [
              "recordId must name a credit record as SOURCE:id, with SOURCE one of MARKET, TAX, COURTS, SOCIAL_SECURITY, PROCUREMENT (at most 200 characters)",
              "reason must not be empty",
              "idempotencyKey must not be empty",
            ],
          },
          "message": "Invalid input: recordId must name a credit record as SOURCE:id, with SOURCE one of MARKET, TAX, COURTS, SOCIAL_SECURITY, PROCUREMENT (at most 200 characters); reason must not be empty; idempotencyKey must not be empty",
        }
      `);
      expect((await failure(file(department, { reason: 'bell \u0007' }))).message).toBe(
        'Invalid input: reason holds control characters or broken Unicode',
      );
    });

    it('is idempotent per client: the same key and input give the same objection, once', async () => {
      const first = await file(lender());
      const again = await file(lender());
      expect(again).toEqual(first);
      expect(store.events.read(`objection/${first.id}`)).toHaveLength(1);
      // Another client's key of the same name is its own.
      const other = await file(department, { recordId: 'TAX:VIOLATION-9' });
      expect(other.id).not.toBe(first.id);
    });

    it('refuses a key used again for another input', async () => {
      const first = await file(lender());
      expect(await failure(file(lender(), { reason: '另一个理由' }))).toEqual({
        code: 'BAD_USER_INPUT',
        message: `idempotencyKey 'objection-1' was already used for another objection (${first.id})`,
        extensions: { code: 'BAD_USER_INPUT', field: 'idempotencyKey' },
      });
    });

    it('files concurrent retries once', async () => {
      const results = await Promise.all([file(lender()), file(lender()), file(lender())]);
      expect(new Set(results.map((o) => o.id)).size).toBe(1);
      expect(store.objections.forSubject(DEBTOR)).toHaveLength(1);
    });

    it('allows one open objection per record', async () => {
      const first = await file(lender());
      expect(await failure(file(department, { key: 'dept-1' }))).toEqual({
        code: 'BAD_USER_INPUT',
        message: `Record ${RECORD} already has an open objection (${first.id})`,
        extensions: { code: 'BAD_USER_INPUT', objectionId: first.id },
      });
    });
  });

  describe('handling', () => {
    const advance = (
      id: string,
      status: 'VERIFYING' | 'CORRECTED' | 'REVOKED' | 'UPHELD' | 'RECEIVED',
      key: string,
      note?: string,
      caller = department,
    ) =>
      store.objections.advance(
        caller,
        { id, status, idempotencyKey: key, note: note ?? null },
        at('2026-10-09T01:00:00.000Z'),
      );

    it('goes RECEIVED → VERIFYING → a final state, with its history and resolution', async () => {
      const { id } = await file(lender());
      await advance(id, 'VERIFYING', 'step-1', '已转执行法院核查');
      const closed = await advance(id, 'REVOKED', 'step-2', '执行完毕, 撤销失信记录');
      expect({ status: closed.status, resolution: closed.resolution, history: closed.history }).toEqual({
        status: 'REVOKED',
        resolution: '执行完毕, 撤销失信记录',
        history: [
          { status: 'RECEIVED', at: '2026-09-29T02:00:00.000Z', by: DEBTOR, note: null },
          {
            status: 'VERIFYING',
            at: '2026-10-09T01:00:00.000Z',
            by: 'court-enforcement-office',
            note: '已转执行法院核查',
          },
          {
            status: 'REVOKED',
            at: '2026-10-09T01:00:00.000Z',
            by: 'court-enforcement-office',
            note: '执行完毕, 撤销失信记录',
          },
        ],
      });
    });

    it('refuses a step the status machine does not have, saying what may come next', async () => {
      const { id } = await file(lender());
      expect(await failure(advance(id, 'CORRECTED', 'skip', 'too early'))).toEqual({
        code: 'BAD_USER_INPUT',
        message: `Objection ${id} is RECEIVED: it can only become VERIFYING, not CORRECTED`,
        extensions: { code: 'BAD_USER_INPUT', field: 'status', status: 'RECEIVED' },
      });
      await advance(id, 'VERIFYING', 'v');
      expect((await failure(advance(id, 'VERIFYING', 'v-again'))).message).toBe(
        `Objection ${id} is VERIFYING: it can only become CORRECTED, REVOKED, UPHELD, not VERIFYING`,
      );
      expect((await failure(advance(id, 'RECEIVED', 'back'))).message).toBe(
        `Objection ${id} is VERIFYING: it can only become CORRECTED, REVOKED, UPHELD, not RECEIVED`,
      );
      expect((await failure(advance(id, 'UPHELD', 'no-note'))).message).toBe(
        `Closing objection ${id} as UPHELD needs a note: the resolution`,
      );
      await advance(id, 'UPHELD', 'u', '记录无误, 维持');
      expect((await failure(advance(id, 'CORRECTED', 'after', 'x'))).message).toBe(
        `Objection ${id} is UPHELD: it is closed, not CORRECTED`,
      );
    });

    it('is for government departments only', async () => {
      const { id } = await file(lender());
      expect((await failure(advance(id, 'VERIFYING', 'v', undefined, lender()))).code).toBe(
        'UNAUTHORIZED_FIELD_OR_TYPE',
      );
      expect((await failure(advance('OBJ-NONE', 'VERIFYING', 'v'))).message).toBe("No objection has id 'OBJ-NONE'");
    });

    it('is idempotent: the same key and step give the objection, another step with it is refused', async () => {
      const { id } = await file(lender());
      const first = await advance(id, 'VERIFYING', 'step-1', '核查中');
      expect(await advance(id, 'VERIFYING', 'step-1', '核查中')).toEqual(first);
      expect(store.events.read(`objection/${id}`)).toHaveLength(2);
      expect(await failure(advance(id, 'VERIFYING', 'step-1', '另一个备注'))).toEqual({
        code: 'BAD_USER_INPUT',
        message: `idempotencyKey 'step-1' was already used for another step of objection ${id}`,
        extensions: { code: 'BAD_USER_INPUT', field: 'idempotencyKey' },
      });
      // Retried after the objection moved on: still the answer to that request.
      await advance(id, 'CORRECTED', 'step-2', '已更正');
      expect((await advance(id, 'VERIFYING', 'step-1', '核查中')).status).toBe('CORRECTED');
    });
  });

  describe('deadlines', () => {
    it('is overdue once today (China date) is after dueOn, and never once closed', async () => {
      const objection = await file(lender());
      expect(
        ['2026-10-12', '2026-10-13'].map((today) => objectionView(store.objections.get(objection.id)!, today).overdue),
      ).toEqual([false, true]);
      await store.objections.advance(department, { id: objection.id, status: 'VERIFYING', idempotencyKey: 'v' }, FILED);
      expect(objectionView(store.objections.get(objection.id)!, '2026-10-13').overdue).toBe(true);
      await store.objections.advance(
        department,
        { id: objection.id, status: 'CORRECTED', idempotencyKey: 'c', note: '已更正' },
        at('2026-10-14T01:00:00.000Z'),
      );
      expect(objectionView(store.objections.get(objection.id)!, '2026-10-20').overdue).toBe(false);
    });
  });

  describe('repairs', () => {
    const TAX_RECORD = 'TAX:ARREARS-7';
    const met = [{ condition: 'REPAIR_COMMITMENT', met: true, detail: 'commitment made' }];
    const apply = (key = 'repair-1', basis = '已纠正违法行为并作出信用承诺', when = '2026-11-19T17:30:00.000Z') =>
      store.repairs.applyFor(
        'credit-window',
        { code: DEBTOR, recordId: TAX_RECORD, basis, commitment: '承诺', idempotencyKey: key },
        { kind: 'TAX_ARREARS', department: 'TAX' },
        met,
        at(when),
      );

    it('files an application on the China date with its target, idempotently, one pending per record', async () => {
      const applied = await apply();
      expect(applied).toMatchObject({
        id: expect.stringMatching(/^REP-[0-9A-F]{20}$/) as string,
        code: DEBTOR,
        recordId: TAX_RECORD,
        recordKind: 'TAX_ARREARS',
        department: 'TAX',
        status: 'APPLIED',
        appliedBy: 'credit-window',
        // Filed on Friday 2026-11-20 (China): three working days later.
        dueOn: '2026-11-25',
        repairedOn: null,
        legacy: false,
      });
      expect(await apply()).toEqual(applied);
      expect((await failure(apply('repair-1', '另一个依据'))).message).toBe(
        `idempotencyKey 'repair-1' was already used for another repair (${applied.id})`,
      );
      expect((await failure(apply('repair-2'))).message).toBe(
        `Record ${TAX_RECORD} already has a repair applied (${applied.id})`,
      );
    });

    it('is accepted, then granted or refused, in that order, idempotently', async () => {
      const { id } = await apply();
      expect(
        (
          await failure(
            store.repairs.decide('tax-office', { id, decision: 'GRANTED', idempotencyKey: 'd' }, met, FILED),
          )
        ).message,
      ).toBe(`Repair ${id} is APPLIED: it can only become ACCEPTED, not GRANTED`);
      await store.repairs.accept('tax-office', id, 'a', at('2026-11-20T02:00:00.000Z'));
      expect(
        (
          await failure(
            store.repairs.decide('tax-office', { id, decision: 'REFUSED', idempotencyKey: 'd' }, met, FILED),
          )
        ).message,
      ).toContain('reason must say why');
      const granted = await store.repairs.decide(
        'tax-office',
        { id, decision: 'GRANTED', idempotencyKey: 'd' },
        met,
        at('2026-11-26T02:00:00.000Z'),
      );
      expect(granted).toMatchObject({ status: 'GRANTED', repairedOn: '2026-11-26', by: 'tax-office' });
      expect(decidedWithinTarget(granted)).toBe(false);
      expect(
        await store.repairs.decide('tax-office', { id, decision: 'GRANTED', idempotencyKey: 'd' }, met, FILED),
      ).toEqual(granted);
      expect(store.events.read(`repair/${id}`)).toHaveLength(3);
      expect(Object.fromEntries(store.repairs.forSubject(DEBTOR))).toEqual({
        [TAX_RECORD]: { repairedOn: '2026-11-26' },
      });
    });

    it('lets a refused record be applied for again, and shows the pending one overdue past its target', async () => {
      const { id } = await apply();
      await store.repairs.accept('tax-office', id, 'a', FILED);
      await store.repairs.decide(
        'tax-office',
        { id, decision: 'REFUSED', reason: '未缴清', idempotencyKey: 'd' },
        met,
        FILED,
      );
      const again = await apply('repair-2');
      expect(again.status).toBe('APPLIED');
      expect(isRepairOverdue(again, '2026-11-25')).toBe(false);
      expect(isRepairOverdue(again, '2026-11-26')).toBe(true);
      expect(store.repairs.forSubject(DEBTOR).size).toBe(0);
    });
  });

  describe('overlays for the rules', () => {
    it('show repairs and the latest objection to each record', async () => {
      const open = await file(lender());
      const other = await file(department, { recordId: 'MARKET:PEN-1', key: 'o2' });
      for (const [status, key, note] of [
        ['VERIFYING', 'a', null],
        ['UPHELD', 'b', '维持'],
      ] as const) {
        await store.objections.advance(department, { id: other.id, status, idempotencyKey: key, note }, FILED);
      }
      // Disputed again after it was upheld: the new objection is the one that counts.
      const again = await file(department, { recordId: 'MARKET:PEN-1', key: 'o3', reason: '新证据' });
      await grant(store, at('2026-11-02T03:00:00.000Z'));
      const overlays = await store.overlaysFor(DEBTOR);
      expect({
        repairs: Object.fromEntries(overlays.repairs),
        objections: Object.fromEntries(overlays.objections),
      }).toEqual({
        repairs: { 'TAX:ARREARS-7': { repairedOn: '2026-11-02' } },
        objections: {
          [RECORD]: { id: open.id, status: 'RECEIVED' },
          'MARKET:PEN-1': { id: again.id, status: 'RECEIVED' },
        },
      });
      expect(await store.overlaysFor(SME)).toEqual({ repairs: new Map(), objections: new Map(), commitments: [] });
    });

    it('keep a record revoked: it cannot be disputed again', async () => {
      const { id } = await file(lender());
      await store.objections.advance(department, { id, status: 'VERIFYING', idempotencyKey: 'v' }, FILED);
      await store.objections.advance(department, { id, status: 'REVOKED', idempotencyKey: 'r', note: '撤销' }, FILED);
      expect((await store.overlaysFor(DEBTOR)).objections.get(RECORD)).toEqual({ id, status: 'REVOKED' });
      expect((await failure(file(lender(), { key: 'again' }))).message).toBe(
        `Record ${RECORD} was revoked after objection ${id}`,
      );
    });
  });

  it('rebuilds everything after a restart, keys included', async () => {
    const objection = await file(lender());
    await store.objections.advance(department, { id: objection.id, status: 'VERIFYING', idempotencyKey: 'v' }, FILED);
    const repaired = await grant(store, FILED);
    const before = { objections: store.objections.forSubject(DEBTOR), overlays: await store.overlaysFor(DEBTOR) };
    await store.close();

    store = await openCreditStore({ dir }, silentLogger());
    expect({ objections: store.objections.forSubject(DEBTOR), overlays: await store.overlaysFor(DEBTOR) }).toEqual(
      before,
    );
    expect(store.repairs.get(repaired.id)).toEqual(repaired);
    // Retries after the restart find what was accepted before it.
    expect((await file(lender())).id).toBe(objection.id);
    expect(
      (
        await store.objections.advance(
          department,
          { id: objection.id, status: 'VERIFYING', idempotencyKey: 'v' },
          FILED,
        )
      ).history,
    ).toHaveLength(2);
    expect(store.events.read(`objection/${objection.id}`)).toHaveLength(2);
  });
});
