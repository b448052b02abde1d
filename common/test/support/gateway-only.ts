/**
 * Test support: requests that did not come from the gateway, and one suite proving over HTTP that
 * a subgraph refuses every one of them before it reads the body or asks its department system.
 */
import { describe, expect, it } from 'vitest';
import { importJWK, SignJWT, type JWK } from 'jose';
import {
  createInternalSigner,
  generateInternalKeyPair,
  INTERNAL_AUDIENCE,
  INTERNAL_ISSUER,
  INTERNAL_TOKEN_TYPE,
  internalAuthorization,
  type InternalClaims,
} from '../../src/index.js';
import { GATEWAY_KEYS, gatewayHeaders } from './gateway-identity.js';

/** The most a forged token could claim: a government caller. */
const CLAIMS: InternalClaims = {
  tier: 'GOVERNMENT',
  client: 'test-suite',
  purpose: 'testing',
  consents: {},
};

const gatewaySigningJwk = () => JSON.parse(GATEWAY_KEYS.GATEWAY_SIGNING_KEY) as JWK;

/** Headers of a well-formed token signed by a key the subgraphs do not trust. */
export async function foreignGatewayHeaders(): Promise<Record<string, string>> {
  const signer = createInternalSigner(generateInternalKeyPair().privateKey, { reuseSeconds: 0 });
  return { authorization: internalAuthorization(await signer.sign(CLAIMS)) };
}

/** Headers of a token the gateway signed ten minutes ago, with the default 60 s lifetime. */
export async function expiredGatewayHeaders(): Promise<Record<string, string>> {
  const signer = createInternalSigner(gatewaySigningJwk(), { reuseSeconds: 0, now: () => Date.now() - 600_000 });
  return { authorization: internalAuthorization(await signer.sign(CLAIMS)) };
}

/** Headers of a PUBLIC token whose payload was then rewritten to claim GOVERNMENT. */
export async function tamperedGatewayHeaders(): Promise<Record<string, string>> {
  const token = (await gatewayHeaders({ tier: 'PUBLIC' })).authorization!.replace(/^Bearer /, '');
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as Record<string, unknown>;
  expect(claims['tier']).toBe('PUBLIC');
  const forged = Buffer.from(JSON.stringify({ ...claims, tier: 'GOVERNMENT' })).toString('base64url');
  return { authorization: internalAuthorization(`${header}.${forged}.${signature}`) };
}

/** Headers of a JWT the gateway's key signed, but for another audience than the subgraphs. */
export async function otherAudienceHeaders(): Promise<Record<string, string>> {
  const key = await importJWK(gatewaySigningJwk(), 'EdDSA');
  const token = await new SignJWT({ ...CLAIMS, consents: {} })
    .setProtectedHeader({ alg: 'EdDSA', typ: INTERNAL_TOKEN_TYPE })
    .setIssuer(INTERNAL_ISSUER)
    .setAudience('some-other-service')
    .setIssuedAt()
    .setExpirationTime('60s')
    .sign(key);
  return { authorization: internalAuthorization(token) };
}

/** Headers of an unsigned (`alg: none`) token with valid claims. */
export function unsignedHeaders(): Record<string, string> {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const payload = { ...CLAIMS, iss: INTERNAL_ISSUER, aud: INTERNAL_AUDIENCE, iat: now, exp: now + 60 };
  return { authorization: `Bearer ${part({ alg: 'none', typ: INTERNAL_TOKEN_TYPE })}.${part(payload)}.` };
}

export interface GatewayOnlySubgraph {
  /** The subgraph's /graphql URL, once it listens. */
  graphqlUrl(): string;
  /** A request that makes the subgraph ask its department system. */
  request: { query: string; variables?: Record<string, unknown> };
  /** Calls the department system received since the last reset. */
  sourceCalls(): Promise<number>;
  resetSourceCalls(): Promise<void>;
}

interface HttpAnswer {
  status: number;
  wwwAuthenticate: string | null;
  body: unknown;
}

async function post(url: string, headers: Record<string, string>, body: string): Promise<HttpAnswer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return {
    status: response.status,
    wwwAuthenticate: response.headers.get('www-authenticate'),
    body: await response.json(),
  };
}

const refused = (reason: string): HttpAnswer => ({
  status: 401,
  wwwAuthenticate: 'Bearer',
  body: { errors: [{ message: `Authentication failed: ${reason}`, extensions: { code: 'UNAUTHENTICATED' } }] },
});

/**
 * Every request that the gateway did not sign is answered 401 UNAUTHENTICATED, names no more than
 * the reason, and never reaches the department system; the same request signed by the gateway does.
 */
export function describeGatewayOnly(name: string, subgraph: GatewayOnlySubgraph): void {
  describe(`the ${name} subgraph trusts only the gateway`, () => {
    const body = () => JSON.stringify(subgraph.request);

    it('answers the request when the gateway signed it, asking the department system', async () => {
      await subgraph.resetSourceCalls();
      const answer = await post(subgraph.graphqlUrl(), await gatewayHeaders(), body());
      expect(answer.status).toBe(200);
      expect(answer.body).not.toHaveProperty('errors');
      expect(await subgraph.sourceCalls()).toBeGreaterThan(0);
    });

    it.each<[string, () => Record<string, string> | Promise<Record<string, string>>, string]>([
      ['no Authorization header', () => ({}), 'no gateway token'],
      ['an empty Bearer token', () => ({ authorization: 'Bearer ' }), 'expected a Bearer gateway token'],
      ['Basic credentials', () => ({ authorization: 'Basic Z2F0ZXdheTpzZWNyZXQ=' }), 'expected a Bearer gateway token'],
      ['a token signed by another key', foreignGatewayHeaders, 'the gateway token signature is invalid'],
      ['an expired token', expiredGatewayHeaders, 'the gateway token has expired'],
      ['a token whose claims were changed', tamperedGatewayHeaders, 'the gateway token signature is invalid'],
      ['a token for another audience', otherAudienceHeaders, 'the gateway token aud claim is invalid'],
      ['an unsigned token', unsignedHeaders, 'the gateway token algorithm is not allowed'],
      ['a token that is not a JWT', () => ({ authorization: 'Bearer not-a-jwt' }), 'the gateway token is malformed'],
    ])('refuses %s with 401 UNAUTHENTICATED and runs nothing', async (_, headers, reason) => {
      await subgraph.resetSourceCalls();
      expect(await post(subgraph.graphqlUrl(), await headers(), body())).toEqual(refused(reason));
      expect(await subgraph.sourceCalls()).toBe(0);
    });

    it('refuses before reading the body: an unsigned malformed body is 401, not 400', async () => {
      expect(await post(subgraph.graphqlUrl(), {}, '{"query": ')).toEqual(refused('no gateway token'));
    });
  });
}
