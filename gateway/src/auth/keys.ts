/**
 * What caller tokens and consents share: a public key set given as a file or a URL, an allow-list
 * of asymmetric algorithms, and one reading of what went wrong when a token does not verify.
 */
import { readFileSync } from 'node:fs';
import type { EnvReader } from '@credit-gateway/common';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  jwtVerify,
  type CryptoKey,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
} from 'jose';

/**
 * Only signatures checked with a public key. HMAC (HS*) is never accepted: with a public key set,
 * an HMAC token would be "signed" with a key everyone has. `none` is never accepted either.
 */
export const SIGNATURE_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;

export type SignatureAlgorithm = (typeof SIGNATURE_ALGORITHMS)[number];

export const DEFAULT_ALGORITHMS: readonly SignatureAlgorithm[] = ['RS256', 'ES256', 'EdDSA'];

/** The issuer's public keys: fetched from a URL (and cached), or loaded from a file at start-up. */
export type KeySetSource = { kind: 'url'; url: string } | { kind: 'set'; jwks: JSONWebKeySet };

export interface KeySetConfig {
  /** Null when none is configured: then no token of this kind is ever accepted. */
  keySet: KeySetSource | null;
  /** Required when a key set is configured. */
  issuer: string | null;
  algorithms: readonly SignatureAlgorithm[];
  clockToleranceSeconds: number;
}

/** The key set could not be fetched or used: our failure, not the caller's. */
export class KeySetUnavailableError extends Error {
  constructor(cause: unknown) {
    super('The public key set for verifying tokens is unavailable', { cause });
    this.name = 'KeySetUnavailableError';
  }
}

/** Reads `<PREFIX>_JWKS_URL | <PREFIX>_JWKS_FILE`, `_ISSUER`, `_ALGORITHMS`, `_CLOCK_TOLERANCE_S`. */
export function readKeySetConfig(reader: EnvReader, prefix: string): KeySetConfig {
  const url = reader.url(
    `${prefix}_JWKS_URL`,
    undefined,
    "Where the issuer's public key set (JWKS) is fetched, and cached: https, or http on the loopback. Without a key set no such token is accepted",
  );
  const file = reader.optionalString(
    `${prefix}_JWKS_FILE`,
    `The issuer's public key set (JWKS) in a file read at start, instead of ${prefix}_JWKS_URL`,
  );
  let keySet: KeySetSource | null = null;
  if (url !== undefined && file !== undefined) {
    reader.problem(`set ${prefix}_JWKS_URL or ${prefix}_JWKS_FILE, not both`);
  } else if (url !== undefined) {
    const { protocol, hostname } = new URL(url);
    // Keys fetched in the clear could be swapped on the way; only a local URL may skip TLS.
    if (protocol !== 'https:' && !['127.0.0.1', 'localhost', '[::1]'].includes(hostname)) {
      reader.problem(`${prefix}_JWKS_URL must use https, got '${url}'`);
    }
    keySet = { kind: 'url', url };
  } else if (file !== undefined) {
    try {
      keySet = { kind: 'set', jwks: parsePublicKeySet(readFileSync(file, 'utf8')) };
    } catch (error) {
      reader.problem(`${prefix}_JWKS_FILE '${file}': ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  const issuer =
    reader.optionalString(`${prefix}_ISSUER`, 'The issuer (iss) the tokens must name; required with a key set') ?? null;
  if ((url !== undefined || file !== undefined) && issuer === null) {
    reader.problem(`${prefix}_ISSUER is required with ${prefix}_JWKS_URL or ${prefix}_JWKS_FILE`);
  }

  const algorithms: SignatureAlgorithm[] = [];
  for (const name of reader.list(`${prefix}_ALGORITHMS`, DEFAULT_ALGORITHMS, {
    text: 'Signature algorithms accepted',
    values: `comma-separated, of ${SIGNATURE_ALGORITHMS.join(', ')}`,
  })) {
    if ((SIGNATURE_ALGORITHMS as readonly string[]).includes(name)) algorithms.push(name as SignatureAlgorithm);
    else reader.problem(`${prefix}_ALGORITHMS: '${name}' is not allowed; use ${SIGNATURE_ALGORITHMS.join(', ')}`);
  }
  if (algorithms.length === 0) reader.problem(`${prefix}_ALGORITHMS names no algorithm`);

  return {
    keySet,
    issuer,
    algorithms,
    clockToleranceSeconds: reader.int(
      `${prefix}_CLOCK_TOLERANCE_S`,
      30,
      { min: 0, max: 300 },
      'Clock difference allowed when checking expiry and not-before',
    ),
  };
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

/** A JWKS document of public signature keys; a private or symmetric key in it is refused. */
export function parsePublicKeySet(text: string): JSONWebKeySet {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // JSON.parse quotes the text it failed on, which could be key material.
    throw new Error('not valid JSON');
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0) throw new Error('expected a JSON Web Key Set with at least one key');
  for (const key of keys as unknown[]) {
    if (key === null || typeof key !== 'object') throw new Error('every key must be a JSON object');
    const kty = (key as Record<string, unknown>)['kty'];
    if (kty !== 'RSA' && kty !== 'EC' && kty !== 'OKP') throw new Error(`key type ${String(kty)} is not allowed`);
    if (PRIVATE_MEMBERS.some((member) => member in key)) {
      throw new Error('the key set holds a private key; publish only public keys');
    }
  }
  return parsed as JSONWebKeySet;
}

export function createKeySet(source: KeySetSource): JWTVerifyGetKey {
  return source.kind === 'url'
    ? createRemoteJWKSet(new URL(source.url), { timeoutDuration: 5_000 })
    : createLocalJWKSet(source.jwks);
}

/** Why a token did not verify, as far as the token is concerned. */
export type TokenFailure =
  | 'MALFORMED'
  | 'MISSING_EXPIRY'
  | 'DISALLOWED_ALGORITHM'
  | 'UNKNOWN_KEY'
  | 'BAD_SIGNATURE'
  | 'WRONG_ISSUER'
  | 'WRONG_AUDIENCE'
  | 'EXPIRED'
  | 'NOT_YET_VALID';

/** A token that failed verification; `payload` only once its signature was found good. */
export class TokenVerificationError extends Error {
  constructor(
    readonly failure: TokenFailure,
    readonly payload: JWTPayload | null,
  ) {
    super(failure);
    this.name = 'TokenVerificationError';
  }
}

/**
 * jwtVerify against a key set. Several keys may match a token without `kid`; each is tried.
 * Throws TokenVerificationError for the token's faults and KeySetUnavailableError for ours.
 */
export async function verifyWithKeySet(
  token: string,
  keySet: JWTVerifyGetKey,
  options: JWTVerifyOptions,
): Promise<JWTPayload> {
  try {
    try {
      return (await jwtVerify(token, keySet, options)).payload;
    } catch (error) {
      if (!(error instanceof errors.JWKSMultipleMatchingKeys)) throw error;
      for await (const key of error as AsyncIterable<CryptoKey>) {
        try {
          return (await jwtVerify(token, key, options)).payload;
        } catch (inner) {
          if (!(inner instanceof errors.JWSSignatureVerificationFailed)) throw inner;
        }
      }
      throw new errors.JWSSignatureVerificationFailed();
    }
  } catch (error) {
    throw classify(error);
  }
}

function classify(error: unknown): TokenVerificationError | KeySetUnavailableError {
  // Claim checks run only after the signature verified, so their payload can be trusted.
  if (error instanceof errors.JWTExpired) return new TokenVerificationError('EXPIRED', error.payload);
  if (error instanceof errors.JWTClaimValidationFailed) {
    const failure: TokenFailure =
      error.claim === 'iss'
        ? 'WRONG_ISSUER'
        : error.claim === 'aud'
          ? 'WRONG_AUDIENCE'
          : error.claim === 'nbf'
            ? 'NOT_YET_VALID'
            : error.claim === 'exp' && error.reason === 'missing'
              ? 'MISSING_EXPIRY'
              : 'MALFORMED';
    return new TokenVerificationError(failure, error.payload);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return new TokenVerificationError('DISALLOWED_ALGORITHM', null);
  if (error instanceof errors.JWKSNoMatchingKey) return new TokenVerificationError('UNKNOWN_KEY', null);
  if (error instanceof errors.JWSSignatureVerificationFailed) return new TokenVerificationError('BAD_SIGNATURE', null);
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) {
    return new TokenVerificationError('MALFORMED', null);
  }
  if (error instanceof errors.JOSENotSupported) return new TokenVerificationError('MALFORMED', null);
  // A timeout, a network failure or an unusable key in the set.
  return new KeySetUnavailableError(error);
}
