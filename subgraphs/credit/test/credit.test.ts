import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, silentLogger, type InternalClaims, type RunningServer } from '@credit-gateway/common';
import { GATEWAY_KEYS, gatewayHeaders } from '../../../common/test/support/gateway-identity.js';
import type { CreditStore, Overlays } from '../src/models.js';
import { CreditPolicyError } from '../src/rules/policy.js';
import { NO_OVERLAYS } from '../src/rules/records.js';
import { openCreditStore } from '../src/store/index.js';
import { createCreditSubgraph, loadConfig, startCreditSubgraph } from '../src/server.js';
import {
  CODES,
  cleanSme,
  DEMO_NOW,
  majorTaxViolator,
  partialDebtor,
  PEOPLE,
  repIsDebtor,
  representation,
  seriousIllegal,
} from './support/enterprises.js';

/**
 * A real, empty store whose overlays for a few subjects are given, and which records how often each
 * subject was asked for.
 */
async function overlayStore(
  dir: string,
  overlays: ReadonlyMap<string, Overlays>,
): Promise<CreditStore & { readonly calls: string[] }> {
  const store = await openCreditStore({ dir }, silentLogger());
  const calls: string[] = [];
  return {
    ...store,
    calls,
    overlaysFor(code) {
      calls.push(code);
      return Promise.resolve(overlays.get(code) ?? NO_OVERLAYS);
    },
  };
}

const OVERLAYS = new Map<string, Overlays>([
  [
    CODES.seriousIllegal,
    {
      repairs: new Map([['MARKET:ABN120116000501', { repairedOn: '2026-10-30' }]]),
      objections: new Map([['MARKET:ILL120116000502', { id: 'objection-9', status: 'VERIFYING' as const }]]),
    },
  ],
  [
    CODES.majorTaxViolator,
    {
      repairs: new Map(),
      objections: new Map([['TAX:东税稽检〔2024〕118号', { id: 'objection-3', status: 'RECEIVED' as const }]]),
    },
  ],
]);

const config = loadConfig({ PORT: '0', GATEWAY_PUBLIC_KEY: GATEWAY_KEYS.GATEWAY_PUBLIC_KEY });
const storeDir = mkdtempSync(join(tmpdir(), 'credit-overlays-'));
let store: Awaited<ReturnType<typeof overlayStore>>;
let subgraph: RunningServer;

beforeAll(async () => {
  store = await overlayStore(storeDir, OVERLAYS);
  subgraph = await listen(createCreditSubgraph(config, silentLogger(), { now: () => DEMO_NOW, store }).handler, 0);
});

afterAll(async () => {
  await subgraph?.close();
  await store?.close();
  rmSync(storeDir, { recursive: true, force: true });
});

async function post(body: unknown, headers: Record<string, string>) {
  const response = await fetch(`${subgraph.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as { data?: any; errors?: any[] } };
}

async function query(
  tier: InternalClaims['tier'] | Partial<InternalClaims>,
  text: string,
  variables?: Record<string, unknown>,
) {
  const claims = typeof tier === 'string' ? { tier } : tier;
  const { body } = await post({ query: text, variables }, await gatewayHeaders(claims));
  return body;
}

/** Asks for computed fields of enterprises the way the gateway does, with their required data. */
function entities(
  tier: InternalClaims['tier'] | Partial<InternalClaims>,
  selection: string,
  ...inputs: Record<string, unknown>[]
) {
  return query(
    tier,
    `query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Enterprise { ${selection} } } }`,
    { representations: inputs },
  );
}

const RECORD =
  'id kind severity summary decidedOn publishedUntil state objectionId repairedOn provenance { source system recordId asOf }';

describe('the credit subgraph', () => {
  it('answers only the gateway', async () => {
    const { status, body } = await post({ query: '{ measuresCatalog { id } }' }, {});
    expect(status).toBe(401);
    expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('serves the measures catalog, filtered by list and context', async () => {
    const result = await query(
      'PUBLIC',
      `{ measuresCatalog(list: BLACK, context: HIGH_CONSUMPTION) { id name kind list targetLists legalBasis initiatingDepartment implementingDepartment contexts } }`,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data.measuresCatalog.map((m: { id: string }) => m.id)).toEqual(
      [1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => `RESTRICT-${n}`),
    );
    expect(result.data.measuresCatalog[4]).toEqual({
      id: 'RESTRICT-5',
      name: '限制购买非经营必需车辆 (No buying vehicles not needed for the business)',
      kind: 'MANDATORY',
      list: 'BLACK',
      targetLists: ['失信被执行人名单', '限制消费被执行人名单'],
      legalBasis: '《最高人民法院关于限制被执行人高消费及有关消费的若干规定》第三条第（五）项',
      initiatingDepartment: '最高人民法院',
      implementingDepartment: '公安部',
      contexts: ['HIGH_CONSUMPTION'],
    });
    const all = await query('PUBLIC', '{ measuresCatalog { id } }');
    expect(all.data.measuresCatalog).toHaveLength(34);
    const watch = await query(
      'PUBLIC',
      '{ measuresCatalog(listKind: "WATCH") { id list listKind { id class rank } } creditListKinds { id class incentive } }',
    );
    expect(watch.data.measuresCatalog.map((m: any) => m.id)).toEqual([
      'WATCH-INTERVIEW',
      'WATCH-KEY-SUPERVISION',
      'WATCH-MORE-INSPECTIONS',
    ]);
    expect(watch.data.measuresCatalog[0]).toMatchObject({
      list: 'WATCH',
      listKind: { id: 'WATCH', class: 'WATCH', rank: 1 },
    });
    expect(watch.data.creditListKinds).toEqual([
      { id: 'RED', class: 'RED', incentive: true },
      { id: 'WATCH', class: 'WATCH', incentive: false },
      { id: 'BLACK', class: 'BLACK', incentive: false },
    ]);
  });

  describe('credit records', () => {
    it.each(['PUBLIC', 'ANALYST', 'AUTHORIZED', 'JUDICIAL'] as const)(
      'shows %s only the records still published',
      async (tier) => {
        const result = await entities(tier, `code creditRecords { ${RECORD} }`, representation(seriousIllegal()));
        expect(result.errors).toBeUndefined();
        expect(result.data._entities).toEqual([
          {
            code: CODES.seriousIllegal,
            creditRecords: [
              {
                id: 'MARKET:ILL120116000502',
                kind: 'SERIOUS_ILLEGAL_LIST',
                severity: 'SERIOUS',
                summary:
                  '严重违法失信名单 (serious illegal and dishonest list): 被列入经营异常名录届满3年仍未履行相关义务的',
                decidedOn: '2022-05-09',
                publishedUntil: null,
                state: 'UNDER_OBJECTION',
                objectionId: 'objection-9',
                repairedOn: null,
                provenance: {
                  source: 'MARKET',
                  system: '国家企业信用信息公示系统 (National Enterprise Credit Information Publicity System)',
                  recordId: 'ILL120116000502',
                  asOf: '2026-10-28T09:00:00+08:00',
                },
              },
            ],
          },
        ]);
      },
    );

    it('shows the owning department expired, repaired and removed records too, marked as such', async () => {
      const result = await entities(
        { tier: 'GOVERNMENT', department: 'MARKET' },
        'creditRecords { id state publishedUntil objectionId repairedOn }',
        representation(seriousIllegal()),
      );
      expect(result.errors).toBeUndefined();
      expect(result.data._entities[0].creditRecords).toEqual([
        {
          id: 'MARKET:PEN120116000503',
          state: 'EXPIRED',
          publishedUntil: '2025-08-19',
          objectionId: null,
          repairedOn: null,
        },
        {
          id: 'MARKET:ABN120116000501',
          state: 'REPAIRED',
          publishedUntil: null,
          objectionId: null,
          repairedOn: '2026-10-30',
        },
        {
          id: 'MARKET:ILL120116000502',
          state: 'UNDER_OBJECTION',
          publishedUntil: null,
          objectionId: 'objection-9',
          repairedOn: null,
        },
        {
          id: 'COURTS:1398820417',
          state: 'REMOVED',
          publishedUntil: '2024-04-22',
          objectionId: null,
          repairedOn: null,
        },
        {
          id: 'COURTS:1201162021000005521',
          state: 'REMOVED',
          publishedUntil: '2024-04-22',
          objectionId: null,
          repairedOn: null,
        },
      ]);
    });
  });

  it('lists a debtor on its blacklists with the records behind each', async () => {
    const result = await entities(
      'PUBLIC',
      'creditLists { list name code since records { id state } }',
      representation(partialDebtor()),
    );
    expect(result.errors).toBeUndefined();
    expect(result.data._entities[0].creditLists).toEqual([
      {
        list: 'BLACK',
        name: '失信被执行人名单',
        code: CODES.partialDebtor,
        since: '2023-08-21',
        records: [{ id: 'COURTS:1503212086', state: 'ACTIVE' }],
      },
      {
        list: 'BLACK',
        name: '限制消费被执行人名单',
        code: CODES.partialDebtor,
        since: '2023-06-05',
        records: [{ id: 'COURTS:5001122023000001234', state: 'ACTIVE' }],
      },
      {
        list: 'BLACK',
        name: '政府采购严重违法失信行为记录名单',
        code: CODES.partialDebtor,
        since: '2025-07-01',
        records: [{ id: 'PROCUREMENT:YZSX500112202500042', state: 'ACTIVE' }],
      },
    ]);
  });

  it('gives the measures of a decision context, in force or suspended by an objection', async () => {
    const selection =
      'measures(context: GOVERNMENT_PROCUREMENT) { measure { id kind } status because { id state } objectionId }';
    const result = await entities(
      'GOVERNMENT',
      selection,
      representation(partialDebtor()),
      representation(majorTaxViolator()),
    );
    expect(result.errors).toBeUndefined();
    expect(result.data._entities).toEqual([
      {
        measures: [
          {
            measure: { id: 'PROCUREMENT-BAN', kind: 'MANDATORY' },
            status: 'IN_FORCE',
            because: [
              { id: 'COURTS:1503212086', state: 'ACTIVE' },
              { id: 'PROCUREMENT:YZSX500112202500042', state: 'ACTIVE' },
            ],
            objectionId: null,
          },
        ],
      },
      {
        measures: [
          {
            measure: { id: 'PROCUREMENT-BAN', kind: 'MANDATORY' },
            status: 'SUSPENDED',
            because: [{ id: 'TAX:东税稽检〔2024〕118号', state: 'UNDER_OBJECTION' }],
            objectionId: 'objection-3',
          },
        ],
      },
    ]);
  });

  it('opens the green channel and grades an exemplary SME, with the reasons', async () => {
    const result = await entities(
      'PUBLIC',
      'greenChannel { eligible reason } evaluation { grade score model groups { group weight points factors { name points recordId } } }',
      representation(cleanSme()),
    );
    expect(result.errors).toBeUndefined();
    const [entity] = result.data._entities;
    expect(entity.greenChannel).toEqual({
      eligible: true,
      reason: 'Exemplary subject (诚信典型): on 纳税信用A级纳税人名单, 守合同重信用企业',
    });
    expect([entity.evaluation.grade, entity.evaluation.score, entity.evaluation.model]).toEqual([
      'A',
      97,
      'PCCE-2026.1',
    ]);
    expect(entity.evaluation.groups.map((g: { group: string; points: number }) => [g.group, g.points])).toEqual([
      ['BASIC_INFORMATION', 100],
      ['BUSINESS_BEHAVIOUR', 85],
      ['PERFORMANCE_HISTORY', 100],
      ['REGULATORY_INFORMATION', 100],
      ['GROWTH_POTENTIAL', 100],
    ]);
    expect(entity.evaluation.groups[4].factors[1]).toEqual({
      name: '纳税信用A级 (A-grade taxpayer): 纳税信用A级 (A-grade taxpayer), 2025',
      points: 10,
      recordId: 'TAX:91500155MA5UQ01CXD-2025',
    });
  });

  it('keeps the green channel closed while adverse records are in effect, even under objection', async () => {
    const result = await entities(
      'GOVERNMENT',
      'greenChannel { eligible reason }',
      representation(partialDebtor()),
      representation(seriousIllegal()),
    );
    expect(result.data._entities.map((e: { greenChannel: unknown }) => e.greenChannel)).toEqual([
      {
        eligible: false,
        reason:
          'Closed: on 失信被执行人名单, 限制消费被执行人名单, 政府采购严重违法失信行为记录名单 (严重失信主体名单)',
      },
      {
        // The objection suspends the blacklisting; the repaired abnormal listing no longer counts.
        eligible: false,
        reason:
          'Adverse records in effect within the last 3 years (since 2023-11-02): MARKET:PEN120116000503, MARKET:ILL120116000502, COURTS:1398820417, COURTS:1201162021000005521',
      },
    ]);
  });

  it('assesses each enterprise once per request, whatever fields are asked', async () => {
    store.calls.length = 0;
    await entities(
      'GOVERNMENT',
      'creditRecords { id } creditLists { name } measures(context: HIGH_CONSUMPTION) { status } greenChannel { eligible } evaluation { grade }',
      representation(partialDebtor()),
      representation(seriousIllegal()),
    );
    expect(store.calls.sort()).toEqual([CODES.seriousIllegal, CODES.partialDebtor].sort());
  });

  it('fails only the entity whose code is invalid', async () => {
    const result = await entities(
      'PUBLIC',
      'code creditLists { name }',
      representation(cleanSme()),
      representation({ ...cleanSme(), code: '91500155MA5UQ01CX0' }),
    );
    expect(result.data._entities).toEqual([
      { code: CODES.cleanSme, creditLists: [{ name: '纳税信用A级纳税人名单' }, { name: '守合同重信用企业' }] },
      null,
    ]);
    expect(result.errors?.map((e) => [e.extensions.code, e.path])).toEqual([['INVALID_CREDIT_CODE', ['_entities', 1]]]);
  });

  describe('落实到人', () => {
    it('shows the legal representative’s own debtor records to GOVERNMENT and JUDICIAL only', async () => {
      const judicial = await entities(
        'JUDICIAL',
        `legalRepresentativeDebtorRecords { ${RECORD} }`,
        representation(repIsDebtor()),
      );
      expect(judicial.errors).toBeUndefined();
      expect(judicial.data._entities[0].legalRepresentativeDebtorRecords).toEqual([
        {
          id: 'COURTS:1607845213',
          kind: 'DISHONEST_JUDGMENT_DEBTOR',
          severity: 'SERIOUS',
          summary: '失信被执行人 (dishonest judgment debtor), case (2024)川0104执2817号',
          decidedOn: '2024-05-06',
          publishedUntil: null,
          state: 'ACTIVE',
          objectionId: null,
          repairedOn: null,
          provenance: {
            source: 'COURTS',
            system: '中国执行信息公开网 (China Enforcement Information Disclosure)',
            recordId: '1607845213',
            asOf: '2026-10-28T09:00:00+08:00',
          },
        },
      ]);
      const analyst = await entities(
        'ANALYST',
        'code legalRepresentativeDebtorRecords { id }',
        representation(repIsDebtor()),
      );
      expect(analyst.data._entities).toEqual([null]);
      expect(analyst.errors?.map((e) => [e.extensions.code, e.path])).toEqual([
        ['UNAUTHORIZED_FIELD_OR_TYPE', ['_entities', 0, 'legalRepresentativeDebtorRecords']],
      ]);
    });

    it('answers a person’s represented dishonesty from the enterprises checked so far', async () => {
      // A subgraph of its own: what other tests checked must not be known to it.
      const own = await listen(createCreditSubgraph(config, silentLogger(), { now: () => DEMO_NOW }).handler, 0);
      try {
        const ask = async (tier: InternalClaims['tier'], text: string, variables: Record<string, unknown>) => {
          const response = await fetch(`${own.url}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...(await gatewayHeaders({ tier })) },
            body: JSON.stringify({ query: text, variables }),
          });
          return (await response.json()) as { data?: any; errors?: any[] };
        };
        const person = (tier: InternalClaims['tier']) =>
          ask(
            tier,
            `query($r: [_Any!]!) { _entities(representations: $r) { ... on Person { idNumber representedDishonesty { list name code since } } } }`,
            { r: [{ __typename: 'Person', idNumber: PEOPLE.partialDebtorRepresentative.idNumber }] },
          );
        const checkEnterprise = () =>
          ask(
            'PUBLIC',
            `query($r: [_Any!]!) { _entities(representations: $r) { ... on Enterprise { creditLists { name } } } }`,
            {
              r: [representation(partialDebtor())],
            },
          );
        expect((await person('JUDICIAL')).data._entities).toEqual([
          { idNumber: PEOPLE.partialDebtorRepresentative.idNumber, representedDishonesty: [] },
        ]);
        await checkEnterprise();
        expect((await person('JUDICIAL')).data._entities[0]).toEqual({
          idNumber: PEOPLE.partialDebtorRepresentative.idNumber,
          representedDishonesty: [
            { list: 'BLACK', name: '失信被执行人名单', code: CODES.partialDebtor, since: '2023-08-21' },
            { list: 'BLACK', name: '限制消费被执行人名单', code: CODES.partialDebtor, since: '2023-06-05' },
            { list: 'BLACK', name: '政府采购严重违法失信行为记录名单', code: CODES.partialDebtor, since: '2025-07-01' },
          ],
        });
        const publicCaller = await person('PUBLIC');
        expect(publicCaller.errors?.map((e) => [e.extensions.code, e.path])).toEqual([
          ['UNAUTHORIZED_FIELD_OR_TYPE', ['_entities', 0, 'representedDishonesty']],
        ]);
      } finally {
        await own.close();
      }
    });
  });

  it('counts lists over a subject set, with the departments’ records the planner hands over', async () => {
    const root = await query(
      'ANALYST',
      `{ creditStatistics(codes: ["${CODES.cleanSme}", "${CODES.partialDebtor}"]) { codes } }`,
    );
    expect(root).toEqual({ data: { creditStatistics: { codes: [CODES.cleanSme, CODES.partialDebtor] } } });
    const result = await query(
      'ANALYST',
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on SubjectSet { statistics {
        subjects byDivision { key subjects blackListed redListed } bySource { key blackListed } } } } }`,
      {
        r: [
          {
            __typename: 'SubjectSet',
            codes: [CODES.cleanSme, CODES.partialDebtor],
            subjects: [cleanSme(), partialDebtor()],
          },
        ],
      },
    );
    expect(result.errors).toBeUndefined();
    const statistics = result.data._entities[0].statistics;
    expect(statistics.subjects).toBe(2);
    expect(statistics.byDivision).toEqual([
      { key: CODES.partialDebtor.slice(2, 8), subjects: 1, blackListed: 1, redListed: 0 },
      { key: CODES.cleanSme.slice(2, 8), subjects: 1, blackListed: 0, redListed: 1 },
    ]);
    expect(statistics.bySource).toContainEqual(expect.objectContaining({ key: 'COURTS', blackListed: 1 }));
  });

  it('refuses to start on a bad policy file, naming it', () => {
    expect(() =>
      createCreditSubgraph({ ...config, evaluationModelFile: '/nonexistent/model.json' }, silentLogger()),
    ).toThrow(CreditPolicyError);
  });
});

describe('starting the credit subgraph', () => {
  const dir = mkdtempSync(join(tmpdir(), 'credit-subgraph-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('opens its own store, serves, and closes', async () => {
    const storeDir = join(dir, 'store');
    const running = await startCreditSubgraph(
      loadConfig({
        PORT: '0',
        METRICS_PORT: '0',
        GATEWAY_PUBLIC_KEY: GATEWAY_KEYS.GATEWAY_PUBLIC_KEY,
        CREDIT_STORE_DIR: storeDir,
      }),
      silentLogger(),
    );
    try {
      const response = await fetch(`${running.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(await gatewayHeaders({ tier: 'PUBLIC' })) },
        body: JSON.stringify({ query: '{ measuresCatalog(list: RED) { id } }' }),
      });
      expect(((await response.json()) as { data: { measuresCatalog: unknown[] } }).data.measuresCatalog).toHaveLength(
        6,
      );
      expect(existsSync(storeDir)).toBe(true);
    } finally {
      await running.close();
    }
  });

  it('checks the policy files before opening anything', async () => {
    const storeDir = join(dir, 'never');
    const env = { PORT: '0', GATEWAY_PUBLIC_KEY: GATEWAY_KEYS.GATEWAY_PUBLIC_KEY, CREDIT_STORE_DIR: storeDir };
    await expect(
      startCreditSubgraph({ ...loadConfig(env), measuresFile: join(dir, 'missing.json') }, silentLogger()),
    ).rejects.toThrow(CreditPolicyError);
    expect(existsSync(storeDir)).toBe(false);
  });
});
