import {
  createHash,
  createPublicKey,
  generateKeyPairSync,
  sign,
  timingSafeEqual,
  verify,
  type KeyObject,
} from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseEd25519Key } from '@credit-gateway/common';

/**
 * Deliveries are signed as HTTP Message Signatures (RFC 9421) with the platform's Ed25519 key,
 * the body bound by its Content-Digest (RFC 9530). The signature covers the method, the target
 * URI, the body's type and digest, the idempotency key, the delivery id and the topic, with a
 * `created` time and the delivery id as `nonce`.
 */
export const SIGNATURE_LABEL = 'credit';
export const DELIVERY_ID_HEADER = 'credit-delivery-id';
export const DELIVERY_ATTEMPT_HEADER = 'credit-delivery-attempt';
export const TOPIC_HEADER = 'credit-topic';
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
/** What every delivery's signature covers, in this order. */
export const COVERED_COMPONENTS = [
  '@method',
  '@target-uri',
  'content-type',
  'content-digest',
  IDEMPOTENCY_KEY_HEADER,
  DELIVERY_ID_HEADER,
  TOPIC_HEADER,
] as const;
/** Deliveries older than this are refused by `verifyDelivery` unless told otherwise: replays. */
export const DEFAULT_MAX_AGE_SECONDS = 300;

/** The key deliveries are signed with, and what receivers are given to check them. */
export interface OutboxSigningKey {
  /** The RFC 7638 thumbprint of the public key: `keyid` in every signature. */
  keyId: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The public key as a JWK (with `kid`, `alg: EdDSA`), to publish. */
  publicJwk: Record<string, string>;
  /** The public key as an SPKI PEM, to publish. */
  publicPem: string;
}

function base64url(bytes: Buffer): string {
  return bytes.toString('base64url');
}

/** The signing key from its private key: a JWK or a PKCS8 PEM. */
export function signingKeyOf(privateKey: KeyObject): OutboxSigningKey {
  if (privateKey.asymmetricKeyType !== 'ed25519' || privateKey.type !== 'private') {
    throw new TypeError('Deliveries are signed with an Ed25519 private key');
  }
  const publicKey = createPublicKey(privateKey);
  const jwk = publicKey.export({ format: 'jwk' }) as { crv: string; kty: string; x: string };
  // RFC 7638: the required members in lexicographic order, no whitespace.
  const thumbprint = createHash('sha256')
    .update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x }))
    .digest();
  const keyId = base64url(thumbprint);
  return {
    keyId,
    privateKey,
    publicKey,
    publicJwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, kid: keyId, alg: 'EdDSA', use: 'sig' },
    publicPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
}

/** Reads the signing key file (OUTBOX_SIGNING_KEY_FILE): an Ed25519 private JWK or PKCS8 PEM. */
export function readSigningKey(path: string): OutboxSigningKey {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`Outbox signing key ${path} cannot be read: ${(error as Error).message}`, { cause: error });
  }
  if (/-----BEGIN PUBLIC KEY-----/.test(text)) {
    throw new Error(`Outbox signing key ${path}: a private key was expected, got a public one`);
  }
  try {
    return signingKeyOf(parseEd25519Key(text, 'private'));
  } catch (error) {
    throw new Error(`Outbox signing key ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/** A key that lives as long as the process: for tests and local runs without a key file. */
export function ephemeralSigningKey(): OutboxSigningKey {
  return signingKeyOf(generateKeyPairSync('ed25519').privateKey);
}

/** RFC 9530 Content-Digest of a body, SHA-256. */
export function contentDigest(body: string | Buffer): string {
  return `sha-256=:${createHash('sha256').update(body).digest('base64')}:`;
}

/** RFC 9421 §2.5: one line per covered component, then the signature parameters. */
function signatureBase(values: readonly [string, string][], params: string): string {
  return [...values.map(([name, value]) => `"${name}": ${value}`), `"@signature-params": ${params}`].join('\n');
}

/** What one delivery carries: the body and the request it goes in. */
export interface SignedRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
}

/** Signs one delivery attempt: the headers to send with `body` to `url` by POST. */
export function signDelivery(
  key: OutboxSigningKey,
  delivery: { url: string; body: string; idempotencyKey: string; deliveryId: string; topic: string; attempt: number },
  now: Date,
): SignedRequest {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'content-digest': contentDigest(delivery.body),
    [IDEMPOTENCY_KEY_HEADER]: delivery.idempotencyKey,
    [DELIVERY_ID_HEADER]: delivery.deliveryId,
    [DELIVERY_ATTEMPT_HEADER]: String(delivery.attempt),
    [TOPIC_HEADER]: delivery.topic,
  };
  const created = Math.floor(now.getTime() / 1000);
  const params =
    `(${COVERED_COMPONENTS.map((name) => `"${name}"`).join(' ')})` +
    `;created=${created};keyid="${key.keyId}";alg="ed25519";nonce="${delivery.deliveryId}"`;
  const values = COVERED_COMPONENTS.map((name): [string, string] => {
    if (name === '@method') return [name, 'POST'];
    if (name === '@target-uri') return [name, delivery.url];
    return [name, headers[name]!];
  });
  const signature = sign(null, Buffer.from(signatureBase(values, params)), key.privateKey).toString('base64');
  headers['signature-input'] = `${SIGNATURE_LABEL}=${params}`;
  headers['signature'] = `${SIGNATURE_LABEL}=:${signature}:`;
  return { url: delivery.url, body: delivery.body, headers };
}

/** A delivery as a receiver got it. Header names in any case; a header given twice is refused. */
export interface ReceivedDelivery {
  method: string;
  /** The full URL the department registered (scheme, host, path, query), as the sender used it. */
  url: string;
  headers: Record<string, string | readonly string[] | undefined>;
  /** The raw body, before any JSON parsing. */
  body: string | Buffer;
}

export type VerifiedDelivery =
  | {
      ok: true;
      /** Deduplicate on this: redeliveries of the same message carry the same key. */
      idempotencyKey: string;
      deliveryId: string;
      topic: string;
      /** When the attempt was signed. */
      created: Date;
    }
  | { ok: false; reason: string };

const PARAMS = /^\(((?:"[a-z0-9@\-_.]+"(?: |(?=\))))*)\)((?:;[a-z]+=(?:"[^"\\]*"|\d{1,15}))*)$/;

function header(headers: ReceivedDelivery['headers'], name: string): string | undefined | null {
  const found = Object.entries(headers).filter(([key]) => key.toLowerCase() === name);
  if (found.length === 0) return undefined;
  const value = found.length === 1 ? found[0]![1] : null;
  if (value === null || value === undefined || typeof value !== 'string') return null;
  return value.trim();
}

/**
 * Checks a delivery as a receiver: the signature (RFC 9421, Ed25519) by the platform's public
 * key over every component the platform signs, the body against its Content-Digest, and the
 * `created` time within `maxAgeSeconds` (a replayed old delivery fails). A delivery that passes
 * may still arrive twice (at least once): deduplicate on `idempotencyKey`.
 */
export function verifyDelivery(
  received: ReceivedDelivery,
  publicKey: KeyObject | string,
  options: { maxAgeSeconds?: number; now?: Date } = {},
): VerifiedDelivery {
  const fail = (reason: string): VerifiedDelivery => ({ ok: false, reason });
  const key = typeof publicKey === 'string' ? parseEd25519Key(publicKey, 'public') : publicKey;
  const input = header(received.headers, 'signature-input');
  const signatureHeader = header(received.headers, 'signature');
  if (!input || !signatureHeader) return fail('no signature');
  const prefix = `${SIGNATURE_LABEL}=`;
  if (!input.startsWith(prefix) || !signatureHeader.startsWith(prefix))
    return fail(`no signature labelled ${SIGNATURE_LABEL}`);
  const params = input.slice(prefix.length);
  const parsed = PARAMS.exec(params);
  if (!parsed) return fail('malformed Signature-Input');
  const components = [...parsed[1]!.matchAll(/"([^"]+)"/g)].map((match) => match[1]!);
  const parameters = new Map(
    [...parsed[2]!.matchAll(/;([a-z]+)=("[^"]*"|\d+)/g)].map((m) => [m[1]!, m[2]!.replace(/"/g, '')]),
  );
  if (COVERED_COMPONENTS.some((name) => !components.includes(name)))
    return fail('the signature does not cover the delivery');
  if (parameters.get('alg') !== undefined && parameters.get('alg') !== 'ed25519')
    return fail('not an Ed25519 signature');
  const created = Number(parameters.get('created'));
  if (!Number.isSafeInteger(created)) return fail('no created time');
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const maxAge = options.maxAgeSeconds ?? DEFAULT_MAX_AGE_SECONDS;
  if (now - created > maxAge) return fail('too old: a replayed delivery');
  if (created - now > 60) return fail('created in the future');
  const values: [string, string][] = [];
  for (const name of components) {
    if (name === '@method') values.push([name, received.method.toUpperCase()]);
    else if (name === '@target-uri') values.push([name, received.url]);
    else if (name.startsWith('@')) return fail(`unsupported component ${name}`);
    else {
      const value = header(received.headers, name);
      if (typeof value !== 'string') return fail(`header ${name} missing or repeated`);
      values.push([name, value]);
    }
  }
  const signature = /^:([A-Za-z0-9+/]+={0,2}):$/.exec(signatureHeader.slice(prefix.length))?.[1];
  if (!signature) return fail('malformed Signature');
  if (!verify(null, Buffer.from(signatureBase(values, params)), key, Buffer.from(signature, 'base64'))) {
    return fail('bad signature');
  }
  const digest = Buffer.from(contentDigest(received.body));
  const claimed = Buffer.from(header(received.headers, 'content-digest') ?? '');
  if (digest.length !== claimed.length || !timingSafeEqual(digest, claimed))
    return fail('the body does not match its digest');
  return {
    ok: true,
    idempotencyKey: header(received.headers, IDEMPOTENCY_KEY_HEADER)!,
    deliveryId: header(received.headers, DELIVERY_ID_HEADER)!,
    topic: header(received.headers, TOPIC_HEADER)!,
    created: new Date(created * 1000),
  };
}
