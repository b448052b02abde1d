import { createHmac, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, SignJWT, type JSONWebKeySet, type JWK } from 'jose';

/** Every test runs at this instant, so validity windows are exact. */
export const NOW = Date.UTC(2026, 2, 2, 9, 0, 0);
export const NOW_S = NOW / 1000;
export const now = () => NOW;

export const ISSUER = 'https://identity.example.gov.cn';
export const AUDIENCE = 'credit-gateway';
export const CONSENT_ISSUER = 'https://consent.example.gov.cn';

export type TestAlgorithm = 'ES256' | 'RS256' | 'PS256' | 'EdDSA';

export interface TestKey {
  alg: TestAlgorithm;
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicJwk: JWK;
}

export async function createKey(alg: TestAlgorithm): Promise<TestKey> {
  const { privateKey, publicKey } =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : alg === 'EdDSA'
        ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const exported = publicKey.export({ format: 'jwk' });
  const kid = await calculateJwkThumbprint(exported);
  return { alg, kid, privateKey, publicKey, publicJwk: { ...exported, kid, alg, use: 'sig' } };
}

export function keySet(...keys: TestKey[]): JSONWebKeySet {
  return { keys: keys.map((key) => key.publicJwk) };
}

export interface SignOptions {
  /** Claims; `undefined` values are left out. */
  claims?: Record<string, unknown>;
  header?: Record<string, unknown>;
  iss?: string | undefined;
  aud?: string | undefined;
  iat?: number;
  exp?: number | undefined;
  nbf?: number;
}

/** A token as the identity provider would issue it, valid for an hour from NOW by default. */
export async function signToken(key: TestKey, options: SignOptions = {}): Promise<string> {
  const payload: Record<string, unknown> = {
    iss: 'iss' in options ? options.iss : ISSUER,
    aud: 'aud' in options ? options.aud : AUDIENCE,
    iat: options.iat ?? NOW_S,
    exp: 'exp' in options ? options.exp : NOW_S + 3600,
    ...(options.nbf === undefined ? {} : { nbf: options.nbf }),
    ...options.claims,
  };
  for (const name of Object.keys(payload)) if (payload[name] === undefined) delete payload[name];
  return new SignJWT(payload)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, ...options.header } as { alg: string })
    .sign(key.privateKey);
}

export function base64url(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

export function decodePart(token: string, index: 0 | 1): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[index]!, 'base64url').toString()) as Record<string, unknown>;
}

/** Keeps the header and signature, swaps in another payload: what a forger can do without the key. */
export function tamper(token: string, change: (payload: Record<string, unknown>) => void): string {
  const [header, , signature] = token.split('.');
  const payload = decodePart(token, 1);
  change(payload);
  return `${header}.${base64url(payload)}.${signature}`;
}

/** An HS256 token whose HMAC secret is a public key: valid if a verifier mistook it for a secret. */
export function hmacToken(header: Record<string, unknown>, payload: Record<string, unknown>, secret: string): string {
  const input = `${base64url({ ...header, alg: 'HS256' })}.${base64url(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

export function unsignedToken(payload: Record<string, unknown>, signature = ''): string {
  return `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(payload)}.${signature}`;
}

/** Runs `action` and returns what it threw, failing the test if it did not throw. */
export async function thrown(action: () => Promise<unknown>): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}
