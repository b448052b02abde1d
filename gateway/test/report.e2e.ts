import { execFile } from 'node:child_process';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '@credit-gateway/common/durable-log';
import { DEMO_PEOPLE, demoCode, unregisteredCodes } from '@credit-gateway/sources';
import { mintCallerToken } from '../src/auth/index.js';
import { escapeHtml } from '../src/report/html.js';
import { REPORT_SECTIONS, reportQuery, SECTION_TITLES } from '../src/report/sections.js';
import { startChildGateway } from './fuzz/child-gateway.js';
import { scrape } from './support/metrics.js';
import { startStack, type As, type Stack } from './support/stack.js';

let stack: Stack;

beforeAll(async () => {
  // Four upload slots, which the test of the slots fills from four addresses.
  stack = await startStack({ populationSize: 200, gatewayEnv: { REPORT_MAX_CONCURRENT_UPLOADS: '4' } });
});
afterAll(async () => {
  await stack?.close();
});

interface Fetched {
  status: number;
  headers: Headers;
  bytes: Buffer;
}

async function fetchReport(
  params: Record<string, string>,
  as: As = {},
  headers: Record<string, string> = {},
): Promise<Fetched> {
  const url = new URL('/report', stack.gatewayUrl);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  const response = await fetch(url, { headers: { ...(await stack.headers(as)), ...headers } });
  return { status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) };
}

async function postReport(body: unknown, headers: Record<string, string> = {}): Promise<Fetched> {
  const response = await fetch(new URL('/report', stack.gatewayUrl), {
    method: 'POST',
    headers: { ...(await stack.headers()), 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) };
}

async function report(params: Record<string, string>, as: As = {}): Promise<Fetched> {
  const fetched = await fetchReport(params, as);
  if (fetched.status !== 200) throw new Error(`report ${fetched.status}: ${fetched.bytes.toString('utf8')}`);
  return fetched;
}

async function pdfText(bytes: Buffer): Promise<string> {
  const document = await getDocument({ data: new Uint8Array(bytes), isEvalSupported: false, disableFontFace: true })
    .promise;
  let text = '';
  for (let page = 1; page <= document.numPages; page++) {
    const content = await (await document.getPage(page)).getTextContent();
    for (const item of content.items) if ('str' in item) text += item.str;
  }
  await document.destroy();
  return text.replace(/\s+/g, '');
}

async function verifyCode(number: string, code: string) {
  const url = new URL('/report/verify', stack.gatewayUrl);
  url.searchParams.set('number', number);
  url.searchParams.set('code', code);
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as any };
}

async function verifyUpload(bytes: Buffer, type = 'application/pdf') {
  const response = await fetch(new URL('/report/verify', stack.gatewayUrl), {
    method: 'POST',
    headers: { 'content-type': type },
    body: new Uint8Array(bytes),
  });
  return { status: response.status, body: (await response.json()) as any };
}

/** Every string the answer holds under these keys, as the report must print it. */
function valuesUnder(value: unknown, keys: ReadonlySet<string>, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) valuesUnder(item, keys, found);
  else if (value !== null && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) {
      if (keys.has(key) && typeof item === 'string') found.push(item);
      else valuesUnder(item, keys, found);
    }
  return found;
}

const PRINTED = new Set(['name', 'decisionNumber', 'caseNumber', 'idNumber', 'recordId', 'basisDocumentNumber']);
const FULL_ID_NUMBER = /(?<![0-9A-Za-z])\d{17}[\dX](?![0-9A-Za-z])/;

/** Each section's text, by its id, from the HTML page. */
function sectionsOf(html: string): Map<string, string> {
  return new Map(
    [...html.matchAll(/<section id="([a-z]+)">([\s\S]*?)<\/section>/g)].map((match) => [match[1]!, match[2]!]),
  );
}

function verificationCodeIn(text: string): string {
  const match = /验证码：([2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4})/.exec(text);
  if (!match) throw new Error('no verification code in the report');
  return match[1]!;
}

/** SHA-256 (hex), as `sha256sum` prints it. */
function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A browser form's upload: multipart/form-data, one file part, as `curl -F file=@report.html` sends it. */
async function verifyForm(files: { name: string; bytes: Buffer }[], headers: Record<string, string> = {}) {
  const form = new FormData();
  for (const file of files) form.append('file', new Blob([new Uint8Array(file.bytes)]), file.name);
  const response = await fetch(new URL('/report/verify', stack.gatewayUrl), { method: 'POST', body: form, headers });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** The report with one section cut out, as a forger would have it. */
function withoutSection(html: string, id: string): string {
  const edited = html.replace(new RegExp(`<section id="${id}">[\\s\\S]*?</section>`), '');
  if (edited === html) throw new Error(`no section ${id} in the report`);
  return edited;
}

/** A PUBLIC caller that names its system (a citizen portal), as a real PUBLIC token may. */
async function portalHeaders(client: string): Promise<Record<string, string>> {
  const token = await mintCallerToken({ tier: 'PUBLIC', client, subject: 'citizen', dir: stack.keysDir });
  return { authorization: `Bearer ${token}` };
}

describe('the credit report, through the gateway pipeline', () => {
  const code = demoCode('rep-is-debtor');
  let full: Fetched;
  let text: string;

  beforeAll(async () => {
    full = await report({ code });
    text = await pdfText(full.bytes);
  });

  it('prints, in Chinese, every identifier the same caller reads from /graphql, and the report number', async () => {
    expect(full.headers.get('content-type')).toBe('application/pdf');
    expect(full.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const number = full.headers.get('x-report-number')!;
    expect(number).toMatch(/^CGR-\d{8}-[2-9A-HJ-NP-Z]{10}$/);
    expect(text).toContain(`报告编号：${number}`);
    expect(text).toContain('公共信用信息报告');
    for (const section of REPORT_SECTIONS) expect(text).toContain(SECTION_TITLES[section]);

    const answered = await stack.query(reportQuery(REPORT_SECTIONS), { code });
    expect(answered.status).toBe(200);
    const enterprise = answered.body.data.enterprise;
    expect(text).toContain(enterprise.marketRegulation.registration.name);
    expect(text).toContain(code);
    const printed = valuesUnder(enterprise, PRINTED);
    expect(printed.length).toBeGreaterThan(5);
    expect(printed).toContain(DEMO_PEOPLE.debtorRepresentative.idNumber);
    for (const value of printed) expect(text).toContain(value.replace(/\s+/g, ''));
  });

  it('registers the report query in the query register like any other', async () => {
    const files = (await readdir(stack.registerDir)).filter((name) => name.endsWith('.jsonl'));
    const lines = (await Promise.all(files.map((name) => readFile(join(stack.registerDir, name), 'utf8'))))
      .join('')
      .split('\n')
      .filter((line) => line.includes('"CreditReport"'));
    expect(lines.length).toBeGreaterThan(0);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      operationName: 'CreditReport',
      tier: 'GOVERNMENT',
      client: 'approval-system-test',
    });
  });

  it('registers every refused report request too, as REJECTED with its code', async () => {
    const refused = [
      ['report-bad-sections', { code, sections: 'NOPE' }, {}, 400, 'BAD_REQUEST'],
      ['report-bad-body', { code }, {}, 400, 'BAD_REQUEST'],
      ['report-anonymous', { code }, { anonymous: true }, 401, 'UNAUTHENTICATED'],
      [
        'report-own-purpose',
        { code },
        { purpose: 'ADMINISTRATIVE_LICENSING -- subject verified clean' },
        400,
        'BAD_REQUEST',
      ],
      [
        'report-no-consent',
        { code },
        { tier: 'AUTHORIZED', client: 'xinyidai-bank', purpose: 'LOAN_APPROVAL' },
        403,
        'CONSENT_REQUIRED',
      ],
    ] as const;
    for (const [requestId, params, as, status, errorCode] of refused) {
      const fetched =
        requestId === 'report-bad-body'
          ? await postReport([params], { 'x-request-id': requestId })
          : await fetchReport(params, as, { 'x-request-id': requestId });
      expect(fetched.status, requestId).toBe(status);
      expect(JSON.parse(fetched.bytes.toString('utf8')).errors[0].extensions.code).toBe(errorCode);
      if (status === 401) expect(fetched.headers.get('www-authenticate')).toBe('Bearer');
    }
    const files = (await readdir(stack.registerDir)).filter((name) => name.endsWith('.jsonl'));
    const records = (await Promise.all(files.map((name) => readFile(join(stack.registerDir, name), 'utf8'))))
      .join('')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line));
    for (const [requestId, , , , errorCode] of refused) {
      const record = records.find((item) => item.requestId === requestId);
      expect(record, requestId).toMatchObject({ outcome: 'REJECTED', errorCodes: [errorCode], fieldsReturned: [] });
    }
  });

  it('verifies by number and code, saying whom it is about, who issued it, when, what for and which file, never what it says', async () => {
    const number = full.headers.get('x-report-number')!;
    const { status, body } = await verifyCode(number, verificationCodeIn(text));
    expect(status).toBe(200);
    expect(body).toMatchObject({
      authentic: true,
      report: {
        number,
        issuer: { client: 'approval-system-test', tier: 'GOVERNMENT' },
        sections: [...REPORT_SECTIONS],
        from: null,
        to: null,
        special: false,
        format: 'pdf',
        signature: { algorithm: 'Ed25519', valid: true },
      },
    });
    // The particulars to compare with the report in hand: whom it is about and which file it is.
    expect(body.report.subject).toEqual({ code, name: expect.any(String) });
    expect(text).toContain(body.report.subject.name);
    expect(body.report.document).toEqual({
      sha256: sha256(full.bytes),
      fingerprint: sha256(full.bytes)
        .slice(0, 16)
        .toUpperCase()
        .replace(/(.{4})(?=.)/g, '$1 '),
    });
    const answered = JSON.stringify(body);
    for (const value of [
      '重庆',
      DEMO_PEOPLE.debtorRepresentative.name,
      DEMO_PEOPLE.debtorRepresentative.idNumber,
      'tester',
    ])
      expect(answered).not.toContain(value);
    expect(Object.keys(body.report).sort()).toEqual(
      [
        'document',
        'format',
        'from',
        'issuedAt',
        'issuer',
        'number',
        'recordsChangedSince',
        'sections',
        'signature',
        'special',
        'subject',
        'superseded',
        'supersededAt',
        'to',
      ].sort(),
    );

    // A phone that scanned the QR code gets a page, with no more than the JSON says.
    const served = await fetch(
      new URL(`/report/verify?number=${number}&code=${verificationCodeIn(text)}`, stack.gatewayUrl),
      { headers: { accept: 'text/html' } },
    );
    // The page runs nothing and loads nothing, whatever it shows; its one form posts here only.
    expect(served.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(served.headers.get('content-security-policy')).toMatch(/form-action 'self'/);
    expect(served.headers.get('content-security-policy')).not.toMatch(/script-src/);
    const page = await served.text();
    // It says what a number and code prove, and what only the file's upload does.
    expect(page).toContain('编号和验证码有效');
    expect(page).not.toContain('真实有效');
    expect(page).toContain('不证明您手中报告的内容未被改动');
    expect(page).toContain('<form method="post" action="verify" enctype="multipart/form-data">');
    for (const shown of [number, 'approval-system-test', code, body.report.subject.name, sha256(full.bytes)])
      expect(page).toContain(shown);
    for (const value of [DEMO_PEOPLE.debtorRepresentative.name, DEMO_PEOPLE.debtorRepresentative.idNumber])
      expect(page).not.toContain(value);

    const key = (await (await fetch(new URL('/report/public-key', stack.gatewayUrl))).json()) as any;
    expect(key).toMatchObject({ kty: 'OKP', crv: 'Ed25519', kid: body.report.signature.keyId });
    expect(key).not.toHaveProperty('d');

    expect((await verifyCode(number, 'AAAA-AAAA-AAAA')).body).toEqual({ authentic: false, reason: 'NO_SUCH_REPORT' });
    expect((await verifyCode('CGR-20260101-ABCDEFGHJK', verificationCodeIn(text))).body).toEqual({
      authentic: false,
      reason: 'NO_SUCH_REPORT',
    });
  });

  it('verifies the uploaded document itself; one changed byte or a changed number fails', async () => {
    const number = full.headers.get('x-report-number')!;
    const good = await verifyUpload(full.bytes);
    expect(good.body).toMatchObject({ authentic: true, report: { number } });

    const flipped = Buffer.from(full.bytes);
    flipped[Math.floor(flipped.length / 2)]! ^= 0x01;
    expect((await verifyUpload(flipped)).body).toMatchObject({ authentic: false, reason: 'DOCUMENT_NOT_ISSUED' });

    const renumbered = Buffer.from(
      full.bytes.toString('latin1').replaceAll(number, 'CGR-20260101-ABCDEFGHJK'),
      'latin1',
    );
    expect(renumbered.equals(full.bytes)).toBe(false);
    expect((await verifyUpload(renumbered)).body).toMatchObject({
      authentic: false,
      reason: 'DOCUMENT_NOT_ISSUED',
      claimedNumber: 'CGR-20260101-ABCDEFGHJK',
    });
  });

  it('fails verification for any single flipped byte (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: full.bytes.length - 1 }), fc.integer({ min: 1, max: 255 }), async (at, mask) => {
        const changed = Buffer.from(full.bytes);
        changed[at]! ^= mask;
        const { body } = await verifyUpload(changed);
        expect(body.authentic).toBe(false);
        expect(body.report).toBeUndefined();
      }),
      { numRuns: 15 },
    );
  });

  it("says a report is superseded once the same caller's newer one of the same subject and scope is issued", async () => {
    const number = full.headers.get('x-report-number')!;
    const newer = await report({ code });
    const { body } = await verifyCode(number, verificationCodeIn(text));
    expect(body.report.superseded).toBe(true);
    expect(body.report.recordsChangedSince).toBe(false);
    const latest = await verifyUpload(newer.bytes);
    expect(latest.body.report).toMatchObject({ superseded: false, supersededAt: null, recordsChangedSince: null });
  });
});

describe('what a verification proves, and to whom', () => {
  it('fails an upload of a report with a section cut out, and its number and code name the genuine file and subject', async () => {
    const code = demoCode('rep-is-debtor');
    const genuine = await report({ code, format: 'html' });
    const forged = Buffer.from(withoutSection(genuine.bytes.toString('utf8'), 'courts'), 'utf8');
    expect((await verifyUpload(forged, 'text/html')).body).toMatchObject({
      authentic: false,
      reason: 'DOCUMENT_NOT_ISSUED',
      claimedNumber: genuine.headers.get('x-report-number'),
    });
    expect(JSON.parse((await verifyForm([{ name: 'report.html', bytes: forged }])).text)).toMatchObject({
      authentic: false,
      reason: 'DOCUMENT_NOT_ISSUED',
    });
    // The number and code printed on the forged file still verify, but name what it must match.
    const { body } = await verifyCode(
      genuine.headers.get('x-report-number')!,
      genuine.headers.get('x-report-verification-code')!,
    );
    expect(body).toMatchObject({ authentic: true, report: { subject: { code }, format: 'html' } });
    expect(body.report.document.sha256).toBe(sha256(genuine.bytes));
    expect(body.report.document.sha256).not.toBe(sha256(forged));
    expect(body.report.document.fingerprint.replaceAll(' ', '').toLowerCase()).not.toBe(sha256(forged).slice(0, 16));
  });

  it("names subject A for A's number and code, whatever report they are presented with", async () => {
    const a = await report({ code: demoCode('clean-sme'), format: 'html' });
    const b = await report({ code: demoCode('serious-illegal'), format: 'html' });
    const { body } = await verifyCode(a.headers.get('x-report-number')!, a.headers.get('x-report-verification-code')!);
    expect(body.report.subject.code).toBe(demoCode('clean-sme'));
    expect(b.bytes.toString('utf8')).toContain(demoCode('serious-illegal'));
    expect(b.bytes.toString('utf8')).not.toContain(body.report.subject.name);
    expect(body.report.document.sha256).not.toBe(sha256(b.bytes));
  });

  it("is superseded by the same caller's newer report only: a court pulling the subject is not told to anyone", async () => {
    const code = demoCode('wage-arrears');
    const portal = await portalHeaders('citizen-portal-test');
    const own = await fetchReport({ code, format: 'html' }, { tier: 'PUBLIC' }, portal);
    expect(own.status).toBe(200);
    const number = own.headers.get('x-report-number')!;
    const verificationCode = own.headers.get('x-report-verification-code')!;
    const before = (await verifyCode(number, verificationCode)).body;
    expect(before.report).toMatchObject({
      issuer: { client: 'citizen-portal-test', tier: 'PUBLIC' },
      superseded: false,
      supersededAt: null,
    });

    await report(
      { code, format: 'html' },
      { tier: 'JUDICIAL', client: 'court-system-test', purpose: 'ENFORCEMENT_LINKAGE' },
    );
    await report({ code, format: 'html' }, { tier: 'GOVERNMENT', client: 'approval-system-test' });
    await report({ code, format: 'html' }, { tier: 'PUBLIC' });
    expect((await verifyCode(number, verificationCode)).body).toEqual(before);

    const newer = await fetchReport({ code, format: 'html' }, { tier: 'PUBLIC' }, portal);
    expect(newer.status).toBe(200);
    const after = (await verifyCode(number, verificationCode)).body;
    const newest = (await verifyUpload(newer.bytes, 'text/html')).body;
    expect(after.report).toMatchObject({
      superseded: true,
      supersededAt: newest.report.issuedAt,
      recordsChangedSince: false,
    });
  });

  it('never says records changed because another caller, or other consents, saw the subject differently', async () => {
    const code = demoCode('partial-debtor');
    const consent = (grantee: string, groups: string[]) =>
      stack.consent({ subject: code, grantee, purpose: 'LOAN_APPROVAL', groups });
    const bank = (client: string, consents: string[]): As => ({
      tier: 'AUTHORIZED',
      client,
      purpose: 'LOAN_APPROVAL',
      consents,
    });
    const all = await consent('bank-a-test', ['TAX_CREDIT', 'CREDIT_OBJECTION']);
    const first = await report({ code, format: 'html' }, bank('bank-a-test', [all]));
    const verdict = () =>
      verifyCode(first.headers.get('x-report-number')!, first.headers.get('x-report-verification-code')!);

    await report({ code, format: 'html' }, bank('bank-b-test', [await consent('bank-b-test', ['CREDIT_OBJECTION'])]));
    expect((await verdict()).body.report).toMatchObject({ superseded: false, recordsChangedSince: null });

    await report({ code, format: 'html' }, bank('bank-a-test', [await consent('bank-a-test', ['CREDIT_OBJECTION'])]));
    expect((await verdict()).body.report).toMatchObject({ superseded: true, recordsChangedSince: null });

    await report({ code, format: 'html' }, bank('bank-a-test', [all]));
    expect((await verdict()).body.report).toMatchObject({ superseded: true, recordsChangedSince: false });
  });

  it('discloses the signed payload: it verifies offline against /report/public-key, and any change fails', async () => {
    const issued = await report({ code: demoCode('clean-sme') });
    const { body } = await verifyCode(
      issued.headers.get('x-report-number')!,
      issued.headers.get('x-report-verification-code')!,
    );
    const { payload, value } = body.report.signature;
    expect(value).toBe(issued.headers.get('x-report-signature'));
    const jwk = await (await fetch(new URL('/report/public-key', stack.gatewayUrl))).json();
    const key = createPublicKey({ key: jwk as never, format: 'jwk' });
    const signature = Buffer.from(value, 'base64url');
    expect(verify(null, Buffer.from(payload), key, signature)).toBe(true);
    const signed = JSON.parse(payload);
    // The payload is the file's and the report's: the file's SHA-256, its number, its subject.
    expect(signed).toMatchObject({
      number: body.report.number,
      subject: demoCode('clean-sme'),
      documentSha256: sha256(issued.bytes),
      codeSha256: sha256(issued.headers.get('x-report-verification-code')!),
      keyId: jwk.kid,
    });
    // The key set a verifier finds any report's key in holds the current key too.
    const keySet = await (await fetch(new URL('/report/keys', stack.gatewayUrl))).json();
    expect(keySet).toEqual({ keys: [jwk] });
    expect(payload).not.toContain(issued.headers.get('x-report-verification-code'));
    for (const field of Object.keys(signed)) {
      const changed = canonicalJson({
        ...signed,
        [field]: field === 'special' ? !signed.special : `${signed[field]}x`,
      });
      expect(verify(null, Buffer.from(changed), key, signature), field).toBe(false);
    }
  });

  it('verifies a browser form upload of the file itself: one file part, genuine or not', async () => {
    const genuine = await report({ code: demoCode('clean-sme'), format: 'html' });
    const number = genuine.headers.get('x-report-number');
    const folder = await mkdtemp(join(tmpdir(), 'form-upload-'));
    try {
      // As a verifier types it.
      await writeFile(join(folder, 'report.html'), genuine.bytes);
      const { stdout } = await promisify(execFile)(
        'curl',
        ['-sS', '-F', 'file=@report.html', new URL('/report/verify', stack.gatewayUrl).href],
        { cwd: folder },
      );
      expect(JSON.parse(stdout)).toMatchObject({ authentic: true, report: { number } });
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
    const tampered = Buffer.from(
      genuine.bytes.toString('utf8').replace('统一社会信用代码', '统一社会信用代码 '),
      'utf8',
    );
    expect(JSON.parse((await verifyForm([{ name: 'report.html', bytes: tampered }])).text)).toMatchObject({
      authentic: false,
      reason: 'DOCUMENT_NOT_ISSUED',
      claimedNumber: number,
    });

    // A browser gets the verdict as a page.
    const page = await verifyForm([{ name: 'report.html', bytes: genuine.bytes }], { accept: 'text/html' });
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.text).toContain('真实有效，文件与平台出具的原件一致');
    expect(page.text).toContain(number);

    for (const files of [
      [],
      [
        { name: 'a.html', bytes: genuine.bytes },
        { name: 'b.html', bytes: genuine.bytes },
      ],
    ]) {
      const refused = await verifyForm(files);
      expect(refused.status).toBe(400);
      expect(JSON.parse(refused.text).errors[0].extensions).toMatchObject({ code: 'BAD_REQUEST', parameter: 'file' });
    }
    for (const [contentType, body] of [
      ['multipart/form-data', 'no boundary'],
      [
        'multipart/form-data; boundary=cut',
        '--cut\r\ncontent-disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF-',
      ],
    ]) {
      const malformed = await fetch(new URL('/report/verify', stack.gatewayUrl), {
        method: 'POST',
        headers: { 'content-type': contentType! },
        body,
      });
      expect(malformed.status).toBe(400);
      expect(((await malformed.json()) as any).errors[0].extensions.code).toBe('BAD_REQUEST');
    }
  });

  it('answers a form upload whatever parts the parser skips, however large, and holds none of its bytes after', async () => {
    const skipped = Buffer.alloc(64 * 1024, 'x');
    const shapes = [
      'Content-Type: application/pdf\r\n',
      '',
      'Content-Disposition: attachment; filename="report.pdf"\r\n',
      'Content-Disposition: form-data; name="a\rb"; filename="report.pdf"\r\n',
    ];
    for (const [i, headers] of shapes.entries()) {
      const body = Buffer.concat([Buffer.from(`--B\r\n${headers}\r\n`), skipped, Buffer.from('\r\n--B--\r\n')]);
      // Each from an address of its own, so as not to spend the PUBLIC budget other tests verify with.
      const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const target = new URL('/report/verify', stack.gatewayUrl);
        const request = httpRequest(
          {
            host: target.hostname,
            port: target.port,
            path: target.pathname,
            method: 'POST',
            localAddress: `127.0.0.${41 + i}`,
            agent: false,
            headers: { 'content-type': 'multipart/form-data; boundary=B', 'content-length': String(body.length) },
          },
          (response) => {
            let text = '';
            response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
            response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
          },
        );
        request.on('error', reject);
        request.end(body);
      });
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.text).errors).toEqual([
        {
          message: 'A form upload holds exactly one file, the report; this one holds none',
          extensions: { code: 'BAD_REQUEST', parameter: 'file' },
        },
      ]);
    }
    expect((await scrape(stack.metricsUrl)).value('credit_gateway_request_body_bytes_held')).toBe(0);
  });
});

describe('what the caller may read decides what the report holds', () => {
  it('prints no full ID number to a masked tier, only what /graphql answered it', async () => {
    const code = demoCode('rep-is-debtor');
    const consent = await stack.consent({
      subject: code,
      grantee: 'xinyidai-bank',
      purpose: 'LOAN_APPROVAL',
      groups: ['TAX_CREDIT', 'CREDIT_OBJECTION'],
    });
    const as: As = { tier: 'AUTHORIZED', client: 'xinyidai-bank', purpose: 'LOAN_APPROVAL', consents: [consent] };
    const fetched = await report({ code }, as);
    const text = await pdfText(fetched.bytes);
    expect(text).not.toMatch(FULL_ID_NUMBER);
    for (const person of Object.values(DEMO_PEOPLE)) expect(text).not.toContain(person.idNumber);

    const answered = await stack.query(reportQuery(['BASIC', 'COURTS', 'TAX']), { code }, as);
    const masked = valuesUnder(answered.body.data.enterprise, new Set(['idNumber']));
    expect(masked.length).toBeGreaterThan(0);
    for (const id of masked) {
      expect(id).toContain('****');
      expect(text).toContain(id);
    }
    // The tier's withheld sections say so instead of showing anything.
    expect(text).toContain('查询级别无权查看');
  });

  it('refuses an AUTHORIZED caller without the subject consent', async () => {
    const { status, bytes } = await fetchReport(
      { code: demoCode('rep-is-debtor') },
      { tier: 'AUTHORIZED', client: 'xinyidai-bank', purpose: 'LOAN_APPROVAL' },
    );
    expect(status).toBe(403);
    expect(JSON.parse(bytes.toString('utf8')).errors[0].extensions.code).toBe('CONSENT_REQUIRED');
  });

  it('never claims no records for a department it could not read, nor for what the tier may not see', async () => {
    const code = demoCode('rep-is-debtor');
    await stack.setFaults('tax', { errorRate: 1 });
    try {
      const html = await report({ code, format: 'html' });
      expect(html.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
      const sections = sectionsOf(html.bytes.toString('utf8'));
      expect(sections.get('tax')).toContain('未能读取');
      expect(sections.get('tax')).not.toContain('无记录');
      expect(sections.get('tax')).toContain('不能据此认定主体无此类记录');
    } finally {
      await stack.clearFaults();
    }
    const fetched = await report({ code, format: 'pdf' }, { tier: 'PUBLIC' });
    const printed = await pdfText(fetched.bytes);
    const commitments = printed.slice(
      printed.indexOf(SECTION_TITLES.COMMITMENTS),
      printed.indexOf(SECTION_TITLES.EVALUATION),
    );
    expect(commitments).toContain('不予显示');
    expect(commitments).not.toContain('无记录');
  });

  it('says on the page that a decision was made on incomplete inputs', async () => {
    await stack.setFaults('tax', { errorRate: 1 });
    try {
      const fetched = await report({ code: demoCode('clean-sme'), format: 'html' });
      const html = fetched.bytes.toString('utf8');
      expect(html).toContain('基于不完整的数据作出');
      expect(html).toContain('税务');
    } finally {
      await stack.clearFaults();
    }
  });
});

describe('专项信用报告: chosen sections and period', () => {
  it('holds only its sections and the records of its period', async () => {
    // A demo subject whose court or penalty records began on two days at least, so that a period
    // ending before the later one leaves some out.
    const keys = ['partial-debtor', 'rep-is-debtor', 'major-tax-violator', 'serious-illegal', 'wage-arrears'] as const;
    let chosen: { code: string; records: { id: string; on: string }[] } | undefined;
    for (const key of keys) {
      const code = demoCode(key);
      const answered = await stack.query(reportQuery(['COURTS', 'PENALTIES']), { code });
      const { courts, marketRegulation } = answered.body.data.enterprise;
      const records = [
        // A debtor record begins when its case is filed or published, whichever is first.
        ...courts.dishonestDebtorRecords.map((r: any) => ({
          id: r.caseNumber,
          on: [r.filedOn, r.publishedOn].sort()[0],
        })),
        ...courts.consumptionRestrictions.map((r: any) => ({ id: r.caseNumber, on: r.issuedOn })),
        ...marketRegulation.penalties.map((r: any) => ({ id: r.decisionNumber, on: r.decidedOn })),
      ];
      if (new Set(records.map((r) => r.on)).size >= 2) {
        chosen = { code, records };
        break;
      }
    }
    expect(chosen).toBeDefined();
    const days = [...new Set(chosen!.records.map((r) => r.on))].sort();
    const to = days.at(-2)!;
    const inside = chosen!.records.filter((r) => r.on <= to).map((r) => r.id);
    // A case number may stand on both a debtor record and a restriction order of different days.
    const outside = chosen!.records.filter((r) => r.on > to && !inside.includes(r.id)).map((r) => r.id);
    expect(outside.length).toBeGreaterThan(0);

    const fetched = await report({ code: chosen!.code, sections: 'COURTS,PENALTIES', from: '2000-01-01', to });
    const text = await pdfText(fetched.bytes);
    expect(text).toContain('专项信用报告');
    expect(text).toContain(SECTION_TITLES.COURTS);
    expect(text).toContain(SECTION_TITLES.PENALTIES);
    for (const other of REPORT_SECTIONS.filter((s) => s !== 'COURTS' && s !== 'PENALTIES'))
      expect(text).not.toContain(SECTION_TITLES[other]);
    for (const id of inside) expect(text).toContain(id.replace(/\s+/g, ''));
    for (const id of outside) expect(text).not.toContain(id.replace(/\s+/g, ''));
    // The period, not the subject's record, left them out, and the report says so.
    expect(text).toMatch(/报告期间以外的|本节记录均不在报告期间内/);

    const { body } = await verifyUpload(fetched.bytes);
    expect(body.report).toMatchObject({ sections: ['PENALTIES', 'COURTS'], from: '2000-01-01', to, special: true });
  });

  it('holds the list memberships and court records in force during its period, however long ago they began', async () => {
    const code = demoCode('partial-debtor');
    const answered = await stack.query(reportQuery(['COURTS', 'LISTS']), { code });
    expect(answered.status).toBe(200);
    const { creditLists, courts, procurement } = answered.body.data.enterprise;
    // All of these began before 2026 and still hold.
    const black = creditLists.filter((item: any) => item.list === 'BLACK');
    expect(black.length).toBeGreaterThanOrEqual(3);
    for (const item of black) expect(item.since < '2026-01-01').toBe(true);
    const listed = courts.dishonestDebtorRecords.filter((item: any) => item.status === 'LISTED');
    const restricted = courts.consumptionRestrictions.filter((item: any) => item.status === 'ACTIVE');
    const banned = procurement.seriousDishonestyRecords.filter((item: any) => item.active);
    expect([listed.length, restricted.length, banned.length]).toEqual([1, 1, 1]);

    const fetched = await report({
      code,
      format: 'html',
      sections: 'COURTS,LISTS,EVALUATION',
      from: '2026-01-01',
      to: '2026-12-31',
    });
    const sections = sectionsOf(fetched.bytes.toString('utf8'));
    const lists = sections.get('lists')!;
    const judged = sections.get('courts')!;
    expect(lists).not.toContain('无记录');
    expect(judged).not.toContain('无记录');
    for (const item of black) expect(lists).toContain(escapeHtml(item.name));
    expect(lists).toContain(escapeHtml(banned[0].circumstance));
    expect(judged).toContain(escapeHtml(listed[0].caseNumber));
    expect(judged).toContain(escapeHtml(restricted[0].caseNumber));
    // The evaluation cites the debtor record the court section now shows.
    expect(sections.get('evaluation')).toContain(listed[0].provenance.recordId);
  });
});

describe("the legal representative's own records (落实到人)", () => {
  it('are on the court section for the tiers that may read them, and said withheld to the others', async () => {
    const code = demoCode('rep-is-debtor');
    const answered = await stack.query(
      `query { enterprise(code: "${code}") { legalRepresentativeDebtorRecords { id } } }`,
    );
    const ids = answered.body.data.enterprise.legalRepresentativeDebtorRecords.map((item: any) => item.id as string);
    expect(ids.length).toBeGreaterThan(0);
    const government = sectionsOf((await report({ code, format: 'html' })).bytes.toString('utf8')).get('courts')!;
    for (const id of ids) expect(government).toContain(`法定代表人失信被执行人记录（落实到人）${escapeHtml(id)}`);
    const unseen = sectionsOf(
      (await report({ code, format: 'html' }, { tier: 'PUBLIC', purpose: null })).bytes.toString('utf8'),
    ).get('courts')!;
    expect(unseen).not.toContain('落实到人');
    expect(unseen).toContain('查询级别无权查看，不予显示：legalRepresentativeDebtorRecords');
  });
});

describe('bad requests answer coded errors', () => {
  async function error(params: Record<string, string>, as: As = {}, headers: Record<string, string> = {}) {
    const { status, bytes } = await fetchReport(params, as, headers);
    return { status, code: JSON.parse(bytes.toString('utf8')).errors[0].extensions.code as string };
  }

  it('refuses a bad code, no token, bad sections, bad dates and a bad format', async () => {
    expect(await error({ code: '91350100M000100Y4Z' })).toEqual({ status: 400, code: 'INVALID_CREDIT_CODE' });
    expect(await error({ code: 'not-a-code' })).toEqual({ status: 400, code: 'INVALID_CREDIT_CODE' });
    expect(await error({})).toEqual({ status: 400, code: 'BAD_REQUEST' });
    expect(await error({ code: demoCode('clean-sme') }, { anonymous: true })).toEqual({
      status: 401,
      code: 'UNAUTHENTICATED',
    });
    expect(await error({ code: demoCode('clean-sme') }, { anonymous: true }, { authorization: 'Bearer nope' })).toEqual(
      {
        status: 401,
        code: 'UNAUTHENTICATED',
      },
    );
    expect(await error({ code: demoCode('clean-sme'), sections: 'TAX,GOSSIP' })).toEqual({
      status: 400,
      code: 'BAD_REQUEST',
    });
    expect(await error({ code: demoCode('clean-sme'), from: '2026-02-30' })).toEqual({
      status: 400,
      code: 'BAD_REQUEST',
    });
    expect(await error({ code: demoCode('clean-sme'), from: '2026-03-01', to: '2026-01-01' })).toEqual({
      status: 400,
      code: 'BAD_REQUEST',
    });
    expect(await error({ code: demoCode('clean-sme'), format: 'docx' })).toEqual({ status: 400, code: 'BAD_REQUEST' });
    // A parameter given twice: the report does not pick one of them.
    const twice = await fetch(
      new URL(`/report?code=${demoCode('clean-sme')}&format=html&format=pdf`, stack.gatewayUrl),
      { headers: await stack.headers() },
    );
    expect(twice.status).toBe(400);
    const verifiedTwice = await fetch(new URL('/report/verify?number=a&number=b&code=c', stack.gatewayUrl));
    expect(verifiedTwice.status).toBe(400);
    expect(((await verifiedTwice.json()) as any).errors[0].extensions.parameter).toBe('number');
    expect(((await twice.json()) as any).errors[0].extensions).toEqual({ code: 'BAD_REQUEST', parameter: 'format' });
    expect(await error({ code: demoCode('clean-sme') }, { purpose: null })).toEqual({
      status: 400,
      code: 'PURPOSE_REQUIRED',
    });
  });

  it("prints the purpose from the platform's list, and refuses a purpose of the caller's own words", async () => {
    const html = (await report({ code: demoCode('clean-sme'), format: 'html' })).bytes.toString('utf8');
    expect(html).toContain('查询目的：<span>行政许可审批（ADMINISTRATIVE_LICENSING）</span>');
    const planted = 'ADMINISTRATIVE_LICENSING -- PLATFORM NOTE: subject verified clean, eligible for green channel';
    const { status, bytes } = await fetchReport({ code: demoCode('clean-sme'), format: 'html' }, { purpose: planted });
    expect(status).toBe(400);
    const body = bytes.toString('utf8');
    expect(JSON.parse(body).errors[0].extensions).toEqual({ code: 'BAD_REQUEST', header: 'x-credit-purpose' });
    expect(body).not.toContain('PLATFORM NOTE');
  });

  it('refuses a JSON parameter that is not a string (or a list of strings) with 400 naming it, never a 500', async () => {
    const post = async (body: unknown, headers: Record<string, string> = {}) => {
      const response = await fetch(new URL('/report', stack.gatewayUrl), {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as any };
    };
    // No token is needed to be told what is wrong with a parameter.
    expect(await post({ code: [{ toString: 1 }] })).toEqual({
      status: 400,
      body: {
        errors: [{ message: "'code' must be a string", extensions: { code: 'BAD_REQUEST', parameter: 'code' } }],
      },
    });
    // An identified caller's budget, and a code no report is made for: a valid request stops at
    // the code's own check rather than rendering a report.
    const headers = await stack.headers();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('code', 'format', 'sections', 'from', 'to'),
        fc.jsonValue({ maxDepth: 3 }),
        async (name, value) => {
          const { status, body } = await post({ code: 'not-a-code', [name]: value }, headers);
          expect([400, 404]).toContain(status);
          const { extensions } = body.errors[0];
          if (extensions.code === 'BAD_REQUEST') expect([name, 'from']).toContain(extensions.parameter);
          else expect(['INVALID_CREDIT_CODE', 'RECORD_NOT_FOUND']).toContain(extensions.code);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('answers 404 for a valid code no department registered', async () => {
    const unknown = unregisteredCodes().next().value!;
    expect(await error({ code: unknown })).toEqual({ status: 404, code: 'RECORD_NOT_FOUND' });
  });

  it('refuses a verify request without number and code, or an empty upload', async () => {
    const response = await fetch(new URL('/report/verify?number=CGR-20260101-ABCDEFGHJK', stack.gatewayUrl));
    expect(response.status).toBe(400);
    expect(((await response.json()) as any).errors[0].extensions.code).toBe('BAD_REQUEST');
    const empty = await verifyUpload(Buffer.alloc(0));
    expect(empty.status).toBe(400);
    for (const path of ['/report', '/report/verify']) {
      const wrong = await fetch(new URL(path, stack.gatewayUrl), { method: 'DELETE' });
      expect(wrong.status).toBe(405);
      expect(wrong.headers.get('allow')).toBe('GET, POST');
      expect(((await wrong.json()) as any).errors[0].extensions.code).toBe('BAD_REQUEST');
    }
    const huge = await verifyUpload(Buffer.alloc(17 * 1024 * 1024, 1));
    expect(huge.status).toBe(413);
    expect(huge.body.errors[0].extensions.code).toBe('BAD_REQUEST');
    // A client still sending when it is refused reads the refusal rather than meeting a reset.
    for (const size of [5, 17]) expect(await uploadStatus(Buffer.alloc(size * 1024 * 1024, 7))).toBe(413);
    // And it may finish sending after it has read it: the rest is dropped, the connection not cut.
    expect(await sendAfterRefusal(5 * 1024 * 1024)).toEqual({ status: '413', sent: true });
  });
});

/** Announces `size` bytes, sends the first 64 kB, reads the answer, then sends the rest. */
function sendAfterRefusal(size: number): Promise<{ status: string; sent: boolean }> {
  const target = new URL(stack.gatewayUrl);
  const socket = connect(Number(target.port), target.hostname);
  const chunk = Buffer.alloc(64 * 1024, 7);
  let received = '';
  return new Promise((resolve) => {
    let status = '';
    socket.on('error', () => resolve({ status, sent: false }));
    socket.once('connect', () => {
      socket.write(
        `POST /report/verify HTTP/1.1\r\nhost: ${target.host}\r\ncontent-type: application/pdf\r\n` +
          `content-length: ${size}\r\n\r\n`,
      );
      socket.write(chunk);
    });
    socket.on('data', (data: Buffer) => {
      if (status !== '') return;
      received += data.toString('latin1');
      if (!received.includes('\r\n\r\n')) return;
      status = received.split(' ')[1] ?? '';
      // The answer is in: now the rest of the announced body, a chunk at a time.
      let left = size - chunk.length;
      const more = () => {
        while (left > 0) {
          const piece = chunk.subarray(0, Math.min(chunk.length, left));
          left -= piece.length;
          if (!socket.write(piece)) return void socket.once('drain', more);
        }
        // Everything was taken; a cut connection would have failed a write by now.
        setTimeout(() => {
          resolve({ status, sent: !socket.destroyed });
          socket.destroy();
        }, 200);
      };
      more();
    });
  });
}

/** The status node:http reads for an upload sent whole to /report/verify; rejects on a reset. */
function uploadStatus(body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const upload = httpRequest(
      new URL('/report/verify', stack.gatewayUrl),
      { method: 'POST', agent: false, headers: { 'content-type': 'application/pdf', 'content-length': body.length } },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    upload.on('error', reject);
    upload.end(body);
  });
}

/** Sends a POST's headers, then its body a byte every 200 ms; resolves with the raw answer once the gateway closes. */
function trickleTo(path: string, type: string): Promise<string> {
  const target = new URL(stack.gatewayUrl);
  const socket = connect(Number(target.port), target.hostname);
  const body = 'x'.repeat(4_000);
  let sent = 0;
  let received = '';
  let timer: NodeJS.Timeout | undefined;
  socket.once('connect', () => {
    socket.write(
      `POST ${path} HTTP/1.1\r\nhost: ${target.host}\r\ncontent-type: ${type}\r\n` +
        `authorization: Bearer none\r\ncontent-length: ${body.length}\r\n\r\n`,
    );
    timer = setInterval(() => {
      if (socket.writable && sent < body.length) socket.write(body[sent++]!);
    }, 200);
  });
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
  socket.on('error', () => undefined);
  return new Promise((resolve) =>
    socket.once('close', () => {
      clearInterval(timer);
      resolve(received);
    }),
  );
}

describe('slow clients', () => {
  it('answers a document or a report request trickled in with a coded 408 and closes the connection', async () => {
    for (const [path, type] of [
      ['/report/verify', 'application/pdf'],
      ['/report', 'application/json'],
    ] as const) {
      const raw = await trickleTo(path, type);
      const [head = '', body = ''] = raw.split('\r\n\r\n');
      expect(head.split(' ')[1], path).toBe('408');
      expect(head.toLowerCase()).toContain('connection: close');
      expect(JSON.parse(body).errors[0].extensions.code).toBe('REQUEST_TIMEOUT');
    }
  });
});

describe('verification is public, and bounded', () => {
  /**
   * Opens an upload of `length` bytes from the loopback address `from` and sends only its first
   * `sent`: the gateway is reading it.
   */
  function openUpload(document: Buffer, sent: number, from: string) {
    const target = new URL(stack.gatewayUrl);
    const socket = connect({ port: Number(target.port), host: target.hostname, localAddress: from });
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
    socket.on('error', () => undefined);
    const closed = new Promise<string>((resolve) => socket.once('close', () => resolve(received)));
    const opened = new Promise<void>((resolve) =>
      socket.once('connect', () => {
        socket.write(
          `POST /report/verify HTTP/1.1\r\nhost: ${target.host}\r\ncontent-type: application/pdf\r\n` +
            `content-length: ${document.length}\r\nconnection: close\r\n\r\n`,
        );
        socket.write(document.subarray(0, sent), () => resolve());
      }),
    );
    return { opened, finish: () => socket.write(document.subarray(sent)), closed };
  }

  it('reads a few documents at once and refuses one more at once with 429, then verifies the rest', async () => {
    const issued = await report({ code: demoCode('clean-sme') });
    // From four addresses: one address uploads one document at a time (REPORT_MAX_UPLOADS_PER_ADDRESS).
    const uploads = Array.from({ length: 4 }, (_, i) => openUpload(issued.bytes, 1_000, `127.0.0.${11 + i}`));
    await Promise.all(uploads.map((upload) => upload.opened));
    // The gateway has the four open (each sent a part); a fifth is answered without being read.
    let refused: Awaited<ReturnType<typeof verifyUpload>> | undefined;
    for (let attempt = 0; attempt < 50 && refused === undefined; attempt++) {
      const answer = await verifyUpload(issued.bytes);
      if (answer.status === 429) refused = answer;
      else await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(refused?.body.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', scope: 'uploads', limit: 4 });
    for (const upload of uploads) upload.finish();
    for (const raw of await Promise.all(uploads.map((upload) => upload.closed))) {
      const [head = '', body = ''] = raw.split('\r\n\r\n');
      expect(head.split(' ')[1], raw.slice(0, 300)).toBe('200');
      expect(JSON.parse(body)).toMatchObject({ authentic: true });
    }
  });

  it("spends the asking address's PUBLIC budget: past it, 429 with Retry-After", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'report-verify-budget-'));
    const gateway = await startChildGateway(stack, dir, { RATE_LIMITS: 'PUBLIC=3/1m' });
    try {
      const url = new URL('/report/verify', gateway.url);
      url.searchParams.set('number', 'CGR-20260101-AAAAAAAAAA');
      url.searchParams.set('code', 'AAAA-AAAA-AAAA');
      const statuses: number[] = [];
      let last: Response | undefined;
      for (let i = 0; i < 4; i++) {
        last = await fetch(url);
        statuses.push(last.status);
        if (i < 3) await last.arrayBuffer();
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
      expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await last!.json()) as any).errors[0].extensions.code).toBe('RATE_LIMITED');
    } finally {
      await gateway.kill('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('the issued-report register on PostgreSQL, beside the query register', () => {
  it('keeps the signed record in its table, and verifies from there', async () => {
    const { loadConfig, startGateway } = await import('../src/server.js');
    const { envName, silentLogger } = await import('@credit-gateway/common');
    const { testSchema } = await import('../../common/test/support/postgres.js');
    const schema = await testSchema('report_test');
    // On PostgreSQL: neither the register's nor the reports' directory.
    const env = Object.fromEntries(
      Object.entries(stack.gatewayEnv).filter(([name]) => name !== 'REGISTER_DIR' && name !== 'REPORT_DIR'),
    );
    const gateway = await startGateway(
      loadConfig({
        PORT: '0',
        ...env,
        REGISTER_DATABASE_URL: schema.url,
        REPORT_DIR: join(stack.registerDir, 'unused-reports'),
        ...Object.fromEntries(
          Object.entries(stack.subgraphUrls).map(([name, url]) => [`SUBGRAPH_${envName(name)}_URL`, url]),
        ),
      }),
      silentLogger(),
    );
    try {
      const url = new URL('/report', gateway.url);
      url.searchParams.set('code', demoCode('partial-debtor'));
      url.searchParams.set('format', 'html');
      const response = await fetch(url, { headers: await stack.headers() });
      expect(response.status).toBe(200);
      const bytes = Buffer.from(await response.arrayBuffer());
      const number = response.headers.get('x-report-number')!;
      const code = response.headers.get('x-report-verification-code')!;
      expect(bytes.toString('utf8')).toContain(code);

      const { rows } = await schema.admin.query('SELECT number, record FROM issued_reports');
      expect(rows).toHaveLength(1);
      expect(rows[0].number).toBe(number);
      expect(JSON.stringify(rows[0].record)).not.toContain(code);
      await expect(schema.admin.query('DELETE FROM issued_reports')).rejects.toThrow(/append-only/);

      const verify = async (init?: RequestInit, query = '') =>
        (await (await fetch(new URL(`/report/verify${query}`, gateway.url), init)).json()) as any;
      expect(await verify(undefined, `?number=${number}&code=${code}`)).toMatchObject({
        authentic: true,
        report: { number, format: 'html' },
      });
      expect(await verify({ method: 'POST', headers: { 'content-type': 'text/html' }, body: bytes })).toMatchObject({
        authentic: true,
      });
      const changed = Buffer.from(bytes.toString('utf8').replace('无记录', '有记录'), 'utf8');
      expect(changed.equals(bytes)).toBe(false);
      expect(await verify({ method: 'POST', headers: { 'content-type': 'text/html' }, body: changed })).toEqual({
        authentic: false,
        reason: 'DOCUMENT_NOT_ISSUED',
        claimedNumber: number,
      });
      // The other gateway, on files, knows nothing of it.
      expect((await verifyCode(number, code)).body).toEqual({ authentic: false, reason: 'NO_SUCH_REPORT' });

      // A register that cannot be read says so, rather than failing unexpectedly.
      await schema.admin.query('ALTER TABLE issued_reports RENAME TO issued_reports_away');
      for (const init of [undefined, { method: 'POST', headers: { 'content-type': 'text/html' }, body: bytes }]) {
        const answer = await fetch(new URL(`/report/verify?number=${number}&code=${code}`, gateway.url), init);
        expect(answer.status).toBe(503);
        expect(((await answer.json()) as any).errors[0].extensions.code).toBe('REGISTER_UNAVAILABLE');
      }
    } finally {
      await gateway.close();
      await schema.drop();
    }
  });
});

describe('a gateway that answers only its safelist', () => {
  it('still issues reports: their query is its own, not a client operation', async () => {
    const { writeFile } = await import('node:fs/promises');
    const { loadConfig, startGateway } = await import('../src/server.js');
    const { envName, silentLogger } = await import('@credit-gateway/common');
    const safelist = join(stack.registerDir, '..', 'safelist.json');
    await writeFile(safelist, JSON.stringify({}));
    const gateway = await startGateway(
      loadConfig({
        PORT: '0',
        ...stack.gatewayEnv,
        REGISTER_DIR: join(stack.registerDir, '..', 'register-safelist'),
        REPORT_DIR: join(stack.registerDir, '..', 'reports-safelist'),
        SAFELIST_FILE: safelist,
        SAFELIST_ONLY: 'true',
        ...Object.fromEntries(
          Object.entries(stack.subgraphUrls).map(([name, url]) => [`SUBGRAPH_${envName(name)}_URL`, url]),
        ),
      }),
      silentLogger(),
    );
    try {
      const headers = await stack.headers();
      const graphql = await fetch(new URL('/graphql', gateway.url), {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ query: reportQuery(['BASIC']), variables: { code: demoCode('clean-sme') } }),
      });
      expect(((await graphql.json()) as any).errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_IN_SAFELIST');
      const url = new URL('/report', gateway.url);
      url.searchParams.set('code', demoCode('clean-sme'));
      url.searchParams.set('sections', 'BASIC');
      const response = await fetch(url, { headers });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/pdf');
    } finally {
      await gateway.close();
    }
  });
});
