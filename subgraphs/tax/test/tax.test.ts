import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listen, silentLogger, type InternalClaims, type RunningServer } from '@credit-gateway/common';
import {
  DEMO_PEOPLE,
  demoCode,
  population,
  startStandIn,
  unregisteredCodes,
  type DemoKey,
  type RunningStandIn,
  type StandInStats,
} from '@credit-gateway/sources';
import { GATEWAY_KEYS, gatewayHeaders } from '../../../common/test/support/gateway-identity.js';
import { createTaxSubgraph, loadConfig } from '../src/server.js';

let standIn: RunningStandIn;
let subgraph: RunningServer;
/** Same stand-in, with a timeout short enough for the hang test. */
let impatient: RunningServer;

const TAX_SECTION = `tax {
  taxpayerNumber
  creditGrades { year grade score published provenance { source recordId asOf } }
  majorViolations {
    caseNumber caseNature mainFacts legalBasisAndHandling
    responsibleFinanceOfficer { name person { idNumber } }
    publishedOn publicityEndsOn authority provenance { source system recordId asOf }
  }
  arrearsNotices { taxType amount period announcedOn authority provenance { source recordId } }
  payments { period taxType amount provenance { source recordId } }
}`;

const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Enterprise { code ${TAX_SECTION} } } }`;

async function post(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  claims: Partial<InternalClaims> = {},
) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await gatewayHeaders(claims)) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: any; errors?: any[] };
}

const representations = (codes: string[]) => ({ r: codes.map((code) => ({ __typename: 'Enterprise', code })) });

async function entities(codes: string[], url = subgraph.url) {
  return post(url, ENTITIES, representations(codes));
}

async function tax(key: DemoKey) {
  const result = await entities([demoCode(key)]);
  expect(result.errors).toBeUndefined();
  return result.data._entities[0].tax;
}

/** The row as the tax system sends it, to check the translation against. */
async function rawRow(nsrsbh: string): Promise<Record<string, any>> {
  const response = await fetch(`${standIn.url}/tax/api/nsrxy/plcx`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ nsrsbhList: [nsrsbh] }),
  });
  const body = (await response.json()) as { rows: Record<string, any>[] };
  expect(body.rows).toHaveLength(1);
  return body.rows[0]!;
}

const isoOf = (gxsj: string) => `${gxsj.slice(0, 10)}T${gxsj.slice(11, 19)}+08:00`;

async function setFaults(faults: Record<string, unknown>) {
  const response = await fetch(`${standIn.url}/_sim/faults`, { method: 'PUT', body: JSON.stringify(faults) });
  expect(response.status).toBe(200);
}

/** The gateway's public key, which the subgraph requires. */
const SUBGRAPH_KEY = { GATEWAY_PUBLIC_KEY: GATEWAY_KEYS.GATEWAY_PUBLIC_KEY };

beforeAll(async () => {
  standIn = await startStandIn('tax', { logger: silentLogger(), populationSize: 0, port: 0 });
  subgraph = await listen(
    createTaxSubgraph(
      loadConfig({ PORT: '0', SOURCE_URL: standIn.url, SOURCE_TIMEOUT_MS: '5000', ...SUBGRAPH_KEY }),
      silentLogger(),
    ).handler,
    0,
  );
  impatient = await listen(
    createTaxSubgraph(
      loadConfig({ PORT: '0', SOURCE_URL: standIn.url, SOURCE_TIMEOUT_MS: '150', ...SUBGRAPH_KEY }),
      silentLogger(),
    ).handler,
    0,
  );
});

afterEach(async () => {
  await setFaults({ errorRate: 0, garbageRate: 0, hang: false, delayMs: 0 });
});

afterAll(async () => {
  await impatient?.close();
  await subgraph?.close();
  await standIn?.close();
});

describe('demo subjects over the tax stand-in', () => {
  it('clean-sme: A three years running, published, with steady payments', async () => {
    const section = await tax('clean-sme');
    const row = await rawRow(demoCode('clean-sme'));
    const asOf = isoOf(row.gxsj);
    expect(section.taxpayerNumber).toBe(demoCode('clean-sme'));
    expect(section.creditGrades).toEqual(
      [
        [2025, 'A', 96],
        [2024, 'A', 94.5],
        [2023, 'A', 92],
        [2022, 'B', 88.5],
        [2021, 'B', 85],
      ].map(([year, grade, score]) => ({
        year,
        grade,
        score,
        published: grade === 'A',
        provenance: { source: 'TAX', recordId: `${demoCode('clean-sme')}-${year}`, asOf },
      })),
    );
    expect(section.majorViolations).toEqual([]);
    expect(section.arrearsNotices).toEqual([]);
    expect(section.payments.map((p: any) => [p.period, p.taxType, p.amount])).toEqual([
      ['2026-10', '增值税', 67455.39],
      ['2026-09', '企业所得税', 47302],
      ['2026-09', '增值税', 69102.85],
      ['2026-08', '增值税', 62487.61],
      ['2026-07', '增值税', 65940.27],
      ['2026-06', '企业所得税', 45915],
      ['2026-06', '增值税', 70233.58],
      ['2026-05', '增值税', 66871.04],
      ['2026-04', '增值税', 64502.16],
      ['2026-03', '企业所得税', 41280],
      ['2026-03', '增值税', 63118.75],
      ['2026-02', '增值税', 47226.9],
      ['2026-01', '增值税', 55310.48],
      ['2025-12', '企业所得税', 48650],
      ['2025-12', '增值税', 68905.12],
      ['2025-11', '增值税', 61842.3],
    ]);
    expect(section.payments[0].provenance).toEqual({
      source: 'TAX',
      recordId: row.jnqk.find((p: any) => p.ssq === '202610').dzsphm,
    });
  });

  it('major-tax-violator: the published case with its finance officer, D grades and an arrears notice', async () => {
    const section = await tax('major-tax-violator');
    const asOf = isoOf((await rawRow(demoCode('major-tax-violator'))).gxsj);
    expect(section.majorViolations).toEqual([
      {
        caseNumber: '东税稽检〔2024〕118号',
        caseNature: '虚开增值税专用发票',
        mainFacts:
          '经国家税务总局东莞市税务局稽查局检查，发现其在2023年1月1日至2024年6月30日期间，在没有真实交易的情况下，采取购买他人开具的增值税专用发票等方式，向下游企业虚开增值税专用发票186份，金额1732.45万元，税额225.22万元。',
        legalBasisAndHandling:
          '依照《中华人民共和国税收征收管理法》第六十三条、《中华人民共和国发票管理办法》第二十一条、第三十五条等相关法律法规的有关规定，对其处以追缴税款225.22万元的行政处理、处以罚款225.22万元的行政处罚；依法移送公安机关处理。',
        responsibleFinanceOfficer: {
          name: DEMO_PEOPLE.taxFinanceOfficer.name,
          person: { idNumber: DEMO_PEOPLE.taxFinanceOfficer.idNumber },
        },
        publishedOn: '2025-03-18',
        publicityEndsOn: '2028-03-18',
        authority: '国家税务总局东莞市税务局',
        provenance: {
          source: 'TAX',
          system: '税务信用管理系统 (Tax Credit Management System)',
          recordId: '东税稽检〔2024〕118号',
          asOf,
        },
      },
    ]);
    expect(section.creditGrades.map((g: any) => [g.year, g.grade, g.score, g.published])).toEqual([
      [2025, 'D', null, false],
      [2024, 'D', null, false],
      [2023, 'B', 81, false],
      [2022, 'B', 84, false],
      [2021, 'B', 83.5, false],
    ]);
    expect(section.arrearsNotices).toEqual([
      {
        taxType: '增值税',
        amount: 1126100,
        period: '2024-06',
        announcedOn: '2025-07-10',
        authority: '国家税务总局东莞市税务局',
        provenance: { source: 'TAX', recordId: 'QS4419002025000318' },
      },
    ]);
  });

  it('legacy-registration: keyed by its old 15-character taxpayer number', async () => {
    const section = await tax('legacy-registration');
    expect(section.taxpayerNumber).toBe('320505608263159');
    expect(section.creditGrades.map((g: any) => [g.year, g.grade, g.score])).toEqual([
      [2025, 'B', 86],
      [2024, 'B', 84.5],
      [2023, 'B', 82],
      [2022, 'B', 79.5],
      [2021, 'B', 78],
    ]);
    expect(section.creditGrades[0].provenance.recordId).toBe('320505608263159-2025');
  });

  it('legacy-check-fail: served under its old number although its code fails the check character', async () => {
    const section = await tax('legacy-check-fail');
    expect(section.taxpayerNumber).toBe('350100M00014728');
    expect(section.creditGrades[0]).toMatchObject({ year: 2025, grade: 'A', score: 91.5, published: true });
    expect(section.creditGrades.slice(1).map((g: any) => g.grade)).toEqual(['B', 'B', 'B', 'B']);
  });

  it('deregistered: graded up to 2023 only, nothing paid after its closure', async () => {
    const section = await tax('deregistered');
    expect(section.creditGrades.map((g: any) => [g.year, g.grade, g.score])).toEqual([
      [2023, 'B', 76],
      [2022, 'B', 79],
      [2021, 'B', 82],
    ]);
    expect(section.payments).toEqual([]);
  });

  it('wage-arrears: C for 2025 and a VAT arrears notice', async () => {
    const section = await tax('wage-arrears');
    expect(section.creditGrades.slice(0, 2).map((g: any) => [g.year, g.grade, g.score])).toEqual([
      [2025, 'C', 62],
      [2024, 'B', 74],
    ]);
    expect(section.arrearsNotices).toEqual([
      {
        taxType: '增值税',
        amount: 387650,
        period: '2025-09',
        announcedOn: '2025-10-15',
        authority: '国家税务总局深圳市南山区税务局',
        provenance: { source: 'TAX', recordId: 'QS4403052025000042' },
      },
    ]);
    expect(section.majorViolations).toEqual([]);
  });

  it.each([
    ['partial-debtor', ['C', 'C', 'B', 'B', 'B']],
    ['procurement-ban-ended', ['B', 'B', 'B', 'B', 'B']],
    ['social-org', ['B', 'B', 'B', 'B', 'B']],
    ['individual-business', ['M', 'M', 'M', 'M', 'M']],
    ['farmer-coop', ['M', 'M', 'M', 'M', 'M']],
  ] as const)('%s: grades 2025 back to 2021 are %j', async (key, grades) => {
    const section = await tax(key);
    expect(section.taxpayerNumber).toBe(demoCode(key));
    expect(section.creditGrades.map((g: any) => g.year)).toEqual([2025, 2024, 2023, 2022, 2021]);
    expect(section.creditGrades.map((g: any) => g.grade)).toEqual(grades);
    expect(section.majorViolations).toEqual([]);
    expect(section.arrearsNotices).toEqual([]);
  });
});

describe('publishedGrades', () => {
  const GRADE = '{ year grade score published provenance { source recordId asOf } }';
  const PUBLISHED = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Enterprise { code tax { publishedGrades ${GRADE} } } } }`;
  const BOTH = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Enterprise { code tax { publishedGrades ${GRADE} creditGrades ${GRADE} } } } }`;

  it('shows anyone the A grades of the demo subjects, as creditGrades has them, and nothing else', async () => {
    const keys = ['clean-sme', 'legacy-check-fail', 'major-tax-violator', 'legacy-registration'] as const;
    const codes = keys.map(demoCode);
    const published = await post(subgraph.url, PUBLISHED, representations(codes), { tier: 'PUBLIC' });
    expect(published.errors).toBeUndefined();
    const full = await entities(codes);
    expect(full.errors).toBeUndefined();
    const grades = (result: { data?: any }, index: number, field: string) => result.data._entities[index].tax[field];
    expect(grades(published, 0, 'publishedGrades').map((g: any) => [g.year, g.grade, g.score])).toEqual([
      [2025, 'A', 96],
      [2024, 'A', 94.5],
      [2023, 'A', 92],
    ]);
    expect(grades(published, 0, 'publishedGrades')).toEqual(grades(full, 0, 'creditGrades').slice(0, 3));
    expect(grades(published, 1, 'publishedGrades')).toEqual([grades(full, 1, 'creditGrades')[0]]);
    expect(grades(published, 1, 'publishedGrades')[0]).toMatchObject({ year: 2025, grade: 'A', published: true });
    // Graded D, B and B only: nothing is published.
    expect(grades(published, 2, 'publishedGrades')).toEqual([]);
    expect(grades(published, 3, 'publishedGrades')).toEqual([]);
  });

  it('is exactly the A grades of creditGrades, newest first, over generated taxpayers', async () => {
    const codes = [...population(499)];
    const result = await post(subgraph.url, BOTH, representations(codes));
    expect(result.errors).toBeUndefined();
    const sections = result.data._entities.map((e: any) => e.tax).filter((tax: any) => tax !== null);
    expect(sections.length).toBeGreaterThan(400);
    let published = 0;
    let withheld = 0;
    for (const { publishedGrades, creditGrades } of sections) {
      expect(publishedGrades).toEqual(creditGrades.filter((g: any) => g.grade === 'A'));
      expect(publishedGrades.every((g: any) => g.published)).toBe(true);
      published += publishedGrades.length;
      withheld += creditGrades.length - publishedGrades.length;
    }
    // Enough of both for the comparison to mean something.
    expect(published).toBeGreaterThan(100);
    expect(withheld).toBeGreaterThan(published);
  });
});

describe('unknown subjects and batches', () => {
  it('answers a section saying so, without an error, for a code the tax system does not know', async () => {
    const unknown = unregisteredCodes().next().value!;
    const result = await entities([unknown]);
    expect(result.errors).toBeUndefined();
    expect(result.data._entities[0].tax).toMatchObject({
      taxpayerNumber: null,
      creditGrades: [],
      majorViolations: [],
      arrearsNotices: [],
      payments: [],
    });
    const known = await post(
      subgraph.url,
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Enterprise { tax { known readAt } } } }`,
      representations([unknown, demoCode('clean-sme')]),
    );
    expect(known.data._entities.map((e: any) => e.tax.known)).toEqual([false, true]);
    for (const e of known.data._entities) expect(Number.isNaN(Date.parse(e.tax.readAt))).toBe(false);
  });

  it('asks for a whole batch in one request and answers in key order', async () => {
    const unknown = unregisteredCodes().next().value!;
    const codes = [
      demoCode('legacy-registration'),
      unknown,
      demoCode('clean-sme'),
      demoCode('legacy-check-fail'),
      demoCode('major-tax-violator'),
    ];
    await fetch(`${standIn.url}/_sim/reset`, { method: 'POST' });
    const result = await entities(codes);
    const stats = (await (await fetch(`${standIn.url}/_sim/stats`)).json()) as StandInStats;
    expect(stats.requests).toBe(1);
    // Two candidate taxpayer numbers per code.
    expect(stats.keys).toBe(10);
    expect(result.errors).toBeUndefined();
    expect(result.data._entities.map((e: any) => [e.code, e.tax?.taxpayerNumber ?? null])).toEqual([
      [codes[0], '320505608263159'],
      [unknown, null],
      [codes[2], codes[2]],
      [codes[3], '350100M00014728'],
      [codes[4], codes[4]],
    ]);
  });

  it('refuses a representation whose code is not a credit code, for that entity only', async () => {
    const result = await entities(['91500155MA5UQ01CX0', demoCode('clean-sme')]);
    expect(result.data._entities[0]).toBeNull();
    expect(result.data._entities[1].tax.taxpayerNumber).toBe(demoCode('clean-sme'));
    expect(result.errors?.map((e) => [e.path, e.extensions.code])).toEqual([[['_entities', 0], 'INVALID_CREDIT_CODE']]);
  });
});

describe('tax system failures', () => {
  const codes = [demoCode('clean-sme'), demoCode('legacy-registration')];

  async function failedWith(url = subgraph.url) {
    const result = await entities(codes, url);
    expect(result.data).toEqual({ _entities: codes.map((code) => ({ code, tax: null })) });
    return result.errors?.map(({ message, path, extensions }) => ({ message, path, extensions }));
  }

  it('an error answer is SOURCE_UNAVAILABLE for the tax section only', async () => {
    await setFaults({ errorRate: 1 });
    expect(await failedWith()).toMatchInlineSnapshot(`
      [
        {
          "extensions": {
            "code": "SOURCE_UNAVAILABLE",
            "source": "tax",
          },
          "message": "The tax department system is unavailable",
          "path": [
            "_entities",
            0,
            "tax",
          ],
        },
        {
          "extensions": {
            "code": "SOURCE_UNAVAILABLE",
            "source": "tax",
          },
          "message": "The tax department system is unavailable",
          "path": [
            "_entities",
            1,
            "tax",
          ],
        },
      ]
    `);
  });

  it('an unreadable answer is SOURCE_BAD_RESPONSE', async () => {
    await setFaults({ garbageRate: 1 });
    expect(await failedWith()).toMatchInlineSnapshot(`
      [
        {
          "extensions": {
            "code": "SOURCE_BAD_RESPONSE",
            "source": "tax",
          },
          "message": "The tax department system sent a response that could not be read",
          "path": [
            "_entities",
            0,
            "tax",
          ],
        },
        {
          "extensions": {
            "code": "SOURCE_BAD_RESPONSE",
            "source": "tax",
          },
          "message": "The tax department system sent a response that could not be read",
          "path": [
            "_entities",
            1,
            "tax",
          ],
        },
      ]
    `);
  });

  it('no answer is SOURCE_TIMEOUT', async () => {
    await setFaults({ hang: true });
    expect(await failedWith(impatient.url)).toMatchInlineSnapshot(`
      [
        {
          "extensions": {
            "code": "SOURCE_TIMEOUT",
            "source": "tax",
          },
          "message": "The tax department system did not answer in time",
          "path": [
            "_entities",
            0,
            "tax",
          ],
        },
        {
          "extensions": {
            "code": "SOURCE_TIMEOUT",
            "source": "tax",
          },
          "message": "The tax department system did not answer in time",
          "path": [
            "_entities",
            1,
            "tax",
          ],
        },
      ]
    `);
  });
});
