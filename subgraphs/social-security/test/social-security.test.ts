import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_SUBJECTS, demoCode, frontDbRows, population, unregisteredCodes } from '@credit-gateway/sources';
import { gatewayHeaders } from '../../../common/test/support/gateway-identity.js';
import { startEmbedded, startPostgres, TEST_POPULATION, type Fault, type Harness } from './support/harness.js';

const SYSTEM = '人力社保前置库 (Social Security Front-end Database)';

const SECTION = `unitNumber insuredHeadcount contributionStatus arrears labourSecurityGrade
  contributions(months: $months) { period insuredHeadcount amountDue amountPaid arrears }
  wageArrearsListings { reason amountOwed listedOn authority removedOn provenance { source system recordId asOf } }
  provenance { source system recordId asOf }`;

const ENTITIES = `query($r: [_Any!]!, $months: Int) {
  _entities(representations: $r) { ... on Enterprise { code socialSecurity { ${SECTION} } } }
}`;

interface Result {
  data?: any;
  errors?: any[];
}

function month(period: string, insuredHeadcount: number, amountDue: number, amountPaid = amountDue) {
  return { period, insuredHeadcount, amountDue, amountPaid, arrears: amountDue - amountPaid };
}

const unitProvenance = (recordId: string, asOf: string) => ({
  source: 'SOCIAL_SECURITY',
  system: SYSTEM,
  recordId,
  asOf,
});

describe.each([
  { driver: 'embedded SQLite', start: startEmbedded },
  { driver: 'PostgreSQL', start: startPostgres },
])('social security subgraph over the $driver front-end database', ({ start }) => {
  let harness: Harness;

  async function query(text: string, variables: Record<string, unknown>): Promise<Result> {
    const response = await fetch(harness.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await gatewayHeaders()) },
      body: JSON.stringify({ query: text, variables }),
    });
    return (await response.json()) as Result;
  }

  const entities = (codes: readonly string[], months?: number) =>
    query(ENTITIES, { r: codes.map((code) => ({ __typename: 'Enterprise', code })), months });

  async function section(code: string, months?: number) {
    const result = await entities([code], months);
    expect(result.errors).toBeUndefined();
    expect(result.data._entities[0].code).toBe(code);
    return result.data._entities[0].socialSecurity;
  }

  // A database that cannot be reached fails every test of its driver rather than skipping them.
  let unreachable: unknown = null;
  beforeAll(async () => {
    try {
      harness = await start();
    } catch (error) {
      unreachable = error;
    }
  }, 60_000);

  beforeEach(() => {
    if (unreachable !== null) throw unreachable;
  });

  afterEach(async () => {
    await harness?.restore();
  });

  afterAll(async () => {
    await harness?.close();
  });

  it('translates the wage-arrears employer: listed, grade C, four months short', async () => {
    expect(await section(demoCode('wage-arrears'), 5)).toEqual({
      unitNumber: '44031746109053686',
      insuredHeadcount: 210,
      contributionStatus: 'IN_ARREARS',
      arrears: 964_000,
      labourSecurityGrade: 'C',
      contributions: [
        month('2026-10', 210, 336_000, 0),
        month('2026-09', 210, 336_000, 60_000),
        month('2026-08', 210, 336_000, 120_000),
        month('2026-07', 210, 336_000, 200_000),
        month('2026-06', 212, 326_480),
      ],
      wageArrearsListings: [
        {
          reason: '克扣、无故拖欠农民工工资达到认定拒不支付劳动报酬罪数额标准',
          amountOwed: 1_285_000,
          listedOn: '2025-09-10',
          authority: '深圳市南山区人力资源局',
          removedOn: null,
          provenance: unitProvenance('TQGZ2025440305000117', '2025-09-10T17:20:05+08:00'),
        },
      ],
      provenance: unitProvenance(`sb_dwcbxx/${demoCode('wage-arrears')}`, '2026-10-28T09:15:42+08:00'),
    });
  });

  it('translates the clean SME: 46 insured, a year fully paid, grade A', async () => {
    const before = (period: string, insured: number) => month(period, insured, insured * 1_380);
    const after = (period: string, insured: number) => month(period, insured, insured * 1_420);
    expect(await section(demoCode('clean-sme'))).toEqual({
      unitNumber: '50011746133365936',
      insuredHeadcount: 46,
      contributionStatus: 'NORMAL',
      arrears: 0,
      labourSecurityGrade: 'A',
      contributions: [
        after('2026-10', 46),
        after('2026-09', 46),
        after('2026-08', 46),
        after('2026-07', 46),
        before('2026-06', 46),
        before('2026-05', 45),
        before('2026-04', 45),
        before('2026-03', 45),
        before('2026-02', 45),
        before('2026-01', 44),
        before('2025-12', 44),
        before('2025-11', 44),
      ],
      wageArrearsListings: [],
      provenance: unitProvenance(`sb_dwcbxx/${demoCode('clean-sme')}`, '2026-10-20T14:32:08+08:00'),
    });
  });

  it('translates the deregistered company: closed, contributions end in 2024-06', async () => {
    expect(await section(demoCode('deregistered'), 2)).toEqual({
      unitNumber: '11011745781944054',
      insuredHeadcount: 0,
      contributionStatus: 'CLOSED',
      arrears: 0,
      labourSecurityGrade: 'B',
      contributions: [month('2024-06', 3, 4_950), month('2024-05', 4, 6_600)],
      wageArrearsListings: [],
      provenance: unitProvenance(`sb_dwcbxx/${demoCode('deregistered')}`, '2024-07-03T10:12:45+08:00'),
    });
  });

  it('translates the individual business: 2 insured, normal, not graded', async () => {
    expect(await section(demoCode('individual-business'), 1)).toEqual({
      unitNumber: '34231745950019405',
      insuredHeadcount: 2,
      contributionStatus: 'NORMAL',
      arrears: 0,
      labourSecurityGrade: null,
      contributions: [month('2026-10', 2, 2_000)],
      wageArrearsListings: [],
      provenance: unitProvenance(`sb_dwcbxx/${demoCode('individual-business')}`, '2026-10-15T09:41:20+08:00'),
    });
  });

  it('translates the partial debtor: paying normally, grade B', async () => {
    expect(await section(demoCode('partial-debtor'), 1)).toEqual({
      unitNumber: '50011746143833952',
      insuredHeadcount: 120,
      contributionStatus: 'NORMAL',
      arrears: 0,
      labourSecurityGrade: 'B',
      contributions: [month('2026-10', 120, 168_000)],
      wageArrearsListings: [],
      provenance: unitProvenance(`sb_dwcbxx/${demoCode('partial-debtor')}`, '2026-10-22T16:05:51+08:00'),
    });
  });

  it('answers known: false, without error, for a code nobody registered and for a subject without a unit', async () => {
    const unknown = unregisteredCodes().next().value!;
    const result = await entities([unknown, demoCode('serious-illegal')]);
    const empty = {
      unitNumber: null,
      insuredHeadcount: null,
      contributionStatus: null,
      arrears: null,
      labourSecurityGrade: null,
      contributions: [],
      wageArrearsListings: [],
      provenance: null,
    };
    expect(result).toEqual({
      data: {
        _entities: [
          { code: unknown, socialSecurity: empty },
          { code: demoCode('serious-illegal'), socialSecurity: empty },
        ],
      },
    });
    const known = await query(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Enterprise { socialSecurity { known readAt } } } }`,
      { r: [unknown, demoCode('wage-arrears')].map((code) => ({ __typename: 'Enterprise', code })) },
    );
    expect(known.data._entities.map((e: any) => e.socialSecurity.known)).toEqual([false, true]);
    for (const e of known.data._entities) expect(Number.isNaN(Date.parse(e.socialSecurity.readAt))).toBe(false);
  });

  it('answers a batch with one query, in key order', async () => {
    const generated = [...population(TEST_POPULATION)].filter((code) => !DEMO_SUBJECTS.has(code)).slice(0, 60);
    const unknown = unregisteredCodes().next().value!;
    const codes = [...generated.slice(0, 30), unknown, demoCode('wage-arrears'), ...generated.slice(30)];
    harness.frontDb.resetStats();
    const result = await query(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Enterprise { code socialSecurity { unitNumber insuredHeadcount } } } }`,
      { r: codes.map((code) => ({ __typename: 'Enterprise', code })) },
    );
    expect(result.errors).toBeUndefined();
    expect(harness.frontDb.stats()).toEqual({ queries: 1, peakInFlight: 1 });
    expect(result.data._entities).toEqual(
      codes.map((code) => {
        const rows = frontDbRows(code);
        return {
          code,
          socialSecurity: rows
            ? { unitNumber: rows.unit.dwbh, insuredHeadcount: rows.unit.cbrs }
            : { unitNumber: null, insuredHeadcount: null },
        };
      }),
    );
    expect(result.data._entities[30].socialSecurity).toEqual({ unitNumber: null, insuredHeadcount: null });
  });

  it('returns at most the periods the front-end database holds', async () => {
    const contributions = (await section(demoCode('clean-sme'), 36)).contributions as unknown[];
    expect(contributions).toHaveLength(12);
  });

  it.each([0, 37])('refuses contributions(months: %i) with BAD_USER_INPUT', async (months) => {
    const result = await entities([demoCode('clean-sme')], months);
    // contributions is nullable: the rest of the section is still answered.
    const answered = await section(demoCode('clean-sme'), 1);
    expect(result.data._entities).toEqual([
      { code: demoCode('clean-sme'), socialSecurity: { ...answered, contributions: null } },
    ]);
    expect(result.errors).toEqual([
      {
        message: `months must be from 1 to 36, got ${months}`,
        locations: expect.any(Array),
        path: ['_entities', 0, 'socialSecurity', 'contributions'],
        extensions: { code: 'BAD_USER_INPUT', argument: 'months', minimum: 1, maximum: 36 },
      },
    ]);
  });

  it('binds $n parameters by their number, whatever order they appear in', async () => {
    const rows = await harness.frontDb.query('SELECT CAST($2 AS TEXT) AS two, CAST($1 AS TEXT) AS one', [
      'first',
      'second',
    ]);
    expect(rows).toEqual([{ two: 'second', one: 'first' }]);
  });

  it.each<[Fault, string, string]>([
    ['unavailable', 'SOURCE_UNAVAILABLE', 'is unavailable'],
    ['badResponse', 'SOURCE_BAD_RESPONSE', 'sent a response that could not be read'],
    ['timeout', 'SOURCE_TIMEOUT', 'did not answer in time'],
  ])('a front-end database that is %s gives a null section with %s, then recovers', async (fault, code, message) => {
    const subject = demoCode('clean-sme');
    await harness.induce(fault, subject);
    const failed = await entities([subject], 1);
    expect(failed.data).toEqual({ _entities: [{ code: subject, socialSecurity: null }] });
    expect(failed.errors).toEqual([
      {
        message: `The social-security department system ${message}`,
        locations: expect.any(Array),
        path: ['_entities', 0, 'socialSecurity'],
        extensions: { code, source: 'social-security' },
      },
    ]);
    await harness.restore();
    expect((await section(subject, 1)).contributionStatus).toBe('NORMAL');
  });
});
