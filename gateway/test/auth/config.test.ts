import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvReader, generateInternalKeyPair, internalKeyEnv } from '@credit-gateway/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCallerAuthConfig, readConsentConfig, readGatewayAuthConfig } from '../../src/auth/index.js';
import { createKey, keySet, type TestKey } from './issuers.js';

const dir = mkdtempSync(join(tmpdir(), 'auth-config-'));
let key: TestKey;
let jwksFile: string;

beforeAll(async () => {
  key = await createKey('ES256');
  jwksFile = join(dir, 'jwks.json');
  writeFileSync(jwksFile, JSON.stringify(keySet(key)));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The problems a configuration has, as an operator reads them; 'accepted' when it has none. */
function problems(read: (reader: EnvReader) => unknown, env: Record<string, string>): string {
  const reader = new EnvReader(env);
  read(reader);
  try {
    reader.done();
    return 'accepted';
  } catch (error) {
    return (error as Error).message.replaceAll(dir, '<dir>');
  }
}

describe('readCallerAuthConfig', () => {
  it('has defaults that accept no token at all', () => {
    const reader = new EnvReader({});
    expect(readCallerAuthConfig(reader)).toEqual({
      keySet: null,
      issuer: null,
      audience: 'credit-gateway',
      algorithms: ['RS256', 'ES256', 'EdDSA'],
      clockToleranceSeconds: 30,
    });
    expect(() => reader.done()).not.toThrow();
  });

  it('reads a key set file, its issuer and the settings', () => {
    const reader = new EnvReader({
      AUTH_JWKS_FILE: jwksFile,
      AUTH_ISSUER: 'https://identity.example.gov.cn',
      AUTH_AUDIENCE: 'credit-gateway-cq',
      AUTH_ALGORITHMS: 'ES256, PS256',
      AUTH_CLOCK_TOLERANCE_S: '10',
    });
    expect(readCallerAuthConfig(reader)).toEqual({
      keySet: { kind: 'set', jwks: keySet(key) },
      issuer: 'https://identity.example.gov.cn',
      audience: 'credit-gateway-cq',
      algorithms: ['ES256', 'PS256'],
      clockToleranceSeconds: 10,
    });
    reader.done();
  });

  it('reads a key set URL: https, or http on this machine only', () => {
    const read = (url: string) => {
      const reader = new EnvReader({ AUTH_JWKS_URL: url, AUTH_ISSUER: 'https://identity.example.gov.cn' });
      return [
        readCallerAuthConfig(reader).keySet,
        problems(readCallerAuthConfig, { AUTH_JWKS_URL: url, AUTH_ISSUER: 'i' }),
      ];
    };
    expect(read('https://identity.example.gov.cn/jwks')).toEqual([
      { kind: 'url', url: 'https://identity.example.gov.cn/jwks' },
      'accepted',
    ]);
    expect(read('http://127.0.0.1:8080/jwks')[1]).toBe('accepted');
    expect(read('http://identity.example.gov.cn/jwks')[1]).toMatchInlineSnapshot(`
      "Invalid configuration:
        - AUTH_JWKS_URL must use https, got 'http://identity.example.gov.cn/jwks'"
    `);
  });

  it('refuses HMAC, none and unknown algorithms, both key sources, and a key set without its issuer', () => {
    expect(problems(readCallerAuthConfig, { AUTH_ALGORITHMS: 'ES256,HS256,none,es256' })).toMatchInlineSnapshot(`
      "Invalid configuration:
        - AUTH_ALGORITHMS: 'HS256' is not allowed; use RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA, Ed25519
        - AUTH_ALGORITHMS: 'none' is not allowed; use RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA, Ed25519
        - AUTH_ALGORITHMS: 'es256' is not allowed; use RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA, Ed25519"
    `);
    expect(
      problems(readCallerAuthConfig, {
        AUTH_JWKS_FILE: jwksFile,
        AUTH_JWKS_URL: 'https://identity.example.gov.cn/jwks',
        AUTH_CLOCK_TOLERANCE_S: '3600',
      }),
    ).toMatchInlineSnapshot(`
      "Invalid configuration:
        - set AUTH_JWKS_URL or AUTH_JWKS_FILE, not both
        - AUTH_ISSUER is required with AUTH_JWKS_URL or AUTH_JWKS_FILE
        - AUTH_CLOCK_TOLERANCE_S must be a whole number from 0 to 300, got '3600'"
    `);
  });

  it('refuses a key set file that is missing, unreadable, private or symmetric, without quoting it', () => {
    const write = (name: string, content: unknown) => {
      const path = join(dir, name);
      writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
      return path;
    };
    const privateJwk = key.privateKey.export({ format: 'jwk' });
    const files = [
      join(dir, 'missing.json'),
      write('broken.json', `{"keys":[{"kty":"EC","d":"${privateJwk.d}"`),
      write('private.json', { keys: [{ ...privateJwk, kid: 'k' }] }),
      write('hmac.json', { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] }),
      write('empty.json', { keys: [] }),
    ];
    const messages = files.map((file) => problems(readCallerAuthConfig, { AUTH_JWKS_FILE: file, AUTH_ISSUER: 'i' }));
    for (const message of messages) expect(message).not.toContain(privateJwk.d);
    expect(messages).toMatchInlineSnapshot(`
      [
        "Invalid configuration:
        - AUTH_JWKS_FILE '<dir>/missing.json': ENOENT: no such file or directory, open '<dir>/missing.json'",
        "Invalid configuration:
        - AUTH_JWKS_FILE '<dir>/broken.json': not valid JSON",
        "Invalid configuration:
        - AUTH_JWKS_FILE '<dir>/private.json': the key set holds a private key; publish only public keys",
        "Invalid configuration:
        - AUTH_JWKS_FILE '<dir>/hmac.json': key type oct is not allowed",
        "Invalid configuration:
        - AUTH_JWKS_FILE '<dir>/empty.json': expected a JSON Web Key Set with at least one key",
      ]
    `);
  });
});

describe('readConsentConfig', () => {
  it('has defaults, and bounds consents per request and their size', () => {
    expect(readConsentConfig(new EnvReader({}))).toEqual({
      keySet: null,
      issuer: null,
      algorithms: ['RS256', 'ES256', 'EdDSA'],
      clockToleranceSeconds: 30,
      maxPerRequest: 500,
      maxBytes: 4096,
      maxHeaderBytes: 256 * 1024,
    });
    expect(
      problems(readConsentConfig, {
        CONSENT_JWKS_FILE: jwksFile,
        CONSENT_MAX_PER_REQUEST: '0',
        CONSENT_MAX_BYTES: '1000000',
        CONSENT_MAX_HEADER_BYTES: '600000',
        CONSENT_ALGORITHMS: 'HS512',
      }),
    ).toMatchInlineSnapshot(`
      "Invalid configuration:
        - CONSENT_ISSUER is required with CONSENT_JWKS_URL or CONSENT_JWKS_FILE
        - CONSENT_ALGORITHMS: 'HS512' is not allowed; use RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA, Ed25519
        - CONSENT_ALGORITHMS names no algorithm
        - CONSENT_MAX_PER_REQUEST must be a whole number from 1 to 10000, got '0'
        - CONSENT_MAX_BYTES must be a whole number from 256 to 65536, got '1000000'
        - CONSENT_MAX_HEADER_BYTES must be a whole number from 1024 to 524288, got '600000'"
    `);
  });
});

describe('readGatewayAuthConfig', () => {
  it('reads the caller, consent and internal settings together, and needs the signing key', () => {
    const env = {
      AUTH_JWKS_FILE: jwksFile,
      AUTH_ISSUER: 'https://identity.example.gov.cn',
      CONSENT_JWKS_FILE: jwksFile,
      CONSENT_ISSUER: 'https://consent.example.gov.cn',
      GATEWAY_SIGNING_KEY: internalKeyEnv(generateInternalKeyPair()).GATEWAY_SIGNING_KEY,
    };
    const reader = new EnvReader(env);
    const config = readGatewayAuthConfig(reader);
    reader.done();
    expect(config.caller.issuer).toBe('https://identity.example.gov.cn');
    expect(config.consent.issuer).toBe('https://consent.example.gov.cn');
    expect(config.internal.tokenTtlSeconds).toBe(60);
    expect(problems(readGatewayAuthConfig, { ...env, GATEWAY_SIGNING_KEY: '' })).toMatchInlineSnapshot(`
      "Invalid configuration:
        - GATEWAY_SIGNING_KEY (or GATEWAY_SIGNING_KEY_FILE) is required: the gateway's Ed25519 private key"
    `);
  });
});
