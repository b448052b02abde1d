import { createPublicKey, generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '@credit-gateway/common';
import { canonicalJson } from '@credit-gateway/common/durable-log';
import { readEarlierKeys } from '../../src/report/config.js';
import { createIssuedReports, keyIdOf, sha256, type IssuedReports } from '../../src/report/issued.js';
import { GOVERNMENT, reportOf } from './support.js';

const A = '91500155MA5UQ01CXD';
const B = '91510107MA6CJ4R13B';

let dir: string;
let issued: IssuedReports;
const { privateKey, publicKey } = generateKeyPairSync('ed25519');

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'issued-'));
  issued = createIssuedReports({ dir, signingKey: privateKey, logger: silentLogger() });
});
afterEach(async () => {
  await issued.close();
  await rm(dir, { recursive: true, force: true });
});

interface Issue {
  subject?: string;
  document: string;
  issuer?: { client: string | null; tier: string };
  view?: string;
  data?: string;
}

// Reports are ordered by issue time to the millisecond: each one here is issued a millisecond on.
let clock = Date.now();

async function issue({ subject = A, document, issuer = GOVERNMENT, view = 'view', data }: Issue) {
  const input = reportOf(subject, document, {
    issuedAt: new Date(clock++).toISOString(),
    issuer,
    view,
    ...(data === undefined ? {} : { data }),
  });
  await issued.issue(input);
  return { number: input.number, verificationCode: input.verificationCode };
}

describe('a verdict', () => {
  it('names the subject and the issued file, to compare with the report in hand', async () => {
    const a = await issue({ document: 'report of A' });
    await issue({ subject: B, document: 'report of B' });
    // The number and code of A's report, whatever document they are printed on, say A.
    const verdict = await issued.verifyCode(a.number, a.verificationCode);
    expect(verdict.report).toMatchObject({
      subject: { code: A, name: `name of ${A}` },
      document: { sha256: sha256('report of A') },
    });
    expect(verdict.report!.document.sha256).not.toBe(sha256('report of B'));
    expect(verdict.report!.document.fingerprint).toBe(
      sha256('report of A')
        .slice(0, 16)
        .toUpperCase()
        .replace(/(.{4})(?=.)/g, '$1 '),
    );
  });

  it('discloses the signed payload: it verifies offline with the public key, and any change to it fails', async () => {
    const a = await issue({ document: 'report of A' });
    const { report } = await issued.verifyCode(a.number, a.verificationCode);
    const { payload, value } = report!.signature;
    const signature = Buffer.from(value, 'base64url');
    // The key as /report/public-key serves it: a JWK.
    const key = createPublicKey({ key: publicKey.export({ format: 'jwk' }), format: 'jwk' });
    expect(verify(null, Buffer.from(payload), key, signature)).toBe(true);
    const signed = JSON.parse(payload) as Record<string, unknown>;
    expect(signed).toMatchObject({
      number: a.number,
      subject: A,
      documentSha256: sha256('report of A'),
      codeSha256: sha256(a.verificationCode),
    });
    // The code itself is never disclosed, only its SHA-256.
    expect(payload).not.toContain(a.verificationCode);
    expect(canonicalJson(signed)).toBe(payload);
    for (const field of Object.keys(signed)) {
      const changed = canonicalJson({ ...signed, [field]: field === 'special' ? false : `${String(signed[field])}x` });
      expect(verify(null, Buffer.from(changed), key, signature), field).toBe(false);
    }
  });

  it("is superseded only by the same caller's newer report, never by another caller's", async () => {
    const portal = { client: 'citizen-portal', tier: 'PUBLIC' };
    const own = await issue({ document: 'own', issuer: portal });
    await issue({ document: 'court', issuer: { client: 'court-system', tier: 'JUDICIAL' } });
    await issue({ document: 'bank', issuer: { client: 'some-bank', tier: 'AUTHORIZED' } });
    // Another client of the same tier is another caller too.
    await issue({ document: 'other portal', issuer: { client: 'other-portal', tier: 'PUBLIC' } });
    expect((await issued.verifyCode(own.number, own.verificationCode)).report).toMatchObject({
      superseded: false,
      supersededAt: null,
      recordsChangedSince: null,
    });
    await issue({ document: 'own again', issuer: portal });
    const { report } = await issued.verifyCode(own.number, own.verificationCode);
    expect(report).toMatchObject({ superseded: true, recordsChangedSince: false });
    expect(report!.supersededAt).toBe((await issued.verifyDocument(Buffer.from('own again'))).report!.issuedAt);

    // A caller with no client cannot be told from another: nothing supersedes its reports.
    const anonymous = { client: null, tier: 'PUBLIC' };
    const unnamed = await issue({ document: 'unnamed', issuer: anonymous });
    await issue({ document: 'unnamed again', issuer: anonymous });
    expect((await issued.verifyCode(unnamed.number, unnamed.verificationCode)).report).toMatchObject({
      superseded: false,
      recordsChangedSince: null,
    });
  });

  it('says records changed only against the same caller seeing the same way', async () => {
    const first = await issue({ document: 'first', view: 'all consents' });
    // The same records seen with fewer consents hash differently: not a change.
    await issue({ document: 'fewer consents', view: 'one consent', data: 'the view of one consent' });
    await issue({ document: 'other caller', issuer: { client: 'bank', tier: 'AUTHORIZED' }, data: 'changed' });
    expect((await issued.verifyCode(first.number, first.verificationCode)).report).toMatchObject({
      superseded: true,
      recordsChangedSince: null,
    });
    await issue({ document: 'same view', view: 'all consents' });
    expect((await issued.verifyCode(first.number, first.verificationCode)).report!.recordsChangedSince).toBe(false);
    await issue({ document: 'changed', view: 'all consents', data: 'new records' });
    expect((await issued.verifyCode(first.number, first.verificationCode)).report!.recordsChangedSince).toBe(true);
  });
});

describe('a signing key rotated out', () => {
  const reopen = (options: { signingKey: KeyObject; earlierKeys?: KeyObject[] }) => {
    issued = createIssuedReports({ dir, logger: silentLogger(), ...options });
  };

  it('still verifies the reports it signed once its public half is among the earlier keys, and only then', async () => {
    const before = await issue({ document: 'before the rotation' });
    await issued.close();
    const next = generateKeyPairSync('ed25519');
    reopen({ signingKey: next.privateKey });
    const invalid = { authentic: false, reason: 'SIGNATURE_INVALID' };
    expect(await issued.verifyCode(before.number, before.verificationCode)).toEqual(invalid);

    await issued.close();
    reopen({ signingKey: next.privateKey, earlierKeys: [publicKey] });
    expect(await issued.verifyCode(before.number, before.verificationCode)).toMatchObject({
      authentic: true,
      report: { signature: { keyId: keyIdOf(publicKey), valid: true } },
    });
    const after = await issue({ document: 'after the rotation' });
    expect(await issued.verifyDocument(Buffer.from('after the rotation'))).toMatchObject({
      authentic: true,
      report: { number: after.number, signature: { keyId: keyIdOf(next.publicKey) } },
    });

    // Another key in the earlier set does not stand in for the one a report names.
    await issued.close();
    reopen({ signingKey: next.privateKey, earlierKeys: [generateKeyPairSync('ed25519').publicKey] });
    expect(await issued.verifyCode(before.number, before.verificationCode)).toEqual(invalid);
  });

  it('is read from a JWK set of public keys; a private key, another kind of key or no set is refused', () => {
    const jwk = (key: KeyObject) => key.export({ format: 'jwk' });
    const keys = readEarlierKeys(JSON.stringify({ keys: [jwk(publicKey)] }));
    expect(keys.map(keyIdOf)).toEqual([keyIdOf(publicKey)]);
    expect(() => readEarlierKeys(JSON.stringify({ keys: [jwk(privateKey)] }))).toThrow('holds a private key');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    expect(() => readEarlierKeys(JSON.stringify({ keys: [jwk(rsa)] }))).toThrow('not an Ed25519 key');
    expect(() => readEarlierKeys(JSON.stringify(jwk(publicKey)))).toThrow('no "keys" array');
    expect(() => readEarlierKeys('not json')).toThrow();
  });
});
