import { describe, expect, it } from 'vitest';
import type { EnterpriseInputs, Overlays } from '../src/models.js';
import { assess } from '../src/rules/assess.js';
import { greenChannel } from '../src/rules/green-channel.js';
import { enterpriseInputs, type DecisionInputsModel } from '../src/rules/inputs.js';
import { applicableMeasures } from '../src/rules/measures.js';
import { loadCreditPolicy } from '../src/rules/policy.js';
import { NO_OVERLAYS } from '../src/rules/records.js';
import { RepresentativeIndex, type PeopleEntry, type PeopleJournal } from '../src/rules/representatives.js';
import { creditStatistics } from '../src/rules/statistics.js';
import {
  abnormalRemoved,
  cleanSme,
  CODES,
  farmerCoop,
  majorTaxViolator,
  market,
  partialDebtor,
  procurementBanEnded,
  repIsDebtor,
  seriousIllegal,
  wageArrears,
} from './support/enterprises.js';

const policy = loadCreditPolicy();
const TODAY = '2026-11-02';

function assessed(inputs: EnterpriseInputs, overlays: Overlays = NO_OVERLAYS, today = TODAY) {
  return assess(inputs, policy, overlays, today);
}

function lists(inputs: EnterpriseInputs, overlays?: Overlays) {
  return assessed(inputs, overlays).memberships.map((m) => [
    m.list,
    m.name,
    m.code,
    m.since,
    m.records.map((r) => r.id),
  ]);
}

describe('red and black lists', () => {
  it('list a debtor on every blacklist its published records belong to, with the records behind each', () => {
    expect(lists(partialDebtor())).toEqual([
      ['BLACK', '失信被执行人名单', CODES.partialDebtor, '2023-08-21', ['COURTS:1503212086']],
      ['BLACK', '限制消费被执行人名单', CODES.partialDebtor, '2023-06-05', ['COURTS:5001122023000001234']],
      [
        'BLACK',
        '政府采购严重违法失信行为记录名单',
        CODES.partialDebtor,
        '2025-07-01',
        ['PROCUREMENT:YZSX500112202500042'],
      ],
    ]);
  });

  it('list red-list subjects on the lists still in force', () => {
    expect(lists(cleanSme())).toEqual([
      ['RED', '纳税信用A级纳税人名单', CODES.cleanSme, '2025-12-31', ['TAX:91500155MA5UQ01CXD-2025']],
      ['RED', '守合同重信用企业', CODES.cleanSme, '2024-12-31', ['MARKET:HON500155000301', 'MARKET:HON500155000302']],
    ]);
  });

  it('list nothing from expired, removed, repaired or revoked records', () => {
    expect(lists(procurementBanEnded())).toEqual([]);
    expect(lists(abnormalRemoved())).toEqual([]);
    expect(lists(seriousIllegal())).toEqual([
      ['BLACK', '严重违法失信名单', CODES.seriousIllegal, '2022-05-09', ['MARKET:ILL120116000502']],
      // Still listed as abnormal, never removed: the watch list (重点关注) holds it too.
      ['WATCH', '经营异常名录', CODES.seriousIllegal, '2019-05-08', ['MARKET:ABN120116000501']],
    ]);
    expect(
      lists(seriousIllegal(), {
        ...NO_OVERLAYS,
        repairs: new Map([['MARKET:ILL120116000502', { repairedOn: '2026-10-01' }]]),
      }).filter(([list]) => list === 'BLACK'),
    ).toEqual([]);
    expect(
      lists(partialDebtor(), {
        ...NO_OVERLAYS,
        objections: new Map([
          ['COURTS:1503212086', { id: 'o1', status: 'REVOKED' }],
          ['COURTS:5001122023000001234', { id: 'o2', status: 'REVOKED' }],
        ]),
      }).map(([, name]) => name),
    ).toEqual(['政府采购严重违法失信行为记录名单']);
  });

  it('keep a subject listed while its record is under objection', () => {
    const { memberships } = assessed(partialDebtor(), {
      ...NO_OVERLAYS,
      objections: new Map([['COURTS:1503212086', { id: 'obj-7', status: 'VERIFYING' }]]),
    });
    expect(memberships[0]).toMatchObject({
      name: '失信被执行人名单',
      records: [{ id: 'COURTS:1503212086', state: 'UNDER_OBJECTION', objectionId: 'obj-7' }],
    });
  });
});

function measures(inputs: EnterpriseInputs, context: Parameters<typeof applicableMeasures>[2], overlays?: Overlays) {
  return applicableMeasures(policy.catalog, assessed(inputs, overlays).memberships, context).map((m) => [
    m.measure.id,
    m.status,
    m.because.map((r) => r.id),
    m.objectionId,
  ]);
}

describe('measures', () => {
  const debtorRecords = ['COURTS:1503212086', 'COURTS:5001122023000001234'];

  it('restrict a debtor’s high consumption on nine counts, because of its listing and its order', () => {
    expect(measures(partialDebtor(), 'HIGH_CONSUMPTION')).toEqual(
      [1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => [`RESTRICT-${n}`, 'IN_FORCE', debtorRecords, null]),
    );
  });

  it('apply only the measures of the decision context', () => {
    expect(measures(partialDebtor(), 'GOVERNMENT_PROCUREMENT')).toEqual([
      ['PROCUREMENT-BAN', 'IN_FORCE', ['COURTS:1503212086', 'PROCUREMENT:YZSX500112202500042'], null],
    ]);
    expect(measures(partialDebtor(), 'PUBLIC_BIDDING')).toEqual([
      ['DEBTOR-BIDDING', 'IN_FORCE', ['COURTS:1503212086'], null],
    ]);
    expect(measures(wageArrears(), 'FINANCING')).toEqual([
      ['FINANCING-SCRUTINY', 'IN_FORCE', ['SOCIAL_SECURITY:TQGZ2025440305000117'], null],
      ['WAGE-ARREARS-LIMITS', 'IN_FORCE', ['SOCIAL_SECURITY:TQGZ2025440305000117'], null],
    ]);
    expect(measures(majorTaxViolator(), 'REGULATORY_INSPECTION')).toEqual([
      ['MORE-INSPECTIONS', 'IN_FORCE', ['TAX:东税稽检〔2024〕118号'], null],
      ['TAX-STRICT-MANAGEMENT', 'IN_FORCE', ['TAX:东税稽检〔2024〕118号'], null],
      // Its tax arrears notice puts it on the watch list (重点关注), with measures of its own.
      ['WATCH-INTERVIEW', 'IN_FORCE', ['TAX:QS4419002025000318'], null],
      ['WATCH-KEY-SUPERVISION', 'IN_FORCE', ['TAX:QS4419002025000318'], null],
      ['WATCH-MORE-INSPECTIONS', 'IN_FORCE', ['TAX:QS4419002025000318'], null],
    ]);
  });

  it('suspend a measure only when every record triggering it is under objection', () => {
    const oneObjection: Overlays = {
      ...NO_OVERLAYS,
      objections: new Map([['COURTS:1503212086', { id: 'obj-1', status: 'RECEIVED' }]]),
    };
    // The order alone still restricts consumption; procurement is still banned by the ban record.
    expect(measures(partialDebtor(), 'HIGH_CONSUMPTION', oneObjection)[0]).toEqual([
      'RESTRICT-1',
      'IN_FORCE',
      debtorRecords,
      null,
    ]);
    expect(measures(partialDebtor(), 'PUBLIC_BIDDING', oneObjection)).toEqual([
      ['DEBTOR-BIDDING', 'SUSPENDED', ['COURTS:1503212086'], 'obj-1'],
    ]);
    const both: Overlays = {
      ...NO_OVERLAYS,
      objections: new Map([
        ['COURTS:1503212086', { id: 'obj-1', status: 'RECEIVED' }],
        ['COURTS:5001122023000001234', { id: 'obj-2', status: 'VERIFYING' }],
      ]),
    };
    expect(measures(partialDebtor(), 'HIGH_CONSUMPTION', both)[8]).toEqual([
      'RESTRICT-9',
      'SUSPENDED',
      debtorRecords,
      'obj-1',
    ]);
  });

  it('apply nothing on expired, repaired or revoked records', () => {
    expect(measures(procurementBanEnded(), 'GOVERNMENT_PROCUREMENT')).toEqual([]);
    expect(
      measures(wageArrears(), 'FINANCING', {
        ...NO_OVERLAYS,
        repairs: new Map([['SOCIAL_SECURITY:TQGZ2025440305000117', { repairedOn: '2026-10-01' }]]),
      }),
    ).toEqual([]);
    expect(
      measures(majorTaxViolator(), 'REGULATORY_INSPECTION', {
        ...NO_OVERLAYS,
        objections: new Map([['TAX:东税稽检〔2024〕118号', { id: 'o', status: 'REVOKED' }]]),
      }).filter(([, , because]) => (because as string[]).includes('TAX:东税稽检〔2024〕118号')),
    ).toEqual([]);
  });

  it('give red-list subjects their incentives, and blacklisted ones none', () => {
    const both = cleanSme();
    both.courts = partialDebtor().courts;
    expect(measures(cleanSme(), 'ADMINISTRATIVE_LICENSING')).toEqual([
      [
        'GREEN-CHANNEL',
        'IN_FORCE',
        ['TAX:91500155MA5UQ01CXD-2025', 'MARKET:HON500155000301', 'MARKET:HON500155000302'],
        null,
      ],
    ]);
    expect(measures(both, 'ADMINISTRATIVE_LICENSING').map(([id]) => id)).toEqual([
      'STRICT-LICENSING',
      'NO-COMMITMENT-APPROVAL',
    ]);
  });

  it('come only from the catalog: every applied measure is a catalog entry', () => {
    const applied = applicableMeasures(policy.catalog, assessed(partialDebtor()).memberships, 'HIGH_CONSUMPTION');
    for (const { measure } of applied) expect(policy.catalog.get(measure.id)).toBe(measure);
  });
});

function channel(inputs: EnterpriseInputs, overlays?: Overlays, today = TODAY) {
  const { records, memberships } = assessed(inputs, overlays, today);
  return greenChannel(policy.catalog, {
    records,
    memberships,
    registration: inputs.marketRegulation?.registration ?? null,
    today,
    missingSources: enterpriseInputs(inputs).missingSources,
  });
}

const COMPLETE: DecisionInputsModel = { complete: true, missingSources: [], readSources: ['MARKET'], asOf: null };

describe('the green channel', () => {
  it('stays closed when the courts could not be read, even for an exemplary subject', () => {
    expect(channel({ ...cleanSme(), courts: null })).toEqual({
      eligible: false,
      reason: 'Cannot confirm: courts could not be read; ask again later',
    });
  });

  it('stays closed while any department could not be read, absent or null alike', () => {
    const withoutFetches: EnterpriseInputs = cleanSme();
    delete withoutFetches.courts;
    delete withoutFetches.tax;
    expect(channel({ ...withoutFetches, socialSecurity: null })).toEqual({
      eligible: false,
      reason: 'Cannot confirm: tax, courts, social-security could not be read; ask again later',
    });
  });

  it('opens to exemplary subjects on the red list', () => {
    expect(channel(cleanSme())).toEqual({
      eligible: true,
      reason: 'Exemplary subject (诚信典型): on 纳税信用A级纳税人名单, 守合同重信用企业',
    });
  });

  it('opens to subjects with no adverse record in effect for three consecutive years', () => {
    expect(channel(farmerCoop())).toEqual({
      eligible: true,
      reason: 'No adverse record in the last 3 consecutive years (since 2023-11-02)',
    });
    // Removed in 2025-01: within the three years.
    expect(channel(abnormalRemoved())).toEqual({
      eligible: false,
      reason: 'Adverse records in effect within the last 3 years (since 2023-11-02): MARKET:ABN330106000401',
    });
    expect(channel(abnormalRemoved(), NO_OVERLAYS, '2028-01-21').eligible).toBe(true);
  });

  it('counts a ban that ended recently, and a listing from long ago still in force', () => {
    expect(channel(procurementBanEnded())).toEqual({
      eligible: false,
      reason: 'Adverse records in effect within the last 3 years (since 2023-11-02): PROCUREMENT:YZSX350100202300017',
    });
    const listing = {
      ...NO_OVERLAYS,
      objections: new Map([['MARKET:ILL120116000502', { id: 'o', status: 'RECEIVED' as const }]]),
    };
    // Under objection, the blacklisting no longer closes the channel, but the listing of 2022 is in effect.
    expect(channel(seriousIllegal(), listing)).toEqual({
      eligible: false,
      reason:
        'Adverse records in effect within the last 3 years (since 2023-11-02): MARKET:PEN120116000503, MARKET:ABN120116000501, MARKET:ILL120116000502, COURTS:1398820417, COURTS:1201162021000005521',
    });
  });

  it('stays closed to subjects with an adverse record in the last three years, unless repaired or revoked', () => {
    const inputs = farmerCoop();
    inputs.marketRegulation!.penalties = [
      {
        decisionNumber: '梁市监处罚〔2026〕51号',
        violationType: '价格违法行为',
        content: '罚款人民币8000元',
        decidedOn: '2026-08-01',
        publishedOn: '2026-08-05',
        provenance: market('PEN-COOP-1'),
      },
    ];
    expect(channel(inputs)).toEqual({
      eligible: false,
      reason: 'Adverse records in effect within the last 3 years (since 2023-11-02): MARKET:PEN-COOP-1',
    });
    // Expired (a minor penalty, three months) it still counts; repaired or revoked it does not.
    expect(channel(inputs, NO_OVERLAYS, '2026-11-06').eligible).toBe(false);
    expect(
      channel(inputs, { ...NO_OVERLAYS, repairs: new Map([['MARKET:PEN-COOP-1', { repairedOn: '2026-10-01' }]]) }),
    ).toEqual({ eligible: true, reason: 'No adverse record in the last 3 consecutive years (since 2023-11-02)' });
    expect(
      channel(inputs, { ...NO_OVERLAYS, objections: new Map([['MARKET:PEN-COOP-1', { id: 'o', status: 'REVOKED' }]]) })
        .eligible,
    ).toBe(true);
    expect(
      channel(inputs, { ...NO_OVERLAYS, objections: new Map([['MARKET:PEN-COOP-1', { id: 'o', status: 'RECEIVED' }]]) })
        .eligible,
    ).toBe(false);
  });

  it('stays closed to blacklisted subjects, and to subjects younger than three years', () => {
    expect(channel(partialDebtor())).toEqual({
      eligible: false,
      reason: 'Closed: on 失信被执行人名单, 限制消费被执行人名单, 政府采购严重违法失信行为记录名单 (严重失信主体名单)',
    });
    expect(channel(farmerCoop(), NO_OVERLAYS, '2021-06-01')).toEqual({
      eligible: false,
      reason: 'Established on 2019-03-21: fewer than 3 consecutive years of record',
    });
    const unregistered = {
      known: false,
      registration: null,
      penalties: [],
      abnormalOperations: [],
      seriousIllegalListings: [],
      spotChecks: [],
      honours: [],
    };
    expect(channel({ ...farmerCoop(), marketRegulation: unregistered })).toEqual({
      eligible: false,
      reason: 'No registration data: the years without an adverse record cannot be counted',
    });
  });
});

describe('statistics over subjects', () => {
  it('count subjects, listings and measures by division, organization category and source', () => {
    const subjects = [partialDebtor(), cleanSme(), farmerCoop(), wageArrears(), partialDebtor()].map((inputs) => {
      const { memberships } = assessed(inputs);
      return {
        code: inputs.code,
        memberships,
        measures: applicableMeasures(policy.catalog, memberships, 'GOVERNMENT_PROCUREMENT'),
      };
    });
    expect(creditStatistics(subjects)).toEqual({
      subjects: 4,
      byDivision: [
        { key: '440305', subjects: 1, blackListed: 1, redListed: 0, measures: 1, watchListed: 0 },
        { key: '500112', subjects: 1, blackListed: 1, redListed: 0, measures: 1, watchListed: 0 },
        { key: '500155', subjects: 2, blackListed: 0, redListed: 1, measures: 1, watchListed: 0 },
      ],
      byOrganizationCategory: [
        { key: 'ENTERPRISE', subjects: 3, blackListed: 2, redListed: 1, measures: 3, watchListed: 0 },
        { key: 'FARMER_COOPERATIVE', subjects: 1, blackListed: 0, redListed: 0, measures: 0, watchListed: 0 },
      ],
      bySource: [
        { key: 'COURTS', subjects: 1, blackListed: 1, redListed: 0, measures: 1, watchListed: 0 },
        { key: 'MARKET', subjects: 1, blackListed: 0, redListed: 1, measures: 1, watchListed: 0 },
        { key: 'PROCUREMENT', subjects: 1, blackListed: 1, redListed: 0, measures: 1, watchListed: 0 },
        { key: 'SOCIAL_SECURITY', subjects: 1, blackListed: 1, redListed: 0, measures: 1, watchListed: 0 },
        { key: 'TAX', subjects: 1, blackListed: 0, redListed: 1, measures: 1, watchListed: 0 },
      ],
    });
  });

  it('count an empty set as empty', () => {
    expect(creditStatistics([])).toEqual({ subjects: 0, byDivision: [], byOrganizationCategory: [], bySource: [] });
  });
});

describe('the representative index (落实到人)', () => {
  const debtor = assessed(partialDebtor()).memberships;

  it('answers with the black-list memberships of the enterprises a person represents', () => {
    const index = new RepresentativeIndex(10);
    void index.remember(
      CODES.partialDebtor,
      [{ idNumber: '500112197508226133', role: 'LEGAL_REPRESENTATIVE' }],
      debtor,
      COMPLETE,
    );
    void index.remember(
      CODES.cleanSme,
      [{ idNumber: '500112197508226133', role: 'LEGAL_REPRESENTATIVE' }],
      assessed(cleanSme()).memberships,
      COMPLETE,
    );
    expect(index.dishonestyOf('500112197508226133').map((m) => [m.code, m.name])).toEqual([
      [CODES.partialDebtor, '失信被执行人名单'],
      [CODES.partialDebtor, '限制消费被执行人名单'],
      [CODES.partialDebtor, '政府采购严重违法失信行为记录名单'],
    ]);
    expect(index.dishonestyOf('510107198203154517')).toEqual([]);
  });

  it('follows a change of representative and a delisting', () => {
    const index = new RepresentativeIndex(10);
    void index.remember(
      CODES.partialDebtor,
      [{ idNumber: '500112197508226133', role: 'LEGAL_REPRESENTATIVE' }],
      debtor,
      COMPLETE,
    );
    void index.remember(
      CODES.partialDebtor,
      [{ idNumber: '510107198203154517', role: 'LEGAL_REPRESENTATIVE' }],
      debtor,
      COMPLETE,
    );
    expect(index.dishonestyOf('500112197508226133')).toEqual([]);
    expect(index.dishonestyOf('510107198203154517')).toHaveLength(3);
    void index.remember(
      CODES.partialDebtor,
      [{ idNumber: '510107198203154517', role: 'LEGAL_REPRESENTATIVE' }],
      [],
      COMPLETE,
    );
    expect(index.dishonestyOf('510107198203154517')).toEqual([]);
    void index.remember(CODES.partialDebtor, [], debtor, COMPLETE);
    expect(index.size).toBe(0);
  });

  it('says what the memberships were decided on: incomplete when an enterprise was checked without a department', () => {
    const index = new RepresentativeIndex(10);
    const partial = { ...partialDebtor(), courts: null };
    const assessment = assessed(partial);
    void index.remember(
      CODES.partialDebtor,
      [{ idNumber: 'P1', role: 'LEGAL_REPRESENTATIVE' }],
      assessment.memberships,
      assessment.inputs,
    );
    void index.remember(
      CODES.cleanSme,
      [{ idNumber: 'P1', role: 'LEGAL_REPRESENTATIVE' }],
      assessed(cleanSme()).memberships,
      assessed(cleanSme()).inputs,
    );
    expect(index.inputsOf('P1')).toMatchObject({ complete: false, missingSources: ['COURTS'] });
    expect(index.inputsOf('P2')).toMatchObject({ complete: true, missingSources: [] });
  });

  it('forgets the least recently checked enterprises beyond its capacity', () => {
    const index = new RepresentativeIndex(2);
    void index.remember(CODES.partialDebtor, [{ idNumber: 'P1', role: 'LEGAL_REPRESENTATIVE' }], debtor, COMPLETE);
    void index.remember(
      CODES.seriousIllegal,
      [{ idNumber: 'P2', role: 'LEGAL_REPRESENTATIVE' }],
      assessed(seriousIllegal()).memberships,
      COMPLETE,
    );
    void index.remember(
      CODES.repIsDebtor,
      [{ idNumber: 'P3', role: 'LEGAL_REPRESENTATIVE' }],
      assessed(repIsDebtor()).memberships,
      COMPLETE,
    );
    expect(index.size).toBe(2);
    expect(index.dishonestyOf('P1')).toEqual([]);
    expect(index.dishonestyOf('P2').map((m) => m.name)).toEqual(['严重违法失信名单']);
  });

  it('with a journal, writes only changes, keeps people as keyed digests, and is rebuilt from it', async () => {
    const written: PeopleEntry[] = [];
    const journal: PeopleJournal = {
      record: (entry) => {
        written.push(entry);
        return Promise.resolve();
      },
      replay: (apply) => written.forEach(apply),
    };
    const key = 'k'.repeat(32);
    const index = new RepresentativeIndex(10, journal, key);
    const people = [
      { idNumber: '500112197508226133', role: 'LEGAL_REPRESENTATIVE' as const },
      { idNumber: '441900198809072243', role: 'FINANCE_OFFICER' as const },
    ];
    await index.remember(CODES.partialDebtor, people, debtor, COMPLETE);
    await index.remember(CODES.partialDebtor, people, debtor, COMPLETE);
    expect(written).toHaveLength(1);
    expect(JSON.stringify(written)).not.toContain('500112197508226133');
    expect(JSON.stringify(written)).not.toContain('441900198809072243');
    expect(written[0]!.people.map((p) => p.role)).toEqual(['LEGAL_REPRESENTATIVE', 'FINANCE_OFFICER']);

    const rebuilt = new RepresentativeIndex(10, journal, key);
    expect(rebuilt.dishonestyOf('441900198809072243')).toHaveLength(3);
    // Another key finds nobody: the digests are keyed.
    expect(new RepresentativeIndex(10, journal, 'x'.repeat(32)).dishonestyOf('441900198809072243')).toEqual([]);
    await rebuilt.remember(CODES.partialDebtor, people, [], COMPLETE);
    expect(written).toHaveLength(2);
  });
});
