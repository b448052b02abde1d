/**
 * A local DEVELOPMENT key set and tokens signed with it: a caller issuer, a consent issuer and the
 * gateway's internal key, as files under one directory. What the CLI does, for tests to call too.
 * Production keys belong to the platform's identity provider and consent service.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  randomUUID,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { access, link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  CONSENT_GROUPS,
  isConsentGroup,
  isDepartmentId,
  isTier,
  loadCreditCodePolicy,
  parseCreditCode,
  type CreditCodePolicy,
} from '@credit-gateway/common';
import { calculateJwkThumbprint, SignJWT, type JWK } from 'jose';

export const DEV_KEYS_DIR = '.data/dev-keys';
export const DEV_CALLER_ISSUER = 'credit-gateway-dev-identity';
export const DEV_AUDIENCE = 'credit-gateway';
export const DEV_CONSENT_ISSUER = 'credit-gateway-dev-consent';

interface PairSpec {
  name: 'caller' | 'consent' | 'gateway' | 'outbox' | 'report';
  alg: 'ES256' | 'EdDSA';
  generate: () => KeyObject;
}

const PAIRS: readonly PairSpec[] = [
  { name: 'caller', alg: 'ES256', generate: () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey },
  { name: 'consent', alg: 'EdDSA', generate: () => generateKeyPairSync('ed25519').privateKey },
  { name: 'gateway', alg: 'EdDSA', generate: () => generateKeyPairSync('ed25519').privateKey },
  // The credit subgraph's outbox signs webhook deliveries to departments with it.
  { name: 'outbox', alg: 'EdDSA', generate: () => generateKeyPairSync('ed25519').privateKey },
  // The gateway signs the credit reports it issues with it; verifiers may hold its public half.
  { name: 'report', alg: 'EdDSA', generate: () => generateKeyPairSync('ed25519').privateKey },
];

export interface DevKeySet {
  dir: string;
  files: {
    callerPrivateKey: string;
    callerJwks: string;
    consentPrivateKey: string;
    consentJwks: string;
    gatewayPrivateKey: string;
    gatewayPublicKey: string;
    /** The key the credit subgraph signs webhook deliveries with, and its public half for receivers. */
    outboxPrivateKey: string;
    outboxPublicKey: string;
    /** The key the gateway signs credit reports with, and its public half for verifiers. */
    reportPrivateKey: string;
    reportPublicKey: string;
    /** The secret the credit subgraph's durable person index (落实到人) keeps ID numbers under. */
    personIndexKey: string;
  };
  /** What the gateway (and, for GATEWAY_PUBLIC_KEY_FILE, the subgraphs) need to trust these keys. */
  env: Record<string, string>;
  /**
   * What the credit subgraph needs: OUTBOX_SIGNING_KEY_FILE to sign webhook deliveries, and
   * CREDIT_PERSON_INDEX_KEY_FILE for a durable person index.
   */
  creditEnv: Record<string, string>;
}

function files(dir: string): DevKeySet['files'] {
  return {
    callerPrivateKey: join(dir, 'caller.private.jwk.json'),
    callerJwks: join(dir, 'caller.jwks.json'),
    consentPrivateKey: join(dir, 'consent.private.jwk.json'),
    consentJwks: join(dir, 'consent.jwks.json'),
    gatewayPrivateKey: join(dir, 'gateway.private.jwk.json'),
    gatewayPublicKey: join(dir, 'gateway.public.jwk.json'),
    outboxPrivateKey: join(dir, 'outbox.private.jwk.json'),
    outboxPublicKey: join(dir, 'outbox.public.jwk.json'),
    reportPrivateKey: join(dir, 'report.private.jwk.json'),
    reportPublicKey: join(dir, 'report.public.jwk.json'),
    personIndexKey: join(dir, 'person-index.key'),
  };
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * Creates the key set in `dir` where it is missing and keeps whatever is there, so it can run on
 * every start. Safe when several processes run it at once: the first private key written wins.
 */
export async function generateDevKeys(dir: string = DEV_KEYS_DIR): Promise<DevKeySet> {
  const root = resolve(dir);
  await mkdir(root, { recursive: true, mode: 0o700 });
  const paths = files(root);
  for (const pair of PAIRS) {
    const privatePath = join(root, `${pair.name}.private.jwk.json`);
    if (!(await exists(privatePath))) {
      const jwk = await withKeyId(pair.generate().export({ format: 'jwk' }), pair.alg);
      const temporary = `${privatePath}.${randomUUID()}.tmp`;
      await writeFile(temporary, `${JSON.stringify(jwk, null, 2)}\n`, { mode: 0o600 });
      // link() never replaces an existing file, unlike rename().
      await link(temporary, privatePath).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
      });
      await unlink(temporary);
    }
    // The public side is always derived from the private key on disk, so the two cannot disagree.
    const publicJwk = publicOf(await readPrivateJwk(privatePath));
    const single = pair.name === 'gateway' || pair.name === 'outbox' || pair.name === 'report';
    const publicText = single ? JSON.stringify(publicJwk, null, 2) : JSON.stringify({ keys: [publicJwk] }, null, 2);
    const publicPath = single ? join(root, `${pair.name}.public.jwk.json`) : join(root, `${pair.name}.jwks.json`);
    const temporary = `${publicPath}.${randomUUID()}.tmp`;
    await writeFile(temporary, `${publicText}\n`, { mode: 0o644 });
    await rename(temporary, publicPath);
  }
  await writeSecretOnce(paths.personIndexKey);
  return {
    dir: root,
    files: paths,
    env: {
      AUTH_JWKS_FILE: paths.callerJwks,
      AUTH_ISSUER: DEV_CALLER_ISSUER,
      AUTH_AUDIENCE: DEV_AUDIENCE,
      CONSENT_JWKS_FILE: paths.consentJwks,
      CONSENT_ISSUER: DEV_CONSENT_ISSUER,
      GATEWAY_SIGNING_KEY_FILE: paths.gatewayPrivateKey,
      GATEWAY_PUBLIC_KEY_FILE: paths.gatewayPublicKey,
      REPORT_SIGNING_KEY_FILE: paths.reportPrivateKey,
    },
    creditEnv: {
      OUTBOX_SIGNING_KEY_FILE: paths.outboxPrivateKey,
      CREDIT_PERSON_INDEX_KEY_FILE: paths.personIndexKey,
    },
  };
}

/** A random secret at `path` unless one is there; as with the keys, the first written wins. */
async function writeSecretOnce(path: string): Promise<void> {
  if (await exists(path)) return;
  const temporary = `${path}.${randomUUID()}.tmp`;
  await writeFile(temporary, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  await link(temporary, path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  await unlink(temporary);
}

async function withKeyId(jwk: JWK, alg: string): Promise<JWK> {
  const kid = await calculateJwkThumbprint(publicOf(jwk));
  return { ...jwk, kid, alg, use: 'sig' };
}

function publicOf(jwk: JWK): JWK {
  const publicJwk = createPublicKey(createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' })).export({
    format: 'jwk',
  }) as JWK;
  return { ...publicJwk, ...(jwk.kid ? { kid: jwk.kid } : {}), ...(jwk.alg ? { alg: jwk.alg } : {}), use: 'sig' };
}

async function readPrivateJwk(path: string): Promise<JWK> {
  return JSON.parse(await readFile(path, 'utf8')) as JWK;
}

async function signingKey(dir: string, name: 'caller' | 'consent'): Promise<JWK> {
  const path = join(resolve(dir), `${name}.private.jwk.json`);
  if (!(await exists(path))) throw new Error(`No development keys in ${resolve(dir)}: run the 'keys' command first`);
  return readPrivateJwk(path);
}

async function sign(jwk: JWK, claims: Record<string, unknown>, issuer: string, ttlSeconds: number): Promise<string> {
  const key = createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' });
  const iat = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: jwk.alg ?? 'EdDSA', kid: jwk.kid, typ: 'JWT' })
    .setIssuer(issuer)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ttlSeconds)
    .setJti(randomUUID());
  return jwt.sign(key);
}

/** `90s`, `15m`, `8h`, `30d` → seconds. */
export function parseTtl(value: string): number {
  const match = /^(\d{1,6})([smhd])$/.exec(value.trim());
  const units = { s: 1, m: 60, h: 3600, d: 86_400 } as const;
  if (!match) throw new Error(`A lifetime looks like 90s, 15m, 8h or 30d, got '${value}'`);
  const seconds = Number(match[1]) * units[match[2] as keyof typeof units];
  if (seconds <= 0) throw new Error('A lifetime must be positive');
  return seconds;
}

export interface CallerTokenOptions {
  /** One of TIERS; anything else is refused. */
  tier: string;
  client?: string | null;
  subject?: string | null;
  /** One of DEPARTMENTS or IMPLEMENTING_DEPARTMENTS: the department the calling system acts for. */
  department?: string | null;
  /** Default 8h. */
  ttl?: string;
  dir?: string;
}

/** A caller JWT signed with the development caller key. */
export async function mintCallerToken(options: CallerTokenOptions): Promise<string> {
  const { tier, client = null, subject = null } = options;
  if (!isTier(tier)) throw new Error(`Unknown tier '${tier}'`);
  if (tier !== 'PUBLIC' && !client) throw new Error(`A ${tier} token needs a client (--client)`);
  const claims: Record<string, unknown> = { tier, aud: DEV_AUDIENCE };
  if (client) claims['client_id'] = client;
  if (subject) claims['sub'] = subject;
  if (options.department) {
    if (!isDepartmentId(options.department)) throw new Error(`Unknown department '${options.department}'`);
    claims['department'] = options.department;
  }
  const jwk = await signingKey(options.dir ?? DEV_KEYS_DIR, 'caller');
  return sign(jwk, claims, DEV_CALLER_ISSUER, parseTtl(options.ttl ?? '8h'));
}

export interface ConsentOptions {
  /** The subject's unified social credit code. */
  subject: string;
  /** The client_id of the calling system the consent is for. */
  grantee: string;
  purpose: string;
  /** Some of CONSENT_GROUPS; anything else is refused. */
  groups: readonly string[];
  /** Default 30d. */
  ttl?: string;
  dir?: string;
  /** Default: the allow-list shipped with the product. */
  creditCodePolicy?: CreditCodePolicy;
}

/** A consent JWT signed with the development consent key. */
export async function mintConsent(options: ConsentOptions): Promise<string> {
  const subject = parseCreditCode(options.subject, options.creditCodePolicy ?? loadCreditCodePolicy());
  if (options.grantee.trim() === '') throw new Error('A consent needs a grantee (--grantee)');
  if (options.purpose.trim() === '') throw new Error('A consent needs a purpose (--purpose)');
  const unknown = options.groups.filter((group) => !isConsentGroup(group));
  if (options.groups.length === 0 || unknown.length > 0) {
    throw new Error(`Consent groups are some of ${CONSENT_GROUPS.join(', ')}; got '${options.groups.join(',')}'`);
  }
  const jwk = await signingKey(options.dir ?? DEV_KEYS_DIR, 'consent');
  const claims = { sub: subject, grantee: options.grantee, purpose: options.purpose, groups: [...options.groups] };
  return sign(jwk, claims, DEV_CONSENT_ISSUER, parseTtl(options.ttl ?? '30d'));
}
