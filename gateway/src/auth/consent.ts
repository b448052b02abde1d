/**
 * Subject consent (授权). A subject lets one calling system read some of its non-public field
 * groups for one purpose until a date, in a JWT the platform's consent service signs. Requests
 * carry consents in `x-credit-consent`. A consent that does not verify fails nothing by itself:
 * its subject simply has no consent, and the reason is returned for the register and the caller.
 */
import {
  BatchTooLargeError,
  CONSENT_GROUPS,
  CreditGatewayError,
  isConsentGroup,
  LruCache,
  parseCreditCode,
  type ConsentGroup,
  type CreditCodePolicy,
  type EnvReader,
} from '@credit-gateway/common';
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import type { Caller } from './caller.js';
import {
  createKeySet,
  readKeySetConfig,
  TokenVerificationError,
  verifyWithKeySet,
  type KeySetConfig,
  type TokenFailure,
} from './keys.js';

export const CONSENT_HEADER = 'x-credit-consent';

export type ConsentRejection =
  | 'MALFORMED'
  | 'TOO_LARGE'
  | 'DISALLOWED_ALGORITHM'
  | 'UNKNOWN_KEY'
  | 'BAD_SIGNATURE'
  | 'WRONG_ISSUER'
  | 'EXPIRED'
  | 'NOT_YET_VALID'
  | 'INVALID_SUBJECT'
  | 'INVALID_GROUPS'
  | 'WRONG_GRANTEE'
  | 'WRONG_PURPOSE';

export interface AcceptedConsent {
  /** Position among the request's consents, counting every header value in order from 0. */
  index: number;
  subject: string;
  groups: readonly ConsentGroup[];
  /** The consent's `jti`, for the register. */
  id: string | null;
  expiresAt: Date;
}

export interface RejectedConsent {
  index: number;
  reason: ConsentRejection;
  /** The subject, only when the consent's signature verified. */
  subject: string | null;
  id: string | null;
}

export interface ConsentResult {
  /** Credit code → the groups its subject consented to for this caller and purpose. */
  granted: ReadonlyMap<string, ReadonlySet<ConsentGroup>>;
  accepted: readonly AcceptedConsent[];
  rejected: readonly RejectedConsent[];
}

export interface ConsentConfig extends KeySetConfig {
  maxPerRequest: number;
  maxBytes: number;
  /** Most bytes of every `x-credit-consent` value together (CONSENT_MAX_HEADER_BYTES). */
  maxHeaderBytes: number;
}

/**
 * CONSENT_JWKS_URL | CONSENT_JWKS_FILE, CONSENT_ISSUER, CONSENT_ALGORITHMS (default
 * RS256,ES256,EdDSA), CONSENT_CLOCK_TOLERANCE_S (default 30), CONSENT_MAX_PER_REQUEST (default
 * 500), CONSENT_MAX_BYTES per consent (default 4096), CONSENT_MAX_HEADER_BYTES for the whole
 * header (default 256 KiB, below the HTTP server's 512 KiB for all headers). Without a key set no
 * consent is accepted.
 */
export function readConsentConfig(reader: EnvReader): ConsentConfig {
  reader = reader.section('consent');
  return {
    ...readKeySetConfig(reader, 'CONSENT'),
    maxPerRequest: reader.int(
      'CONSENT_MAX_PER_REQUEST',
      500,
      { min: 1, max: 10_000 },
      'Most consents one request may carry; more is BATCH_TOO_LARGE',
    ),
    maxBytes: reader.int('CONSENT_MAX_BYTES', 4096, { min: 256, max: 64 * 1024 }, 'Largest single consent'),
    maxHeaderBytes: reader.int(
      'CONSENT_MAX_HEADER_BYTES',
      256 * 1024,
      { min: 1024, max: 512 * 1024 },
      "Most bytes of every x-credit-consent value together, below the HTTP server's 512 KiB for all headers",
    ),
  };
}

export interface ConsentVerifierOptions extends ConsentConfig {
  /** Pilot-era codes accepted despite their check characters. */
  creditCodePolicy: CreditCodePolicy;
  now?: () => number;
}

export interface ConsentVerifier {
  /**
   * Verifies every consent a request carries. Throws BATCH_TOO_LARGE beyond the per-request
   * bound, ConsentHeaderTooLargeError (BAD_REQUEST) beyond the header's byte bound, both before
   * any signature is checked, and KeySetUnavailableError when the consent keys cannot be had; never for a bad consent.
   */
  verify(
    headerValues: readonly string[] | string | undefined,
    context: { caller: Caller; purpose: string | null },
  ): Promise<ConsentResult>;
}

const REJECTIONS: Record<TokenFailure, ConsentRejection> = {
  MALFORMED: 'MALFORMED',
  MISSING_EXPIRY: 'MALFORMED',
  DISALLOWED_ALGORITHM: 'DISALLOWED_ALGORITHM',
  UNKNOWN_KEY: 'UNKNOWN_KEY',
  BAD_SIGNATURE: 'BAD_SIGNATURE',
  WRONG_ISSUER: 'WRONG_ISSUER',
  WRONG_AUDIENCE: 'MALFORMED',
  EXPIRED: 'EXPIRED',
  NOT_YET_VALID: 'NOT_YET_VALID',
};

const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/** Lenders send the same consents with batch after batch; each signature is checked once. */
const VERIFIED_CACHE_SIZE = 5_000;
/** A verified consent is checked again after this, so a key withdrawn from the set takes effect. */
const VERIFIED_CACHE_MS = 5 * 60_000;

/** The token strings, in order, from one or several header values. */
export function splitConsentHeader(headerValues: readonly string[] | string | undefined): string[] {
  if (headerValues === undefined) return [];
  const values = typeof headerValues === 'string' ? [headerValues] : headerValues;
  return values.flatMap((value) => value.split(',').map((token) => token.trim())).filter((token) => token !== '');
}

type Outcome =
  | { ok: true; subject: string; groups: ConsentGroup[]; id: string | null; expiresAt: Date }
  | { ok: false; reason: ConsentRejection; subject: string | null; id: string | null };

export function createConsentVerifier(options: ConsentVerifierOptions): ConsentVerifier {
  const { keySet: source, issuer } = options;
  if (source !== null && issuer === null) throw new TypeError('A consent key set needs its issuer');
  const keySet: JWTVerifyGetKey | null = source === null ? null : createKeySet(source);
  const now = options.now ?? Date.now;
  const verified = new LruCache<string, { payload: JWTPayload; verifiedAtMs: number }>(VERIFIED_CACHE_SIZE);

  /** The signature, issuer and validity period; the payload once they hold. */
  async function verifiedPayload(token: string): Promise<JWTPayload> {
    const nowMs = now();
    const cached = verified.get(token);
    if (cached && nowMs - cached.verifiedAtMs < VERIFIED_CACHE_MS && nowMs >= cached.verifiedAtMs) {
      checkValidityPeriod(cached.payload, nowMs / 1000, options.clockToleranceSeconds);
      return cached.payload;
    }
    if (keySet === null) throw new TokenVerificationError('UNKNOWN_KEY', null);
    const payload = await verifyWithKeySet(token, keySet, {
      algorithms: [...options.algorithms],
      issuer: issuer ?? undefined,
      requiredClaims: ['exp'],
      clockTolerance: options.clockToleranceSeconds,
      currentDate: new Date(nowMs),
    });
    verified.set(token, { payload, verifiedAtMs: nowMs });
    return payload;
  }

  async function verifyOne(token: string, caller: Caller, purpose: string | null): Promise<Outcome> {
    if (token.length > options.maxBytes) return { ok: false, reason: 'TOO_LARGE', subject: null, id: null };
    if (!JWS_COMPACT.test(token)) return { ok: false, reason: 'MALFORMED', subject: null, id: null };
    let payload: JWTPayload;
    try {
      payload = await verifiedPayload(token);
    } catch (error) {
      if (!(error instanceof TokenVerificationError)) throw error;
      const signed = error.payload;
      return {
        ok: false,
        reason: REJECTIONS[error.failure],
        subject: signed === null ? null : subjectOf(signed, options.creditCodePolicy),
        id: signed === null ? null : idOf(signed),
      };
    }
    const subject = subjectOf(payload, options.creditCodePolicy);
    const id = idOf(payload);
    const reject = (reason: ConsentRejection): Outcome => ({ ok: false, reason, subject, id });
    if (subject === null) return reject('INVALID_SUBJECT');
    const groups = groupsOf(payload['groups']);
    if (groups === null) return reject('INVALID_GROUPS');
    const { grantee, purpose: agreed, exp } = payload as JWTPayload & { grantee?: unknown; purpose?: unknown };
    if (typeof grantee !== 'string' || typeof agreed !== 'string' || typeof exp !== 'number')
      return reject('MALFORMED');
    if (caller.client === null || grantee !== caller.client) return reject('WRONG_GRANTEE');
    if (purpose === null || agreed !== purpose) return reject('WRONG_PURPOSE');
    return { ok: true, subject, groups, id, expiresAt: new Date(exp * 1000) };
  }

  return {
    async verify(headerValues, { caller, purpose }) {
      const bytes = headerBytes(headerValues);
      if (bytes > options.maxHeaderBytes) throw new ConsentHeaderTooLargeError(bytes, options.maxHeaderBytes);
      const tokens = splitConsentHeader(headerValues);
      if (tokens.length > options.maxPerRequest) {
        throw new BatchTooLargeError(CONSENT_HEADER, tokens.length, options.maxPerRequest);
      }
      const outcomes = await Promise.all(tokens.map((token) => verifyOne(token, caller, purpose)));
      const granted = new Map<string, Set<ConsentGroup>>();
      const accepted: AcceptedConsent[] = [];
      const rejected: RejectedConsent[] = [];
      outcomes.forEach((outcome, index) => {
        if (!outcome.ok) {
          rejected.push({ index, reason: outcome.reason, subject: outcome.subject, id: outcome.id });
          return;
        }
        const { ok: _ok, ...consent } = outcome;
        accepted.push({ index, ...consent });
        const groups = granted.get(consent.subject) ?? new Set<ConsentGroup>();
        for (const group of consent.groups) groups.add(group);
        granted.set(consent.subject, groups);
      });
      return { granted, accepted, rejected };
    },
  };
}

/** Refused before any consent is read: the header's values hold more bytes than allowed. */
export class ConsentHeaderTooLargeError extends CreditGatewayError {
  constructor(bytes: number, maximum: number) {
    super('BAD_REQUEST', `The ${CONSENT_HEADER} header holds ${bytes} bytes; at most ${maximum} are allowed`, {
      extensions: { header: CONSENT_HEADER, bytes, maximum },
    });
  }
}

function headerBytes(headerValues: readonly string[] | string | undefined): number {
  if (headerValues === undefined) return 0;
  const values = typeof headerValues === 'string' ? [headerValues] : headerValues;
  return values.reduce((sum, value) => sum + Buffer.byteLength(value, 'latin1'), 0);
}

function checkValidityPeriod(payload: JWTPayload, nowSeconds: number, tolerance: number): void {
  if (typeof payload.exp === 'number' && payload.exp <= nowSeconds - tolerance) {
    throw new TokenVerificationError('EXPIRED', payload);
  }
  if (typeof payload.nbf === 'number' && payload.nbf > nowSeconds + tolerance) {
    throw new TokenVerificationError('NOT_YET_VALID', payload);
  }
}

function subjectOf(payload: JWTPayload, policy: CreditCodePolicy): string | null {
  try {
    return parseCreditCode(payload.sub, policy);
  } catch {
    return null;
  }
}

function idOf(payload: JWTPayload): string | null {
  return typeof payload.jti === 'string' && payload.jti !== '' ? payload.jti.slice(0, 128) : null;
}

/** Every group must be known: a consent naming one we do not know is not read in part. */
function groupsOf(value: unknown): ConsentGroup[] | null {
  if (!Array.isArray(value) || value.length === 0 || value.length > 2 * CONSENT_GROUPS.length) return null;
  if (!value.every(isConsentGroup)) return null;
  return CONSENT_GROUPS.filter((group) => value.includes(group));
}

/** The `consents` claim of the gateway's internal token, from what was granted. */
export function consentsClaim(granted: ConsentResult['granted']): Record<string, ConsentGroup[]> {
  return Object.fromEntries(
    [...granted].map(([code, groups]) => [code, CONSENT_GROUPS.filter((group) => groups.has(group))]),
  );
}
