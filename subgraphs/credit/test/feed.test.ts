import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, silentLogger, type RunningServer, type Tier } from '@credit-gateway/common';
import { DEMO_PEOPLE, demoCode, startStandIn, type RunningStandIn } from '@credit-gateway/sources';
import { GATEWAY_KEYS, gatewayHeaders } from '../../../common/test/support/gateway-identity.js';
import { encodeCursor } from '../src/feed/cursor.js';
import type { CreditStore } from '../src/models.js';
import { loadMeasuresCatalog } from '../src/rules/catalog.js';
import { createCreditSubgraph, loadConfig } from '../src/server.js';
import { createLinkageSource } from '../src/source/linkage.js';
import { openCreditStore } from '../src/store/index.js';
import { STORES, tempDir, type StoreUnderTest } from './store-support.js';

const POPULATION = 1_500;
/** China date 2030-01-01: later than anything the courts' log holds, appended changes included. */
const CLOCK = new Date('2029-12-31T16:00:00.000Z');
const catalog = loadMeasuresCatalog();

/** A change as the courts' linkage interface sends it. */
interface ZxldChange {
  seq: number;
  time: string;
  type: string;
  caseCode: string;
  subject: { name: string; orgCode?: string; uscc?: string; idNumber?: string };
  restrictedItems: string;
  boundPersons: { xm: string; zjhm: string; sf: string }[];
  listed: boolean;
}

interface Caller {
  tier: Tier;
  client?: string;
}

const JUDICIAL: Caller = { tier: 'JUDICIAL', client: 'court-enforcement-linkage' };
const AIRLINES: Caller = { tier: 'GOVERNMENT', client: 'civil-aviation-administration' };
const RAILWAYS: Caller = { tier: 'GOVERNMENT', client: 'china-railway' };

const FEEDBACK_FIELDS = 'id changeId measureId department action actedOn reportedAt';
const NODE_FIELDS = `id changedAt change caseNumber debtorName debtorCode debtorIdNumber listed
  restrictions { measure { id name } legalBasis } boundPersons { name role idNumber } feedback { ${FEEDBACK_FIELDS} }`;
const FEED = `query Feed($since: DateTime!, $after: String, $first: Int) {
  debtorRestrictions(changedSince: $since, after: $after, first: $first) {
    edges { cursor node { ${NODE_FIELDS} } }
    pageInfo { endCursor hasNextPage }
  }
}`;
const REPORT = `mutation Report($input: EnforcementFeedbackInput!) {
  reportEnforcementFeedback(input: $input) { ${FEEDBACK_FIELDS} }
}`;

interface Node {
  id: string;
  changedAt: string;
  change: string;
  caseNumber: string;
  debtorName: string;
  debtorCode: string | null;
  debtorIdNumber: string | null;
  listed: boolean;
  restrictions: { measure: { id: string; name: string }; legalBasis: string }[];
  boundPersons: { name: string; role: string; idNumber: string | null }[];
  feedback: Record<string, unknown>[];
}

interface FeedPage {
  edges: { cursor: string; node: Node }[];
  pageInfo: { endCursor: string | null; hasNextPage: boolean };
}

interface GraphQLResult {
  data?: Record<string, any> | null;
  errors?: { message: string; path?: unknown[]; extensions?: Record<string, unknown> }[];
}

async function graphql(
  server: RunningServer,
  caller: Caller,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GraphQLResult> {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(await gatewayHeaders({ tier: caller.tier, client: caller.client ?? null })),
    },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphQLResult;
}

async function startSubgraph(standIn: RunningStandIn, store: CreditStore): Promise<RunningServer> {
  const config = loadConfig({
    PORT: '0',
    GATEWAY_PUBLIC_KEY: GATEWAY_KEYS.GATEWAY_PUBLIC_KEY,
    LINKAGE_URL: standIn.url,
  });
  const linkage = createLinkageSource({ baseUrl: config.linkageUrl, timeoutMs: config.sourceTimeoutMs });
  const subgraph = createCreditSubgraph(config, silentLogger(), { store, linkage, now: () => CLOCK });
  return listen(subgraph.handler, 0);
}

/** The whole log, straight from the courts' interface. */
async function courtsLog(standIn: RunningStandIn): Promise<ZxldChange[]> {
  const changes: ZxldChange[] = [];
  for (;;) {
    const response = await fetch(`${standIn.url}/zxgk/api/zxld/changes?afterSeq=${changes.length}&limit=1000`);
    const body = (await response.json()) as { changes: ZxldChange[]; lastSeq: number };
    changes.push(...body.changes);
    if (body.changes.length === 0) return changes;
  }
}

async function append(standIn: RunningStandIn, change: Record<string, unknown>): Promise<ZxldChange> {
  const response = await fetch(`${standIn.url}/_sim/linkage/changes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(change),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as ZxldChange;
}

/** What the feed must show for a change of the courts' log. */
function expectedNode(change: ZxldChange) {
  const items = change.restrictedItems === '' ? [] : change.restrictedItems.split(',').map(Number);
  return {
    id: `courts:${change.seq}`,
    changedAt: `${change.time.replace(' ', 'T')}+08:00`,
    change: change.type,
    caseNumber: change.caseCode,
    debtorName: change.subject.name,
    debtorCode: change.subject.uscc ?? null,
    debtorIdNumber: change.subject.idNumber ?? null,
    listed: change.listed,
    restrictionIds: items.map((item) => `RESTRICT-${item}`),
    boundIds: change.boundPersons.map((person) => person.zjhm || null),
  };
}

function summary(node: Node) {
  const {
    restrictions,
    boundPersons,
    id,
    changedAt,
    change,
    caseNumber,
    debtorName,
    debtorCode,
    debtorIdNumber,
    listed,
  } = node;
  return {
    id,
    changedAt,
    change,
    caseNumber,
    debtorName,
    debtorCode,
    debtorIdNumber,
    listed,
    restrictionIds: restrictions.map((restriction) => restriction.measure.id),
    boundIds: boundPersons.map((person) => person.idNumber),
  };
}

let standIn: RunningStandIn;
let store: CreditStore;
let server: RunningServer;
let removeDir: () => Promise<void>;
let storeDir: string;

beforeAll(async () => {
  standIn = await startStandIn('courts', { logger: silentLogger(), populationSize: POPULATION, port: 0 });
  const temp = await tempDir();
  storeDir = temp.dir;
  removeDir = temp.remove;
  store = await openCreditStore({ dir: storeDir }, silentLogger());
  server = await startSubgraph(standIn, store);
});

afterAll(async () => {
  await server?.close();
  await store?.close();
  await standIn?.close();
  await removeDir?.();
});

describe('the court linkage feed over HTTP', () => {
  it('walks the whole log page by page, once each, with changes appended mid-walk at its end', async () => {
    const before = await courtsLog(standIn);
    expect(before.length).toBeGreaterThan(60);
    const pages: FeedPage[] = [];
    const appended: ZxldChange[] = [];
    let after: string | null = null;
    for (;;) {
      const result = await graphql(server, JUDICIAL, FEED, { since: '2000-01-01T00:00:00Z', after, first: 7 });
      expect(result.errors).toBeUndefined();
      const page = result.data!['debtorRestrictions'] as FeedPage;
      pages.push(page);
      if (pages.length === 3) {
        appended.push(await append(standIn, { type: 'REMOVED', caseCode: '(2023)渝0112执1234号' }));
        appended.push(await append(standIn, { type: 'LIFTED', caseCode: '(2024)川0104执2817号' }));
      }
      if (pages.length === 6) {
        appended.push(
          await append(standIn, {
            type: 'LISTED',
            caseCode: '(2026)渝0112执901号',
            subject: { name: '重庆渝东建筑工程有限公司', uscc: demoCode('partial-debtor') },
          }),
        );
      }
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
      expect(pages.length).toBeLessThan(200);
    }

    const log = await courtsLog(standIn);
    expect(log).toEqual([...before, ...appended]);
    const walked = pages.flatMap((page) => page.edges.map((edge) => edge.node));
    // Every change once, in the log's order: no gap, no duplicate.
    expect(walked.map((node) => node.id)).toEqual(log.map((change) => `courts:${change.seq}`));
    expect(walked.map(summary)).toEqual(log.map(expectedNode));
    expect(walked.slice(-3).map((node) => [node.change, node.caseNumber, node.listed])).toEqual([
      ['REMOVED', '(2023)渝0112执1234号', false],
      ['LIFTED', '(2024)川0104执2817号', true],
      ['LISTED', '(2026)渝0112执901号', true],
    ]);
    for (const [index, page] of pages.entries()) {
      const last = index === pages.length - 1;
      expect(page.pageInfo.hasNextPage).toBe(!last);
      if (!last) expect(page.edges).toHaveLength(7);
      expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor ?? after);
      for (const edge of page.edges) expect(edge.cursor).toBe(encodeCursor(Number(edge.node.id.slice(7))));
    }

    // At the end the client keeps its cursor, and the next change is all it sees.
    const end = pages.at(-1)!.pageInfo.endCursor;
    const idle = await graphql(server, JUDICIAL, FEED, { since: '2000-01-01T00:00:00Z', after: end, first: 7 });
    expect(idle.data).toEqual({ debtorRestrictions: { edges: [], pageInfo: { endCursor: end, hasNextPage: false } } });
    const next = await append(standIn, { type: 'REMOVED', caseCode: '(2026)渝0112执901号' });
    const polled = await graphql(server, AIRLINES, FEED, { since: '2000-01-01T00:00:00Z', after: end, first: 7 });
    const polledPage = polled.data!['debtorRestrictions'] as FeedPage;
    expect(polledPage.edges.map((edge) => summary(edge.node))).toEqual([expectedNode(next)]);
    expect(polledPage.pageInfo).toEqual({ endCursor: encodeCursor(next.seq), hasNextPage: false });
  });

  it('starts at changedSince', async () => {
    const log = await courtsLog(standIn);
    const since = '2024-04-22T15:30:00+08:00';
    const result = await graphql(server, JUDICIAL, FEED, { since, first: 4 });
    const page = result.data!['debtorRestrictions'] as FeedPage;
    const expected = log.filter((change) => change.time >= '2024-04-22 15:30:00').slice(0, 4);
    expect(page.edges.map((edge) => edge.node.id)).toEqual(expected.map((change) => `courts:${change.seq}`));
    expect(page.edges.map((edge) => edge.node.change)).toContain('REMOVED');
  });

  it("shows a demo company's order with the measures, their legal basis and the people it binds", async () => {
    const log = await courtsLog(standIn);
    const listed = log.find((change) => change.caseCode === '(2023)渝0112执1234号' && change.type === 'LISTED')!;
    const result = await graphql(server, JUDICIAL, FEED, {
      since: '2000-01-01T00:00:00Z',
      after: encodeCursor(listed.seq - 1),
      first: 1,
    });
    expect(result).toEqual({
      data: {
        debtorRestrictions: {
          edges: [
            {
              cursor: encodeCursor(listed.seq),
              node: {
                id: `courts:${listed.seq}`,
                changedAt: '2023-08-21T10:15:00+08:00',
                change: 'LISTED',
                caseNumber: '(2023)渝0112执1234号',
                debtorName: '重庆渝东建筑工程有限公司',
                debtorCode: '91500112MA60YD7K76',
                debtorIdNumber: null,
                listed: true,
                restrictions: [1, 2, 3, 4, 5, 6, 7, 8, 9].map((item) => ({
                  measure: { id: `RESTRICT-${item}`, name: catalog.get(`RESTRICT-${item}`)!.name },
                  legalBasis: catalog.get(`RESTRICT-${item}`)!.legalBasis,
                })),
                boundPersons: [
                  {
                    name: '周德明',
                    role: 'LEGAL_REPRESENTATIVE',
                    idNumber: DEMO_PEOPLE.partialDebtorRepresentative.idNumber,
                  },
                ],
                feedback: [],
              },
            },
          ],
          pageInfo: { endCursor: encodeCursor(listed.seq), hasNextPage: true },
        },
      },
    });
  });

  it('refuses bad page sizes and cursors, and callers of other tiers', async () => {
    const since = '2000-01-01T00:00:00Z';
    const tooMany = await graphql(server, JUDICIAL, FEED, { since, first: 501 });
    expect(tooMany).toEqual({
      data: null,
      errors: [
        {
          message: "'first' must be from 1 to 500",
          locations: [{ line: 2, column: 3 }],
          path: ['debtorRestrictions'],
          extensions: { code: 'BAD_USER_INPUT', argument: 'first', minimum: 1, maximum: 500 },
        },
      ],
    });
    const forged = await graphql(server, JUDICIAL, FEED, {
      since,
      after: Buffer.from('courts:x').toString('base64url'),
    });
    expect(forged.errors?.map((error) => [error.message, error.extensions])).toEqual([
      ["'after' is not a cursor of this feed", { code: 'BAD_USER_INPUT', argument: 'after' }],
    ]);
    for (const tier of ['PUBLIC', 'AUTHORIZED', 'ANALYST'] as const) {
      const refused = await graphql(server, { tier, client: 'someone' }, FEED, { since });
      expect(
        refused.errors?.map((error) => error.extensions?.['code']),
        tier,
      ).toEqual(['UNAUTHORIZED_FIELD_OR_TYPE']);
    }
  });

  it('names the courts when their interface fails', async () => {
    const faults = async (body: Record<string, unknown>) => {
      await fetch(`${standIn.url}/_sim/faults`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    };
    try {
      await faults({ errorRate: 1 });
      const down = await graphql(server, JUDICIAL, FEED, { since: '2000-01-01T00:00:00Z' });
      expect(down.errors?.map((error) => [error.message, error.extensions])).toEqual([
        ['The courts department system is unavailable', { code: 'SOURCE_UNAVAILABLE', source: 'courts' }],
      ]);
      await faults({ errorRate: 0, garbageRate: 1 });
      const garbage = await graphql(server, JUDICIAL, FEED, { since: '2000-01-01T00:00:00Z' });
      expect(garbage.errors?.map((error) => error.extensions)).toEqual([
        { code: 'SOURCE_BAD_RESPONSE', source: 'courts' },
      ]);
    } finally {
      await faults({ errorRate: 0, garbageRate: 0 });
    }
  });
});

describe('enforcement feedback over HTTP', () => {
  async function demoChange(caseCode: string, type: string): Promise<ZxldChange> {
    return (await courtsLog(standIn)).find((change) => change.caseCode === caseCode && change.type === type)!;
  }

  async function feedbackOn(target: RunningServer, seq: number) {
    const result = await graphql(target, JUDICIAL, FEED, {
      since: '2000-01-01T00:00:00Z',
      after: encodeCursor(seq - 1),
      first: 1,
    });
    const page = result.data!['debtorRestrictions'] as FeedPage;
    expect(page.edges[0]?.node.id).toBe(`courts:${seq}`);
    return page.edges[0]!.node.feedback;
  }

  it('records what a department did, once per key, and shows it on the change', async () => {
    const issued = await demoChange('(2023)渝0112执1234号', 'ISSUED');
    const input = {
      changeId: `courts:${issued.seq}`,
      measureId: 'RESTRICT-1',
      action: '已在民航售票系统中限制周德明购买机票',
      actedOn: '2023-06-06',
      idempotencyKey: 'caac-2023-0001',
    };
    const first = await graphql(server, AIRLINES, REPORT, { input });
    expect(first.errors).toBeUndefined();
    const feedback = first.data!['reportEnforcementFeedback'] as Record<string, string>;
    expect(feedback).toEqual({
      id: expect.stringMatching(/^FB-[0-9A-F]{20}$/),
      changeId: `courts:${issued.seq}`,
      measureId: 'RESTRICT-1',
      department: 'civil-aviation-administration',
      action: '已在民航售票系统中限制周德明购买机票',
      actedOn: '2023-06-06',
      reportedAt: '2030-01-01T00:00:00+08:00',
    });

    // A retry returns the first report, and records nothing new.
    expect(await graphql(server, AIRLINES, REPORT, { input })).toEqual(first);
    // Another department's key is its own.
    const railways = await graphql(server, RAILWAYS, REPORT, {
      input: { ...input, measureId: 'RESTRICT-9', action: '已限制乘坐G字头动车组列车', actedOn: '2023-06-07' },
    });
    expect(railways.errors).toBeUndefined();
    const judicial = await graphql(server, JUDICIAL, REPORT, {
      input: { ...input, measureId: 'RESTRICT-3', action: '已通知不动产登记机构', idempotencyKey: 'zx-1' },
    });
    expect(judicial.errors).toBeUndefined();

    const shown = await feedbackOn(server, issued.seq);
    expect(shown).toEqual([
      feedback,
      railways.data!['reportEnforcementFeedback'],
      judicial.data!['reportEnforcementFeedback'],
    ]);
    expect(shown.map((item) => item['department'])).toEqual([
      'civil-aviation-administration',
      'china-railway',
      'court-enforcement-linkage',
    ]);
    const streams = store.events.read(`feedback/${feedback['id']}`);
    expect(streams).toHaveLength(1);

    // The same key for another report is refused.
    const reused = await graphql(server, AIRLINES, REPORT, { input: { ...input, action: '另一份反馈' } });
    expect(reused.errors?.map((error) => [error.message, error.extensions])).toEqual([
      [
        `idempotencyKey 'caac-2023-0001' was already used for another report (${feedback['id']})`,
        { code: 'BAD_USER_INPUT', field: 'idempotencyKey' },
      ],
    ]);
  });

  it('refuses reports on changes the courts do not have, on other measures, and by other tiers', async () => {
    const issued = await demoChange('(2024)川0104执2817号', 'ISSUED');
    const input = {
      changeId: `courts:${issued.seq}`,
      measureId: 'RESTRICT-1',
      action: '已限制',
      actedOn: '2024-03-26',
      idempotencyKey: 'refusals-1',
    };
    const problems = async (caller: Caller, overrides: Record<string, unknown>) =>
      (await graphql(server, caller, REPORT, { input: { ...input, ...overrides } })).errors?.map((error) => [
        error.message,
        error.extensions?.['code'],
      ]);
    const lastSeq = (await courtsLog(standIn)).length;
    expect(await problems(AIRLINES, { changeId: `courts:${lastSeq + 100}` })).toEqual([
      [`There is no change courts:${lastSeq + 100} in the court linkage feed`, 'BAD_USER_INPUT'],
    ]);
    expect(await problems(AIRLINES, { actedOn: '2024-03-24' })).toEqual([
      ['actedOn 2024-03-24 is before the change (2024-03-25)', 'BAD_USER_INPUT'],
    ]);
    expect(await problems(AIRLINES, { actedOn: '2030-01-02', measureId: 'GREEN-CHANNEL' })).toEqual([
      [expect.stringContaining('actedOn 2030-01-02 is after today (2030-01-01)'), 'BAD_USER_INPUT'],
    ]);
    for (const tier of ['PUBLIC', 'AUTHORIZED', 'ANALYST'] as const) {
      expect(await problems({ tier, client: 'someone' }, {}), tier).toEqual([
        ['Not authorized to read Mutation.reportEnforcementFeedback', 'UNAUTHORIZED_FIELD_OR_TYPE'],
      ]);
    }
    expect(await feedbackOn(server, issued.seq)).toEqual([]);
  });

  it('answers a retry from the store while the courts are down', async () => {
    const listed = await demoChange('(2024)川0104执2817号', 'LISTED');
    const input = {
      changeId: `courts:${listed.seq}`,
      measureId: 'RESTRICT-5',
      action: '已限制车辆登记',
      actedOn: '2024-05-07',
      idempotencyKey: 'police-0001',
    };
    const police: Caller = { tier: 'GOVERNMENT', client: 'public-security' };
    const first = await graphql(server, police, REPORT, { input });
    expect(first.errors).toBeUndefined();
    await fetch(`${standIn.url}/_sim/faults`, { method: 'PUT', body: JSON.stringify({ errorRate: 1 }) });
    try {
      expect(await graphql(server, police, REPORT, { input })).toEqual(first);
      const fresh = await graphql(server, police, REPORT, { input: { ...input, idempotencyKey: 'police-0002' } });
      expect(fresh.errors?.map((error) => error.extensions?.['code'])).toEqual(['SOURCE_UNAVAILABLE']);
    } finally {
      await fetch(`${standIn.url}/_sim/faults`, { method: 'PUT', body: JSON.stringify({ errorRate: 0 }) });
    }
  });
});

describe.each(STORES)('enforcement feedback survives a restart on the $name', ({ setup }) => {
  let place: StoreUnderTest;

  beforeAll(async () => {
    place = await setup();
  });

  afterAll(async () => {
    await place?.cleanup();
  });

  it('is there after the store is reopened, and a retry still returns it', async () => {
    const issued = (await courtsLog(standIn)).find(
      (change) => change.caseCode === '(2021)津0116执5521号' && change.type === 'ISSUED',
    )!;
    const input = {
      changeId: `courts:${issued.seq}`,
      measureId: 'RESTRICT-2',
      action: '已通知星级酒店限制消费',
      actedOn: '2021-07-05',
      idempotencyKey: 'tourism-0001',
    };
    const tourism: Caller = { tier: 'GOVERNMENT', client: 'culture-and-tourism' };

    const firstStore = await openCreditStore(place.config, silentLogger());
    const firstServer = await startSubgraph(standIn, firstStore);
    let reported: GraphQLResult;
    try {
      reported = await graphql(firstServer, tourism, REPORT, { input });
      expect(reported.errors).toBeUndefined();
    } finally {
      await firstServer.close();
      await firstStore.close();
    }

    const reopened = await openCreditStore(place.config, silentLogger());
    const secondServer = await startSubgraph(standIn, reopened);
    try {
      const feed = await graphql(secondServer, JUDICIAL, FEED, {
        since: '2000-01-01T00:00:00Z',
        after: encodeCursor(issued.seq - 1),
        first: 1,
      });
      const node = (feed.data!['debtorRestrictions'] as FeedPage).edges[0]!.node;
      expect(node.feedback).toEqual([reported.data!['reportEnforcementFeedback']]);
      expect(await graphql(secondServer, tourism, REPORT, { input })).toEqual(reported);
      expect(reopened.events.read(`feedback/${node.feedback[0]!['id'] as string}`)).toHaveLength(1);
    } finally {
      await secondServer.close();
      await reopened.close();
    }
  });
});
