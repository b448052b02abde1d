import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreditGatewayError, TIERS, type Tier } from '@credit-gateway/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createCallerVerifier,
  DEFAULT_ALGORITHMS,
  KeySetUnavailableError,
  PUBLIC_CALLER,
  type CallerVerifier,
  type CallerVerifierOptions,
} from '../../src/auth/index.js';
import {
  AUDIENCE,
  createKey,
  hmacToken,
  ISSUER,
  keySet,
  NOW_S,
  now,
  signToken,
  tamper,
  thrown,
  unsignedToken,
  type SignOptions,
  type TestKey,
} from './issuers.js';

let es256: TestKey;
let rs256: TestKey;
let eddsa: TestKey;
let ps256: TestKey;
let stranger: TestKey;
let verifier: CallerVerifier;

function options(overrides: Partial<CallerVerifierOptions> = {}): CallerVerifierOptions {
  return {
    keySet: { kind: 'set', jwks: keySet(es256, rs256, eddsa, ps256) },
    issuer: ISSUER,
    audience: AUDIENCE,
    algorithms: DEFAULT_ALGORITHMS,
    clockToleranceSeconds: 30,
    now,
    ...overrides,
  };
}

const government = { tier: 'GOVERNMENT', client_id: 'approval-system-cq', sub: 'user-001' };

function token(key: TestKey, signOptions: SignOptions = {}): Promise<string> {
  return signToken(key, { ...signOptions, claims: { ...government, ...signOptions.claims } });
}

/** The reason a header is refused; also proves the token never appears in what the caller sees. */
async function refusal(authorization: string, using: CallerVerifier = verifier): Promise<string> {
  const error = await thrown(() => using.verify(authorization));
  expect(error).toBeInstanceOf(CreditGatewayError);
  const json = (error as CreditGatewayError).toJSON();
  expect(json.extensions?.['code']).toBe('UNAUTHENTICATED');
  const credential = authorization.replace(/^\s*bearer\s*/i, '').trim();
  if (credential.length >= 8) {
    for (const part of credential.split('.').filter((p) => p.length >= 8)) {
      expect(JSON.stringify(json)).not.toContain(part);
    }
  }
  return json.extensions?.['reason'] as string;
}

beforeAll(async () => {
  [es256, rs256, eddsa, ps256, stranger] = await Promise.all([
    createKey('ES256'),
    createKey('RS256'),
    createKey('EdDSA'),
    createKey('PS256'),
    createKey('ES256'),
  ]);
  verifier = createCallerVerifier(options());
});

describe('callers without a token', () => {
  it('are PUBLIC when there is no Authorization header at all', async () => {
    await expect(verifier.verify(undefined)).resolves.toEqual({ tier: 'PUBLIC', client: null, subject: null });
    expect(await verifier.verify(undefined)).toBe(PUBLIC_CALLER);
  });

  it('are PUBLIC even when the gateway has no key set, which then refuses every token', async () => {
    const closed = createCallerVerifier(options({ keySet: null, issuer: null }));
    await expect(closed.verify(undefined)).resolves.toEqual(PUBLIC_CALLER);
    expect(await refusal(`Bearer ${await token(es256)}`, closed)).toBe('this gateway accepts no caller tokens');
  });
});

describe('valid tokens', () => {
  it.each(TIERS.filter((tier) => tier !== 'PUBLIC'))('name a %s caller with its client and subject', async (tier) => {
    const signed = await token(es256, { claims: { tier, client_id: `client-${tier.toLowerCase()}` } });
    await expect(verifier.verify(`Bearer ${signed}`)).resolves.toEqual({
      tier,
      client: `client-${tier.toLowerCase()}`,
      subject: 'user-001',
    });
  });

  it('may be PUBLIC, with or without a client', async () => {
    const bare = await signToken(es256, { claims: { tier: 'PUBLIC' } });
    await expect(verifier.verify(`Bearer ${bare}`)).resolves.toEqual({ tier: 'PUBLIC', client: null, subject: null });
    const named = await signToken(es256, { claims: { tier: 'PUBLIC', client_id: 'portal' } });
    await expect(verifier.verify(`Bearer ${named}`)).resolves.toEqual({
      tier: 'PUBLIC',
      client: 'portal',
      subject: null,
    });
  });

  it.each([
    ['ES256', () => es256],
    ['RS256', () => rs256],
    ['EdDSA', () => eddsa],
  ])('verify with each default algorithm: %s', async (_alg, key) => {
    const caller = await verifier.verify(`Bearer ${await token(key())}`);
    expect(caller).toEqual({ tier: 'GOVERNMENT', client: 'approval-system-cq', subject: 'user-001' });
  });

  it('accept any case of the Bearer scheme and surrounding spaces', async () => {
    const signed = await token(es256);
    for (const header of [`bearer ${signed}`, `BEARER   ${signed}`, `  Bearer ${signed}  `]) {
      await expect(verifier.verify(header)).resolves.toMatchObject({ tier: 'GOVERNMENT' });
    }
  });

  it('verify without a kid by trying each key of the set that fits', async () => {
    const second = await createKey('ES256');
    const twoKeys = createCallerVerifier(options({ keySet: { kind: 'set', jwks: keySet(es256, second) } }));
    const withoutKid = await token(second, { header: { kid: undefined } });
    await expect(twoKeys.verify(`Bearer ${withoutKid}`)).resolves.toMatchObject({ tier: 'GOVERNMENT' });
    const fromStranger = await token(stranger, { header: { kid: undefined } });
    expect(await refusal(`Bearer ${fromStranger}`, twoKeys)).toBe('the token signature is invalid');
  });
});

describe('the error a refused token gets', () => {
  it('says why, in extensions.reason, without the token', async () => {
    const expired = await token(es256, { exp: NOW_S - 3600 });
    const error = (await thrown(() => verifier.verify(`Bearer ${expired}`))) as CreditGatewayError;
    expect(error.toJSON()).toMatchInlineSnapshot(`
      {
        "extensions": {
          "code": "UNAUTHENTICATED",
          "reason": "the token has expired",
        },
        "message": "Authentication failed: the token has expired",
      }
    `);
  });
});

describe('forged and tampered tokens', () => {
  it('refuses alg none, signed with nothing or with anything', async () => {
    const claims = { ...government, iss: ISSUER, aud: AUDIENCE, iat: NOW_S, exp: NOW_S + 3600 };
    expect(await refusal(`Bearer ${unsignedToken(claims)}`)).toBe('the token is not a signed JWT');
    expect(await refusal(`Bearer ${unsignedToken(claims, 'c2lnbmF0dXJl')}`)).toBe(
      'the token is signed with an algorithm that is not allowed',
    );
  });

  it('refuses HS256 signed with the public key as the HMAC secret', async () => {
    const claims = { ...government, iss: ISSUER, aud: AUDIENCE, iat: NOW_S, exp: NOW_S + 3600 };
    const secrets = [
      es256.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      rs256.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      JSON.stringify(es256.publicJwk),
    ];
    for (const secret of secrets) {
      const forged = hmacToken({ kid: es256.kid, typ: 'JWT' }, claims, secret);
      expect(await refusal(`Bearer ${forged}`)).toBe('the token is signed with an algorithm that is not allowed');
    }
  });

  it('refuses HS256 even from a verifier told to allow it: a public key set yields no HMAC key', async () => {
    const misconfigured = createCallerVerifier(options({ algorithms: ['HS256'] as never }));
    const claims = { ...government, iss: ISSUER, aud: AUDIENCE, iat: NOW_S, exp: NOW_S + 3600 };
    const forged = hmacToken(
      { kid: rs256.kid },
      claims,
      rs256.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    );
    expect(await refusal(`Bearer ${forged}`, misconfigured)).toBe('the token is malformed');
  });

  it('refuses a payload changed under the original signature', async () => {
    const signed = await token(es256, { claims: { tier: 'ANALYST', client_id: 'stats-bureau' } });
    await expect(verifier.verify(`Bearer ${signed}`)).resolves.toMatchObject({ tier: 'ANALYST' });
    const promoted = tamper(signed, (payload) => (payload['tier'] = 'JUDICIAL'));
    expect(await refusal(`Bearer ${promoted}`)).toBe('the token signature is invalid');
    const extended = tamper(signed, (payload) => (payload['exp'] = NOW_S + 365 * 86_400));
    expect(await refusal(`Bearer ${extended}`)).toBe('the token signature is invalid');
  });

  it('refuses a token signed by a key the set does not hold', async () => {
    expect(await refusal(`Bearer ${await token(stranger)}`)).toBe('the token is signed with an unknown key');
    // A stranger borrowing a known kid gets no further.
    const borrowed = await token(stranger, { header: { kid: es256.kid } });
    expect(await refusal(`Bearer ${borrowed}`)).toBe('the token signature is invalid');
  });

  it('refuses an algorithm outside the allow-list even with a key in the set', async () => {
    const onlyEs256 = createCallerVerifier(options({ algorithms: ['ES256'] }));
    await expect(onlyEs256.verify(`Bearer ${await token(es256)}`)).resolves.toMatchObject({ tier: 'GOVERNMENT' });
    expect(await refusal(`Bearer ${await token(ps256)}`, onlyEs256)).toBe(
      'the token is signed with an algorithm that is not allowed',
    );
    // PS256 is not in the default list either.
    expect(await refusal(`Bearer ${await token(ps256)}`)).toBe(
      'the token is signed with an algorithm that is not allowed',
    );
  });
});

describe('validity period', () => {
  it('refuses an expired token beyond the clock tolerance, accepts one within it', async () => {
    expect(await refusal(`Bearer ${await token(es256, { exp: NOW_S - 31 })}`)).toBe('the token has expired');
    expect(await refusal(`Bearer ${await token(es256, { exp: NOW_S - 30 })}`)).toBe('the token has expired');
    await expect(verifier.verify(`Bearer ${await token(es256, { exp: NOW_S - 29 })}`)).resolves.toMatchObject({
      tier: 'GOVERNMENT',
    });
  });

  it('refuses a token not valid yet beyond the tolerance, accepts one within it', async () => {
    expect(await refusal(`Bearer ${await token(es256, { nbf: NOW_S + 31 })}`)).toBe('the token is not valid yet');
    await expect(verifier.verify(`Bearer ${await token(es256, { nbf: NOW_S + 30 })}`)).resolves.toMatchObject({
      tier: 'GOVERNMENT',
    });
  });

  it('checks a remembered token’s expiry on every request', async () => {
    let clock = NOW_S * 1000;
    const remembering = createCallerVerifier(options({ now: () => clock }));
    const authorization = `Bearer ${await token(es256, { exp: NOW_S + 60 })}`;
    await expect(remembering.verify(authorization)).resolves.toMatchObject({ tier: 'GOVERNMENT' });
    clock = (NOW_S + 89) * 1000;
    await expect(remembering.verify(authorization)).resolves.toMatchObject({ tier: 'GOVERNMENT' });
    clock = (NOW_S + 90) * 1000;
    expect(await refusal(authorization, remembering)).toBe('the token has expired');
  });

  it('uses the configured tolerance', async () => {
    const strict = createCallerVerifier(options({ clockToleranceSeconds: 0 }));
    expect(await refusal(`Bearer ${await token(es256, { exp: NOW_S - 1 })}`, strict)).toBe('the token has expired');
  });

  it('refuses a token without an expiry', async () => {
    expect(await refusal(`Bearer ${await token(es256, { exp: undefined })}`)).toBe('the token has no expiry (exp)');
  });
});

describe('issuer and audience', () => {
  it('refuses another issuer, or none', async () => {
    const other = await token(es256, { iss: 'https://identity.elsewhere.example' });
    expect(await refusal(`Bearer ${other}`)).toBe('the token comes from an unknown issuer');
    expect(await refusal(`Bearer ${await token(es256, { iss: undefined })}`)).toBe(
      'the token comes from an unknown issuer',
    );
  });

  it('refuses another audience, or none', async () => {
    const other = await token(es256, { aud: 'credit-gateway-staging' });
    expect(await refusal(`Bearer ${other}`)).toBe('the token is meant for another audience');
    expect(await refusal(`Bearer ${await token(es256, { aud: undefined })}`)).toBe(
      'the token is meant for another audience',
    );
  });
});

describe('claims', () => {
  it('refuses a token without a tier', async () => {
    const signed = await token(es256, { claims: { tier: undefined } });
    expect(await refusal(`Bearer ${signed}`)).toBe('the token has no tier claim');
  });

  it('refuses a tier that does not exist, in any spelling', async () => {
    for (const tier of ['ROOT', 'government', 'Government', '', 1, ['GOVERNMENT'], null]) {
      const signed = await token(es256, { claims: { tier } });
      expect(await refusal(`Bearer ${signed}`)).toBe('the token tier claim names no known tier');
    }
  });

  it.each(TIERS.filter((tier): tier is Exclude<Tier, 'PUBLIC'> => tier !== 'PUBLIC'))(
    'refuses a %s token without client_id',
    async (tier) => {
      const signed = await token(es256, { claims: { tier, client_id: undefined } });
      expect(await refusal(`Bearer ${signed}`)).toBe(
        `the token has no client_id claim, which the ${tier} tier requires`,
      );
    },
  );

  it('refuses a client_id that is not a plain identifier', async () => {
    for (const client of ['', 'approval system', 42, { id: 'x' }, 'x'.repeat(129)]) {
      const signed = await token(es256, { claims: { client_id: client } });
      expect(await refusal(`Bearer ${signed}`)).toBe('the token client_id claim is invalid');
    }
  });

  it('read the department a GOVERNMENT client acts for, and refuse an unknown one or one on another tier', async () => {
    const signed = await token(es256, { claims: { department: 'TAX' } });
    await expect(verifier.verify(`Bearer ${signed}`)).resolves.toEqual({
      tier: 'GOVERNMENT',
      client: 'approval-system-cq',
      subject: 'user-001',
      department: 'TAX',
    });
    const implementing = await token(es256, { claims: { department: 'CAAC' } });
    await expect(verifier.verify(`Bearer ${implementing}`)).resolves.toMatchObject({ department: 'CAAC' });
    for (const department of ['tax', 'FINANCE', 'caac', 'CAAC ', 'A'.repeat(41), 7, null]) {
      const bad = await token(es256, { claims: { department } });
      expect(await refusal(`Bearer ${bad}`)).toBe('the token department claim names no known department');
    }
    const lender = await token(es256, { claims: { tier: 'AUTHORIZED', department: 'TAX' } });
    expect(await refusal(`Bearer ${lender}`)).toBe('only a GOVERNMENT token may name a department');
  });

  it('refuses a sub that is not a string', async () => {
    const signed = await token(es256, { claims: { sub: 7 } });
    expect(await refusal(`Bearer ${signed}`)).toBe('the token sub claim is invalid');
  });
});

describe('malformed Authorization headers', () => {
  it.each([
    ['', 'the Authorization header is empty'],
    ['   ', 'the Authorization header is empty'],
    ['Bearer', 'the Bearer token is missing'],
    ['Bearer    ', 'the Bearer token is missing'],
    ['Basic YXBwcm92YWw6c2VjcmV0', 'only Bearer tokens are accepted'],
    ['Token eyJhbGciOiJFUzI1NiJ9.e30.c2ln', 'only Bearer tokens are accepted'],
    ['eyJhbGciOiJFUzI1NiJ9.e30.c2ln', 'only Bearer tokens are accepted'],
    ['Bearer not-a-jwt', 'the token is not a signed JWT'],
    ['Bearer a.b', 'the token is not a signed JWT'],
    ['Bearer a.b.c.d', 'the token is not a signed JWT'],
    ['Bearer eyJhbGciOiJFUzI1NiJ9.e30.c2ln extra', 'the token is not a signed JWT'],
    ['Bearer eyJhbGciOiJFUzI1NiJ9.e30.c2ln,eyJhbGciOiJFUzI1NiJ9.e30.c2ln', 'the token is not a signed JWT'],
    ['Bearer YWJj.YWJj.YWJj', 'the token is malformed'],
    ['Bearer e30.e30.c2ln', 'the token is malformed'],
    [`Bearer ${'a'.repeat(9000)}.b.c`, 'the token is too long'],
  ])('refuses %j', async (header, reason) => {
    expect(await refusal(header)).toBe(reason);
  });

  it('refuses a valid token joined to a second one', async () => {
    const signed = await token(es256);
    expect(await refusal(`Bearer ${signed} ${signed}`)).toBe('the token is not a signed JWT');
  });
});

describe('a key set fetched from a URL', () => {
  let server: Server;
  let url: string;
  let served = 0;

  beforeAll(async () => {
    server = createServer((request, response) => {
      served += 1;
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify(keySet(es256)));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('verifies tokens against the fetched keys, fetching them once', async () => {
    const remote = createCallerVerifier(options({ keySet: { kind: 'url', url } }));
    const before = served;
    await expect(remote.verify(`Bearer ${await token(es256)}`)).resolves.toMatchObject({ tier: 'GOVERNMENT' });
    await expect(remote.verify(`Bearer ${await token(es256)}`)).resolves.toMatchObject({ tier: 'GOVERNMENT' });
    expect(served - before).toBe(1);
    expect(await refusal(`Bearer ${await token(rs256)}`, remote)).toBe('the token is signed with an unknown key');
  });

  it('reports an unreachable key set as its own failure, not the caller’s', async () => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const down = createCallerVerifier(options({ keySet: { kind: 'url', url: `http://127.0.0.1:${port}/jwks` } }));
    const error = await thrown(async () => down.verify(`Bearer ${await token(es256)}`));
    expect(error).toBeInstanceOf(KeySetUnavailableError);
    expect(error).not.toBeInstanceOf(CreditGatewayError);
    // A missing header is still PUBLIC: no key is needed for it.
    await expect(down.verify(undefined)).resolves.toEqual(PUBLIC_CALLER);
  });
});
