/**
 * Gateway → subgraph tokens. The gateway signs every subgraph request with a short-lived EdDSA
 * (Ed25519) JWT saying who the caller is and which subjects consented to what; subgraphs trust
 * nothing else. One private key on the gateway, its public key on every subgraph. A token names
 * access, not one request (the request id travels in `x-request-id`), so requests with the same
 * access share a token: subgraphs check its signature once, and the gateway may send their
 * fetches together.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject, type JsonWebKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { errors, importJWK, jwtVerify, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { CONSENT_GROUPS, isConsentGroup, isTier, type ConsentGroup, type Tier } from './access.js';
import type { EnvReader } from './config.js';
import { CreditGatewayError } from './errors.js';
import { LruCache } from './lru.js';

export const INTERNAL_ISSUER = 'credit-gateway';
export const INTERNAL_AUDIENCE = 'credit-gateway-subgraph';
/** Set on every internal token and required on verification, so no other JWT can pass for one. */
export const INTERNAL_TOKEN_TYPE = 'credit-gateway-internal+jwt';
const ALGORITHM = 'EdDSA';

/**
 * The departments a caller can act for (认定部门), spelled as the SourceSystem enum: a department
 * decides the objections and repairs of the records it owns (谁认定、谁修复).
 */
export const DEPARTMENTS = ['MARKET', 'TAX', 'COURTS', 'SOCIAL_SECURITY', 'PROCUREMENT'] as const;
export type Department = (typeof DEPARTMENTS)[number];

export function isDepartment(value: unknown): value is Department {
  return typeof value === 'string' && (DEPARTMENTS as readonly string[]).includes(value);
}

/**
 * The implementing departments of the joint measures (实施部门) a caller can also act for: it
 * acknowledges the cases pushed to it and reports what it applied. Closed, like DEPARTMENTS; the
 * credit subgraph's registry (data/departments.json) names each and must agree with this list.
 */
export const IMPLEMENTING_DEPARTMENTS = [
  'CAAC',
  'CHINA_RAILWAY',
  'MOT',
  'MCT',
  'MOFCOM',
  'NATURAL_RESOURCES',
  'MOHURD',
  'PUBLIC_SECURITY',
  'IMMIGRATION',
  'MOE',
  'NFRA',
  'BANKS',
  'MOF',
  'NDRC',
  'MWR',
  'SASAC',
  'HONOURS_AUTHORITIES',
  'APPROVAL_AUTHORITIES',
] as const;
export type ImplementingDepartment = (typeof IMPLEMENTING_DEPARTMENTS)[number];
/** Every department a token may name: a source department (认定) or an implementing one (实施). */
export type DepartmentId = Department | ImplementingDepartment;
/** How a department id is spelled: upper-case letters, digits and underscores, at most 40. */
export const DEPARTMENT_ID_PATTERN = /^[A-Z][A-Z0-9_]{1,39}$/;

/** Whether a value names a department a token may carry: well formed and on one of the closed lists. */
export function isDepartmentId(value: unknown): value is DepartmentId {
  return (
    typeof value === 'string' &&
    DEPARTMENT_ID_PATTERN.test(value) &&
    (isDepartment(value) || (IMPLEMENTING_DEPARTMENTS as readonly string[]).includes(value))
  );
}

/** What the gateway vouches for on one subgraph request. */
export interface InternalClaims {
  tier: Tier;
  /** The calling system (`client_id`); null for an anonymous PUBLIC caller. */
  client: string | null;
  /** The declared purpose of the query (查询事由), if any. */
  purpose: string | null;
  /** Subjects (credit codes) whose consent the gateway verified, with the groups each granted. */
  consents: Readonly<Record<string, readonly ConsentGroup[]>>;
  /**
   * The department the caller acts for, from its token: a source department or an implementing
   * one; absent or null for callers that act for none.
   */
  department?: DepartmentId | null;
}

/** A missing, forged, expired or malformed token: the caller is not who it claims to be. */
export class UnauthenticatedError extends CreditGatewayError {
  constructor(reason: string) {
    super('UNAUTHENTICATED', `Authentication failed: ${reason}`, { extensions: { reason } });
  }
}

/** `Authorization` header value carrying an internal token. */
export function internalAuthorization(token: string): string {
  return `Bearer ${token}`;
}

// ---------------------------------------------------------------------------------------------
// Keys

export interface InternalKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  privateJwk: JWK;
  publicJwk: JWK;
}

/** A fresh Ed25519 key pair, for `npm start` and tests. */
export function generateInternalKeyPair(): InternalKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey,
    publicKey,
    privateJwk: privateKey.export({ format: 'jwk' }),
    publicJwk: publicKey.export({ format: 'jwk' }),
  };
}

/** The environment a gateway (GATEWAY_SIGNING_KEY) and its subgraphs (GATEWAY_PUBLIC_KEY) need. */
export function internalKeyEnv(pair: Pick<InternalKeyPair, 'privateJwk' | 'publicJwk'>): {
  GATEWAY_SIGNING_KEY: string;
  GATEWAY_PUBLIC_KEY: string;
} {
  return { GATEWAY_SIGNING_KEY: JSON.stringify(pair.privateJwk), GATEWAY_PUBLIC_KEY: JSON.stringify(pair.publicJwk) };
}

/** Reads an Ed25519 key given as a JWK JSON string or a PEM (PKCS8 private, SPKI public). */
export function parseEd25519Key(text: string, type: 'private' | 'public'): KeyObject {
  const trimmed = text.trim();
  let key: KeyObject;
  if (trimmed.startsWith('{')) {
    const jwk = JSON.parse(trimmed) as JsonWebKey;
    if (type === 'public' && jwk.d !== undefined) throw new Error('a public key was expected, got a private one');
    if (type === 'private' && jwk.d === undefined) throw new Error('a private key was expected, got a public one');
    key =
      type === 'private' ? createPrivateKey({ key: jwk, format: 'jwk' }) : createPublicKey({ key: jwk, format: 'jwk' });
  } else {
    if (!trimmed.startsWith('-----BEGIN')) throw new Error('expected a JWK (JSON) or a PEM key');
    if (type === 'public' && trimmed.includes('PRIVATE KEY')) {
      throw new Error('a public key was expected, got a private one');
    }
    key = type === 'private' ? createPrivateKey(trimmed) : createPublicKey(trimmed);
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new Error(`an Ed25519 key was expected, got ${key.asymmetricKeyType ?? 'a symmetric key'}`);
  }
  return key;
}

async function importKey(key: KeyObject | JWK, type: 'private' | 'public'): Promise<CryptoKey> {
  const keyObject =
    key instanceof KeyObject
      ? key
      : type === 'private'
        ? createPrivateKey({ key: key as JsonWebKey, format: 'jwk' })
        : createPublicKey({ key: key as JsonWebKey, format: 'jwk' });
  if (keyObject.asymmetricKeyType !== 'ed25519' || keyObject.type !== type) {
    throw new TypeError(`An Ed25519 ${type} key is required for internal tokens`);
  }
  return importJWK(keyObject.export({ format: 'jwk' }) as JWK, ALGORITHM) as Promise<CryptoKey>;
}

// ---------------------------------------------------------------------------------------------
// Wire format

/**
 * Consents travel grouped by their set of groups, codes joined by spaces:
 * `{ "TAX_PAYMENTS,SOCIAL_SECURITY": "91500155MA5UQ01CXD 91500112MA60YD7K76" }`. A batch of 500
 * subjects consenting to everything then fits in Node's default 16 KiB header limit.
 */
type WireConsents = Record<string, string>;

const CODE_PATTERN = /^[0-9A-Z]{18}$/;

function encodeConsents(consents: InternalClaims['consents']): WireConsents {
  const bySet = new Map<string, string[]>();
  for (const [code, groups] of Object.entries(consents)) {
    // Only normalized credit codes: anything else would make every subgraph refuse the token.
    if (!CODE_PATTERN.test(code)) throw new TypeError('Consents are keyed by normalized credit codes');
    if (groups.length === 0) continue;
    // Canonical order, so identical claims always sign to identical payloads.
    const set = CONSENT_GROUPS.filter((group) => groups.includes(group)).join(',');
    const codes = bySet.get(set) ?? [];
    codes.push(code);
    bySet.set(set, codes);
  }
  const sets = [...bySet].sort(([a], [b]) => (a < b ? -1 : 1));
  return Object.fromEntries(sets.map(([set, codes]) => [set, codes.sort().join(' ')]));
}

function decodeConsents(value: unknown): Record<string, ConsentGroup[]> | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const consents = new Map<string, Set<ConsentGroup>>();
  for (const [set, codes] of Object.entries(value as Record<string, unknown>)) {
    const groups = set.split(',');
    if (!groups.every(isConsentGroup) || typeof codes !== 'string') return null;
    for (const code of codes.split(' ')) {
      if (!CODE_PATTERN.test(code)) return null;
      const granted = consents.get(code) ?? new Set<ConsentGroup>();
      for (const group of groups) granted.add(group);
      consents.set(code, granted);
    }
  }
  return Object.fromEntries([...consents].map(([code, groups]) => [code, CONSENT_GROUPS.filter((g) => groups.has(g))]));
}

function wirePayload(claims: InternalClaims): JWTPayload {
  return {
    tier: claims.tier,
    client: claims.client,
    purpose: claims.purpose,
    consents: encodeConsents(claims.consents),
    // Only when there is one: tokens of callers without a department stay as they were.
    ...(claims.department ? { department: claims.department } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Signing

export interface InternalSignerOptions {
  /** Lifetime of a token; default 60 s. */
  ttlSeconds?: number;
  /**
   * A token for identical claims is reused while it is younger than this (default 5 s): one query
   * sends the same claims to several subgraphs at once.
   */
  reuseSeconds?: number;
  now?: () => number;
}

export interface InternalSigner {
  sign(claims: InternalClaims): Promise<string>;
}

export function createInternalSigner(privateKey: KeyObject | JWK, options: InternalSignerOptions = {}): InternalSigner {
  const ttlSeconds = options.ttlSeconds ?? 60;
  const reuseMs = Math.min(options.reuseSeconds ?? 5, ttlSeconds / 2) * 1000;
  const now = options.now ?? Date.now;
  const key = importKey(privateKey, 'private');
  // Failing here would surface as an unhandled rejection before the first sign() awaits it.
  key.catch(() => undefined);
  const recent = new LruCache<string, { token: Promise<string>; issuedAtMs: number }>(256);

  return {
    async sign(claims) {
      const payload = wirePayload(claims);
      const cacheKey = JSON.stringify(payload);
      const issuedAtMs = now();
      const cached = recent.get(cacheKey);
      if (cached && issuedAtMs - cached.issuedAtMs < reuseMs) return cached.token;
      const iat = Math.floor(issuedAtMs / 1000);
      const token = key.then((signingKey) =>
        new SignJWT(payload)
          .setProtectedHeader({ alg: ALGORITHM, typ: INTERNAL_TOKEN_TYPE })
          .setIssuer(INTERNAL_ISSUER)
          .setAudience(INTERNAL_AUDIENCE)
          .setIssuedAt(iat)
          .setExpirationTime(iat + ttlSeconds)
          .sign(signingKey),
      );
      recent.set(cacheKey, { token, issuedAtMs });
      return token;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Verification

export interface InternalVerifierOptions {
  /** Allowed clock difference between gateway and subgraph hosts; default 5 s. */
  clockToleranceSeconds?: number;
  now?: () => number;
}

export interface InternalVerifier {
  /** Verifies a bare token; throws UNAUTHENTICATED when it is missing, forged, expired or malformed. */
  verify(token: string | undefined): Promise<InternalClaims>;
  /** The same, from an `Authorization: Bearer <token>` header value. */
  verifyAuthorization(authorization: string | undefined): Promise<InternalClaims>;
}

export function createInternalVerifier(
  publicKey: KeyObject | JWK,
  options: InternalVerifierOptions = {},
): InternalVerifier {
  const clockTolerance = options.clockToleranceSeconds ?? 5;
  const now = options.now ?? Date.now;
  const key = importKey(publicKey, 'public');
  key.catch(() => undefined);
  // The gateway reuses a token for identical claims, so a subgraph sees the same few tokens again
  // and again: each signature is checked once, and its expiry on every use.
  const verified = new LruCache<string, { claims: InternalClaims; expiresAtMs: number }>(1_024);

  async function verify(token: string | undefined): Promise<InternalClaims> {
    if (token === undefined || token === '') throw new UnauthenticatedError('no gateway token');
    const known = verified.get(token);
    if (known && now() < known.expiresAtMs) return known.claims;
    const verificationKey = await key;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, verificationKey, {
        algorithms: [ALGORITHM],
        issuer: INTERNAL_ISSUER,
        audience: INTERNAL_AUDIENCE,
        typ: INTERNAL_TOKEN_TYPE,
        requiredClaims: ['exp', 'iat'],
        clockTolerance,
        currentDate: new Date(now()),
      }));
    } catch (error) {
      throw new UnauthenticatedError(internalFailure(error));
    }
    const claims = readClaims(payload);
    if (claims === null) throw new UnauthenticatedError('the gateway token claims are malformed');
    // jwtVerify required exp; past it (with the tolerance) the token goes through jwtVerify again and fails.
    verified.set(token, { claims, expiresAtMs: (payload.exp! + clockTolerance) * 1000 });
    return claims;
  }

  return {
    verify,
    verifyAuthorization(authorization) {
      if (authorization === undefined) return verify(undefined);
      const match = /^Bearer +(\S+)$/i.exec(authorization.trim());
      if (!match) return Promise.reject(new UnauthenticatedError('expected a Bearer gateway token'));
      return verify(match[1]);
    },
  };
}

function internalFailure(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the gateway token has expired';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the gateway token signature is invalid';
  if (error instanceof errors.JWTClaimValidationFailed) return `the gateway token ${error.claim} claim is invalid`;
  if (error instanceof errors.JOSEAlgNotAllowed) return 'the gateway token algorithm is not allowed';
  return 'the gateway token is malformed';
}

function nullableString(value: unknown): value is string | null {
  return value === null || typeof value === 'string';
}

function readClaims(payload: JWTPayload): InternalClaims | null {
  const { tier, client, purpose } = payload;
  if (!isTier(tier) || !nullableString(client) || !nullableString(purpose)) return null;
  const consents = decodeConsents(payload['consents']);
  if (consents === null) return null;
  const department = payload['department'];
  if (department !== undefined && !isDepartmentId(department)) return null;
  return { tier, client, purpose, consents, ...(department === undefined ? {} : { department }) };
}

// ---------------------------------------------------------------------------------------------
// Config

export interface InternalSigningConfig {
  signingKey: KeyObject;
  /** Derived from the signing key, for handing to subgraphs started alongside. */
  publicKey: KeyObject;
  tokenTtlSeconds: number;
}

export interface InternalVerifyingConfig {
  publicKey: KeyObject;
  clockToleranceSeconds: number;
}

/**
 * The gateway reads its private key (GATEWAY_SIGNING_KEY, or a file in GATEWAY_SIGNING_KEY_FILE);
 * a subgraph reads the gateway's public key (GATEWAY_PUBLIC_KEY or GATEWAY_PUBLIC_KEY_FILE). Each
 * is an Ed25519 JWK as JSON or a PEM. Required: without it nothing can be signed or trusted.
 */
export function readInternalAuthConfig(reader: EnvReader, role: 'gateway'): InternalSigningConfig;
export function readInternalAuthConfig(reader: EnvReader, role: 'subgraph'): InternalVerifyingConfig;
export function readInternalAuthConfig(
  reader: EnvReader,
  role: 'gateway' | 'subgraph',
): InternalSigningConfig | InternalVerifyingConfig {
  // A missing or bad key is a problem reader.done() reports; the throwaway key only keeps types total.
  if (role === 'gateway') {
    const signingKey = readKey(reader, 'GATEWAY_SIGNING_KEY', 'private') ?? generateInternalKeyPair().privateKey;
    return {
      signingKey,
      publicKey: createPublicKey(signingKey),
      tokenTtlSeconds: reader.int(
        'GATEWAY_TOKEN_TTL_S',
        60,
        { min: 5, max: 600 },
        'Lifetime of the tokens the gateway signs for the subgraphs; requests with the same access share one for a few seconds',
      ),
    };
  }
  return {
    publicKey: readKey(reader, 'GATEWAY_PUBLIC_KEY', 'public') ?? generateInternalKeyPair().publicKey,
    clockToleranceSeconds: reader.int(
      'GATEWAY_TOKEN_CLOCK_TOLERANCE_S',
      5,
      { min: 0, max: 120 },
      "Clock difference allowed when checking the gateway's tokens",
    ),
  };
}

function readKey(reader: EnvReader, name: string, type: 'private' | 'public'): KeyObject | undefined {
  const what =
    type === 'private'
      ? "The gateway's Ed25519 private key, which signs its requests to the subgraphs"
      : "The gateway's Ed25519 public key: only requests it signed are served";
  const inline = reader.optionalString(name, `${what}; a JWK (JSON) or PEM. Required, here or in ${name}_FILE`);
  const file = reader.optionalString(`${name}_FILE`, `A file holding ${name}, instead of the variable`);
  if (inline !== undefined && file !== undefined) {
    reader.problem(`set ${name} or ${name}_FILE, not both`);
    return undefined;
  }
  let text = inline;
  if (file !== undefined) {
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      reader.problem(`${name}_FILE '${file}' cannot be read: ${(error as Error).message}`);
      return undefined;
    }
  }
  if (text === undefined) {
    reader.problem(`${name} (or ${name}_FILE) is required: the gateway's Ed25519 ${type} key`);
    return undefined;
  }
  try {
    return parseEd25519Key(text, type);
  } catch (error) {
    // The message never includes the key itself.
    reader.problem(
      `${name}${file === undefined ? '' : '_FILE'} is not a usable Ed25519 ${type} key: ${describe(error)}`,
    );
    return undefined;
  }
}

function describe(error: unknown): string {
  if (error instanceof SyntaxError) return 'not valid JSON';
  return error instanceof Error ? (error.message.split('\n')[0] ?? 'unreadable') : 'unreadable';
}
