import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listen, silentLogger, type RunningServer } from '@credit-gateway/common';
import {
  DEMO_SUBJECTS,
  demoCode,
  NO_FAULTS,
  population,
  startStandIn,
  subjectFacts,
  unregisteredCodes,
  type DemoKey,
  type RunningStandIn,
  type StandInStats,
} from '@credit-gateway/sources';
import { GATEWAY_KEYS, gatewayHeaders } from '../../../common/test/support/gateway-identity.js';
import { createProcurementSubgraph, loadConfig } from '../src/server.js';
import type { SourceLookup } from '../src/source/ccgp.js';

let standIn: RunningStandIn;
/** One subgraph per SOURCE_LOOKUP, over the same stand-in. */
const subgraphs = new Map<SourceLookup, RunningServer>();
let clock = new Date('2026-11-01T04:00:00Z');

const CONCURRENCY = 4;

const SECTION = `procurement {
  banned
  seriousDishonestyRecords { name address circumstance penaltyBasis penaltyResult recordedOn authority banEndsOn active provenance { source system recordId asOf } }
  contracts { contractNumber projectName purchaser amount signedOn provenance { source system recordId asOf } }
}`;

const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Enterprise { code ${SECTION} } } }`;
/** What the procurement system answers for a supplier it holds no record of: read, and empty. */
const EMPTY_SECTION = { banned: false, seriousDishonestyRecords: [], contracts: [] };
/** Where errors on the section point in ENTITIES. */
const SECTION_COLUMN = ENTITIES.indexOf('procurement') + 1;

interface Result {
  data?: any;
  errors?: any[];
}

async function entities(codes: readonly string[], lookup: SourceLookup = 'batch'): Promise<Result> {
  const response = await fetch(`${subgraphs.get(lookup)!.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await gatewayHeaders()) },
    body: JSON.stringify({
      query: ENTITIES,
      variables: { r: codes.map((code) => ({ __typename: 'Enterprise', code })) },
    }),
  });
  return (await response.json()) as Result;
}

async function section(key: DemoKey) {
  const result = await entities([demoCode(key)]);
  expect(result.errors).toBeUndefined();
  return result.data._entities[0].procurement;
}

async function control(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown) {
  const response = await fetch(`${standIn.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as unknown;
}

const SYSTEM = '政府采购严重违法失信行为记录 (Government Procurement Credit Records)';
const source = (recordId: string, asOf: string) => ({ source: 'PROCUREMENT', system: SYSTEM, recordId, asOf });

beforeAll(async () => {
  standIn = await startStandIn('procurement', { logger: silentLogger(), populationSize: 0, port: 0 });
  const env = {
    PORT: '0',
    SOURCE_URL: standIn.url,
    // Well above a 500-code bulk look-up on a busy machine; the hang tests wait it out.
    SOURCE_TIMEOUT_MS: '3000',
    SOURCE_CONCURRENCY: String(CONCURRENCY),
    GATEWAY_PUBLIC_KEY: GATEWAY_KEYS.GATEWAY_PUBLIC_KEY,
  };
  // The batch subgraph runs on the defaults: SOURCE_LOOKUP=batch, SOURCE_BATCH_SIZE=500.
  for (const [lookup, config] of [
    ['batch', loadConfig(env)],
    ['single', loadConfig({ ...env, SOURCE_LOOKUP: 'single' })],
  ] as const) {
    const { handler } = createProcurementSubgraph(config, silentLogger(), { now: () => clock });
    subgraphs.set(lookup, await listen(handler, 0));
  }
});

afterAll(async () => {
  for (const subgraph of subgraphs.values()) await subgraph.close();
  await standIn?.close();
});

beforeEach(() => {
  clock = new Date('2026-11-01T04:00:00Z');
});

afterEach(async () => {
  await control('PUT', '/_sim/faults', NO_FAULTS);
});

describe('demo subjects', () => {
  it('procurement-ban-ended: a three-year ban that ended on 2026-10-19, contracts before it and after it', async () => {
    const asOf = '2026-10-29T10:15:32+08:00';
    expect(await section('procurement-ban-ended')).toEqual({
      banned: false,
      seriousDishonestyRecords: [
        {
          name: '福州闽海信息技术有限公司',
          address: '福建省福州市鼓楼区软件大道89号福州软件园A区12号楼',
          circumstance: '提供虚假材料谋取中标、成交',
          penaltyBasis: '《中华人民共和国政府采购法》第七十七条第一款第（一）项',
          penaltyResult: '处以采购金额千分之五的罚款，列入不良行为记录名单，在三年内禁止参加政府采购活动',
          recordedOn: '2023-10-20',
          authority: '福州市财政局',
          banEndsOn: '2026-10-19',
          active: false,
          provenance: source('YZSX350100202300017', asOf),
        },
      ],
      contracts: [
        {
          contractNumber: 'HT3501002026001093',
          projectName: '福州市仓山区政务云资源运维服务项目',
          purchaser: '福州市仓山区大数据服务中心',
          amount: 398_000,
          signedOn: '2026-10-28',
          provenance: source('HT3501002026001093', asOf),
        },
        {
          contractNumber: 'HT3501002023000356',
          projectName: '福州市医疗保障局医保信息系统运维服务项目',
          purchaser: '福州市医疗保障局',
          amount: 735_000,
          signedOn: '2023-05-22',
          provenance: source('HT3501002023000356', asOf),
        },
        {
          contractNumber: 'HT3501002022000871',
          projectName: '福州第十一中学校园网络升级改造项目',
          purchaser: '福州第十一中学',
          amount: 486_500,
          signedOn: '2022-09-08',
          provenance: source('HT3501002022000871', asOf),
        },
        {
          contractNumber: 'HT3501002021000412',
          projectName: '福州市鼓楼区智慧社区综合服务平台建设项目',
          purchaser: '福州市鼓楼区鼓东街道办事处',
          amount: 1_260_000,
          signedOn: '2021-06-15',
          provenance: source('HT3501002021000412', asOf),
        },
      ],
    });
  });

  it('judges the ban on the calendar day in China Standard Time', async () => {
    const banState = async () => {
      const { banned, seriousDishonestyRecords } = await section('procurement-ban-ended');
      return { banned, active: seriousDishonestyRecords[0].active };
    };
    // 23:59:59 on 2026-10-19 in Beijing: the last day of the ban.
    clock = new Date('2026-10-19T15:59:59Z');
    expect(await banState()).toEqual({ banned: true, active: true });
    // Midnight in Beijing, still 2026-10-19 in UTC: the ban has ended.
    clock = new Date('2026-10-19T16:00:00Z');
    expect(await banState()).toEqual({ banned: false, active: false });
  });

  it('clean-sme: two contracts and no records', async () => {
    const asOf = '2025-08-29T16:40:05+08:00';
    expect(await section('clean-sme')).toEqual({
      banned: false,
      seriousDishonestyRecords: [],
      contracts: [
        {
          contractNumber: 'HT5001552025000578',
          projectName: '重庆市梁平区农业农村委员会农机具采购项目',
          purchaser: '重庆市梁平区农业农村委员会',
          amount: 624_800,
          signedOn: '2025-08-27',
          provenance: source('HT5001552025000578', asOf),
        },
        {
          contractNumber: 'HT5001552024000231',
          projectName: '重庆市梁平区职业教育中心数控实训设备采购项目',
          purchaser: '重庆市梁平区职业教育中心',
          amount: 1_380_000,
          signedOn: '2024-04-16',
          provenance: source('HT5001552024000231', asOf),
        },
      ],
    });
  });

  it('partial-debtor: a two-year ban in force until 2027-06-30', async () => {
    const asOf = '2025-07-03T09:20:11+08:00';
    expect(await section('partial-debtor')).toEqual({
      banned: true,
      seriousDishonestyRecords: [
        {
          name: '重庆渝东建筑工程有限公司',
          address: '重庆市渝北区双龙大道178号',
          circumstance: '将重庆市渝北区双凤桥街道老旧小区改造工程政府采购合同转包',
          penaltyBasis: '《中华人民共和国政府采购法实施条例》第七十二条第一款第（四）项',
          penaltyResult: '处以采购金额千分之八的罚款，列入不良行为记录名单，在二年内禁止参加政府采购活动',
          recordedOn: '2025-07-01',
          authority: '重庆市渝北区财政局',
          banEndsOn: '2027-06-30',
          active: true,
          provenance: source('YZSX500112202500042', asOf),
        },
      ],
      contracts: [
        {
          contractNumber: 'HT5001122024000187',
          projectName: '重庆市渝北区双凤桥街道老旧小区改造工程',
          purchaser: '重庆市渝北区双凤桥街道办事处',
          amount: 3_286_400,
          signedOn: '2024-03-18',
          provenance: source('HT5001122024000187', asOf),
        },
      ],
    });
    clock = new Date('2027-07-01T04:00:00Z');
    expect((await section('partial-debtor')).banned).toBe(false);
  });

  it('gives no other demo subject a dishonesty record, and none at all to three of them', async () => {
    const scripted = new Set<DemoKey>(['procurement-ban-ended', 'partial-debtor']);
    const others = [...DEMO_SUBJECTS.values()].filter((s) => !scripted.has(s.key));
    const result = await entities(others.map((s) => s.facts.code));
    expect(result.errors).toBeUndefined();
    const byKey = new Map(others.map((s, index) => [s.key, result.data._entities[index].procurement]));
    for (const key of ['deregistered', 'social-org', 'individual-business'] as const)
      expect(byKey.get(key)).toEqual(EMPTY_SECTION);
    for (const [key, found] of byKey) {
      expect({ key, records: found?.seriousDishonestyRecords ?? [], banned: found?.banned ?? false }).toEqual({
        key,
        records: [],
        banned: false,
      });
    }
  });
});

const LOOKUPS: SourceLookup[] = ['batch', 'single'];

describe.each(LOOKUPS)('unknown subjects, SOURCE_LOOKUP=%s', (lookup) => {
  it('answers an empty section, known: false, without an error for a code no department registered and for one the service never saw', async () => {
    const unregistered = unregisteredCodes().next().value!;
    const result = await entities([unregistered, demoCode('abnormal-removed')], lookup);
    expect(result).toEqual({
      data: {
        _entities: [
          { code: unregistered, procurement: EMPTY_SECTION },
          { code: demoCode('abnormal-removed'), procurement: EMPTY_SECTION },
        ],
      },
    });
    const response = await fetch(`${subgraphs.get(lookup)!.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await gatewayHeaders()) },
      body: JSON.stringify({
        query: `query($r: [_Any!]!) { _entities(representations: $r) { ... on Enterprise { procurement { known readAt } } } }`,
        variables: {
          r: [unregistered, demoCode('partial-debtor')].map((code) => ({ __typename: 'Enterprise', code })),
        },
      }),
    });
    const sections = ((await response.json()) as Result).data._entities.map(
      (e: { procurement: { known: boolean; readAt: string } }) => e.procurement,
    );
    expect(sections.map((s: { known: boolean }) => s.known)).toEqual([false, true]);
    for (const s of sections) expect(Number.isNaN(Date.parse(s.readAt))).toBe(false);
  });
});

/** What `run` sends to the stand-in, counted, with `delayMs` added to each of its answers. */
async function callsFor(run: () => Promise<Result>, delayMs = 0) {
  await control('PUT', '/_sim/faults', { delayMs });
  await control('POST', '/_sim/reset');
  const result = await run();
  return { result, stats: (await control('GET', '/_sim/stats')) as StandInStats };
}

describe('batches', () => {
  const unknown = unregisteredCodes().next().value!;
  const generated = [...population(600)].filter((code) => !DEMO_SUBJECTS.has(code));
  const distinct = [
    demoCode('partial-debtor'),
    unknown,
    ...generated.slice(0, 6),
    demoCode('clean-sme'),
    demoCode('procurement-ban-ended'),
  ];
  // Duplicates are asked for once.
  const keys = [...distinct, demoCode('clean-sme'), demoCode('partial-debtor')];

  /** Checks the answers for `asked`, which starts with `keys`. */
  function expectAnswersInKeyOrder(result: Result, asked: readonly string[]) {
    expect(result.errors).toBeUndefined();
    const found = result.data._entities as {
      code: string;
      procurement: { banned: boolean; contracts: { contractNumber: string }[] } | null;
    }[];
    expect(found.map((e) => e.code)).toEqual(asked);
    expect(found[1]!.procurement).toEqual(EMPTY_SECTION);
    expect([0, 8, 9, 10, 11].map((i) => found[i]!.procurement?.banned)).toEqual([true, false, false, false, true]);
    expect(found[10]!.procurement!.contracts.map((c) => c.contractNumber)).toEqual([
      'HT5001552025000578',
      'HT5001552024000231',
    ]);
  }

  it('SOURCE_LOOKUP=batch makes exactly one look-up for a batch of 500 codes, and answers in key order', async () => {
    const batch = [...keys, ...generated.slice(6, 6 + 500 - keys.length)];
    expect(batch).toHaveLength(500);

    const { result, stats } = await callsFor(() => entities(batch, 'batch'), 50);

    expect(stats).toEqual({
      requests: 1,
      keys: 498,
      peakInFlight: 1,
      byPath: { '/ccgp/api/credit/supplier/batch': 1 },
    });
    expectAnswersInKeyOrder(result, batch);
    // The bulk look-up answers exactly what the single look-ups answer.
    await control('PUT', '/_sim/faults', { delayMs: 0 });
    expect(result).toEqual(await entities(batch, 'single'));
  });

  it('SOURCE_LOOKUP=batch sends at most SOURCE_BATCH_SIZE codes in one look-up', async () => {
    const batch = generated.slice(0, 501);
    const { result, stats } = await callsFor(() => entities(batch, 'batch'));
    expect(result.errors).toBeUndefined();
    expect(result.data._entities).toHaveLength(501);
    expect(stats).toMatchObject({ requests: 2, keys: 501, byPath: { '/ccgp/api/credit/supplier/batch': 2 } });
  });

  it('SOURCE_LOOKUP=single makes one look-up per distinct code, at most SOURCE_CONCURRENCY at a time, and answers in key order', async () => {
    const { result, stats } = await callsFor(() => entities(keys, 'single'), 50);

    expect(stats).toEqual({
      requests: 10,
      keys: 10,
      peakInFlight: CONCURRENCY,
      byPath: { '/ccgp/api/credit/supplier': 10 },
    });
    expectAnswersInKeyOrder(result, keys);
  });

  it.each(LOOKUPS)('SOURCE_LOOKUP=%s fails only the subject whose look-up failed', async (lookup) => {
    // The service refuses a malformed code with HTTP 400: a protocol disagreement, so a bad response.
    // The bulk look-up does not send such a code, so that the service does not refuse the whole batch.
    const keys = [demoCode('clean-sme'), 'NOT-A-CREDIT-CODE', demoCode('procurement-ban-ended')];
    const { result, stats } = await callsFor(() => entities(keys, lookup));
    expect(stats).toMatchObject(lookup === 'batch' ? { requests: 1, keys: 2 } : { requests: 3, keys: 2 });
    expect(
      result.data._entities.map((e: { code: string; procurement: unknown }) => [e.code, e.procurement === null]),
    ).toEqual([
      [keys[0], false],
      [keys[1], true],
      [keys[2], false],
    ]);
    expect(result.errors).toEqual([
      {
        message: 'The procurement department system sent a response that could not be read',
        locations: [{ line: 1, column: SECTION_COLUMN }],
        path: ['_entities', 1, 'procurement'],
        extensions: { code: 'SOURCE_BAD_RESPONSE', source: 'procurement' },
      },
    ]);
  });
});

describe.each(LOOKUPS)('source failures, SOURCE_LOOKUP=%s', (lookup) => {
  const codes = [demoCode('clean-sme'), demoCode('partial-debtor')];
  const failure = (code: string, message: string) => ({
    data: { _entities: codes.map((code) => ({ code, procurement: null })) },
    errors: codes.map((_, index) => ({
      message,
      locations: [{ line: 1, column: SECTION_COLUMN }],
      path: ['_entities', index, 'procurement'],
      extensions: { code, source: 'procurement' },
    })),
  });

  it('answers null with SOURCE_UNAVAILABLE when the service fails', async () => {
    await control('PUT', '/_sim/faults', { errorRate: 1 });
    expect(await entities(codes, lookup)).toEqual(
      failure('SOURCE_UNAVAILABLE', 'The procurement department system is unavailable'),
    );
  });

  it('answers null with SOURCE_BAD_RESPONSE when the service sends something else than its format', async () => {
    await control('PUT', '/_sim/faults', { garbageRate: 1 });
    expect(await entities(codes, lookup)).toEqual(
      failure('SOURCE_BAD_RESPONSE', 'The procurement department system sent a response that could not be read'),
    );
  });

  it('answers null with SOURCE_TIMEOUT when the service does not answer', async () => {
    await control('PUT', '/_sim/faults', { hang: true });
    expect(await entities(codes, lookup)).toEqual(
      failure('SOURCE_TIMEOUT', 'The procurement department system did not answer in time'),
    );
  });
});

describe('generated suppliers', () => {
  it('reads every generated record, with suppliers and bans at plausible rates', async () => {
    const codes = [...population(2_000)].filter((code) => !DEMO_SUBJECTS.has(code));
    const sections: ({
      banned: boolean;
      seriousDishonestyRecords: { active: boolean }[];
      contracts: { amount: number }[];
    } | null)[] = [];
    for (let start = 0; start < codes.length; start += 500) {
      const result = await entities(codes.slice(start, start + 500));
      expect(result.errors).toBeUndefined();
      sections.push(...result.data._entities.map((e: { procurement: (typeof sections)[number] }) => e.procurement));
    }
    const enterprises = codes.filter((code) => subjectFacts(code)?.kind === 'ENTERPRISE').length;
    const suppliers = sections.filter((s) => s !== null && s.contracts.length > 0);
    const records = sections.flatMap((s) => s?.seriousDishonestyRecords ?? []);
    expect(suppliers.length / enterprises).toBeGreaterThan(0.09);
    expect(suppliers.length / enterprises).toBeLessThan(0.15);
    expect(suppliers.every((s) => s!.contracts.length >= 1 && s!.contracts.length <= 5)).toBe(true);
    expect(records.length).toBeGreaterThan(0);
    expect(records.length / codes.length).toBeLessThan(0.01);
    expect(new Set(records.map((r) => r.active))).toEqual(new Set([true, false]));
    expect(
      sections.filter((s) => s !== null).every((s) => s!.banned === s!.seriousDishonestyRecords.some((r) => r.active)),
    ).toBe(true);
  });
});
