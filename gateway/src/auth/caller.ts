/**
 * Who is calling. A caller presents `Authorization: Bearer <JWT>` from the platform's identity
 * provider; the token's `tier` decides what it may read. No header at all is an anonymous PUBLIC
 * caller. A header that is there but does not verify is refused, never read as PUBLIC.
 */
import {
  isDepartmentId,
  isTier,
  LruCache,
  UnauthenticatedError,
  type DepartmentId,
  type EnvReader,
  type Tier,
} from '@credit-gateway/common';
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import {
  createKeySet,
  readKeySetConfig,
  TokenVerificationError,
  verifyWithKeySet,
  type KeySetConfig,
  type TokenFailure,
} from './keys.js';

export interface Caller {
  readonly tier: Tier;
  /** The calling system (`client_id`); null only for PUBLIC. */
  readonly client: string | null;
  /** The person or account using it (`sub`), if the token names one. */
  readonly subject: string | null;
  /**
   * The department the calling system acts for (`department`), if any: it may decide the
   * objections and repairs of the records that department owns, and nothing else.
   */
  readonly department?: DepartmentId;
}

export const PUBLIC_CALLER: Caller = Object.freeze({ tier: 'PUBLIC', client: null, subject: null });

export interface CallerAuthConfig extends KeySetConfig {
  audience: string;
}

/**
 * AUTH_JWKS_URL | AUTH_JWKS_FILE, AUTH_ISSUER, AUTH_AUDIENCE (default `credit-gateway`),
 * AUTH_ALGORITHMS (default RS256,ES256,EdDSA), AUTH_CLOCK_TOLERANCE_S (default 30). Without a key
 * set every presented token is refused and anonymous requests are PUBLIC.
 */
export function readCallerAuthConfig(reader: EnvReader): CallerAuthConfig {
  reader = reader.section('callers');
  return {
    ...readKeySetConfig(reader, 'AUTH'),
    audience: reader.string('AUTH_AUDIENCE', 'credit-gateway', 'The audience (aud) a caller token must name'),
  };
}

export interface CallerVerifierOptions extends CallerAuthConfig {
  now?: () => number;
}

export interface CallerVerifier {
  /** The caller an `Authorization` header value names; throws UNAUTHENTICATED for a bad one. */
  verify(authorization: string | undefined): Promise<Caller>;
}

/** Longer than any token the identity provider issues; bounds the work spent on garbage. */
const MAX_TOKEN_LENGTH = 8 * 1024;
const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const CLIENT_ID = /^[\x21-\x7e]{1,128}$/;

const FAILURE_REASONS: Record<TokenFailure, string> = {
  MALFORMED: 'the token is malformed',
  MISSING_EXPIRY: 'the token has no expiry (exp)',
  DISALLOWED_ALGORITHM: 'the token is signed with an algorithm that is not allowed',
  UNKNOWN_KEY: 'the token is signed with an unknown key',
  BAD_SIGNATURE: 'the token signature is invalid',
  WRONG_ISSUER: 'the token comes from an unknown issuer',
  WRONG_AUDIENCE: 'the token is meant for another audience',
  EXPIRED: 'the token has expired',
  NOT_YET_VALID: 'the token is not valid yet',
};

export function createCallerVerifier(options: CallerVerifierOptions): CallerVerifier {
  const { keySet: source, issuer } = options;
  if (source !== null && issuer === null) throw new TypeError('A caller key set needs its issuer');
  const keySet: JWTVerifyGetKey | null = source === null ? null : createKeySet(source);
  const now = options.now ?? Date.now;
  // A client sends the same token until it expires: its signature is checked once, its expiry on
  // every request. Only tokens that verified are remembered.
  const verified = new LruCache<string, { caller: Caller; expiresAtMs: number }>(10_000);

  return {
    async verify(authorization) {
      if (authorization === undefined) return PUBLIC_CALLER;
      const token = bearerToken(authorization);
      if (keySet === null) throw new UnauthenticatedError('this gateway accepts no caller tokens');
      const known = verified.get(token);
      if (known && now() < known.expiresAtMs) return known.caller;
      let payload: JWTPayload;
      try {
        payload = await verifyWithKeySet(token, keySet, {
          algorithms: [...options.algorithms],
          issuer: issuer ?? undefined,
          audience: options.audience,
          requiredClaims: ['exp'],
          clockTolerance: options.clockToleranceSeconds,
          currentDate: new Date(now()),
        });
      } catch (error) {
        if (error instanceof TokenVerificationError) throw new UnauthenticatedError(FAILURE_REASONS[error.failure]);
        throw error;
      }
      const caller = callerFromClaims(payload);
      // exp is required above; past it (with the tolerance) the token is verified again, and refused.
      verified.set(token, { caller, expiresAtMs: (payload.exp! + options.clockToleranceSeconds) * 1000 });
      return caller;
    },
  };
}

function bearerToken(authorization: string): string {
  const value = authorization.trim();
  if (value === '') throw new UnauthenticatedError('the Authorization header is empty');
  const space = value.indexOf(' ');
  const scheme = space === -1 ? value : value.slice(0, space);
  if (scheme.toLowerCase() !== 'bearer') throw new UnauthenticatedError('only Bearer tokens are accepted');
  const token = space === -1 ? '' : value.slice(space + 1).trim();
  if (token === '') throw new UnauthenticatedError('the Bearer token is missing');
  if (token.length > MAX_TOKEN_LENGTH) throw new UnauthenticatedError('the token is too long');
  if (!JWS_COMPACT.test(token)) throw new UnauthenticatedError('the token is not a signed JWT');
  return token;
}

function callerFromClaims(payload: JWTPayload): Caller {
  const tier = payload['tier'];
  if (tier === undefined) throw new UnauthenticatedError('the token has no tier claim');
  if (!isTier(tier)) throw new UnauthenticatedError('the token tier claim names no known tier');
  const client = payload['client_id'];
  if (client !== undefined && (typeof client !== 'string' || !CLIENT_ID.test(client))) {
    throw new UnauthenticatedError('the token client_id claim is invalid');
  }
  if (client === undefined && tier !== 'PUBLIC') {
    throw new UnauthenticatedError(`the token has no client_id claim, which the ${tier} tier requires`);
  }
  const subject = payload.sub;
  if (subject !== undefined && (typeof subject !== 'string' || subject === '')) {
    throw new UnauthenticatedError('the token sub claim is invalid');
  }
  const department = payload['department'];
  if (department !== undefined && !isDepartmentId(department)) {
    throw new UnauthenticatedError('the token department claim names no known department');
  }
  if (department !== undefined && tier !== 'GOVERNMENT') {
    throw new UnauthenticatedError('only a GOVERNMENT token may name a department');
  }
  return Object.freeze({
    tier,
    client: client ?? null,
    subject: subject ?? null,
    ...(department === undefined ? {} : { department }),
  });
}
