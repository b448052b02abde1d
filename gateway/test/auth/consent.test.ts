import { CreditGatewayError, loadCreditCodePolicy, type ConsentGroup } from '@credit-gateway/common';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  consentsClaim,
  createConsentVerifier,
  DEFAULT_ALGORITHMS,
  splitConsentHeader,
  type Caller,
  type ConsentResult,
  type ConsentVerifier,
  type ConsentVerifierOptions,
} from '../../src/auth/index.js';
import {
  CONSENT_ISSUER,
  createKey,
  hmacToken,
  keySet,
  NOW,
  NOW_S,
  now,
  signToken,
  tamper,
  thrown,
  unsignedToken,
  type SignOptions,
  type TestKey,
} from './issuers.js';

const CLEAN_SME = '91500155MA5UQ01CXD';
const DEBTOR = '91500112MA60YD7K76';
const PILOT_CODE = '91350100M000147283';
const BANK = 'xinyidai-bank-001';
const PURPOSE = 'LOAN_APPROVAL';
const lender: Caller = { tier: 'AUTHORIZED', client: BANK, subject: 'officer-17' };
const request: { caller: Caller; purpose: string | null } = { caller: lender, purpose: PURPOSE };

let consentKey: TestKey;
let callerKey: TestKey;
let verifier: ConsentVerifier;

function options(overrides: Partial<ConsentVerifierOptions> = {}): ConsentVerifierOptions {
  return {
    keySet: { kind: 'set', jwks: keySet(consentKey) },
    issuer: CONSENT_ISSUER,
    algorithms: DEFAULT_ALGORITHMS,
    clockToleranceSeconds: 30,
    maxPerRequest: 500,
    maxBytes: 4096,
    maxHeaderBytes: 256 * 1024,
    creditCodePolicy: loadCreditCodePolicy(),
    now,
    ...overrides,
  };
}

interface ConsentClaims {
  sub?: unknown;
  grantee?: unknown;
  purpose?: unknown;
  groups?: unknown;
  jti?: unknown;
}

function consent(claims: ConsentClaims = {}, signOptions: SignOptions = {}, key: TestKey = consentKey) {
  return signToken(key, {
    iss: CONSENT_ISSUER,
    aud: undefined,
    exp: NOW_S + 30 * 86_400,
    ...signOptions,
    claims: {
      sub: CLEAN_SME,
      grantee: BANK,
      purpose: PURPOSE,
      groups: ['TAX_PAYMENTS', 'SOCIAL_SECURITY'],
      jti: 'consent-0001',
      ...claims,
    },
  });
}

/** The result with its sets spread, for exact comparison. */
function plain(result: ConsentResult) {
  return {
    granted: Object.fromEntries([...result.granted].map(([code, groups]) => [code, [...groups]])),
    accepted: result.accepted,
    rejected: result.rejected,
  };
}

async function reasons(tokens: string[], context = request, using = verifier) {
  return (await using.verify(tokens, context)).rejected.map((r) => r.reason);
}

beforeAll(async () => {
  [consentKey, callerKey] = await Promise.all([createKey('EdDSA'), createKey('ES256')]);
  verifier = createConsentVerifier(options());
});

describe('a valid consent', () => {
  it('grants its groups on its own subject to its grantee, for its purpose', async () => {
    const result = await verifier.verify(await consent(), request);
    expect(plain(result)).toEqual({
      granted: { [CLEAN_SME]: ['TAX_PAYMENTS', 'SOCIAL_SECURITY'] },
      accepted: [
        {
          index: 0,
          subject: CLEAN_SME,
          groups: ['TAX_PAYMENTS', 'SOCIAL_SECURITY'],
          id: 'consent-0001',
          expiresAt: new Date(NOW + 30 * 86_400_000),
        },
      ],
      rejected: [],
    });
  });

  it('is read with its code normalized, and an allow-listed pilot code is a subject like any other', async () => {
    const lowerCase = await consent({ sub: CLEAN_SME.toLowerCase() });
    const pilot = await consent({ sub: PILOT_CODE, groups: ['PROCUREMENT_CONTRACTS'] });
    const result = await verifier.verify([lowerCase, pilot], request);
    expect(plain(result).granted).toEqual({
      [CLEAN_SME]: ['TAX_PAYMENTS', 'SOCIAL_SECURITY'],
      [PILOT_CODE]: ['PROCUREMENT_CONTRACTS'],
    });
  });

  it('grants nothing with no consent header', async () => {
    expect(plain(await verifier.verify(undefined, request))).toEqual({ granted: {}, accepted: [], rejected: [] });
    expect(plain(await verifier.verify('', request))).toEqual({ granted: {}, accepted: [], rejected: [] });
  });
});

describe('subjects', () => {
  it('a consent grants only its own subject, never the other subjects of the request', async () => {
    const result = await verifier.verify(await consent({ sub: CLEAN_SME }), request);
    expect([...result.granted.keys()]).toEqual([CLEAN_SME]);
    expect(result.granted.has(DEBTOR)).toBe(false);
  });

  it('keeps each subject’s groups apart, and joins two consents of one subject', async () => {
    const tokens = [
      await consent({ sub: CLEAN_SME, groups: ['TAX_CREDIT'] }),
      await consent({ sub: DEBTOR, groups: ['SOCIAL_SECURITY'] }),
      await consent({ sub: CLEAN_SME, groups: ['PROCUREMENT_CONTRACTS'] }),
    ];
    expect(plain(await verifier.verify(tokens, request)).granted).toEqual({
      [CLEAN_SME]: ['TAX_CREDIT', 'PROCUREMENT_CONTRACTS'],
      [DEBTOR]: ['SOCIAL_SECURITY'],
    });
  });

  it('refuses a subject that is not a valid credit code', async () => {
    const result = await verifier.verify(
      [await consent({ sub: '91500155MA5UQ01CXE' }), await consent({ sub: undefined }), await consent({ sub: 42 })],
      request,
    );
    expect(result.rejected).toEqual([
      { index: 0, reason: 'INVALID_SUBJECT', subject: null, id: 'consent-0001' },
      { index: 1, reason: 'INVALID_SUBJECT', subject: null, id: 'consent-0001' },
      { index: 2, reason: 'INVALID_SUBJECT', subject: null, id: 'consent-0001' },
    ]);
    expect(result.granted.size).toBe(0);
  });
});

describe('grantee and purpose', () => {
  it('refuses a consent granted to another client', async () => {
    const result = await verifier.verify(await consent({ grantee: 'another-bank-002' }), request);
    expect(plain(result)).toEqual({
      granted: {},
      accepted: [],
      rejected: [{ index: 0, reason: 'WRONG_GRANTEE', subject: CLEAN_SME, id: 'consent-0001' }],
    });
  });

  it('refuses every consent for a caller without a client', async () => {
    const anonymous: Caller = { tier: 'PUBLIC', client: null, subject: null };
    expect(await reasons([await consent()], { caller: anonymous, purpose: PURPOSE })).toEqual(['WRONG_GRANTEE']);
  });

  it('refuses a consent for another purpose, or when the request states none', async () => {
    expect(await reasons([await consent({ purpose: 'MARKETING' })])).toEqual(['WRONG_PURPOSE']);
    expect(await reasons([await consent()], { caller: lender, purpose: null })).toEqual(['WRONG_PURPOSE']);
    expect(await reasons([await consent()], { caller: lender, purpose: 'loan_approval' })).toEqual(['WRONG_PURPOSE']);
  });

  it('refuses a consent whose grantee or purpose is missing or not a string', async () => {
    const tokens = [
      await consent({ grantee: undefined }),
      await consent({ purpose: undefined }),
      await consent({ grantee: [BANK] }),
    ];
    expect(await reasons(tokens)).toEqual(['MALFORMED', 'MALFORMED', 'MALFORMED']);
  });
});

describe('groups', () => {
  it('grants exactly the groups consented to, no others', async () => {
    const result = await verifier.verify(await consent({ groups: ['TAX_PAYMENTS'] }), request);
    const granted = result.granted.get(CLEAN_SME);
    expect([...(granted ?? [])]).toEqual(['TAX_PAYMENTS']);
    expect(granted?.has('SOCIAL_SECURITY' as ConsentGroup)).toBe(false);
    expect(granted?.has('TAX_CREDIT')).toBe(false);
  });

  it('refuses a whole consent naming an unknown group, an empty list or no list', async () => {
    const tokens = [
      await consent({ groups: ['TAX_PAYMENTS', 'EVERYTHING'] }),
      await consent({ groups: ['tax_payments'] }),
      await consent({ groups: [] }),
      await consent({ groups: 'TAX_PAYMENTS' }),
      await consent({ groups: undefined }),
    ];
    const result = await verifier.verify(tokens, request);
    expect(result.rejected.map((r) => r.reason)).toEqual([
      'INVALID_GROUPS',
      'INVALID_GROUPS',
      'INVALID_GROUPS',
      'INVALID_GROUPS',
      'INVALID_GROUPS',
    ]);
    expect(result.granted.size).toBe(0);
  });
});

describe('forged, tampered and stale consents', () => {
  it('refuses an expired consent beyond the clock tolerance and names its subject', async () => {
    const result = await verifier.verify(
      [await consent({}, { exp: NOW_S - 31 }), await consent({}, { exp: NOW_S - 29 })],
      request,
    );
    expect(result.rejected).toEqual([{ index: 0, reason: 'EXPIRED', subject: CLEAN_SME, id: 'consent-0001' }]);
    expect(result.accepted.map((a) => a.index)).toEqual([1]);
  });

  it('refuses a consent not valid yet, and one without an expiry', async () => {
    expect(await reasons([await consent({}, { nbf: NOW_S + 3600 })])).toEqual(['NOT_YET_VALID']);
    expect(await reasons([await consent({}, { exp: undefined })])).toEqual(['MALFORMED']);
  });

  it('refuses a consent changed under its signature: subject, groups, grantee or expiry', async () => {
    const original = await consent({ groups: ['TAX_PAYMENTS'] });
    const tampered = [
      tamper(original, (payload) => (payload['sub'] = DEBTOR)),
      tamper(original, (payload) => (payload['groups'] = ['TAX_PAYMENTS', 'SOCIAL_SECURITY'])),
      tamper(original, (payload) => (payload['grantee'] = 'another-bank-002')),
      tamper(original, (payload) => (payload['exp'] = NOW_S + 3650 * 86_400)),
    ];
    const result = await verifier.verify(tampered, request);
    expect(result.rejected).toEqual(
      [0, 1, 2, 3].map((index) => ({ index, reason: 'BAD_SIGNATURE', subject: null, id: null })),
    );
    expect(result.granted.size).toBe(0);
  });

  it('refuses a consent signed with the caller key instead of the consent key', async () => {
    const byCallerKey = await consent({}, {}, callerKey);
    const borrowedKid = await consent({}, { header: { kid: consentKey.kid } }, callerKey);
    expect(await reasons([byCallerKey, borrowedKid])).toEqual(['UNKNOWN_KEY', 'UNKNOWN_KEY']);
    // Even a verifier holding the caller key, if it were misconfigured so, checks the issuer.
    const both = createConsentVerifier(options({ keySet: { kind: 'set', jwks: keySet(consentKey, callerKey) } }));
    const callerToken = await consent({}, { iss: 'https://identity.example.gov.cn' }, callerKey);
    expect(await reasons([callerToken], request, both)).toEqual(['WRONG_ISSUER']);
  });

  it('refuses a consent from another issuer', async () => {
    expect(await reasons([await consent({}, { iss: 'https://consent.elsewhere.example' })])).toEqual(['WRONG_ISSUER']);
  });

  it('refuses alg none and HS256 made with the public consent key', async () => {
    const claims = { sub: CLEAN_SME, grantee: BANK, purpose: PURPOSE, groups: ['TAX_PAYMENTS'], iss: CONSENT_ISSUER };
    const timed = { ...claims, iat: NOW_S, exp: NOW_S + 3600 };
    const secret = consentKey.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(
      await reasons([
        unsignedToken(timed),
        unsignedToken(timed, 'c2lnbmF0dXJl'),
        hmacToken({ kid: consentKey.kid }, timed, secret),
        hmacToken({ kid: consentKey.kid }, timed, JSON.stringify(consentKey.publicJwk)),
      ]),
    ).toEqual(['MALFORMED', 'DISALLOWED_ALGORITHM', 'DISALLOWED_ALGORITHM', 'DISALLOWED_ALGORITHM']);
  });

  it('accepts no consent at all when no consent key set is configured', async () => {
    const closed = createConsentVerifier(options({ keySet: null, issuer: null }));
    expect(await reasons([await consent()], request, closed)).toEqual(['UNKNOWN_KEY']);
  });

  it('checks the expiry again when a consent it verified before comes back', async () => {
    let clock = NOW;
    const timed = createConsentVerifier(options({ now: () => clock }));
    const token = await consent({}, { exp: NOW_S + 60 });
    expect((await timed.verify(token, request)).accepted).toHaveLength(1);
    clock = NOW + 120_000;
    expect(await reasons([token], request, timed)).toEqual(['EXPIRED']);
  });
});

describe('the x-credit-consent header', () => {
  it('carries consents separated by commas, in repeated headers, with spaces', async () => {
    const [a, b, c] = await Promise.all([
      consent({ sub: CLEAN_SME }),
      consent({ sub: DEBTOR }),
      consent({ grantee: 'other' }),
    ]);
    expect(splitConsentHeader([`${a}, ${b}`, ` ,${c} `])).toEqual([a, b, c]);
    const result = await verifier.verify([`${a}, ${b}`, ` ,${c} `], request);
    expect(result.accepted.map((x) => [x.index, x.subject])).toEqual([
      [0, CLEAN_SME],
      [1, DEBTOR],
    ]);
    expect(result.rejected).toEqual([{ index: 2, reason: 'WRONG_GRANTEE', subject: CLEAN_SME, id: 'consent-0001' }]);
  });

  it('refuses an entry that is not a signed JWT, without failing the others', async () => {
    const good = await consent();
    const result = await verifier.verify(['garbage', 'a.b', good, 'YWJj.YWJj.YWJj'].join(','), request);
    expect(result.rejected.map((r) => [r.index, r.reason])).toEqual([
      [0, 'MALFORMED'],
      [1, 'MALFORMED'],
      [3, 'MALFORMED'],
    ]);
    expect([...result.granted.keys()]).toEqual([CLEAN_SME]);
  });

  it('refuses a consent larger than the bound before verifying it', async () => {
    const small = createConsentVerifier(options({ maxBytes: 256 }));
    const large = await consent({ purpose: 'x'.repeat(300) });
    expect(await reasons([large], { caller: lender, purpose: 'x'.repeat(300) }, small)).toEqual(['TOO_LARGE']);
  });

  it('refuses a request with more consents than the bound', async () => {
    const bounded = createConsentVerifier(options({ maxPerRequest: 3 }));
    const token = await consent();
    await expect(bounded.verify([token, token, token].join(','), request)).resolves.toMatchObject({ rejected: [] });
    const error = await thrown(() => bounded.verify([token, token, token, token].join(','), request));
    expect(error).toBeInstanceOf(CreditGatewayError);
    expect((error as CreditGatewayError).toJSON()).toMatchInlineSnapshot(`
      {
        "extensions": {
          "argument": "x-credit-consent",
          "code": "BATCH_TOO_LARGE",
          "maximum": 3,
          "size": 4,
        },
        "message": "'x-credit-consent' holds 4 items; at most 3 are allowed in one request",
      }
    `);
  });

  it('refuses a header of more bytes than the bound, over all its values, before reading a consent', async () => {
    const bounded = createConsentVerifier(options({ maxHeaderBytes: 1024 }));
    const token = await consent();
    const fitting = Array.from({ length: Math.floor(1024 / (token.length + 1)) }, () => token);
    await expect(bounded.verify(fitting, request)).resolves.toMatchObject({ rejected: [] });
    const error = await thrown(() => bounded.verify([...fitting, token], request));
    expect(error).toBeInstanceOf(CreditGatewayError);
    expect((error as CreditGatewayError).extensions).toEqual({
      code: 'BAD_REQUEST',
      header: 'x-credit-consent',
      bytes: (fitting.length + 1) * token.length,
      maximum: 1024,
    });
  });

  it('verifies a batch of 500 consents', async () => {
    const tokens = await Promise.all(
      Array.from({ length: 500 }, (_, i) => consent({ jti: `consent-${i}`, groups: ['TAX_CREDIT'] })),
    );
    const result = await verifier.verify(tokens.join(','), request);
    expect(result.accepted).toHaveLength(500);
    expect(result.accepted[499]).toMatchObject({ index: 499, id: 'consent-499' });
  });
});

describe('consentsClaim', () => {
  it('turns what was granted into the internal token claim, groups in canonical order', () => {
    const granted = new Map<string, ReadonlySet<ConsentGroup>>([
      [CLEAN_SME, new Set<ConsentGroup>(['SOCIAL_SECURITY', 'TAX_CREDIT'])],
      [DEBTOR, new Set<ConsentGroup>(['PROCUREMENT_CONTRACTS'])],
    ]);
    expect(consentsClaim(granted)).toEqual({
      [CLEAN_SME]: ['TAX_CREDIT', 'SOCIAL_SECURITY'],
      [DEBTOR]: ['PROCUREMENT_CONTRACTS'],
    });
  });
});
