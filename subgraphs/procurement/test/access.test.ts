import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  listen,
  silentLogger,
  type ConsentGroup,
  type InternalClaims,
  type RunningServer,
} from '@credit-gateway/common';
import { demoCode, startStandIn, type RunningStandIn, type StandInStats } from '@credit-gateway/sources';
import { GATEWAY_KEYS, gatewayHeaders } from '../../../common/test/support/gateway-identity.js';
import { describeGatewayOnly } from '../../../common/test/support/gateway-only.js';
import { createProcurementSubgraph, loadConfig } from '../src/server.js';

let standIn: RunningStandIn;
let subgraph: RunningServer;

const CLEAN = demoCode('clean-sme');
const DEBTOR = demoCode('partial-debtor');

/** One line, so that an error's column is where its field is in this text. */
const ENTITIES =
  'query($r: [_Any!]!) { _entities(representations: $r) { ... on Enterprise { code procurement { ' +
  'banned seriousDishonestyRecords { recordedOn banEndsOn active } contracts { contractNumber amount } } } } }';
const CONTRACTS_AT = [{ line: 1, column: ENTITIES.indexOf(' contracts ') + 2 }];

interface Result {
  data?: any;
  errors?: any[];
}

async function entities(codes: readonly string[], claims: Partial<InternalClaims>): Promise<Result> {
  const response = await fetch(`${subgraph.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await gatewayHeaders(claims)) },
    body: JSON.stringify({
      query: ENTITIES,
      variables: { r: codes.map((code) => ({ __typename: 'Enterprise', code })) },
    }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Result;
}

const CLEAN_PUBLIC = { banned: false, seriousDishonestyRecords: [] };
const CLEAN_CONTRACTS = [
  { contractNumber: 'HT5001552025000578', amount: 624_800 },
  { contractNumber: 'HT5001552024000231', amount: 1_380_000 },
];
const DEBTOR_PUBLIC = {
  banned: true,
  seriousDishonestyRecords: [{ recordedOn: '2025-07-01', banEndsOn: '2027-06-30', active: true }],
};
const DEBTOR_CONTRACTS = [{ contractNumber: 'HT5001122024000187', amount: 3_286_400 }];

const FULL = {
  data: {
    _entities: [
      { code: CLEAN, procurement: { ...CLEAN_PUBLIC, contracts: CLEAN_CONTRACTS } },
      { code: DEBTOR, procurement: { ...DEBTOR_PUBLIC, contracts: DEBTOR_CONTRACTS } },
    ],
  },
};

beforeAll(async () => {
  standIn = await startStandIn('procurement', { logger: silentLogger(), populationSize: 0, port: 0 });
  const config = loadConfig({
    PORT: '0',
    SOURCE_URL: standIn.url,
    GATEWAY_PUBLIC_KEY: GATEWAY_KEYS.GATEWAY_PUBLIC_KEY,
  });
  const now = () => new Date('2026-11-01T04:00:00Z');
  subgraph = await listen(createProcurementSubgraph(config, silentLogger(), { now }).handler, 0);
});

afterAll(async () => {
  await subgraph?.close();
  await standIn?.close();
});

describeGatewayOnly('procurement', {
  graphqlUrl: () => `${subgraph.url}/graphql`,
  request: { query: ENTITIES, variables: { r: [{ __typename: 'Enterprise', code: CLEAN }] } },
  sourceCalls: async () => ((await (await fetch(`${standIn.url}/_sim/stats`)).json()) as StandInStats).requests,
  resetSourceCalls: async () => {
    await fetch(`${standIn.url}/_sim/reset`, { method: 'POST' });
  },
});

describe('procurement contracts need a tier and the subject’s consent', () => {
  it('GOVERNMENT reads them without any consent', async () => {
    expect(await entities([CLEAN, DEBTOR], { tier: 'GOVERNMENT', consents: {} })).toEqual(FULL);
  });

  it('PUBLIC, ANALYST and JUDICIAL read the ban, and null with UNAUTHORIZED_FIELD_OR_TYPE for contracts', async () => {
    const [publicResult, ...others] = await Promise.all(
      (['PUBLIC', 'ANALYST', 'JUDICIAL'] as const).map((tier) =>
        // Consent does not lift a tier's limits.
        entities([CLEAN], { tier, consents: { [CLEAN]: ['PROCUREMENT_CONTRACTS'] } }),
      ),
    );
    for (const other of others) expect(other).toEqual(publicResult);
    expect(publicResult).toEqual({
      data: { _entities: [{ code: CLEAN, procurement: { ...CLEAN_PUBLIC, contracts: null } }] },
      errors: [expect.anything()],
    });
    expect(publicResult!.errors).toMatchInlineSnapshot(`
      [
        {
          "extensions": {
            "code": "UNAUTHORIZED_FIELD_OR_TYPE",
            "field": "ProcurementSection.contracts",
          },
          "locations": [
            {
              "column": 159,
              "line": 1,
            },
          ],
          "message": "Not authorized to read ProcurementSection.contracts",
          "path": [
            "_entities",
            0,
            "procurement",
            "contracts",
          ],
        },
      ]
    `);
  });

  it('an AUTHORIZED caller with both subjects’ consent reads what GOVERNMENT reads', async () => {
    const result = await entities([CLEAN, DEBTOR], {
      tier: 'AUTHORIZED',
      consents: { [CLEAN]: ['PROCUREMENT_CONTRACTS'], [DEBTOR]: ['PROCUREMENT_CONTRACTS'] },
    });
    expect(result).toEqual(FULL);
  });

  it.each<[string, Record<string, ConsentGroup[]>]>([
    [
      'for another subject only',
      { [DEBTOR]: ['PROCUREMENT_CONTRACTS'], [demoCode('procurement-ban-ended')]: ['PROCUREMENT_CONTRACTS'] },
    ],
    [
      'for other groups',
      { [DEBTOR]: ['PROCUREMENT_CONTRACTS'], [CLEAN]: ['TAX_CREDIT', 'TAX_PAYMENTS', 'SOCIAL_SECURITY'] },
    ],
  ])('an AUTHORIZED caller whose consent is %s gets CONSENT_REQUIRED on that row only', async (_, consents) => {
    const result = await entities([CLEAN, DEBTOR], { tier: 'AUTHORIZED', consents });
    expect(result).toEqual({
      data: {
        _entities: [{ code: CLEAN, procurement: { ...CLEAN_PUBLIC, contracts: null } }, FULL.data._entities[1]],
      },
      errors: [
        {
          message: "Reading ProcurementSection.contracts needs the subject's consent for PROCUREMENT_CONTRACTS",
          locations: CONTRACTS_AT,
          path: ['_entities', 0, 'procurement', 'contracts'],
          extensions: {
            code: 'CONSENT_REQUIRED',
            field: 'ProcurementSection.contracts',
            consent: 'PROCUREMENT_CONTRACTS',
            subject: CLEAN,
          },
        },
      ],
    });
  });
});
