import { readFileSync } from 'node:fs';
import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { GATEWAY_PORT, parseEd25519Key, type EnvReader } from '@credit-gateway/common';
import { DEFAULT_REPORT_PURPOSES, PURPOSE_CODE } from './purposes.js';

export const DEFAULT_REPORT_DIR = '.data/reports';

export interface ReportConfig {
  /** The issued-report register's directory (REPORT_DIR): `reports.jsonl`. */
  dir: string;
  /** The Ed25519 key reports are signed with (REPORT_SIGNING_KEY); the gateway's signing key by default. */
  signingKey: KeyObject;
  /**
   * The public halves of keys reports were signed with before (REPORT_EARLIER_KEYS_FILE, a JWK
   * set): a report keeps verifying after its key is rotated out.
   */
  earlierKeys: KeyObject[];
  /** The public base URL the QR code and the verify link point at (REPORT_PUBLIC_URL). */
  publicUrl: string;
  /** Largest document a verifier may upload to /report/verify (REPORT_UPLOAD_LIMIT_BYTES). */
  uploadLimitBytes: number;
  /**
   * Reports one gateway process renders at once (REPORT_MAX_CONCURRENT_RENDERS); the rest wait in
   * line within their request's deadline. A render is CPU-bound work outside the GraphQL pipeline's
   * admission: unbounded, a flood of reports would hold the event loop from every other request.
   */
  maxConcurrentRenders: number;
  /**
   * Documents one gateway process reads for verification at once (REPORT_MAX_CONCURRENT_UPLOADS).
   * One more is refused at once. What they hold in memory is bounded by the body budget, which
   * counts the bytes that have arrived, so there are enough slots that a few slow uploaders from a
   * few addresses cannot take them all.
   */
  maxConcurrentUploads: number;
  /**
   * Of those, the most one client address reads at once (REPORT_MAX_UPLOADS_PER_ADDRESS; 0 is no
   * share of its own): a few slow uploaders cannot take every slot from the other verifiers.
   */
  maxUploadsPerAddress: number;
  /**
   * The purposes (x-credit-purpose) a report is issued for (REPORT_PURPOSES): the report prints its
   * purpose, so any other is refused rather than printed.
   */
  purposes: ReadonlySet<string>;
}

/**
 * REPORT_DIR, REPORT_SIGNING_KEY | REPORT_SIGNING_KEY_FILE (a JWK or PEM Ed25519 private key;
 * default: GATEWAY_SIGNING_KEY), REPORT_PUBLIC_URL, REPORT_UPLOAD_LIMIT_BYTES, REPORT_MAX_CONCURRENT_RENDERS,
 * REPORT_MAX_CONCURRENT_UPLOADS, REPORT_MAX_UPLOADS_PER_ADDRESS, REPORT_PURPOSES, REPORT_EARLIER_KEYS_FILE.
 */
export function readReportConfig(reader: EnvReader, gatewayKey: KeyObject): ReportConfig {
  reader = reader.section('credit reports');
  const inline = reader.optionalString('REPORT_SIGNING_KEY', {
    text: 'The Ed25519 private key credit reports are signed with; a JWK (JSON) or PEM. Keep it as long as the reports it signed are checked',
    default: 'GATEWAY_SIGNING_KEY',
  });
  const file = reader.optionalString(
    'REPORT_SIGNING_KEY_FILE',
    'A file holding REPORT_SIGNING_KEY, instead of the variable',
  );
  let signingKey = gatewayKey;
  if (inline !== undefined && file !== undefined)
    reader.problem('set REPORT_SIGNING_KEY or REPORT_SIGNING_KEY_FILE, not both');
  else if (inline !== undefined || file !== undefined) {
    try {
      signingKey = parseEd25519Key(inline ?? readFileSync(file!, 'utf8'), 'private');
    } catch (error) {
      // The message never includes the key itself.
      const reason = error instanceof Error ? (error.message.split('\n')[0] ?? 'unreadable') : 'unreadable';
      reader.problem(
        `REPORT_SIGNING_KEY${inline === undefined ? '_FILE' : ''} is not a usable Ed25519 private key: ${reason}`,
      );
    }
  }
  const earlierFile = reader.optionalString(
    'REPORT_EARLIER_KEYS_FILE',
    'A JWK set ({"keys": [...]}) of the Ed25519 public keys reports were signed with before REPORT_SIGNING_KEY: on a rotation the old public key goes here, so that the reports it signed still verify',
  );
  let earlierKeys: KeyObject[] = [];
  if (earlierFile !== undefined) {
    try {
      earlierKeys = readEarlierKeys(readFileSync(earlierFile, 'utf8'));
    } catch (error) {
      const reason = error instanceof Error ? (error.message.split('\n')[0] ?? 'unreadable') : 'unreadable';
      reader.problem(`REPORT_EARLIER_KEYS_FILE is not a JWK set of Ed25519 public keys: ${reason}`);
    }
  }
  const publicUrl = reader.url(
    'REPORT_PUBLIC_URL',
    `http://localhost:${GATEWAY_PORT}`,
    "The gateway's public base URL, which each report's QR code and verify link point at (<url>/report/verify)",
  );
  const purposes = reader.list(
    'REPORT_PURPOSES',
    DEFAULT_REPORT_PURPOSES,
    'The purposes (x-credit-purpose codes) a credit report is issued for; the report prints its purpose, so a request stating any other is refused with 400 BAD_REQUEST',
  );
  for (const purpose of purposes)
    if (!PURPOSE_CODE.test(purpose))
      reader.problem(`REPORT_PURPOSES holds '${purpose.slice(0, 64)}': a purpose is a code like LOAN_APPROVAL`);
  return {
    dir: reader.string('REPORT_DIR', DEFAULT_REPORT_DIR, "The issued-report register's directory (reports.jsonl)"),
    signingKey,
    earlierKeys,
    publicUrl: publicUrl.replace(/\/+$/, ''),
    uploadLimitBytes: reader.int(
      'REPORT_UPLOAD_LIMIT_BYTES',
      4 * 1024 * 1024,
      { min: 1024, max: 256 * 1024 * 1024 },
      'Largest document a verifier may upload to /report/verify (a report is some hundred kilobytes); a larger one is refused with 413',
    ),
    maxConcurrentRenders: reader.int(
      'REPORT_MAX_CONCURRENT_RENDERS',
      1,
      { min: 1, max: 64 },
      "Reports one gateway process renders at once; the rest wait within their request's deadline (REQUEST_TIMEOUT_MS), so a flood of reports never holds the event loop from other requests. Each caller (a client, or an anonymous caller's address) waits in a lane of its own with at most 4 reports (one more is RATE_LIMITED); government and court callers' lanes are served first, then the lane served longest ago",
    ),
    maxConcurrentUploads: reader.int(
      'REPORT_MAX_CONCURRENT_UPLOADS',
      16,
      { min: 1, max: 256 },
      'Documents one gateway process reads for /report/verify at once; one more is refused with 429 and Retry-After. What uploads hold in memory is bounded by BODY_BUDGET_BYTES (the bytes that have arrived), so there are enough slots that a few slow uploaders from a few addresses (one each, REPORT_MAX_UPLOADS_PER_ADDRESS) cannot take them all',
    ),
    maxUploadsPerAddress: reader.int(
      'REPORT_MAX_UPLOADS_PER_ADDRESS',
      1,
      { min: 0, max: 256 },
      'Of REPORT_MAX_CONCURRENT_UPLOADS, the documents one client address uploads at once (behind a proxy named in TRUSTED_PROXIES, the caller it forwards for); one more from it is refused with 429 and Retry-After, so a few slow uploaders cannot take every slot. 0 is no share of its own',
    ),
    purposes: new Set(purposes),
  };
}

/** The public keys of a JWK set, each an Ed25519 public key; a private part is refused, not used. */
export function readEarlierKeys(text: string): KeyObject[] {
  const set = JSON.parse(text) as { keys?: unknown };
  if (!Array.isArray(set.keys)) throw new Error('no "keys" array');
  return set.keys.map((jwk: unknown, at) => {
    if (typeof jwk !== 'object' || jwk === null) throw new Error(`key ${at} is not a JWK`);
    if ('d' in jwk) throw new Error(`key ${at} holds a private key: give its public half only`);
    const key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`key ${at} is not an Ed25519 key`);
    return key;
  });
}
