import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { DEMO_PEOPLE, demoCode } from '@credit-gateway/sources';
import { startStack, type As, type Stack } from './support/stack.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ populationSize: 200 });
});
afterAll(async () => {
  await stack?.close();
});

const LENDER = 'xinyidai-bank-001';
const PURPOSE = 'LOAN_APPROVAL';
const SME = demoCode('clean-sme');

/** One field per group, each on the clean SME, whose every group holds data. */
const MATRIX_QUERY = /* GraphQL */ `
  query Matrix($code: CreditCode!) {
    enterprise(code: $code) {
      marketRegulation {
        registration {
          name
          legalRepresentative {
            person {
              idNumber
            }
          }
        }
      }
      tax {
        publishedGrades {
          year
        }
        creditGrades {
          year
        }
        payments {
          period
        }
      }
      courts {
        dishonestDebtorRecords {
          caseNumber
        }
      }
      socialSecurity {
        wageArrearsListings {
          listedOn
        }
        insuredHeadcount
      }
      procurement {
        banned
        contracts {
          signedOn
        }
      }
    }
  }
`;

type Cell = 'value' | 'masked' | 'clear' | 'UNAUTHORIZED_FIELD_OR_TYPE' | 'CONSENT_REQUIRED';

const GROUPS: Record<string, (string | number)[]> = {
  REGISTRATION: ['enterprise', 'marketRegulation', 'registration', 'name'],
  PUBLIC_LISTS: ['enterprise', 'courts', 'dishonestDebtorRecords'],
  PUBLISHED_GRADES: ['enterprise', 'tax', 'publishedGrades'],
  TAX_CREDIT: ['enterprise', 'tax', 'creditGrades'],
  TAX_PAYMENTS: ['enterprise', 'tax', 'payments'],
  SOCIAL_SECURITY: ['enterprise', 'socialSecurity', 'insuredHeadcount'],
  PROCUREMENT_CONTRACTS: ['enterprise', 'procurement', 'contracts'],
  PERSONAL_IDENTIFIERS: ['enterprise', 'marketRegulation', 'registration', 'legalRepresentative', 'person', 'idNumber'],
};

function at(data: unknown, path: (string | number)[]): unknown {
  return path.reduce<unknown>((value, key) => (value as Record<string | number, unknown> | null)?.[key], data);
}

async function row(as: As): Promise<Record<string, Cell>> {
  const { body } = await stack.query(MATRIX_QUERY, { code: SME }, as);
  const cells: Record<string, Cell> = {};
  for (const [group, path] of Object.entries(GROUPS)) {
    const error = body.errors?.find((e) => JSON.stringify(e.path) === JSON.stringify(path));
    const value = at(body.data, path);
    if (error) cells[group] = error.extensions.code as Cell;
    else if (group === 'PERSONAL_IDENTIFIERS') cells[group] = String(value).includes('****') ? 'masked' : 'clear';
    else cells[group] = value === null || value === undefined ? (`null without error` as Cell) : 'value';
  }
  return cells;
}

describe('the tier matrix', () => {
  it('gives each tier exactly its field groups', async () => {
    const consent = await stack.consent({
      subject: SME,
      grantee: LENDER,
      purpose: PURPOSE,
      groups: ['TAX_CREDIT', 'TAX_PAYMENTS', 'SOCIAL_SECURITY', 'PROCUREMENT_CONTRACTS'],
    });
    const matrix = {
      PUBLIC: await row({ anonymous: true }),
      'AUTHORIZED with consent': await row({
        tier: 'AUTHORIZED',
        client: LENDER,
        purpose: PURPOSE,
        consents: [consent],
      }),
      'AUTHORIZED without consent': await row({ tier: 'AUTHORIZED', client: LENDER, purpose: PURPOSE }),
      GOVERNMENT: await row({ tier: 'GOVERNMENT' }),
      JUDICIAL: await row({ tier: 'JUDICIAL', client: 'court-linkage' }),
      ANALYST: await row({ tier: 'ANALYST', client: 'analyst-workbench', purpose: null }),
    };
    const U = 'UNAUTHORIZED_FIELD_OR_TYPE';
    const C = 'CONSENT_REQUIRED';
    // prettier-ignore
    const expected = {
      //                              REGISTRATION PUBLIC_LISTS PUBLISHED_GRADES TAX_CREDIT TAX_PAYMENTS SOCIAL_SECURITY PROCUREMENT_CONTRACTS PERSONAL_IDENTIFIERS
      PUBLIC:                         cells('value', 'value', 'value', U,       U,       U,       U,       'masked'),
      'AUTHORIZED with consent':      cells('value', 'value', 'value', 'value', 'value', 'value', 'value', 'masked'),
      'AUTHORIZED without consent':   cells('value', 'value', 'value', C,       C,       C,       C,       'masked'),
      GOVERNMENT:                     cells('value', 'value', 'value', 'value', 'value', 'value', 'value', 'clear'),
      JUDICIAL:                       cells('value', 'value', 'value', U,       U,       U,       U,       'clear'),
      ANALYST:                        cells('value', 'value', 'value', U,       U,       U,       U,       'masked'),
    };
    expect(matrix).toEqual(expected);
  });
});

function cells(...values: string[]): Record<string, string> {
  return Object.fromEntries(Object.keys(GROUPS).map((group, index) => [group, values[index]!]));
}

describe('fields a tier may not read', () => {
  it('come back null, each with its own error and path, and the rest of the query is answered', async () => {
    const { status, body } = await stack.query(
      'query($code: CreditCode!) { enterprise(code: $code) { code tax { taxpayerNumber payments { amount } } } }',
      { code: SME },
      { anonymous: true },
    );
    expect(status).toBe(200);
    expect(body).toEqual({
      data: { enterprise: { code: SME, tax: { taxpayerNumber: SME, payments: null } } },
      errors: [
        {
          message: 'Not authorized to read TaxSection.payments as a PUBLIC caller',
          path: ['enterprise', 'tax', 'payments'],
          extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE', field: 'TaxSection.payments', tier: 'PUBLIC' },
        },
      ],
    });
  });

  it('give one error per row in a batch', async () => {
    const codes = [SME, demoCode('partial-debtor')];
    const { body } = await stack.query(
      'query($codes: [CreditCode!]!) { enterprises(codes: $codes) { code procurement { contracts { amount } } } }',
      { codes },
      { tier: 'ANALYST', client: 'analyst-workbench', purpose: null },
    );
    expect(body.data.enterprises).toEqual([
      { code: codes[0], procurement: { contracts: null } },
      { code: codes[1], procurement: { contracts: null } },
    ]);
    expect(body.errors?.map((e: any) => e.path)).toEqual([
      ['enterprises', 0, 'procurement', 'contracts'],
      ['enterprises', 1, 'procurement', 'contracts'],
    ]);
  });
});

describe('consent, row by row', () => {
  const BATCH = /* GraphQL */ `
    query Portrait($codes: [CreditCode!]!) {
      enterprises(codes: $codes) {
        code
        tax {
          payments {
            period
          }
        }
        socialSecurity {
          insuredHeadcount
        }
      }
    }
  `;
  const OTHER = demoCode('wage-arrears');
  const as = (consents: string[]): As => ({ tier: 'AUTHORIZED', client: LENDER, purpose: PURPOSE, consents });
  const grant = (
    overrides: Partial<{ subject: string; grantee: string; purpose: string; groups: string[]; ttl: string }> = {},
  ) =>
    stack.consent({
      subject: SME,
      grantee: LENDER,
      purpose: PURPOSE,
      groups: ['TAX_PAYMENTS', 'SOCIAL_SECURITY'],
      ...overrides,
    });

  async function consentedFields(consents: string[]) {
    const { body } = await stack.query(BATCH, { codes: [SME, OTHER] }, as(consents));
    return body.data.enterprises.map((e: any) => ({
      code: e.code,
      payments: e.tax.payments === null ? 'CONSENT_REQUIRED' : 'value',
      headcount: e.socialSecurity.insuredHeadcount === null ? 'CONSENT_REQUIRED' : 'value',
    }));
  }

  it('a valid consent opens its own subject only, and only its groups', async () => {
    const valid = await grant({ groups: ['TAX_PAYMENTS'] });
    expect(await consentedFields([valid])).toEqual([
      { code: SME, payments: 'value', headcount: 'CONSENT_REQUIRED' },
      { code: OTHER, payments: 'CONSENT_REQUIRED', headcount: 'CONSENT_REQUIRED' },
    ]);
    const { body } = await stack.query(BATCH, { codes: [SME, OTHER] }, as([valid]));
    expect(
      body.errors?.find((e: any) => JSON.stringify(e.path) === '["enterprises",1,"tax","payments"]'),
    ).toMatchObject({
      extensions: { code: 'CONSENT_REQUIRED', field: 'TaxSection.payments', consent: 'TAX_PAYMENTS', subject: OTHER },
    });
  });

  it('an expired consent, one for another grantee, another purpose, or a tampered one opens nothing', async () => {
    const closed = [
      { code: SME, payments: 'CONSENT_REQUIRED', headcount: 'CONSENT_REQUIRED' },
      { code: OTHER, payments: 'CONSENT_REQUIRED', headcount: 'CONSENT_REQUIRED' },
    ];
    const expired = await signedConsent({ exp: Math.floor(Date.now() / 1000) - 3_600 });
    const wrongGrantee = await grant({ grantee: 'another-bank' });
    const wrongPurpose = await grant({ purpose: 'MARKETING' });
    const valid = await grant();
    const [header, payload, signature] = valid.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    const tampered = [
      header,
      Buffer.from(JSON.stringify({ ...claims, sub: OTHER })).toString('base64url'),
      signature,
    ].join('.');
    for (const consent of [expired, wrongGrantee, wrongPurpose, tampered]) {
      expect(await consentedFields([consent])).toEqual(closed);
    }
    // The same valid consent does open its subject: the cases above fail for their own reason.
    expect((await consentedFields([valid]))[0]).toEqual({ code: SME, payments: 'value', headcount: 'value' });
  });

  async function signedConsent(claims: Record<string, unknown>): Promise<string> {
    // An expired consent cannot be minted by the CLI; sign one with the same development key.
    const { readFile } = await import('node:fs/promises');
    const jwk = JSON.parse(await readFile(`${stack.keysDir}/consent.private.jwk.json`, 'utf8')) as Record<
      string,
      string
    >;
    const { createPrivateKey } = await import('node:crypto');
    return new SignJWT({ grantee: LENDER, purpose: PURPOSE, groups: ['TAX_PAYMENTS', 'SOCIAL_SECURITY'], ...claims })
      .setProtectedHeader({ alg: jwk['alg'] ?? 'EdDSA', kid: jwk['kid'] })
      .setIssuer('credit-gateway-dev-consent')
      .setSubject(SME)
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7_200)
      .sign(createPrivateKey({ key: jwk, format: 'jwk' }));
  }
});

describe('who is calling', () => {
  const NAME = 'query($code: CreditCode!) { enterprise(code: $code) { code } }';

  it('a bad token is refused with UNAUTHENTICATED, never treated as public', async () => {
    const valid = await stack.token('GOVERNMENT');
    const [header, payload] = valid.split('.');
    const unsigned = [Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url'), payload, ''].join(
      '.',
    );
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    const tampered = [
      header,
      Buffer.from(JSON.stringify({ ...claims, tier: 'JUDICIAL' })).toString('base64url'),
      valid.split('.')[2],
    ].join('.');
    for (const token of [unsigned, tampered, 'not-a-token', `${valid}x`]) {
      const { status, body } = await stack.query(
        NAME,
        { code: SME },
        { anonymous: true },
        { authorization: `Bearer ${token}` },
      );
      expect(status).toBe(401);
      expect(body.data).toBeUndefined();
      expect(body.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
      expect(JSON.stringify(body)).not.toContain(token.slice(0, 40));
    }
  });

  it('AUTHORIZED, GOVERNMENT and JUDICIAL callers must state a purpose', async () => {
    const { status, body } = await stack.query(NAME, { code: SME }, { tier: 'GOVERNMENT', purpose: null });
    expect(status).toBe(400);
    expect(body).toMatchInlineSnapshot(`
      {
        "errors": [
          {
            "extensions": {
              "code": "PURPOSE_REQUIRED",
              "header": "x-credit-purpose",
            },
            "message": "GOVERNMENT callers must state the purpose of the query in the x-credit-purpose header",
          },
        ],
      }
    `);
  });

  it('introspection is for the tiers that need it', async () => {
    const introspect = '{ __schema { queryType { name } } }';
    const denied = await stack.query(introspect, {}, { anonymous: true });
    expect(denied.body.errors?.[0].extensions).toEqual({ code: 'INTROSPECTION_NOT_ALLOWED', tier: 'PUBLIC' });
    const allowed = await stack.query(introspect, {}, { tier: 'ANALYST', client: 'analyst-workbench', purpose: null });
    expect(allowed.body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
  });
});

describe('masking', () => {
  it('masks ID numbers for PUBLIC and ANALYST, everywhere the schema exposes them', async () => {
    const query = /* GraphQL */ `
      query ($code: CreditCode!, $id: IdNumber!) {
        enterprise(code: $code) {
          courts {
            consumptionRestrictions {
              boundPersons {
                name
                person {
                  idNumber
                }
              }
            }
          }
          marketRegulation {
            registration {
              legalRepresentative {
                person {
                  idNumber
                }
              }
            }
          }
        }
        person(idNumber: $id) {
          idNumber
        }
      }
    `;
    const variables = { code: demoCode('partial-debtor'), id: DEMO_PEOPLE.debtorRepresentative.idNumber };
    const analyst = await stack.query(query, variables, {
      tier: 'ANALYST',
      client: 'analyst-workbench',
      purpose: null,
    });
    expect(analyst.body.errors).toBeUndefined();
    expect(analyst.body.data).toEqual({
      enterprise: {
        courts: {
          // Analysts see natural persons' names masked too (PERSONAL_DATA_POLICY).
          consumptionRestrictions: [{ boundPersons: [{ name: '周**', person: { idNumber: '5001121975****6133' } }] }],
        },
        marketRegulation: { registration: { legalRepresentative: { person: { idNumber: '5001121975****6133' } } } },
      },
      person: { idNumber: '5101071982****4517' },
    });
    const judicial = await stack.query(query, variables, { tier: 'JUDICIAL', client: 'court-linkage' });
    expect(judicial.body.data.person.idNumber).toBe(DEMO_PEOPLE.debtorRepresentative.idNumber);
    expect(judicial.body.data.enterprise.marketRegulation.registration.legalRepresentative.person.idNumber).toBe(
      DEMO_PEOPLE.partialDebtorRepresentative.idNumber,
    );
  });
});

describe('subgraphs trust only the gateway', () => {
  it('refuses a direct call without the gateway signature', async () => {
    for (const url of Object.values(stack.subgraphUrls)) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await stack.token('GOVERNMENT')}` },
        body: JSON.stringify({ query: '{ _service { sdl } }' }),
      });
      expect(response.status).toBe(401);
      expect(((await response.json()) as any).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
  });
});

describe('the query register', () => {
  it('lets GOVERNMENT callers see who queried a subject, and no one else', async () => {
    const code = demoCode('farmer-coop');
    await stack.query(
      'query($code: CreditCode!) { enterprise(code: $code) { code } }',
      { code },
      {
        tier: 'AUTHORIZED',
        client: LENDER,
        purpose: PURPOSE,
      },
    );
    const query =
      'query($code: CreditCode!) { enterprise(code: $code) { queryRecords { client tier purpose outcome } } }';
    const { body } = await stack.query(query, { code });
    expect(body.errors).toBeUndefined();
    expect(body.data.enterprise.queryRecords[0]).toEqual({
      client: LENDER,
      tier: 'AUTHORIZED',
      purpose: PURPOSE,
      outcome: 'OK',
    });
    const analyst = await stack.query(query, { code }, { tier: 'ANALYST', client: 'analyst-workbench', purpose: null });
    expect(analyst.body.data.enterprise.queryRecords).toBeNull();
    expect(analyst.body.errors?.[0].extensions.code).toBe('UNAUTHORIZED_FIELD_OR_TYPE');
  });

  it('records every query, but not a liveness probe that reads nothing but __typename', async () => {
    const records = () =>
      readdirSync(stack.registerDir)
        .filter((file) => file.endsWith('.jsonl'))
        .reduce((count, file) => count + readFileSync(join(stack.registerDir, file), 'utf8').split('\n').length - 1, 0);
    const before = records();
    expect((await stack.query('{ __typename }')).body).toEqual({ data: { __typename: 'Query' } });
    expect((await stack.query('query Probe { t: __typename, __typename }')).body.errors).toBeUndefined();
    expect(records()).toBe(before);
    // Anything else is a query, recorded: one that reads data, one refused, one from a bad token.
    await stack.query('query($code: CreditCode!) { __typename enterprise(code: $code) { code } }', {
      code: demoCode('farmer-coop'),
    });
    await stack.query('{ __typename }', {}, { purpose: null });
    await stack.query('{ __typename }', {}, {}, { authorization: 'Bearer not-a-token' });
    expect(records()).toBe(before + 3);
  });
});

describe('rate limits, shared by replicas through Redis', () => {
  it('two gateways in front of the same subgraphs share one budget per caller, then answer 429', async () => {
    const { loadConfig, startGateway } = await import('../src/server.js');
    const { silentLogger } = await import('@credit-gateway/common');
    const env = (n: number) => ({
      PORT: '0',
      ...stack.gatewayEnv,
      REGISTER_DIR: `${stack.registerDir}-replica-${n}`,
      REGISTER_WRITER_ID: `replica-${n}`,
      REDIS_URL: 'redis://127.0.0.1:6379',
      RATE_LIMIT_PREFIX: `cg:rl:test:${Date.now()}:${Math.random().toString(36).slice(2)}:`,
      RATE_LIMITS: 'GOVERNMENT=4/1m',
      ...Object.fromEntries(
        Object.entries(stack.subgraphUrls).map(([name, url]) => [
          `SUBGRAPH_${name.toUpperCase().replace('-', '_')}_URL`,
          url,
        ]),
      ),
    });
    const shared = env(1);
    const replicas = [
      await startGateway(loadConfig(shared), silentLogger()),
      await startGateway(loadConfig({ ...env(2), RATE_LIMIT_PREFIX: shared.RATE_LIMIT_PREFIX }), silentLogger()),
    ];
    try {
      const headers = {
        'content-type': 'application/json',
        ...(await stack.headers({ tier: 'GOVERNMENT', client: 'approval-replicated' })),
      };
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const response = await fetch(`${replicas[i % 2]!.url}/graphql`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ query: '{ __typename }' }),
        });
        statuses.push(response.status);
        if (response.status === 429) {
          expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
          expect(((await response.json()) as any).errors[0].extensions.code).toBe('RATE_LIMITED');
        } else await response.arrayBuffer();
      }
      expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    } finally {
      for (const replica of replicas) await replica.close();
    }
  });
});

describe('every token attack, through HTTP', () => {
  async function callerKey() {
    const { readFile } = await import('node:fs/promises');
    const { createPrivateKey, createPublicKey } = await import('node:crypto');
    const jwk = JSON.parse(await readFile(`${stack.keysDir}/caller.private.jwk.json`, 'utf8')) as Record<
      string,
      string
    >;
    const key = createPrivateKey({ key: jwk, format: 'jwk' });
    return { jwk, key, publicPem: createPublicKey(key).export({ format: 'pem', type: 'spki' }) as string };
  }

  async function sign(
    claims: Record<string, unknown>,
    options: { alg?: string; key?: unknown; kid?: string; iss?: string; aud?: string; exp?: number } = {},
  ) {
    const { jwk, key } = await callerKey();
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ tier: 'GOVERNMENT', client_id: 'approval-system-test', ...claims })
      .setProtectedHeader({ alg: options.alg ?? jwk['alg'] ?? 'ES256', kid: options.kid ?? jwk['kid'] })
      .setIssuer(options.iss ?? 'credit-gateway-dev-identity')
      .setAudience(options.aud ?? 'credit-gateway')
      .setIssuedAt(now - 60)
      .setExpirationTime(options.exp ?? now + 600)
      .sign((options.key ?? key) as Parameters<SignJWT['sign']>[0]);
  }

  it('refuses each one with 401 UNAUTHENTICATED', async () => {
    const { publicPem } = await callerKey();
    const { generateKeyPairSync } = await import('node:crypto');
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const now = Math.floor(Date.now() / 1000);
    const valid = await sign({});
    const [, payload] = valid.split('.');
    const attacks: Record<string, string> = {
      'alg none': `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload}.`,
      'HS256 keyed with the public key': await sign({}, { alg: 'HS256', key: new TextEncoder().encode(publicPem) }),
      expired: await sign({}, { exp: now - 3_600 }),
      'wrong issuer': await sign({}, { iss: 'someone-else' }),
      'wrong audience': await sign({}, { aud: 'another-service' }),
      'signed by an unknown key': await sign({}, { key: stranger, kid: 'unknown' }),
      'unknown kid with the right key': await sign({}, { kid: 'not-in-the-set' }),
      'no tier': await sign({ tier: undefined }),
      'unknown tier': await sign({ tier: 'ROOT' }),
      'no client for a non-public tier': await sign({ client_id: undefined }),
      tampered: `${valid.split('.')[0]}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), tier: 'JUDICIAL' })).toString('base64url')}.${valid.split('.')[2]}`,
    };
    const results: Record<string, unknown> = {};
    for (const [name, token] of Object.entries(attacks)) {
      const { status, body } = await stack.query(
        '{ __typename }',
        {},
        { anonymous: true },
        { authorization: `Bearer ${token}`, 'x-credit-purpose': 'TEST' },
      );
      results[name] = `${status} ${body.errors?.[0]?.extensions?.code}`;
    }
    expect(results).toEqual(Object.fromEntries(Object.keys(attacks).map((name) => [name, '401 UNAUTHENTICATED'])));
    // The control: the same signing path with nothing wrong is accepted.
    expect(
      (
        await stack.query(
          '{ __typename }',
          {},
          { anonymous: true },
          { authorization: `Bearer ${valid}`, 'x-credit-purpose': 'TEST' },
        )
      ).status,
    ).toBe(200);
  });
});

describe('reject mode', () => {
  it('refuses the whole operation when REJECT_UNAUTHORIZED_FIELDS is on', async () => {
    const { loadConfig, startGateway } = await import('../src/server.js');
    const { silentLogger } = await import('@credit-gateway/common');
    const gateway = await startGateway(
      loadConfig({
        PORT: '0',
        ...stack.gatewayEnv,
        REGISTER_DIR: `${stack.registerDir}-reject`,
        REGISTER_WRITER_ID: 'reject-mode',
        REJECT_UNAUTHORIZED_FIELDS: 'true',
        ...Object.fromEntries(
          Object.entries(stack.subgraphUrls).map(([name, url]) => [
            `SUBGRAPH_${name.toUpperCase().replace('-', '_')}_URL`,
            url,
          ]),
        ),
      }),
      silentLogger(),
    );
    try {
      const response = await fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `{ enterprise(code: "${SME}") { code tax { payments { amount } } } }` }),
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        errors: [
          {
            message: 'Not authorized to read TaxSection.payments as a PUBLIC caller',
            extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE', field: 'TaxSection.payments', tier: 'PUBLIC' },
          },
        ],
      });
    } finally {
      await gateway.close();
    }
  });
});
