import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsentGroup, InternalClaims } from '@credit-gateway/common';
import { demoCode } from '@credit-gateway/sources';
import { gatewayHeaders } from '../../../common/test/support/gateway-identity.js';
import { describeGatewayOnly } from '../../../common/test/support/gateway-only.js';
import { startEmbedded, type Harness } from './support/harness.js';

let harness: Harness;

const CLEAN = demoCode('clean-sme');
const WAGE = demoCode('wage-arrears');
const SYSTEM = '人力社保前置库 (Social Security Front-end Database)';

const PROTECTED = [
  'unitNumber',
  'insuredHeadcount',
  'contributionStatus',
  'contributions',
  'arrears',
  'labourSecurityGrade',
] as const;
type ProtectedField = (typeof PROTECTED)[number];

/** One line, so that an error's column is where its field is in this text. */
const ENTITIES =
  'query($r: [_Any!]!) { _entities(representations: $r) { ... on Enterprise { code socialSecurity { ' +
  'unitNumber insuredHeadcount contributionStatus contributions(months: 2) { period amountPaid } arrears ' +
  'labourSecurityGrade wageArrearsListings { listedOn amountOwed } provenance { source system asOf } } } } }';

interface Result {
  data?: any;
  errors?: any[];
}

async function entities(codes: readonly string[], claims: Partial<InternalClaims>): Promise<Result> {
  const response = await fetch(harness.graphqlUrl, {
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

const at = (field: ProtectedField) => [{ line: 1, column: ENTITIES.search(`\\b${field}\\b`) + 1 }];

function unauthorized(row: number, field: ProtectedField) {
  return {
    message: `Not authorized to read SocialSecuritySection.${field}`,
    locations: at(field),
    path: ['_entities', row, 'socialSecurity', field],
    extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE', field: `SocialSecuritySection.${field}` },
  };
}

function consentRequired(row: number, field: ProtectedField, subject: string) {
  return {
    message: `Reading SocialSecuritySection.${field} needs the subject's consent for SOCIAL_SECURITY`,
    locations: at(field),
    path: ['_entities', row, 'socialSecurity', field],
    extensions: {
      code: 'CONSENT_REQUIRED',
      field: `SocialSecuritySection.${field}`,
      consent: 'SOCIAL_SECURITY',
      subject,
    },
  };
}

const withheld = Object.fromEntries(PROTECTED.map((field) => [field, null]));

const CLEAN_PUBLIC = {
  wageArrearsListings: [],
  provenance: { source: 'SOCIAL_SECURITY', system: SYSTEM, asOf: '2026-10-20T14:32:08+08:00' },
};
const CLEAN_PROTECTED = {
  unitNumber: '50011746133365936',
  insuredHeadcount: 46,
  contributionStatus: 'NORMAL',
  contributions: [
    { period: '2026-10', amountPaid: 65_320 },
    { period: '2026-09', amountPaid: 65_320 },
  ],
  arrears: 0,
  labourSecurityGrade: 'A',
};
const WAGE_PUBLIC = {
  wageArrearsListings: [{ listedOn: '2025-09-10', amountOwed: 1_285_000 }],
  provenance: { source: 'SOCIAL_SECURITY', system: SYSTEM, asOf: '2026-10-28T09:15:42+08:00' },
};
const WAGE_PROTECTED = {
  unitNumber: '44031746109053686',
  insuredHeadcount: 210,
  contributionStatus: 'IN_ARREARS',
  contributions: [
    { period: '2026-10', amountPaid: 0 },
    { period: '2026-09', amountPaid: 60_000 },
  ],
  arrears: 964_000,
  labourSecurityGrade: 'C',
};

const FULL = {
  data: {
    _entities: [
      { code: CLEAN, socialSecurity: { ...CLEAN_PROTECTED, ...CLEAN_PUBLIC } },
      { code: WAGE, socialSecurity: { ...WAGE_PROTECTED, ...WAGE_PUBLIC } },
    ],
  },
};

beforeAll(async () => {
  harness = await startEmbedded();
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

describeGatewayOnly('social security', {
  graphqlUrl: () => harness.graphqlUrl,
  request: { query: ENTITIES, variables: { r: [{ __typename: 'Enterprise', code: CLEAN }] } },
  sourceCalls: () => Promise.resolve(harness.frontDb.stats().queries),
  resetSourceCalls: () => Promise.resolve(harness.frontDb.resetStats()),
});

describe('social security fields that need a tier and the subject’s consent', () => {
  it('GOVERNMENT reads them without any consent', async () => {
    expect(await entities([CLEAN, WAGE], { tier: 'GOVERNMENT', consents: {} })).toEqual(FULL);
  });

  it.each(['PUBLIC', 'ANALYST', 'JUDICIAL'] as const)(
    '%s reads the public fields, and null with UNAUTHORIZED_FIELD_OR_TYPE for the others',
    async (tier) => {
      // Consent does not lift a tier's limits.
      const result = await entities([CLEAN], { tier, consents: { [CLEAN]: ['SOCIAL_SECURITY'] } });
      expect(result).toEqual({
        data: { _entities: [{ code: CLEAN, socialSecurity: { ...withheld, ...CLEAN_PUBLIC } }] },
        errors: PROTECTED.map((field) => unauthorized(0, field)),
      });
    },
  );

  it('names the refused field, and nothing else, in the error', async () => {
    const result = await entities([CLEAN], { tier: 'PUBLIC' });
    expect(result.errors![0]).toMatchInlineSnapshot(`
      {
        "extensions": {
          "code": "UNAUTHORIZED_FIELD_OR_TYPE",
          "field": "SocialSecuritySection.unitNumber",
        },
        "locations": [
          {
            "column": 98,
            "line": 1,
          },
        ],
        "message": "Not authorized to read SocialSecuritySection.unitNumber",
        "path": [
          "_entities",
          0,
          "socialSecurity",
          "unitNumber",
        ],
      }
    `);
  });

  it('an AUTHORIZED caller with both subjects’ consent reads what GOVERNMENT reads', async () => {
    const result = await entities([CLEAN, WAGE], {
      tier: 'AUTHORIZED',
      consents: { [CLEAN]: ['SOCIAL_SECURITY'], [WAGE]: ['SOCIAL_SECURITY'] },
    });
    expect(result).toEqual(FULL);
  });

  it.each<[string, Record<string, ConsentGroup[]>]>([
    ['for another subject only', { [CLEAN]: ['SOCIAL_SECURITY'], [demoCode('partial-debtor')]: ['SOCIAL_SECURITY'] }],
    [
      'for other groups',
      { [CLEAN]: ['SOCIAL_SECURITY'], [WAGE]: ['TAX_CREDIT', 'TAX_PAYMENTS', 'PROCUREMENT_CONTRACTS'] },
    ],
  ])('an AUTHORIZED caller whose consent is %s gets CONSENT_REQUIRED on that row only', async (_, consents) => {
    const result = await entities([CLEAN, WAGE], { tier: 'AUTHORIZED', consents });
    expect(result).toEqual({
      data: {
        _entities: [FULL.data._entities[0], { code: WAGE, socialSecurity: { ...withheld, ...WAGE_PUBLIC } }],
      },
      errors: PROTECTED.map((field) => consentRequired(1, field, WAGE)),
    });
  });
});
