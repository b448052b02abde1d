import { describe, expect, it } from 'vitest';
import type { CreditRecordModel, Overlays } from '../src/models.js';
import { loadPublicityPolicy } from '../src/rules/publicity.js';
import { loadRepairPolicy } from '../src/rules/repair.js';
import {
  applyOverlays,
  deriveRecords,
  NO_OVERLAYS,
  recordsVisibleTo,
  representativeDebtorRecords,
} from '../src/rules/records.js';
import {
  cleanSme,
  CODES,
  market,
  partialDebtor,
  procurementBanEnded,
  repIsDebtor,
  seriousIllegal,
} from './support/enterprises.js';

const policy = loadPublicityPolicy();
const repair = loadRepairPolicy();
const TODAY = '2026-11-02';

const COURTS_SYSTEM = '中国执行信息公开网 (China Enforcement Information Disclosure)';
const AS_OF = '2026-10-28T09:00:00+08:00';

function brief(records: readonly CreditRecordModel[]) {
  return records.map((r) => [r.id, r.kind, r.severity, r.state, r.decidedOn, r.publishedUntil]);
}

describe('credit records from the departments’ data', () => {
  it('derive one record per department record, with provenance, severity, period and state', () => {
    const records = deriveRecords(partialDebtor(), policy, TODAY);
    expect(records).toEqual([
      {
        id: 'MARKET:PEN500112000601',
        kind: 'ADMINISTRATIVE_PENALTY',
        severity: 'MINOR',
        summary: '行政处罚 渝北市监处罚〔2024〕127号: 未按规定公示年度报告; 警告',
        decidedOn: '2024-03-11',
        // Decided before 2026-04-01: three months from its publication on 2024-03-15.
        publishedUntil: '2024-06-15',
        publishedOn: '2024-03-15',
        state: 'EXPIRED',
        objectionId: null,
        repairedOn: null,
        provenance: {
          source: 'MARKET',
          system: '国家企业信用信息公示系统 (National Enterprise Credit Information Publicity System)',
          recordId: 'PEN500112000601',
          asOf: AS_OF,
        },
      },
      {
        id: 'COURTS:1503212086',
        kind: 'DISHONEST_JUDGMENT_DEBTOR',
        severity: 'SERIOUS',
        summary: '失信被执行人 (dishonest judgment debtor), case (2023)渝0112执1234号',
        decidedOn: '2023-08-21',
        publishedUntil: null,
        state: 'ACTIVE',
        objectionId: null,
        repairedOn: null,
        provenance: { source: 'COURTS', system: COURTS_SYSTEM, recordId: '1503212086', asOf: AS_OF },
      },
      {
        id: 'COURTS:5001122023000001234',
        kind: 'CONSUMPTION_RESTRICTION',
        severity: 'SERIOUS',
        summary: '限制消费令 (consumption restriction order), case (2023)渝0112执1234号',
        decidedOn: '2023-06-05',
        publishedUntil: null,
        state: 'ACTIVE',
        objectionId: null,
        repairedOn: null,
        provenance: { source: 'COURTS', system: COURTS_SYSTEM, recordId: '5001122023000001234', asOf: AS_OF },
      },
      {
        id: 'PROCUREMENT:YZSX500112202500042',
        kind: 'PROCUREMENT_DISHONESTY',
        severity: 'SERIOUS',
        summary: '政府采购严重违法失信行为记录 (procurement dishonesty), banned until 2027-06-30',
        decidedOn: '2025-07-01',
        publishedUntil: '2027-06-30',
        state: 'ACTIVE',
        objectionId: null,
        repairedOn: null,
        provenance: {
          source: 'PROCUREMENT',
          system: '政府采购严重违法失信行为记录 (Government Procurement Credit Records)',
          recordId: 'YZSX500112202500042',
          asOf: AS_OF,
        },
      },
    ]);
  });

  it('mark what the departments removed, and what ran past its publicity period', () => {
    expect(brief(deriveRecords(seriousIllegal(), policy, TODAY))).toEqual([
      ['MARKET:PEN120116000503', 'ADMINISTRATIVE_PENALTY', 'SERIOUS', 'EXPIRED', '2022-08-15', '2025-08-19'],
      ['MARKET:ABN120116000501', 'ABNORMAL_OPERATIONS', 'GENERAL', 'ACTIVE', '2019-05-08', null],
      ['MARKET:ILL120116000502', 'SERIOUS_ILLEGAL_LIST', 'SERIOUS', 'ACTIVE', '2022-05-09', null],
      ['COURTS:1398820417', 'DISHONEST_JUDGMENT_DEBTOR', 'SERIOUS', 'REMOVED', '2021-09-14', '2024-04-22'],
      ['COURTS:1201162021000005521', 'CONSUMPTION_RESTRICTION', 'SERIOUS', 'REMOVED', '2021-07-02', '2024-04-22'],
    ]);
  });

  it('judge by the clock: before its removal date a record is still active', () => {
    const states = deriveRecords(seriousIllegal(), policy, '2024-04-21').map((r) => [r.id, r.state]);
    expect(states).toEqual([
      ['MARKET:PEN120116000503', 'ACTIVE'],
      ['MARKET:ABN120116000501', 'ACTIVE'],
      ['MARKET:ILL120116000502', 'ACTIVE'],
      ['COURTS:1398820417', 'ACTIVE'],
      ['COURTS:1201162021000005521', 'ACTIVE'],
    ]);
  });

  it('let a procurement ban that ran to its end expire, and one ended early be removed', () => {
    expect(brief(deriveRecords(procurementBanEnded(), policy, TODAY))).toEqual([
      ['PROCUREMENT:YZSX350100202300017', 'PROCUREMENT_DISHONESTY', 'SERIOUS', 'EXPIRED', '2023-10-20', '2026-10-19'],
    ]);
    expect(deriveRecords(procurementBanEnded(), policy, '2026-05-01')[0]!.state).toBe('REMOVED');
  });

  it('count red-list records from the year they were earned', () => {
    expect(brief(deriveRecords(cleanSme(), policy, TODAY))).toEqual([
      ['MARKET:HON500155000301', 'CONTRACT_HONOUR', 'COMMENDABLE', 'ACTIVE', '2024-12-31', '2026-12-31'],
      ['MARKET:HON500155000302', 'CONTRACT_HONOUR', 'COMMENDABLE', 'ACTIVE', '2025-12-31', '2027-12-31'],
      ['TAX:91500155MA5UQ01CXD-2025', 'TAX_A_GRADE', 'COMMENDABLE', 'ACTIVE', '2025-12-31', '2027-04-30'],
      ['TAX:91500155MA5UQ01CXD-2024', 'TAX_A_GRADE', 'COMMENDABLE', 'EXPIRED', '2024-12-31', '2026-04-30'],
      ['TAX:91500155MA5UQ01CXD-2023', 'TAX_A_GRADE', 'COMMENDABLE', 'EXPIRED', '2023-12-31', '2025-04-30'],
    ]);
  });

  it('publish penalties decided since 2026-04-01 under the new periods', () => {
    const penalty = (decidedOn: string, publishedOn: string, content: string, id: string) => ({
      decisionNumber: id,
      violationType: '虚假宣传',
      content,
      decidedOn,
      publishedOn,
      provenance: market(id),
    });
    const inputs = partialDebtor();
    inputs.marketRegulation!.penalties = [
      penalty('2026-03-31', '2026-04-03', '罚款人民币20000元', 'OLD-GENERAL'),
      penalty('2026-04-01', '2026-04-03', '罚款人民币20000元', 'NEW-GENERAL'),
      penalty('2026-04-01', '2026-04-03', '吊销营业执照', 'NEW-SERIOUS'),
      penalty('2026-06-01', '2026-06-05', '警告', 'NEW-MINOR'),
    ];
    expect(brief(deriveRecords(inputs, policy, TODAY)).slice(0, 4)).toEqual([
      ['MARKET:OLD-GENERAL', 'ADMINISTRATIVE_PENALTY', 'GENERAL', 'ACTIVE', '2026-03-31', '2029-04-03'],
      ['MARKET:NEW-GENERAL', 'ADMINISTRATIVE_PENALTY', 'GENERAL', 'ACTIVE', '2026-04-01', '2027-04-03'],
      ['MARKET:NEW-SERIOUS', 'ADMINISTRATIVE_PENALTY', 'SERIOUS', 'ACTIVE', '2026-04-01', '2029-04-03'],
      ['MARKET:NEW-MINOR', 'ADMINISTRATIVE_PENALTY', 'MINOR', 'EXPIRED', '2026-06-01', '2026-09-05'],
    ]);
  });

  it('treat a section a department did not send as holding no records', () => {
    const inputs = { ...partialDebtor(), courts: null, procurement: undefined };
    expect(deriveRecords(inputs, policy, TODAY).map((r) => r.id)).toEqual(['MARKET:PEN500112000601']);
    expect(deriveRecords({ code: CODES.partialDebtor }, policy, TODAY)).toEqual([]);
  });

  it('give the legal representative’s own debtor records (落实到人)', () => {
    expect(brief(representativeDebtorRecords(repIsDebtor(), policy, TODAY))).toEqual([
      ['COURTS:1607845213', 'DISHONEST_JUDGMENT_DEBTOR', 'SERIOUS', 'ACTIVE', '2024-05-06', null],
    ]);
    expect(representativeDebtorRecords(cleanSme(), policy, TODAY)).toEqual([]);
    expect(representativeDebtorRecords({ code: CODES.cleanSme, marketRegulation: null }, policy, TODAY)).toEqual([]);
  });
});

describe('overlays from the platform’s own decisions', () => {
  const records = () =>
    deriveRecords(seriousIllegal(), policy, TODAY).concat(deriveRecords(partialDebtor(), policy, TODAY));

  function overlays(partial: Partial<Overlays>): Overlays {
    return { ...NO_OVERLAYS, ...partial };
  }

  it('leave records alone when the platform holds nothing', () => {
    expect(applyOverlays(records(), NO_OVERLAYS, repair)).toEqual(records());
  });

  it('suspend a record under an open objection, and say which objection', () => {
    for (const status of ['RECEIVED', 'VERIFYING'] as const) {
      const result = applyOverlays(
        records(),
        overlays({ objections: new Map([['COURTS:1503212086', { id: 'obj-1', status }]]) }),
        repair,
      );
      expect(result.find((r) => r.id === 'COURTS:1503212086')).toMatchObject({
        state: 'UNDER_OBJECTION',
        objectionId: 'obj-1',
      });
    }
  });

  it('void a record whose objection was revoked, and leave corrected or upheld ones as the department has them', () => {
    const result = applyOverlays(
      records(),
      overlays({
        objections: new Map([
          ['COURTS:1503212086', { id: 'obj-1', status: 'REVOKED' }],
          ['MARKET:ILL120116000502', { id: 'obj-2', status: 'UPHELD' }],
          ['PROCUREMENT:YZSX500112202500042', { id: 'obj-3', status: 'CORRECTED' }],
          ['COURTS:1398820417', { id: 'obj-4', status: 'REVOKED' }],
        ]),
      }),
      repair,
    );
    expect(result.map((r) => [r.id, r.state, r.objectionId])).toEqual([
      ['MARKET:PEN120116000503', 'EXPIRED', null],
      ['MARKET:ABN120116000501', 'ACTIVE', null],
      ['MARKET:ILL120116000502', 'ACTIVE', null],
      ['COURTS:1398820417', 'REVOKED', null],
      ['COURTS:1201162021000005521', 'REMOVED', null],
      ['MARKET:PEN500112000601', 'EXPIRED', null],
      ['COURTS:1503212086', 'REVOKED', null],
      ['COURTS:5001122023000001234', 'ACTIVE', null],
      ['PROCUREMENT:YZSX500112202500042', 'ACTIVE', null],
    ]);
  });

  it('end the publicity of a repaired record, over an expiry, but not over a removal, and never a court record', () => {
    const result = applyOverlays(
      records(),
      overlays({
        repairs: new Map([
          ['MARKET:ILL120116000502', { repairedOn: '2026-10-30' }],
          ['MARKET:PEN120116000503', { repairedOn: '2024-01-05' }],
          ['COURTS:1201162021000005521', { repairedOn: '2024-05-01' }],
          ['COURTS:1503212086', { repairedOn: '2026-11-01' }],
        ]),
        objections: new Map([['COURTS:1503212086', { id: 'obj-1', status: 'VERIFYING' }]]),
      }),
      repair,
    );
    // Court records leave through the courts only: a stored repair of one changes nothing.
    expect(result.map((r) => [r.id, r.state, r.repairedOn, r.objectionId]).slice(0, 8)).toEqual([
      ['MARKET:PEN120116000503', 'REPAIRED', '2024-01-05', null],
      ['MARKET:ABN120116000501', 'ACTIVE', null, null],
      ['MARKET:ILL120116000502', 'REPAIRED', '2026-10-30', null],
      ['COURTS:1398820417', 'REMOVED', null, null],
      ['COURTS:1201162021000005521', 'REMOVED', null, null],
      ['MARKET:PEN500112000601', 'EXPIRED', null, null],
      ['COURTS:1503212086', 'UNDER_OBJECTION', null, 'obj-1'],
      ['COURTS:5001122023000001234', 'ACTIVE', null, null],
    ]);
  });
});

describe('who sees which records', () => {
  const records = applyOverlays(
    deriveRecords(seriousIllegal(), policy, TODAY),
    {
      repairs: new Map([['MARKET:ABN120116000501', { repairedOn: '2026-10-30' }]]),
      objections: new Map([['MARKET:ILL120116000502', { id: 'obj-9', status: 'RECEIVED' }]]),
    },
    repair,
  );

  it('shows the owning department and auditors every record with its state', () => {
    for (const viewer of [
      { department: 'MARKET', purpose: 'ADMINISTRATIVE_LICENSING' },
      { department: 'TAX', purpose: 'CREDIT_SUPERVISION' },
    ]) {
      expect(
        recordsVisibleTo('GOVERNMENT', records, { ...viewer, auditPurposes: repair.auditPurposes }).map((r) => r.state),
      ).toEqual(['EXPIRED', 'REPAIRED', 'UNDER_OBJECTION', 'REMOVED', 'REMOVED']);
    }
  });

  it('stops sharing a repaired record with other departments (信用修复 stops sharing)', () => {
    const viewer = { department: 'TAX', purpose: 'ADMINISTRATIVE_LICENSING', auditPurposes: repair.auditPurposes };
    expect(recordsVisibleTo('GOVERNMENT', records, viewer).map((r) => [r.id, r.state])).toEqual([
      ['MARKET:PEN120116000503', 'EXPIRED'],
      ['MARKET:ILL120116000502', 'UNDER_OBJECTION'],
      ['COURTS:1398820417', 'REMOVED'],
      ['COURTS:1201162021000005521', 'REMOVED'],
    ]);
  });

  it.each(['PUBLIC', 'ANALYST', 'AUTHORIZED', 'JUDICIAL'] as const)('shows %s only published records', (tier) => {
    expect(recordsVisibleTo(tier, records).map((r) => [r.id, r.state])).toEqual([
      ['MARKET:ILL120116000502', 'UNDER_OBJECTION'],
    ]);
  });
});
