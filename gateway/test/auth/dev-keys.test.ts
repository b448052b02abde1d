import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  createInternalSigner,
  createInternalVerifier,
  CreditGatewayError,
  EnvReader,
  loadCreditCodePolicy,
  readInternalAuthConfig,
  TIERS,
} from '@credit-gateway/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createCallerVerifier,
  createConsentVerifier,
  generateDevKeys,
  mintCallerToken,
  mintConsent,
  parseTtl,
  readCallerAuthConfig,
  readConsentConfig,
  type DevKeySet,
} from '../../src/auth/index.js';

const root = mkdtempSync(join(tmpdir(), 'dev-keys-'));
let keys: DevKeySet;

beforeAll(async () => {
  keys = await generateDevKeys(join(root, 'keys'));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

function read<T>(reader: (r: EnvReader) => T, env: Record<string, string>): T {
  const envReader = new EnvReader(env);
  const value = reader(envReader);
  envReader.done();
  return value;
}

describe('generateDevKeys', () => {
  it('writes the five key pairs, private keys readable by their owner only', () => {
    expect(keys.env).toEqual({
      AUTH_JWKS_FILE: join(root, 'keys', 'caller.jwks.json'),
      AUTH_ISSUER: 'credit-gateway-dev-identity',
      AUTH_AUDIENCE: 'credit-gateway',
      CONSENT_JWKS_FILE: join(root, 'keys', 'consent.jwks.json'),
      CONSENT_ISSUER: 'credit-gateway-dev-consent',
      GATEWAY_SIGNING_KEY_FILE: join(root, 'keys', 'gateway.private.jwk.json'),
      GATEWAY_PUBLIC_KEY_FILE: join(root, 'keys', 'gateway.public.jwk.json'),
      REPORT_SIGNING_KEY_FILE: join(root, 'keys', 'report.private.jwk.json'),
    });
    expect(keys.creditEnv).toEqual({
      OUTBOX_SIGNING_KEY_FILE: join(root, 'keys', 'outbox.private.jwk.json'),
      CREDIT_PERSON_INDEX_KEY_FILE: join(root, 'keys', 'person-index.key'),
    });
    // The person index secret: private, long enough, and kept across runs like the keys.
    const secret = readFileSync(keys.files.personIndexKey, 'utf8').trim();
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(keys.files.personIndexKey).mode & 0o077).toBe(0);
    const privateKeys = [keys.files.callerPrivateKey, keys.files.consentPrivateKey, keys.files.gatewayPrivateKey];
    for (const file of [...privateKeys, keys.files.outboxPrivateKey, keys.files.reportPrivateKey]) {
      expect(statSync(file).mode & 0o777).toBe(0o600);
    }
    const callerJwks = JSON.parse(readFileSync(keys.files.callerJwks, 'utf8')) as { keys: Record<string, unknown>[] };
    expect(callerJwks.keys).toHaveLength(1);
    expect(callerJwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(callerJwks.keys[0]).not.toHaveProperty('d');
  });

  it('keeps an existing key set, and several processes creating one at once agree on it', async () => {
    const before = readFileSync(keys.files.callerPrivateKey, 'utf8');
    const secretBefore = readFileSync(keys.files.personIndexKey, 'utf8');
    await generateDevKeys(keys.dir);
    expect(readFileSync(keys.files.callerPrivateKey, 'utf8')).toBe(before);
    expect(readFileSync(keys.files.personIndexKey, 'utf8')).toBe(secretBefore);

    const fresh = join(root, 'racing');
    const sets = await Promise.all(Array.from({ length: 4 }, () => generateDevKeys(fresh)));
    const token = await mintCallerToken({ tier: 'ANALYST', client: 'stats', dir: fresh });
    const verifier = createCallerVerifier(read(readCallerAuthConfig, sets[0]!.env));
    await expect(verifier.verify(`Bearer ${token}`)).resolves.toEqual({
      tier: 'ANALYST',
      client: 'stats',
      subject: null,
    });
  });
});

describe('tokens from the development keys', () => {
  it.each(TIERS)('a %s caller token verifies with the printed configuration', async (tier) => {
    const client = tier === 'PUBLIC' ? null : 'approval-system-cq';
    const token = await mintCallerToken({ tier, client, subject: 'user-001', dir: keys.dir });
    const verifier = createCallerVerifier(read(readCallerAuthConfig, keys.env));
    await expect(verifier.verify(`Bearer ${token}`)).resolves.toEqual({ tier, client, subject: 'user-001' });
  });

  it('a consent verifies with the printed configuration', async () => {
    const token = await mintConsent({
      subject: '91500155ma5uq01cxd',
      grantee: 'xinyidai-bank-001',
      purpose: 'LOAN_APPROVAL',
      groups: ['TAX_PAYMENTS', 'SOCIAL_SECURITY'],
      ttl: '1h',
      dir: keys.dir,
    });
    const verifier = createConsentVerifier({
      ...read(readConsentConfig, keys.env),
      creditCodePolicy: loadCreditCodePolicy(),
    });
    const caller = { tier: 'AUTHORIZED', client: 'xinyidai-bank-001', subject: null } as const;
    const result = await verifier.verify(token, { caller, purpose: 'LOAN_APPROVAL' });
    expect(result.rejected).toEqual([]);
    expect([...(result.granted.get('91500155MA5UQ01CXD') ?? [])]).toEqual(['TAX_PAYMENTS', 'SOCIAL_SECURITY']);
  });

  it('the internal key pair signs on the gateway and verifies on a subgraph', async () => {
    const signing = read((r) => readInternalAuthConfig(r, 'gateway'), keys.env);
    const verifying = read((r) => readInternalAuthConfig(r, 'subgraph'), keys.env);
    const claims = {
      tier: 'JUDICIAL',
      client: 'court-cq',
      purpose: 'ENFORCEMENT',
      consents: {},
    } as const;
    const token = await createInternalSigner(signing.signingKey).sign(claims);
    await expect(createInternalVerifier(verifying.publicKey).verify(token)).resolves.toEqual(claims);
  });

  it('refuses what it must not sign', async () => {
    await expect(mintCallerToken({ tier: 'ROOT', client: 'x', dir: keys.dir })).rejects.toThrow("Unknown tier 'ROOT'");
    await expect(
      mintCallerToken({ tier: 'GOVERNMENT', client: 'x', department: 'FINANCE', dir: keys.dir }),
    ).rejects.toThrow("Unknown department 'FINANCE'");
    await expect(mintCallerToken({ tier: 'JUDICIAL', dir: keys.dir })).rejects.toThrow(
      'A JUDICIAL token needs a client (--client)',
    );
    const consent = { grantee: 'bank', purpose: 'LOAN_APPROVAL', groups: ['TAX_PAYMENTS'], dir: keys.dir };
    const invalidCode = await mintConsent({ ...consent, subject: '91500155MA5UQ01CXE' }).catch((e: unknown) => e);
    expect(invalidCode).toBeInstanceOf(CreditGatewayError);
    expect((invalidCode as CreditGatewayError).code).toBe('INVALID_CREDIT_CODE');
    await expect(mintConsent({ ...consent, subject: '91500155MA5UQ01CXD', groups: ['ALL'] })).rejects.toThrow(
      "Consent groups are some of TAX_CREDIT, TAX_PAYMENTS, SOCIAL_SECURITY, PROCUREMENT_CONTRACTS, CREDIT_OBJECTION; got 'ALL'",
    );
    await expect(mintCallerToken({ tier: 'PUBLIC', dir: join(root, 'nowhere') })).rejects.toThrow(
      `No development keys in ${join(root, 'nowhere')}: run the 'keys' command first`,
    );
  });

  it('reads lifetimes', () => {
    expect([parseTtl('90s'), parseTtl('15m'), parseTtl('8h'), parseTtl('30d')]).toEqual([90, 900, 28_800, 2_592_000]);
    for (const bad of ['8', '8w', '-1h', '0s', '1.5h']) expect(() => parseTtl(bad)).toThrow();
  });
});

// Each run starts Node with tsx; on a loaded machine that takes seconds.
describe('the CLI', { timeout: 60_000 }, () => {
  const repository = fileURLToPath(new URL('../../../', import.meta.url));
  const run = promisify(execFile);
  let tsconfig: string;

  beforeAll(() => {
    // The CLI runs from source: workspace imports resolve to common/src, not to a build.
    tsconfig = join(root, 'tsconfig.json');
    writeFileSync(
      tsconfig,
      JSON.stringify({
        compilerOptions: { baseUrl: repository, paths: { '@credit-gateway/common': ['common/src/index.ts'] } },
      }),
    );
  });

  async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'gateway/src/auth/cli.ts', ...args], {
        cwd: repository,
        env: { ...process.env, TSX_TSCONFIG_PATH: tsconfig },
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  it('creates keys, prints a caller token and a consent that verify', async () => {
    const dir = join(root, 'cli');
    const created = await cli('keys', '--dir', dir);
    expect(created.code).toBe(0);
    const env = Object.fromEntries(
      created.stdout
        .trim()
        .split('\n')
        .filter((line) => !line.startsWith('#'))
        .map((line) => line.split('=') as [string, string]),
    );
    expect(Object.keys(env)).toEqual([
      'AUTH_JWKS_FILE',
      'AUTH_ISSUER',
      'AUTH_AUDIENCE',
      'CONSENT_JWKS_FILE',
      'CONSENT_ISSUER',
      'GATEWAY_SIGNING_KEY_FILE',
      'GATEWAY_PUBLIC_KEY_FILE',
      'REPORT_SIGNING_KEY_FILE',
    ]);

    const token = await cli(
      'token',
      '--tier',
      'GOVERNMENT',
      '--client',
      'approval-system-cq',
      '--sub',
      'user-001',
      '--dir',
      dir,
    );
    expect(token.code).toBe(0);
    const callers = createCallerVerifier(read(readCallerAuthConfig, env));
    await expect(callers.verify(`Bearer ${token.stdout.trim()}`)).resolves.toEqual({
      tier: 'GOVERNMENT',
      client: 'approval-system-cq',
      subject: 'user-001',
    });
    const taxOffice = await cli(
      'token',
      ...['--tier', 'GOVERNMENT', '--client', 'dongguan-tax-bureau', '--department', 'TAX', '--dir', dir],
    );
    expect(taxOffice.code).toBe(0);
    await expect(callers.verify(`Bearer ${taxOffice.stdout.trim()}`)).resolves.toEqual({
      tier: 'GOVERNMENT',
      client: 'dongguan-tax-bureau',
      subject: null,
      department: 'TAX',
    });
    const airline = await cli(
      'token',
      ...['--tier', 'GOVERNMENT', '--client', 'caac-ticketing', '--department', 'CAAC', '--dir', dir],
    );
    expect(airline.code).toBe(0);
    await expect(callers.verify(`Bearer ${airline.stdout.trim()}`)).resolves.toMatchObject({ department: 'CAAC' });

    const consent = await cli(
      'consent',
      ...['--subject', '91500155MA5UQ01CXD', '--grantee', 'xinyidai-bank-001', '--purpose', 'LOAN_APPROVAL'],
      ...['--groups', 'TAX_PAYMENTS,SOCIAL_SECURITY', '--ttl', '30d', '--dir', dir],
    );
    expect(consent.code).toBe(0);
    const consents = createConsentVerifier({
      ...read(readConsentConfig, env),
      creditCodePolicy: loadCreditCodePolicy(),
    });
    const result = await consents.verify(consent.stdout.trim(), {
      caller: { tier: 'AUTHORIZED', client: 'xinyidai-bank-001', subject: null },
      purpose: 'LOAN_APPROVAL',
    });
    expect(result.accepted.map((a) => [a.subject, a.groups])).toEqual([
      ['91500155MA5UQ01CXD', ['TAX_PAYMENTS', 'SOCIAL_SECURITY']],
    ]);
  });

  it('says what is wrong, with usage for a wrong command line', async () => {
    const unknownOption = await cli('token', '--tier', 'PUBLIC', '--bogus');
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.stderr).toContain("Unknown option '--bogus'");
    expect(unknownOption.stderr).toContain('Usage:');
    expect((await cli()).code).toBe(2);
    const invalidCode = await cli(
      'consent',
      '--subject',
      '91500155MA5UQ01CXE',
      '--grantee',
      'b',
      '--purpose',
      'p',
      '--groups',
      'TAX_CREDIT',
      '--dir',
      keys.dir,
    );
    expect(invalidCode).toEqual({
      code: 1,
      stdout: '',
      stderr: "Invalid unified social credit code: check character at position 18 should be 'D', got 'E'\n",
    });
  });
});
