import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  listen,
  silentLogger,
  type ConsentGroup,
  type Department,
  type RunningServer,
  type Tier,
} from '@credit-gateway/common';
import { GATEWAY_KEYS, gatewayHeaders } from '../../../common/test/support/gateway-identity.js';
import type { CreditStore } from '../src/models.js';
import { createCreditSubgraph, loadConfig } from '../src/server.js';
import { openCreditStore } from '../src/store/index.js';
import { tempDir } from './store-support.js';
import { cleanSme, market, partialDebtor, representation } from './support/enterprises.js';

/** The SME with two penalties, so that objections and repairs have market records to name. */
function smeWithPenalties() {
  const sme = cleanSme();
  const penalty = (id: string, decidedOn: string) => ({
    decisionNumber: id,
    violationType: '广告违法',
    content: '罚款2000元',
    decidedOn,
    publishedOn: decidedOn,
    provenance: market(id),
  });
  return {
    ...sme,
    marketRegulation: {
      ...sme.marketRegulation!,
      penalties: [penalty('PEN-2025-7', '2025-07-01'), penalty('PEN-2024-3', '2024-03-01')],
    },
  };
}

const DEBTOR = '91500112MA60YD7K76';
const SME = '91500155MA5UQ01CXD';
const RECORD = 'COURTS:1503212086';

let clock = new Date('2026-09-29T02:00:00.000Z');
let store: CreditStore;
let server: RunningServer;
let remove: () => Promise<void>;

beforeAll(async () => {
  const temp = await tempDir();
  remove = temp.remove;
  store = await openCreditStore({ dir: temp.dir }, silentLogger());
  const config = loadConfig({ PORT: '0', GATEWAY_PUBLIC_KEY: GATEWAY_KEYS.GATEWAY_PUBLIC_KEY });
  const subgraph = await createCreditSubgraph(config, silentLogger(), { store, now: () => clock });
  server = await listen(subgraph.handler, 0);
  // Mutations name records the platform has read: read both subjects' records first.
  const read = await graphql(
    { tier: 'GOVERNMENT', client: 'approval-system' },
    `
      query ($r: [_Any!]!) {
        _entities(representations: $r) {
          ... on Enterprise {
            creditRecords {
              id
            }
          }
        }
      }
    `,
    { r: [representation(partialDebtor()), representation(smeWithPenalties())] },
  );
  expect(read.errors).toBeUndefined();
});

afterAll(async () => {
  await server?.close();
  await store?.close();
  await remove?.();
});

interface Caller {
  tier: Tier;
  client?: string;
  consents?: Record<string, ConsentGroup[]>;
  department?: Department;
}

const department: Caller = { tier: 'GOVERNMENT', client: 'court-enforcement-office', department: 'COURTS' };
const marketDepartment: Caller = { tier: 'GOVERNMENT', client: 'market-regulation-office', department: 'MARKET' };
const lenderWithConsent: Caller = {
  tier: 'AUTHORIZED',
  client: 'xinyidai-bank',
  consents: { [DEBTOR]: ['CREDIT_OBJECTION', 'TAX_CREDIT'] },
};
const lenderWithoutConsent: Caller = {
  tier: 'AUTHORIZED',
  client: 'xinyidai-bank',
  consents: { [DEBTOR]: ['TAX_CREDIT'], [SME]: ['CREDIT_OBJECTION'] },
};

async function graphql(caller: Caller, query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(await gatewayHeaders({
        tier: caller.tier,
        client: caller.client ?? null,
        consents: caller.consents ?? {},
        department: caller.department ?? null,
      })),
    },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: Record<string, unknown> | null; errors?: Record<string, unknown>[] };
}

const OBJECTION_FIELDS = `id code recordId reason status filedBy filedAt dueOn overdue resolution history { status at by note }`;
const FILE = `mutation File($input: FileObjectionInput!) { fileObjection(input: $input) { ${OBJECTION_FIELDS} } }`;
const ADVANCE = `mutation Advance($input: AdvanceObjectionInput!) { advanceObjection(input: $input) { id status resolution overdue } }`;
const READ = `query Read($id: ID!) { objection(id: $id) { id status overdue } }`;
const ENTITIES = `query Entities($representations: [_Any!]!) { _entities(representations: $representations) { ... on Enterprise { code objections { id recordId status } } } }`;

function fileInput(overrides: Record<string, unknown> = {}) {
  return {
    input: { code: DEBTOR, recordId: RECORD, reason: '已全部履行', idempotencyKey: 'http-1', ...overrides },
  };
}

describe('the objection workflow over HTTP', () => {
  let objectionId: string;

  it('files an objection for the subject through a client with its CREDIT_OBJECTION consent', async () => {
    const result = await graphql(lenderWithConsent, FILE, fileInput());
    expect(result.errors).toBeUndefined();
    const objection = result.data!['fileObjection'] as { id: string };
    objectionId = objection.id;
    expect(objection).toEqual({
      id: expect.stringMatching(/^OBJ-[0-9A-F]{20}$/) as string,
      code: DEBTOR,
      recordId: RECORD,
      reason: '已全部履行',
      status: 'RECEIVED',
      filedBy: DEBTOR,
      filedAt: '2026-09-29T02:00:00.000Z',
      dueOn: '2026-10-12',
      overdue: false,
      resolution: null,
      history: [{ status: 'RECEIVED', at: '2026-09-29T02:00:00.000Z', by: DEBTOR, note: null }],
    });
    // A retry with the same key is the same objection; the same key for another input is refused.
    expect(await graphql(lenderWithConsent, FILE, fileInput())).toEqual(result);
    const misuse = await graphql(lenderWithConsent, FILE, fileInput({ reason: '另一个理由' }));
    expect(misuse.errors?.map((e) => [(e['extensions'] as { code: string }).code, e['message']])).toEqual([
      ['BAD_USER_INPUT', `idempotencyKey 'http-1' was already used for another objection (${objectionId})`],
    ]);
  });

  it('refuses a client without the subject consent', async () => {
    const result = await graphql(lenderWithoutConsent, FILE, fileInput({ idempotencyKey: 'http-2' }));
    expect(result).toMatchInlineSnapshot(`
      {
        "data": null,
        "errors": [
          {
            "extensions": {
              "code": "CONSENT_REQUIRED",
              "consent": "CREDIT_OBJECTION",
              "subject": "91500112MA60YD7K76",
            },
            "locations": [
              {
                "column": 46,
                "line": 1,
              },
            ],
            "message": "To file an objection needs the subject's consent for CREDIT_OBJECTION",
            "path": [
              "fileObjection",
            ],
          },
        ],
      }
    `);
  });

  it('lets only government departments move it on, along the status machine', async () => {
    const byLender = await graphql(lenderWithConsent, ADVANCE, {
      input: { id: objectionId, status: 'VERIFYING', idempotencyKey: 'a-1' },
    });
    expect(byLender.errors?.map((e) => (e['extensions'] as { code: string }).code)).toEqual([
      'UNAUTHORIZED_FIELD_OR_TYPE',
    ]);

    const skipping = await graphql(department, ADVANCE, {
      input: { id: objectionId, status: 'CORRECTED', note: '已更正', idempotencyKey: 'a-1' },
    });
    expect(skipping.errors?.map((e) => [(e['extensions'] as { code: string }).code, e['message']])).toEqual([
      ['BAD_USER_INPUT', `Objection ${objectionId} is RECEIVED: it can only become VERIFYING, not CORRECTED`],
    ]);

    const verifying = await graphql(department, ADVANCE, {
      input: { id: objectionId, status: 'VERIFYING', note: '转执行法院核查', idempotencyKey: 'a-2' },
    });
    expect(verifying).toEqual({
      data: { advanceObjection: { id: objectionId, status: 'VERIFYING', resolution: null, overdue: false } },
    });
  });

  it('reads it back for the subject and for departments, and is overdue after its due date', async () => {
    clock = new Date('2026-10-12T15:59:59.000Z'); // still 12 October in China
    expect(await graphql(department, READ, { id: objectionId })).toEqual({
      data: { objection: { id: objectionId, status: 'VERIFYING', overdue: false } },
    });
    clock = new Date('2026-10-12T16:00:00.000Z'); // 13 October in China
    expect(await graphql(lenderWithConsent, READ, { id: objectionId })).toEqual({
      data: { objection: { id: objectionId, status: 'VERIFYING', overdue: true } },
    });
    const refused = await graphql(lenderWithoutConsent, READ, { id: objectionId });
    expect(refused.errors?.map((e) => [(e['extensions'] as Record<string, unknown>)['code'], e['message']])).toEqual([
      ['CONSENT_REQUIRED', "To read this objection needs the subject's consent for CREDIT_OBJECTION"],
    ]);
    expect(await graphql(department, READ, { id: 'OBJ-UNKNOWN' })).toEqual({ data: { objection: null } });
    expect((await graphql({ tier: 'PUBLIC' }, READ, { id: objectionId })).errors?.[0]?.['extensions']).toEqual({
      code: 'UNAUTHORIZED_FIELD_OR_TYPE',
      field: 'Query.objection',
    });
  });

  it("lists a subject's objections on the Enterprise entity for departments and the subject", async () => {
    const representations = [
      { __typename: 'Enterprise', code: DEBTOR },
      { __typename: 'Enterprise', code: SME },
    ];
    expect(await graphql(department, ENTITIES, { representations })).toEqual({
      data: {
        _entities: [
          { code: DEBTOR, objections: [{ id: objectionId, recordId: RECORD, status: 'VERIFYING' }] },
          { code: SME, objections: [] },
        ],
      },
    });
    // The subject itself, through a client it authorized.
    expect(await graphql(lenderWithConsent, ENTITIES, { representations: [representations[0]] })).toEqual({
      data: { _entities: [{ code: DEBTOR, objections: [{ id: objectionId, recordId: RECORD, status: 'VERIFYING' }] }] },
    });
    const refused = await graphql(lenderWithoutConsent, ENTITIES, { representations: [representations[0]] });
    expect(refused.errors?.map((e) => [(e['extensions'] as Record<string, unknown>)['code'], e['path']])).toEqual([
      ['CONSENT_REQUIRED', ['_entities', 0, 'objections']],
    ]);
  });

  it('closes it with a resolution: no longer overdue', async () => {
    const closed = await graphql(department, ADVANCE, {
      input: { id: objectionId, status: 'REVOKED', note: '执行完毕, 撤销失信记录', idempotencyKey: 'a-3' },
    });
    expect(closed).toEqual({
      data: {
        advanceObjection: { id: objectionId, status: 'REVOKED', resolution: '执行完毕, 撤销失信记录', overdue: false },
      },
    });
    expect((await store.overlaysFor(DEBTOR)).objections.get(RECORD)).toEqual({ id: objectionId, status: 'REVOKED' });
  });

  it('files only on records the subject has', async () => {
    const result = await graphql(department, FILE, fileInput({ recordId: 'COURTS:0000000000', idempotencyKey: 'nf' }));
    expect(result.errors?.map((e) => (e['extensions'] as { code: string }).code)).toEqual(['RECORD_NOT_FOUND']);
  });

  it('refuses markup in its free text rather than storing it', async () => {
    const result = await graphql(
      department,
      FILE,
      fileInput({ reason: '<script>alert(1)</script>', idempotencyKey: 'markup' }),
    );
    expect(result.errors?.map((e) => (e['extensions'] as { code: string }).code)).toEqual(['BAD_USER_INPUT']);
    expect(JSON.stringify(result)).not.toContain('<script>');
  });

  it('lets a government department file for any subject', async () => {
    const result = await graphql(department, FILE, fileInput({ code: SME, recordId: 'MARKET:PEN-2025-7' }));
    expect(result.data?.['fileObjection']).toMatchObject({ code: SME, filedBy: 'court-enforcement-office' });
  });

  it('refuses a malformed credit code before any rule runs', async () => {
    const result = await graphql(department, FILE, fileInput({ code: '91500112MA60YD7K77', idempotencyKey: 'bad' }));
    expect(result.errors?.map((e) => (e['extensions'] as { code: string }).code)).toEqual(['INVALID_CREDIT_CODE']);
  });
});

describe('repair applications over HTTP', () => {
  const APPLY = `mutation Apply($input: RepairApplicationInput!) { applyForRepair(input: $input) { id status } }`;
  const input = {
    code: SME,
    recordId: 'MARKET:PEN-2025-7',
    basis: '已纠正',
    correction: '缴款凭证',
    commitment: '信用承诺',
    idempotencyKey: 'r-1',
  };
  const codes = async (caller: Caller, overrides: Record<string, unknown>) =>
    (await graphql(caller, APPLY, { input: { ...input, ...overrides } })).errors?.map(
      (e) => (e['extensions'] as { code: string }).code,
    );

  it('never for a court record, whoever asks, and only for records that exist, without markup', async () => {
    for (const caller of [department, marketDepartment])
      expect(await codes(caller, { code: DEBTOR, recordId: RECORD, idempotencyKey: 'r-5' })).toEqual([
        'RECORD_NOT_REPAIRABLE',
      ]);
    expect(await codes(marketDepartment, { recordId: 'MARKET:PEN-1999-1', idempotencyKey: 'r-6' })).toEqual([
      'RECORD_NOT_FOUND',
    ]);
    expect(await codes(marketDepartment, { basis: '<img src=x onerror=alert(1)>', idempotencyKey: 'r-7' })).toEqual([
      'BAD_USER_INPUT',
    ]);
  });

  it('refuses a record no longer published: there is nothing to repair', async () => {
    expect(await codes(marketDepartment, { recordId: 'MARKET:PEN-2024-3' })).toEqual(['BAD_USER_INPUT']);
  });

  it('is not for other tiers', async () => {
    expect(await codes(lenderWithConsent, { idempotencyKey: 'r-2' })).toEqual(['UNAUTHORIZED_FIELD_OR_TYPE']);
  });
});
