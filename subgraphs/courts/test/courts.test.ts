import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildIdNumber, listen, silentLogger, type RunningServer } from '@credit-gateway/common';
import {
  DEMO_PEOPLE,
  DEMO_SUBJECTS,
  demoCode,
  population,
  rngFor,
  startStandIn,
  subjectFacts,
  unregisteredCodes,
  type DemoKey,
  type RunningStandIn,
  type StandInStats,
} from '@credit-gateway/sources';
import { GATEWAY_KEYS, gatewayHeaders } from '../../../common/test/support/gateway-identity.js';
import { createCourtsSubgraph, loadConfig } from '../src/server.js';

const POPULATION = 5_000;
const ENDPOINT = '/zxgk/api/sxbzxr/plcx';

let standIn: RunningStandIn;
let subgraph: RunningServer;
/** The same subgraph with a short source timeout, for the hang fault. */
let impatient: RunningServer;

interface GraphQLResponse {
  data?: any;
  errors?: any[];
}

async function query(
  server: RunningServer,
  text: string,
  variables?: Record<string, unknown>,
): Promise<GraphQLResponse> {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await gatewayHeaders()) },
    body: JSON.stringify({ query: text, variables }),
  });
  return (await response.json()) as GraphQLResponse;
}

async function control(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${standIn.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return response.json();
}

/** Asks the stand-in directly, as the adapter does. */
async function courtsQuery(zzjgdmList: string[], sfzhmList: string[]): Promise<any> {
  const response = await fetch(`${standIn.url}${ENDPOINT}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ zzjgdmList, sfzhmList }),
  });
  return response.json();
}

const SECTION = `
  dishonestDebtorRecords {
    caseNumber name legalRepresentative enforcingCourt province basisDocumentNumber basisIssuer filedOn obligation
    performance performedPart unperformedPart dishonestBehaviour publishedOn status removedOn
    provenance { source system recordId asOf }
  }
  consumptionRestrictions {
    caseNumber court issuedOn restrictedSubjectName role restrictedItems
    boundPersons { name role person { idNumber birthDate gender } }
    status liftedOn provenance { source system recordId asOf }
  }`;

const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) {
  ... on Enterprise { code courts { ${SECTION} } }
  ... on Person { idNumber birthDate courts { ${SECTION} } }
} }`;

const PERSON = `query($id: IdNumber!) { person(idNumber: $id) { idNumber birthDate gender divisionCode courts { ${SECTION} } } }`;

const enterprise = (code: string) => ({ __typename: 'Enterprise', code });
const person = (idNumber: string) => ({ __typename: 'Person', idNumber });

const SYSTEM = '中国执行信息公开网 (China Enforcement Information Disclosure)';
const ALL_ITEMS = [
  'FLIGHTS_SOFT_SLEEPERS_SHIPS',
  'STAR_HOTELS_NIGHTCLUBS_GOLF',
  'REAL_ESTATE',
  'HIGH_GRADE_OFFICES',
  'NON_ESSENTIAL_VEHICLES',
  'TRAVEL_HOLIDAYS',
  'PRIVATE_SCHOOL_FEES',
  'HIGH_PREMIUM_INSURANCE',
  'HIGH_SPEED_TRAIN_FIRST_CLASS',
];

const PARTIAL_DEBTOR_ORDER = {
  caseNumber: '(2023)渝0112执1234号',
  court: '重庆市渝北区人民法院',
  issuedOn: '2023-06-05',
  restrictedSubjectName: '重庆渝东建筑工程有限公司',
  role: 'SUBJECT',
  restrictedItems: ALL_ITEMS,
  boundPersons: [
    {
      name: '周德明',
      role: 'LEGAL_REPRESENTATIVE',
      person: { idNumber: DEMO_PEOPLE.partialDebtorRepresentative.idNumber, birthDate: '1975-08-22', gender: 'MALE' },
    },
  ],
  status: 'ACTIVE',
  liftedOn: null,
  provenance: { source: 'COURTS', system: SYSTEM, recordId: '5001122023000001234', asOf: '2023-06-05T16:20:00+08:00' },
};

beforeAll(async () => {
  standIn = await startStandIn('courts', { logger: silentLogger(), populationSize: POPULATION, port: 0 });
  subgraph = await listen(
    createCourtsSubgraph(
      loadConfig({ PORT: '0', SOURCE_URL: standIn.url, GATEWAY_PUBLIC_KEY: GATEWAY_KEYS.GATEWAY_PUBLIC_KEY }),
      silentLogger(),
    ).handler,
    0,
  );
  const short = loadConfig({
    PORT: '0',
    SOURCE_URL: standIn.url,
    SOURCE_TIMEOUT_MS: '200',
    GATEWAY_PUBLIC_KEY: GATEWAY_KEYS.GATEWAY_PUBLIC_KEY,
  });
  impatient = await listen(createCourtsSubgraph(short, silentLogger()).handler, 0);
});

afterEach(async () => {
  await control('PUT', '/_sim/faults', { errorRate: 0, garbageRate: 0, hang: false });
});

afterAll(async () => {
  await impatient?.close();
  await subgraph?.close();
  await standIn?.close();
});

describe('demo subjects', () => {
  it('translates the partial debtor: a listed, partly performed record and an order on its legal representative', async () => {
    const result = await query(subgraph, ENTITIES, { r: [enterprise(demoCode('partial-debtor'))] });
    expect(result.errors).toBeUndefined();
    expect(result.data._entities).toEqual([
      {
        code: demoCode('partial-debtor'),
        courts: {
          dishonestDebtorRecords: [
            {
              caseNumber: '(2023)渝0112执1234号',
              name: '重庆渝东建筑工程有限公司',
              legalRepresentative: '周德明',
              enforcingCourt: '重庆市渝北区人民法院',
              province: '重庆市',
              basisDocumentNumber: '(2022)渝0112民初15867号',
              basisIssuer: '重庆市渝北区人民法院',
              filedOn: '2023-05-12',
              obligation: '支付工程款1860000元',
              performance: 'PARTIALLY_PERFORMED',
              performedPart: '600000元',
              unperformedPart: '1260000元',
              dishonestBehaviour: '有履行能力而拒不履行生效法律文书确定义务',
              publishedOn: '2023-08-21',
              status: 'LISTED',
              removedOn: null,
              provenance: {
                source: 'COURTS',
                system: SYSTEM,
                recordId: '1503212086',
                asOf: '2023-08-21T10:15:00+08:00',
              },
            },
          ],
          consumptionRestrictions: [PARTIAL_DEBTOR_ORDER],
        },
      },
    ]);
  });

  it("shows the partial debtor's order on its legal representative, with that role", async () => {
    const result = await query(subgraph, PERSON, { id: DEMO_PEOPLE.partialDebtorRepresentative.idNumber });
    expect(result.errors).toBeUndefined();
    expect(result.data.person).toEqual({
      idNumber: '500112197508226133',
      birthDate: '1975-08-22',
      gender: 'MALE',
      divisionCode: '500112',
      courts: {
        dishonestDebtorRecords: [],
        consumptionRestrictions: [{ ...PARTIAL_DEBTOR_ORDER, role: 'LEGAL_REPRESENTATIVE' }],
      },
    });
  });

  it('keeps the rep-is-debtor company clean and lists its legal representative as a personal debtor', async () => {
    const company = await query(subgraph, ENTITIES, { r: [enterprise(demoCode('rep-is-debtor'))] });
    expect(company.errors).toBeUndefined();
    expect(company.data._entities).toEqual([
      { code: demoCode('rep-is-debtor'), courts: { dishonestDebtorRecords: [], consumptionRestrictions: [] } },
    ]);

    const result = await query(subgraph, PERSON, { id: DEMO_PEOPLE.debtorRepresentative.idNumber });
    expect(result.errors).toBeUndefined();
    expect(result.data.person).toEqual({
      idNumber: '510107198203154517',
      birthDate: '1982-03-15',
      gender: 'MALE',
      divisionCode: '510107',
      courts: {
        dishonestDebtorRecords: [
          {
            caseNumber: '(2024)川0104执2817号',
            name: '王建国',
            legalRepresentative: null,
            enforcingCourt: '成都市锦江区人民法院',
            province: '四川省',
            basisDocumentNumber: '(2023)川0104民初11236号',
            basisIssuer: '成都市锦江区人民法院',
            filedOn: '2024-03-18',
            obligation: '偿还借款本金350000元及利息',
            performance: 'NOT_PERFORMED',
            performedPart: null,
            unperformedPart: null,
            dishonestBehaviour: '有履行能力而拒不履行生效法律文书确定义务',
            publishedOn: '2024-05-06',
            status: 'LISTED',
            removedOn: null,
            provenance: { source: 'COURTS', system: SYSTEM, recordId: '1607845213', asOf: '2024-05-06T09:40:00+08:00' },
          },
        ],
        consumptionRestrictions: [
          {
            caseNumber: '(2024)川0104执2817号',
            court: '成都市锦江区人民法院',
            issuedOn: '2024-03-25',
            restrictedSubjectName: '王建国',
            role: 'SUBJECT',
            restrictedItems: ALL_ITEMS,
            boundPersons: [],
            status: 'ACTIVE',
            liftedOn: null,
            provenance: {
              source: 'COURTS',
              system: SYSTEM,
              recordId: '5101042024000002817',
              asOf: '2024-03-25T14:05:00+08:00',
            },
          },
        ],
      },
    });
  });

  it('shows the serious-illegal company as removed from the list after performing, with its order lifted', async () => {
    const result = await query(subgraph, ENTITIES, { r: [enterprise(demoCode('serious-illegal'))] });
    expect(result.errors).toBeUndefined();
    const { dishonestDebtorRecords, consumptionRestrictions } = result.data._entities[0].courts;
    expect(dishonestDebtorRecords).toEqual([
      {
        caseNumber: '(2021)津0116执5521号',
        name: '天津乾坤物流有限公司',
        legalRepresentative: '孙磊',
        enforcingCourt: '天津市滨海新区人民法院',
        province: '天津市',
        basisDocumentNumber: '(2020)津0116民初9072号',
        basisIssuer: '天津市滨海新区人民法院',
        filedOn: '2021-06-09',
        obligation: '支付运输费428000元及逾期付款违约金',
        performance: 'NOT_PERFORMED',
        performedPart: null,
        unperformedPart: null,
        dishonestBehaviour: '有履行能力而拒不履行生效法律文书确定义务',
        publishedOn: '2021-09-14',
        status: 'REMOVED',
        removedOn: '2024-04-22',
        provenance: { source: 'COURTS', system: SYSTEM, recordId: '1398820417', asOf: '2024-04-22T15:30:00+08:00' },
      },
    ]);
    expect(consumptionRestrictions).toEqual([
      {
        caseNumber: '(2021)津0116执5521号',
        court: '天津市滨海新区人民法院',
        issuedOn: '2021-07-02',
        restrictedSubjectName: '天津乾坤物流有限公司',
        role: 'SUBJECT',
        restrictedItems: ALL_ITEMS,
        boundPersons: [
          {
            name: '孙磊',
            role: 'LEGAL_REPRESENTATIVE',
            person: { idNumber: '120116198104060033', birthDate: '1981-04-06', gender: 'MALE' },
          },
        ],
        status: 'LIFTED',
        liftedOn: '2024-04-22',
        provenance: {
          source: 'COURTS',
          system: SYSTEM,
          recordId: '1201162021000005521',
          asOf: '2024-04-22T15:30:00+08:00',
        },
      },
    ]);
  });

  it('gives every other demo subject, and its legal representative, an empty section', async () => {
    const keys: DemoKey[] = [
      'clean-sme',
      'procurement-ban-ended',
      'abnormal-removed',
      'wage-arrears',
      'deregistered',
      'individual-business',
      'social-org',
      'legacy-check-fail',
      'major-tax-violator',
      'legacy-registration',
      'farmer-coop',
    ];
    const representatives = keys.map((key) => subjectFacts(demoCode(key))!.legalRepresentative.idNumber);
    const result = await query(subgraph, ENTITIES, {
      r: [...keys.map((key) => enterprise(demoCode(key))), ...representatives.map(person)],
    });
    expect(result.errors).toBeUndefined();
    const empty = { dishonestDebtorRecords: [], consumptionRestrictions: [] };
    expect(result.data._entities).toEqual([
      ...keys.map((key) => ({ code: demoCode(key), courts: empty })),
      ...representatives.map((idNumber) => ({ idNumber, birthDate: expect.any(String), courts: empty })),
    ]);
  });
});

describe('subjects', () => {
  it('answers an empty section without an error for a company the courts hold no case against', async () => {
    const unknown = unregisteredCodes().next().value!;
    const result = await query(subgraph, ENTITIES, { r: [enterprise(unknown)] });
    expect(result).toEqual({
      data: { _entities: [{ code: unknown, courts: { dishonestDebtorRecords: [], consumptionRestrictions: [] } }] },
    });
    const known = await query(
      subgraph,
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Enterprise { courts { known readAt } } } }`,
      { r: [enterprise(unknown), enterprise(demoCode('partial-debtor'))] },
    );
    expect(known.errors).toBeUndefined();
    expect(known.data._entities.map((e: any) => e.courts.known)).toEqual([false, true]);
    for (const e of known.data._entities) expect(Number.isNaN(Date.parse(e.courts.readAt))).toBe(false);
  });

  it('names a person for every valid ID number, with what the number itself says', async () => {
    const result = await query(
      subgraph,
      `query($id: IdNumber!) { person(idNumber: $id) { idNumber birthDate gender divisionCode } }`,
      {
        id: '11010519491231002x',
      },
    );
    expect(result).toEqual({
      data: {
        person: { idNumber: '11010519491231002X', birthDate: '1949-12-31', gender: 'FEMALE', divisionCode: '110105' },
      },
    });
  });

  it('refuses an invalid ID number argument and resolves no person from an invalid reference', async () => {
    const argument = await query(subgraph, `query($id: IdNumber!) { person(idNumber: $id) { idNumber } }`, {
      id: '110105194912310021',
    });
    expect(argument.data).toBeUndefined();
    expect(argument.errors?.map((e) => e.extensions)).toEqual([
      { code: 'INVALID_ID_NUMBER', reason: "check character at position 18 should be 'X', got '1'" },
    ]);

    const reference = await query(subgraph, ENTITIES, { r: [person('110105194912310021')] });
    expect(reference).toEqual({ data: { _entities: [null] } });
  });

  it('asks the courts once for a whole batch of companies and people, and answers in key order', async () => {
    const unknown = unregisteredCodes().next().value!;
    const representations = [
      enterprise(demoCode('serious-illegal')),
      person(DEMO_PEOPLE.debtorRepresentative.idNumber),
      enterprise(unknown),
      enterprise(demoCode('clean-sme')),
      person(DEMO_PEOPLE.partialDebtorRepresentative.idNumber),
      enterprise(demoCode('partial-debtor')),
    ];
    await control('POST', '/_sim/reset');
    const result = await query(subgraph, ENTITIES, { r: representations });
    const stats = (await control('GET', '/_sim/stats')) as StandInStats;
    expect(stats).toMatchObject({ requests: 1, keys: 6, byPath: { [ENDPOINT]: 1 } });
    expect(result.errors).toBeUndefined();
    expect(
      result.data._entities.map((entity: any) => [
        entity.code ?? entity.idNumber,
        entity.courts?.dishonestDebtorRecords.map((r: any) => r.status) ?? null,
        entity.courts?.consumptionRestrictions.map((r: any) => `${r.role}:${r.status}`) ?? null,
      ]),
    ).toEqual([
      [demoCode('serious-illegal'), ['REMOVED'], ['SUBJECT:LIFTED']],
      [DEMO_PEOPLE.debtorRepresentative.idNumber, ['LISTED'], ['SUBJECT:ACTIVE']],
      [unknown, [], []],
      [demoCode('clean-sme'), [], []],
      [DEMO_PEOPLE.partialDebtorRepresentative.idNumber, [], ['LEGAL_REPRESENTATIVE:ACTIVE']],
      [demoCode('partial-debtor'), ['LISTED'], ['SUBJECT:ACTIVE']],
    ]);
  });
});

describe('generated population', () => {
  const generated = () => [...population(POPULATION)].filter((code) => !DEMO_SUBJECTS.has(code));

  it('lists about 3% of companies as debtors, a quarter of records removed, most with an order on their officers', async () => {
    const codes = generated();
    const organizationCodes = codes.map((code) => `${code.slice(8, 16)}-${code.slice(16, 17)}`);
    let debtors = 0;
    let records = 0;
    let removed = 0;
    let withOrder = 0;
    for (let start = 0; start < organizationCodes.length; start += 1000) {
      const answer = await courtsQuery(organizationCodes.slice(start, start + 1000), []);
      expect(answer).toMatchObject({ result: 'success', wppzzjgdmList: [] });
      const listed = new Set<string>(answer.sxbzxr.map((r: any) => r.cardNum.replace('-', '')));
      debtors += listed.size;
      records += answer.sxbzxr.length;
      removed += answer.sxbzxr.filter((r: any) => r.revokeState !== '0').length;
      withOrder += new Set(answer.xzxfl.map((o: any) => o.xfrzjhm)).size;
      for (const order of answer.xzxfl) expect(listed.has(order.xfrzjhm.replace('-', ''))).toBe(true);
    }
    expect(debtors / codes.length).toBeGreaterThan(0.02);
    expect(debtors / codes.length).toBeLessThan(0.04);
    expect(removed / records).toBeGreaterThan(0.15);
    expect(removed / records).toBeLessThan(0.35);
    expect(withOrder / debtors).toBeGreaterThan(0.45);
    expect(withOrder / debtors).toBeLessThan(0.75);
  });

  it('lists about 1.5% of people as personal debtors, most with their own order', async () => {
    const rng = rngFor('courts-test', 'people');
    const ids = Array.from({ length: 20_000 }, () =>
      buildIdNumber(
        rng.pick(['110105', '500112', '440305', '510104', '330106']),
        rng.date('1950-01-01', '2000-12-31').replaceAll('-', ''),
        rng.digits(3),
      ),
    );
    let debtors = 0;
    let withOrder = 0;
    for (let start = 0; start < ids.length; start += 1000) {
      const answer = await courtsQuery([], ids.slice(start, start + 1000));
      debtors += new Set(answer.sxbzxr.map((r: any) => r.cardNum)).size;
      withOrder += new Set(answer.xzxfl.filter((o: any) => o.glry.length === 0).map((o: any) => o.xfrzjhm)).size;
    }
    expect(debtors / ids.length).toBeGreaterThan(0.01);
    expect(debtors / ids.length).toBeLessThan(0.02);
    expect(withOrder / debtors).toBeGreaterThan(0.6);
  });

  it("finds a generated company's order on each person it binds, in that person's role", async () => {
    const codes = generated().slice(0, 1000);
    const answer = await courtsQuery(
      codes.map((code) => code.slice(8, 17)),
      [],
    );
    const orders = answer.xzxfl.slice(0, 8);
    expect(orders.length).toBe(8);
    const bound = orders.flatMap((order: any) => order.glry.map((p: any) => ({ order, p })));
    const result = await query(subgraph, ENTITIES, { r: bound.map(({ p }: any) => person(p.zjhm)) });
    expect(result.errors).toBeUndefined();
    const ROLE: Record<string, string> = {
      法定代表人: 'LEGAL_REPRESENTATIVE',
      主要负责人: 'PRINCIPAL',
      实际控制人: 'ACTUAL_CONTROLLER',
    };
    bound.forEach(({ order, p }: any, index: number) => {
      const restrictions = result.data._entities[index].courts.consumptionRestrictions;
      expect(restrictions).toContainEqual(
        expect.objectContaining({
          caseNumber: order.ah.replace('（', '(').replace('）', ')'),
          role: ROLE[p.sf],
          restrictedSubjectName: order.xfrmc,
        }),
      );
    });
  });

  it("writes a personal debtor's name as the company register has it, for legal representatives", async () => {
    const representatives = generated()
      .slice(0, 3000)
      .map((code) => subjectFacts(code)!.legalRepresentative);
    const result = await query(subgraph, ENTITIES, { r: representatives.map((rep) => person(rep.idNumber)) });
    expect(result.errors).toBeUndefined();
    const names = result.data._entities.flatMap((entity: any, index: number) =>
      entity.courts.dishonestDebtorRecords.map((record: any) => [record.name, representatives[index]!.name]),
    );
    expect(names.length).toBeGreaterThan(10);
    for (const [recorded, registered] of names) expect(recorded).toBe(registered);
  });
});

describe('faults', () => {
  const FAULTED = `query($r: [_Any!]!) { _entities(representations: $r) {
    ... on Enterprise { code courts { dishonestDebtorRecords { caseNumber } } }
    ... on Person { idNumber birthDate courts { dishonestDebtorRecords { caseNumber } } }
  } }`;
  const representations = [enterprise(demoCode('partial-debtor')), person(DEMO_PEOPLE.debtorRepresentative.idNumber)];

  async function expectSectionErrors(server: RunningServer, code: string) {
    const result = await query(server, FAULTED, { r: representations });
    expect(result.data).toEqual({
      _entities: [
        { code: demoCode('partial-debtor'), courts: null },
        { idNumber: DEMO_PEOPLE.debtorRepresentative.idNumber, birthDate: '1982-03-15', courts: null },
      ],
    });
    // In either order: the rows fail independently, and their errors settle when they do.
    const byPath = (a: { path: unknown[] }, b: { path: unknown[] }) => String(a.path).localeCompare(String(b.path));
    expect(result.errors?.map(({ path, extensions }) => ({ path, extensions })).sort(byPath)).toEqual([
      { path: ['_entities', 0, 'courts'], extensions: { code, source: 'courts' } },
      { path: ['_entities', 1, 'courts'], extensions: { code, source: 'courts' } },
    ]);
  }

  it('answers SOURCE_UNAVAILABLE for the section when the courts fail', async () => {
    await control('PUT', '/_sim/faults', { errorRate: 1 });
    await expectSectionErrors(subgraph, 'SOURCE_UNAVAILABLE');
  });

  it('answers SOURCE_BAD_RESPONSE for the section when the courts send something else', async () => {
    await control('PUT', '/_sim/faults', { garbageRate: 1 });
    await expectSectionErrors(subgraph, 'SOURCE_BAD_RESPONSE');
  });

  it('answers SOURCE_TIMEOUT for the section when the courts do not answer', async () => {
    await control('PUT', '/_sim/faults', { hang: true });
    await expectSectionErrors(impatient, 'SOURCE_TIMEOUT');
  });

  it('names the department in the message and nothing else', async () => {
    await control('PUT', '/_sim/faults', { errorRate: 1 });
    const result = await query(subgraph, FAULTED, { r: [representations[0]] });
    expect(result.errors).toEqual([
      {
        message: 'The courts department system is unavailable',
        locations: [{ line: 2, column: 30 }],
        path: ['_entities', 0, 'courts'],
        extensions: { code: 'SOURCE_UNAVAILABLE', source: 'courts' },
      },
    ]);
  });
});
