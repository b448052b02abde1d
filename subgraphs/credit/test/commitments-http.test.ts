import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, silentLogger, type Department, type RunningServer, type Tier } from '@credit-gateway/common';
import { GATEWAY_KEYS, gatewayHeaders } from '../../../common/test/support/gateway-identity.js';
import type { CreditStore } from '../src/models.js';
import { createCreditSubgraph, loadConfig } from '../src/server.js';
import { openCreditStore } from '../src/store/index.js';
import { verifyFileEvents } from '../src/store/verify.js';
import { tempDir } from './store-support.js';
import { cleanSme, representation } from './support/enterprises.js';

const SME = '91500155MA5UQ01CXD';
// Monday 2026-09-28, 10:00 in China.
let clock = new Date('2026-09-28T02:00:00.000Z');
let store: CreditStore;
let server: RunningServer;
let remove: () => Promise<void>;
let reopen: () => Promise<void>;
let storeDir: string;

beforeAll(async () => {
  const temp = await tempDir();
  remove = temp.remove;
  storeDir = temp.dir;
  const config = loadConfig({ PORT: '0', GATEWAY_PUBLIC_KEY: GATEWAY_KEYS.GATEWAY_PUBLIC_KEY });
  const start = async () => {
    store = await openCreditStore({ dir: temp.dir }, silentLogger());
    const subgraph = await createCreditSubgraph(config, silentLogger(), { store, now: () => clock });
    server = await listen(subgraph.handler, 0);
  };
  reopen = async () => {
    await server.close();
    await store.close();
    await start();
  };
  await start();
});

afterAll(async () => {
  await server?.close();
  await store?.close();
  await remove?.();
});

interface Caller {
  tier: Tier;
  client?: string;
  department?: Department;
}

const MARKET: Caller = { tier: 'GOVERNMENT', client: 'market-regulation-office', department: 'MARKET' };

async function graphql(caller: Caller, query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(await gatewayHeaders({
        tier: caller.tier,
        client: caller.client ?? null,
        consents: {},
        department: caller.department ?? null,
      })),
    },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: any; errors?: any[] };
}

const FIELDS = 'id kind { id name dueWorkingDays basis } department madeOn dueOn state overdue resolvedOn recordId';

describe('credit commitments over HTTP', () => {
  it('makes one with a due date in working days, keeps it across a restart, and judges it overdue by the day read', async () => {
    const made = await graphql(
      MARKET,
      `mutation($input: MakeCommitmentInput!) { makeCommitment(input: $input) { ${FIELDS} } }`,
      {
        input: {
          code: SME,
          kind: 'ACCEPTANCE_WITH_DEFICIENCIES',
          matter: '食品经营许可',
          content: '十个工作日内补齐材料',
          idempotencyKey: 'k1',
        },
      },
    );
    expect(made.errors).toBeUndefined();
    // Ten working days after Monday 2026-09-28, across the National Day holiday (10-01 to 10-08).
    expect(made.data.makeCommitment).toMatchObject({
      kind: { id: 'ACCEPTANCE_WITH_DEFICIENCIES', dueWorkingDays: 10 },
      department: 'MARKET',
      madeOn: '2026-09-28',
      state: 'MADE',
      overdue: false,
    });
    const { id, dueOn } = made.data.makeCommitment;
    expect(dueOn > '2026-10-12').toBe(true);

    await reopen();
    clock = new Date(`${dueOn}T16:00:00.000Z`); // the day after the due date, in China
    const read = await graphql(MARKET, `query($id: ID!) { commitment(id: $id) { ${FIELDS} } }`, { id });
    expect(read.data.commitment).toMatchObject({ id, state: 'MADE', overdue: true });

    const broken = await graphql(
      MARKET,
      `mutation($input: ResolveCommitmentInput!) { resolveCommitment(input: $input) { ${FIELDS} } }`,
      { input: { id, state: 'BROKEN', note: '逾期未补齐材料', idempotencyKey: 'k1-broken' } },
    );
    expect(broken.errors).toBeUndefined();
    expect(broken.data.resolveCommitment).toMatchObject({ state: 'BROKEN', overdue: false, recordId: `MARKET:${id}` });

    const records = await graphql(
      MARKET,
      `
        query ($r: [_Any!]!) {
          _entities(representations: $r) {
            ... on Enterprise {
              creditRecords {
                id
                kind
                state
              }
              creditLists {
                list
                name
              }
              greenChannel {
                eligible
                reason
              }
            }
          }
        }
      `,
      { r: [representation(cleanSme())] },
    );
    expect(records.errors).toBeUndefined();
    const [enterprise] = records.data._entities;
    expect(enterprise.creditRecords).toContainEqual({ id: `MARKET:${id}`, kind: 'BROKEN_COMMITMENT', state: 'ACTIVE' });
    expect(enterprise.creditLists).toContainEqual({ list: 'WATCH', name: '信用承诺失信名单' });
    expect(enterprise.greenChannel.eligible).toBe(false);

    // Made and broken: two events sealed into the store's hash chain.
    expect(
      store.events.find(`commitment/${id}`, JSON.stringify(['market-regulation-office', 'k1-broken'])),
    ).toBeTruthy();
    expect(await verifyFileEvents(storeDir)).toMatchObject({
      ok: true,
      chains: [{ writer: 'events', records: 2, problems: [] }],
    });
  });
});
