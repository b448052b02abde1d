import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, silentLogger, type InternalClaims, type RunningServer } from '@credit-gateway/common';
import { demoCode, startStandIn, type RunningStandIn, type StandInStats } from '@credit-gateway/sources';
import { GATEWAY_KEYS, gatewayHeaders } from '../../../common/test/support/gateway-identity.js';
import { describeGatewayOnly } from '../../../common/test/support/gateway-only.js';
import { createTaxSubgraph, loadConfig } from '../src/server.js';

let standIn: RunningStandIn;
let subgraph: RunningServer;

const CLEAN = demoCode('clean-sme');
const VIOLATOR = demoCode('major-tax-violator');

/** One line, so that an error's column is where its field is in this text. */
const ENTITIES =
  'query($r: [_Any!]!) { _entities(representations: $r) { ... on Enterprise { code tax { taxpayerNumber ' +
  'publishedGrades { year grade } creditGrades { year grade } majorViolations { caseNumber } ' +
  'arrearsNotices { amount } payments { period amount } } } } }';

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

const at = (field: 'creditGrades' | 'payments') => [{ line: 1, column: ENTITIES.search(`\\b${field}\\b`) + 1 }];

function consentRequired(row: number, field: 'creditGrades' | 'payments', subject: string) {
  const consent = field === 'creditGrades' ? 'TAX_CREDIT' : 'TAX_PAYMENTS';
  return {
    message: `Reading TaxSection.${field} needs the subject's consent for ${consent}`,
    locations: at(field),
    path: ['_entities', row, 'tax', field],
    extensions: { code: 'CONSENT_REQUIRED', field: `TaxSection.${field}`, consent, subject },
  };
}

const CLEAN_GRADES = [
  { year: 2025, grade: 'A' },
  { year: 2024, grade: 'A' },
  { year: 2023, grade: 'A' },
  { year: 2022, grade: 'B' },
  { year: 2021, grade: 'B' },
];
const VIOLATOR_GRADES = [
  { year: 2025, grade: 'D' },
  { year: 2024, grade: 'D' },
  { year: 2023, grade: 'B' },
  { year: 2022, grade: 'B' },
  { year: 2021, grade: 'B' },
];

/** What everyone may read of the two subjects. */
const CLEAN_PUBLIC = {
  taxpayerNumber: CLEAN,
  publishedGrades: CLEAN_GRADES.slice(0, 3),
  majorViolations: [],
  arrearsNotices: [],
};
const VIOLATOR_PUBLIC = {
  taxpayerNumber: VIOLATOR,
  publishedGrades: [],
  majorViolations: [{ caseNumber: '东税稽检〔2024〕118号' }],
  arrearsNotices: [{ amount: 1126100 }],
};

/** What a GOVERNMENT caller reads, without consent. */
let full: Result;

beforeAll(async () => {
  standIn = await startStandIn('tax', { logger: silentLogger(), populationSize: 0, port: 0 });
  const config = loadConfig({
    PORT: '0',
    SOURCE_URL: standIn.url,
    GATEWAY_PUBLIC_KEY: GATEWAY_KEYS.GATEWAY_PUBLIC_KEY,
  });
  subgraph = await listen(createTaxSubgraph(config, silentLogger()).handler, 0);
  full = await entities([CLEAN, VIOLATOR], { tier: 'GOVERNMENT', consents: {} });
});

afterAll(async () => {
  await subgraph?.close();
  await standIn?.close();
});

describeGatewayOnly('tax', {
  graphqlUrl: () => `${subgraph.url}/graphql`,
  request: { query: ENTITIES, variables: { r: [{ __typename: 'Enterprise', code: CLEAN }] } },
  sourceCalls: async () => ((await (await fetch(`${standIn.url}/_sim/stats`)).json()) as StandInStats).requests,
  resetSourceCalls: async () => {
    await fetch(`${standIn.url}/_sim/reset`, { method: 'POST' });
  },
});

describe('tax fields that need a tier and the subject’s consent', () => {
  it('GOVERNMENT reads grades and payments without any consent', () => {
    expect(full.errors).toBeUndefined();
    const [clean, violator] = full.data._entities;
    expect(clean).toEqual({
      code: CLEAN,
      tax: { ...CLEAN_PUBLIC, creditGrades: CLEAN_GRADES, payments: expect.any(Array) },
    });
    expect(clean.tax.payments).toHaveLength(16);
    expect(clean.tax.payments[0]).toEqual({ period: '2026-10', amount: 67455.39 });
    expect(violator).toEqual({
      code: VIOLATOR,
      tax: { ...VIOLATOR_PUBLIC, creditGrades: VIOLATOR_GRADES, payments: expect.any(Array) },
    });
    expect(violator.tax.payments).toHaveLength(16);
  });

  it('PUBLIC, ANALYST and JUDICIAL read the public fields, and null with UNAUTHORIZED_FIELD_OR_TYPE for the others', async () => {
    const [publicResult, ...others] = await Promise.all(
      (['PUBLIC', 'ANALYST', 'JUDICIAL'] as const).map((tier) =>
        // Consent does not lift a tier's limits.
        entities([CLEAN], { tier, consents: { [CLEAN]: ['TAX_CREDIT', 'TAX_PAYMENTS'] } }),
      ),
    );
    for (const other of others) expect(other).toEqual(publicResult);
    expect(publicResult!.data).toEqual({
      _entities: [{ code: CLEAN, tax: { ...CLEAN_PUBLIC, creditGrades: null, payments: null } }],
    });
    expect(publicResult!.errors).toMatchInlineSnapshot(`
      [
        {
          "extensions": {
            "code": "UNAUTHORIZED_FIELD_OR_TYPE",
            "field": "TaxSection.creditGrades",
          },
          "locations": [
            {
              "column": 133,
              "line": 1,
            },
          ],
          "message": "Not authorized to read TaxSection.creditGrades",
          "path": [
            "_entities",
            0,
            "tax",
            "creditGrades",
          ],
        },
        {
          "extensions": {
            "code": "UNAUTHORIZED_FIELD_OR_TYPE",
            "field": "TaxSection.payments",
          },
          "locations": [
            {
              "column": 218,
              "line": 1,
            },
          ],
          "message": "Not authorized to read TaxSection.payments",
          "path": [
            "_entities",
            0,
            "tax",
            "payments",
          ],
        },
      ]
    `);
  });

  it('an AUTHORIZED caller with the subject’s consent to both groups reads what GOVERNMENT reads', async () => {
    const result = await entities([CLEAN, VIOLATOR], {
      tier: 'AUTHORIZED',
      consents: { [CLEAN]: ['TAX_CREDIT', 'TAX_PAYMENTS'], [VIOLATOR]: ['TAX_CREDIT', 'TAX_PAYMENTS'] },
    });
    expect(result).toEqual(full);
  });

  it('an AUTHORIZED caller without consent gets CONSENT_REQUIRED, for the rows of that subject only', async () => {
    const result = await entities([CLEAN, VIOLATOR], {
      tier: 'AUTHORIZED',
      consents: { [CLEAN]: ['TAX_CREDIT', 'TAX_PAYMENTS'], [demoCode('legacy-registration')]: ['TAX_CREDIT'] },
    });
    expect(result.data._entities).toEqual([
      full.data._entities[0],
      { code: VIOLATOR, tax: { ...VIOLATOR_PUBLIC, creditGrades: null, payments: null } },
    ]);
    expect(result.errors).toEqual([
      consentRequired(1, 'creditGrades', VIOLATOR),
      consentRequired(1, 'payments', VIOLATOR),
    ]);
  });

  it('consent to one group opens that group only, row by row', async () => {
    const result = await entities([CLEAN, VIOLATOR], {
      tier: 'AUTHORIZED',
      consents: { [CLEAN]: ['TAX_CREDIT'], [VIOLATOR]: ['TAX_PAYMENTS'] },
    });
    const [clean, violator] = full.data._entities;
    expect(result.data._entities).toEqual([
      { code: CLEAN, tax: { ...clean.tax, payments: null } },
      { code: VIOLATOR, tax: { ...violator.tax, creditGrades: null } },
    ]);
    expect(result.errors).toMatchInlineSnapshot(`
      [
        {
          "extensions": {
            "code": "CONSENT_REQUIRED",
            "consent": "TAX_PAYMENTS",
            "field": "TaxSection.payments",
            "subject": "91500155MA5UQ01CXD",
          },
          "locations": [
            {
              "column": 218,
              "line": 1,
            },
          ],
          "message": "Reading TaxSection.payments needs the subject's consent for TAX_PAYMENTS",
          "path": [
            "_entities",
            0,
            "tax",
            "payments",
          ],
        },
        {
          "extensions": {
            "code": "CONSENT_REQUIRED",
            "consent": "TAX_CREDIT",
            "field": "TaxSection.creditGrades",
            "subject": "91441900MA4UW2DQ7T",
          },
          "locations": [
            {
              "column": 133,
              "line": 1,
            },
          ],
          "message": "Reading TaxSection.creditGrades needs the subject's consent for TAX_CREDIT",
          "path": [
            "_entities",
            1,
            "tax",
            "creditGrades",
          ],
        },
      ]
    `);
  });
});
