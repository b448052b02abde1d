import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import {
  buildCreditCode,
  CONSENT_GROUPS,
  createInternalSigner,
  createInternalVerifier,
  CreditGatewayError,
  EnvReader,
  generateInternalKeyPair,
  INTERNAL_AUDIENCE,
  INTERNAL_ISSUER,
  INTERNAL_TOKEN_TYPE,
  isDepartmentId,
  internalAuthorization,
  internalKeyEnv,
  readInternalAuthConfig,
  type ConsentGroup,
  type InternalClaims,
} from '../src/index.js';

const NOW = Date.UTC(2026, 2, 2, 9, 0, 0);
const NOW_S = NOW / 1000;
const gateway = generateInternalKeyPair();
const impostor = generateInternalKeyPair();

const claims: InternalClaims = {
  tier: 'AUTHORIZED',
  client: 'xinyidai-bank-001',
  purpose: 'LOAN_APPROVAL',
  consents: {
    '91500155MA5UQ01CXD': ['TAX_PAYMENTS', 'SOCIAL_SECURITY'],
    '91500112MA60YD7K76': ['TAX_CREDIT'],
    '91350100M000147283': ['SOCIAL_SECURITY', 'TAX_PAYMENTS'],
  },
};

function signer(now = () => NOW, options: { reuseSeconds?: number } = {}) {
  return createInternalSigner(gateway.privateKey, { now, ...options });
}

function verifier(now = () => NOW) {
  return createInternalVerifier(gateway.publicKey, { now });
}

async function refusal(action: () => Promise<unknown>): Promise<string> {
  try {
    await action();
  } catch (error) {
    expect(error).toBeInstanceOf(CreditGatewayError);
    const json = (error as CreditGatewayError).toJSON();
    expect(json.extensions?.['code']).toBe('UNAUTHENTICATED');
    return json.extensions?.['reason'] as string;
  }
  throw new Error('expected UNAUTHENTICATED');
}

describe('internal tokens', () => {
  it('carry the caller, purpose, request and consents from the gateway to a subgraph', async () => {
    const token = await signer().sign(claims);
    await expect(verifier().verify(token)).resolves.toEqual({
      ...claims,
      // Groups come back in their canonical order.
      consents: { ...claims.consents, '91350100M000147283': ['TAX_PAYMENTS', 'SOCIAL_SECURITY'] },
    });
    // Subgraphs hand the method on by itself, as their `authenticate`.
    const { verifyAuthorization } = verifier();
    await expect(verifyAuthorization(internalAuthorization(token))).resolves.toMatchObject({ tier: 'AUTHORIZED' });
  });

  it('are short-lived EdDSA JWTs for the subgraphs, from the gateway', async () => {
    const token = await signer().sign({ ...claims, consents: {} });
    const [header, payload] = token
      .split('.')
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()) as unknown);
    expect(header).toEqual({ alg: 'EdDSA', typ: INTERNAL_TOKEN_TYPE });
    expect(payload).toEqual({
      iss: INTERNAL_ISSUER,
      aud: INTERNAL_AUDIENCE,
      iat: NOW_S,
      exp: NOW_S + 60,
      tier: 'AUTHORIZED',
      client: 'xinyidai-bank-001',
      purpose: 'LOAN_APPROVAL',
      consents: {},
    });
  });

  it('carry the department a GOVERNMENT caller acts for, and leave it out for one that acts for none', async () => {
    const taxOffice: InternalClaims = {
      tier: 'GOVERNMENT',
      client: 'dongguan-tax-bureau',
      purpose: 'CREDIT_REPAIR',
      consents: {},
      department: 'TAX',
    };
    await expect(verifier().verify(await signer().sign(taxOffice))).resolves.toEqual(taxOffice);
    const without = await signer().sign({ ...taxOffice, department: null });
    const payload = JSON.parse(Buffer.from(without.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    expect(payload).not.toHaveProperty('department');
    expect(await verifier().verify(without)).not.toHaveProperty('department');
    // An implementing department of the measures travels the same way.
    const airline = { ...taxOffice, client: 'caac-ticketing', department: 'CAAC' as const };
    await expect(verifier().verify(await signer().sign(airline))).resolves.toEqual(airline);
  });

  it('names only departments on the closed lists, spelled as ids', () => {
    for (const id of ['TAX', 'COURTS', 'CAAC', 'NDRC', 'IMMIGRATION', 'APPROVAL_AUTHORITIES']) {
      expect(isDepartmentId(id)).toBe(true);
    }
    for (const id of ['FINANCE', 'caac', 'CAAC ', '', 'A'.repeat(41), 7, null, 'TAX\n']) {
      expect(isDepartmentId(id)).toBe(false);
    }
  });

  it('carry an anonymous PUBLIC caller', async () => {
    const anonymous: InternalClaims = { tier: 'PUBLIC', client: null, purpose: null, consents: {} };
    await expect(verifier().verify(await signer().sign(anonymous))).resolves.toEqual(anonymous);
  });

  it('fit 500 subjects consenting to every group in Node’s default 16 KiB of headers', async () => {
    const consents: Record<string, ConsentGroup[]> = {};
    for (let i = 0; i < 500; i++) {
      consents[buildCreditCode('91500155', `MA${String(i).padStart(6, '0')}`)] = [...CONSENT_GROUPS];
    }
    const token = await signer().sign({ ...claims, consents });
    expect(token.length).toBeLessThan(14 * 1024);
    expect(Object.keys((await verifier().verify(token)).consents)).toHaveLength(500);

    const server = createServer((request, response) => response.end(String(request.headers.authorization?.length)));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, {
        headers: { authorization: internalAuthorization(token), 'x-request-id': 'r-1' },
      });
      expect(response.status).toBe(200);
      expect(await response.text()).toBe(String(token.length + 'Bearer '.length));
    } finally {
      server.close();
    }
  });
});

describe('refused internal tokens', () => {
  it('a missing token', async () => {
    expect(await refusal(() => verifier().verify(undefined))).toBe('no gateway token');
    expect(await refusal(() => verifier().verify(''))).toBe('no gateway token');
    expect(await refusal(() => verifier().verifyAuthorization(undefined))).toBe('no gateway token');
    expect(await refusal(() => verifier().verifyAuthorization('Basic Z2F0ZXdheTpzZWNyZXQ='))).toBe(
      'expected a Bearer gateway token',
    );
    expect(await refusal(() => verifier().verifyAuthorization('Bearer'))).toBe('expected a Bearer gateway token');
  });

  it('an expired token, beyond the 5 s clock tolerance', async () => {
    const token = await signer().sign(claims);
    await expect(verifier(() => NOW + 64_000).verify(token)).resolves.toMatchObject({ tier: 'AUTHORIZED' });
    expect(await refusal(() => verifier(() => NOW + 65_000).verify(token))).toBe('the gateway token has expired');
  });

  it('an expired token that once verified: the signature is checked once, the expiry on every use', async () => {
    let clock = NOW;
    const verify = verifier(() => clock);
    const token = await signer().sign(claims);
    await expect(verify.verify(token)).resolves.toMatchObject({ tier: 'AUTHORIZED' });
    clock = NOW + 64_000;
    await expect(verify.verify(token)).resolves.toMatchObject({ tier: 'AUTHORIZED' });
    clock = NOW + 65_000;
    expect(await refusal(() => verify.verify(token))).toBe('the gateway token has expired');
  });

  it('a token signed with another key', async () => {
    const forged = await createInternalSigner(impostor.privateKey, { now: () => NOW }).sign(claims);
    expect(await refusal(() => verifier().verify(forged))).toBe('the gateway token signature is invalid');
  });

  it('a token changed under its signature', async () => {
    const token = await signer().sign({ ...claims, tier: 'ANALYST' });
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const changed = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    changed['tier'] = 'JUDICIAL';
    const tampered = `${header}.${Buffer.from(JSON.stringify(changed)).toString('base64url')}.${signature}`;
    expect(await refusal(() => verifier().verify(tampered))).toBe('the gateway token signature is invalid');
  });

  it('an unsigned token and garbage', async () => {
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
    expect(await refusal(() => verifier().verify(none))).toBe('the gateway token algorithm is not allowed');
    expect(await refusal(() => verifier().verify('not.a.token'))).toBe('the gateway token is malformed');
  });

  it('a JWT signed with the gateway key that is not an internal token', async () => {
    const base = new SignJWT({ ...claims, consents: {} })
      .setIssuer(INTERNAL_ISSUER)
      .setAudience(INTERNAL_AUDIENCE)
      .setIssuedAt(NOW_S)
      .setExpirationTime(NOW_S + 60);
    const plainJwt = await base.setProtectedHeader({ alg: 'EdDSA', typ: 'JWT' }).sign(gateway.privateKey);
    expect(await refusal(() => verifier().verify(plainJwt))).toBe('the gateway token typ claim is invalid');
    const otherAudience = await new SignJWT({ ...claims, consents: {} })
      .setProtectedHeader({ alg: 'EdDSA', typ: INTERNAL_TOKEN_TYPE })
      .setIssuer(INTERNAL_ISSUER)
      .setAudience('credit-gateway')
      .setIssuedAt(NOW_S)
      .setExpirationTime(NOW_S + 60)
      .sign(gateway.privateKey);
    expect(await refusal(() => verifier().verify(otherAudience))).toBe('the gateway token aud claim is invalid');
  });

  it('a signed token whose claims are malformed', async () => {
    const sign = (payload: Record<string, unknown>) =>
      new SignJWT(payload)
        .setProtectedHeader({ alg: 'EdDSA', typ: INTERNAL_TOKEN_TYPE })
        .setIssuer(INTERNAL_ISSUER)
        .setAudience(INTERNAL_AUDIENCE)
        .setIssuedAt(NOW_S)
        .setExpirationTime(NOW_S + 60)
        .sign(gateway.privateKey);
    const good = {
      tier: 'GOVERNMENT',
      client: 'approval-system-cq',
      purpose: 'APPROVAL',
      consents: {},
    };
    for (const bad of [
      { ...good, tier: 'ROOT' },
      { ...good, client: 7 },
      { ...good, purpose: 7 },
      { ...good, consents: { TAX_PAYMENTS: '91500155MA5UQ01CXD 1' } },
      { ...good, consents: { EVERYTHING: '91500155MA5UQ01CXD' } },
      { ...good, consents: { TAX_PAYMENTS: ['91500155MA5UQ01CXD'] } },
      { ...good, consents: ['91500155MA5UQ01CXD'] },
    ]) {
      expect(await refusal(async () => verifier().verify(await sign(bad)))).toBe(
        'the gateway token claims are malformed',
      );
    }
  });

  it('is refused with this error shape', async () => {
    try {
      await verifier().verify(undefined);
      expect.unreachable();
    } catch (error) {
      expect((error as CreditGatewayError).toJSON()).toMatchInlineSnapshot(`
        {
          "extensions": {
            "code": "UNAUTHENTICATED",
            "reason": "no gateway token",
          },
          "message": "Authentication failed: no gateway token",
        }
      `);
    }
  });
});

describe('signing', () => {
  it('reuses the token for identical claims for a few seconds, and only for identical claims', async () => {
    let clock = NOW;
    const sign = signer(() => clock);
    const first = await sign.sign(claims);
    const reordered = { ...claims, consents: Object.fromEntries(Object.entries(claims.consents).reverse()) };
    expect(await sign.sign(reordered)).toBe(first);
    expect(await sign.sign({ ...claims, purpose: 'another purpose' })).not.toBe(first);
    clock = NOW + 4_999;
    expect(await sign.sign(claims)).toBe(first);
    clock = NOW + 5_000;
    const renewed = await sign.sign(claims);
    expect(renewed).not.toBe(first);
    await expect(verifier(() => clock).verify(renewed)).resolves.toMatchObject({ purpose: claims.purpose });
  });

  it('refuses to sign consents keyed by anything but a normalized credit code', async () => {
    for (const code of ['91500155ma5uq01cxd', '91500155MA5UQ01CXD 91500112MA60YD7K76', '']) {
      await expect(signer().sign({ ...claims, consents: { [code]: ['TAX_CREDIT'] } })).rejects.toThrow(
        'Consents are keyed by normalized credit codes',
      );
    }
  });

  it('signs identical claims requested at once only once', async () => {
    const sign = signer();
    const tokens = await Promise.all(Array.from({ length: 5 }, () => sign.sign(claims)));
    expect(new Set(tokens).size).toBe(1);
  });

  it('takes a private JWK as well as a KeyObject, and refuses a key that is not Ed25519', async () => {
    const fromJwk = createInternalSigner(gateway.privateJwk, { now: () => NOW });
    await expect(verifier().verify(await fromJwk.sign(claims))).resolves.toMatchObject({ tier: 'AUTHORIZED' });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await expect(createInternalSigner(ec.privateKey).sign(claims)).rejects.toThrow(
      'An Ed25519 private key is required for internal tokens',
    );
    await expect(createInternalVerifier(gateway.privateKey).verify('a.b.c')).rejects.toThrow(
      'An Ed25519 public key is required for internal tokens',
    );
  });
});

describe('readInternalAuthConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'internal-auth-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const pem = {
    private: gateway.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    public: gateway.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };

  async function roundTrip(gatewayEnv: Record<string, string>, subgraphEnv: Record<string, string>) {
    const gatewayReader = new EnvReader(gatewayEnv);
    const signing = readInternalAuthConfig(gatewayReader, 'gateway');
    gatewayReader.done();
    const subgraphReader = new EnvReader(subgraphEnv);
    const verifying = readInternalAuthConfig(subgraphReader, 'subgraph');
    subgraphReader.done();
    const token = await createInternalSigner(signing.signingKey).sign(claims);
    return createInternalVerifier(verifying.publicKey).verify(token);
  }

  it('reads the keys as JWK JSON, as PEM, or from files', async () => {
    const env = internalKeyEnv(gateway);
    await expect(
      roundTrip({ GATEWAY_SIGNING_KEY: env.GATEWAY_SIGNING_KEY }, { GATEWAY_PUBLIC_KEY: env.GATEWAY_PUBLIC_KEY }),
    ).resolves.toMatchObject({ tier: 'AUTHORIZED' });
    await expect(
      roundTrip({ GATEWAY_SIGNING_KEY: pem.private }, { GATEWAY_PUBLIC_KEY: pem.public }),
    ).resolves.toMatchObject({ tier: 'AUTHORIZED' });
    writeFileSync(join(dir, 'gateway.pem'), pem.private);
    writeFileSync(join(dir, 'gateway.pub.json'), env.GATEWAY_PUBLIC_KEY);
    await expect(
      roundTrip(
        { GATEWAY_SIGNING_KEY_FILE: join(dir, 'gateway.pem') },
        { GATEWAY_PUBLIC_KEY_FILE: join(dir, 'gateway.pub.json') },
      ),
    ).resolves.toMatchObject({ tier: 'AUTHORIZED' });
  });

  it('reads the lifetime and tolerance with their defaults, and derives the public key', () => {
    const gatewayReader = new EnvReader({ ...internalKeyEnv(gateway), GATEWAY_TOKEN_TTL_S: '30' });
    const signing = readInternalAuthConfig(gatewayReader, 'gateway');
    expect(signing.tokenTtlSeconds).toBe(30);
    expect(signing.publicKey.equals(gateway.publicKey)).toBe(true);
    const subgraph = readInternalAuthConfig(new EnvReader(internalKeyEnv(gateway)), 'subgraph');
    expect(subgraph.clockToleranceSeconds).toBe(5);
    expect(subgraph.publicKey.equals(gateway.publicKey)).toBe(true);
  });

  it('requires the key: nothing is signed or trusted without it', () => {
    const gatewayReader = new EnvReader({});
    readInternalAuthConfig(gatewayReader, 'gateway');
    expect(() => gatewayReader.done()).toThrowErrorMatchingInlineSnapshot(`
      [ConfigError: Invalid configuration:
        - GATEWAY_SIGNING_KEY (or GATEWAY_SIGNING_KEY_FILE) is required: the gateway's Ed25519 private key]
    `);
    const subgraphReader = new EnvReader({});
    readInternalAuthConfig(subgraphReader, 'subgraph');
    expect(() => subgraphReader.done()).toThrowErrorMatchingInlineSnapshot(`
      [ConfigError: Invalid configuration:
        - GATEWAY_PUBLIC_KEY (or GATEWAY_PUBLIC_KEY_FILE) is required: the gateway's Ed25519 public key]
    `);
  });

  it('reports unusable keys without ever repeating them', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const privateJson = JSON.stringify(gateway.privateJwk);
    const cases: Array<[string, Record<string, string>]> = [
      ['gateway', { GATEWAY_SIGNING_KEY: privateJson.slice(0, -2) }],
      ['gateway', { GATEWAY_SIGNING_KEY: JSON.stringify(gateway.publicJwk) }],
      ['gateway', { GATEWAY_SIGNING_KEY: rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() }],
      ['gateway', { GATEWAY_SIGNING_KEY: 'secret', GATEWAY_SIGNING_KEY_FILE: join(dir, 'missing.pem') }],
      ['gateway', { GATEWAY_SIGNING_KEY_FILE: join(dir, 'missing.pem'), GATEWAY_TOKEN_TTL_S: '3600' }],
      ['subgraph', { GATEWAY_PUBLIC_KEY: privateJson }],
      ['subgraph', { GATEWAY_PUBLIC_KEY: pem.private }],
      ['subgraph', { GATEWAY_PUBLIC_KEY: 'ed25519-public-key' }],
    ];
    const messages = cases.map(([role, env]) => {
      const reader = new EnvReader(env);
      readInternalAuthConfig(reader, role as 'gateway');
      try {
        reader.done();
      } catch (error) {
        return (error as Error).message.replaceAll(dir, '<dir>');
      }
      return 'accepted';
    });
    for (const message of messages) expect(message).not.toContain(gateway.privateJwk.d);
    expect(messages).toMatchInlineSnapshot(`
      [
        "Invalid configuration:
        - GATEWAY_SIGNING_KEY is not a usable Ed25519 private key: not valid JSON",
        "Invalid configuration:
        - GATEWAY_SIGNING_KEY is not a usable Ed25519 private key: a private key was expected, got a public one",
        "Invalid configuration:
        - GATEWAY_SIGNING_KEY is not a usable Ed25519 private key: an Ed25519 key was expected, got rsa",
        "Invalid configuration:
        - set GATEWAY_SIGNING_KEY or GATEWAY_SIGNING_KEY_FILE, not both",
        "Invalid configuration:
        - GATEWAY_SIGNING_KEY_FILE '<dir>/missing.pem' cannot be read: ENOENT: no such file or directory, open '<dir>/missing.pem'
        - GATEWAY_TOKEN_TTL_S must be a whole number from 5 to 600, got '3600'",
        "Invalid configuration:
        - GATEWAY_PUBLIC_KEY is not a usable Ed25519 public key: a public key was expected, got a private one",
        "Invalid configuration:
        - GATEWAY_PUBLIC_KEY is not a usable Ed25519 public key: a public key was expected, got a private one",
        "Invalid configuration:
        - GATEWAY_PUBLIC_KEY is not a usable Ed25519 public key: expected a JWK (JSON) or a PEM key",
      ]
    `);
  });
});
