import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import fc from 'fast-check';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PEOPLE, demoCode, unregisteredCodes } from '@credit-gateway/sources';
import { REPORT_SECTIONS, reportQuery, SECTION_TITLES } from '../src/report/sections.js';
import { startChildGateway } from './fuzz/child-gateway.js';
import { startStack, type As, type Stack } from './support/stack.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ populationSize: 200 });
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

function verificationCodeIn(text: string): string {
  const match = /验证码：([2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4})/.exec(text);
  if (!match) throw new Error('no verification code in the report');
  return match[1]!;
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

  it('verifies by number and code, saying who issued it, when and what for, never what it says', async () => {
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
    const answered = JSON.stringify(body);
    expect(answered).not.toContain(code);
    for (const value of [
      '重庆',
      DEMO_PEOPLE.debtorRepresentative.name,
      DEMO_PEOPLE.debtorRepresentative.idNumber,
      'tester',
    ])
      expect(answered).not.toContain(value);
    expect(Object.keys(body.report).sort()).toEqual(
      [
        'format',
        'from',
        'issuedAt',
        'issuer',
        'number',
        'recordsChangedSince',
        'sections',
        'signature',
        'special',
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
    // The page runs nothing and loads nothing, whatever it shows.
    expect(served.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(served.headers.get('content-security-policy')).not.toMatch(/script-src/);
    const page = await served.text();
    expect(page).toContain('真实有效');
    expect(page).toContain(number);
    expect(page).toContain('approval-system-test');
    expect(page).not.toContain(code);

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

  it('says a report is superseded once a newer one of the same subject and scope is issued', async () => {
    const number = full.headers.get('x-report-number')!;
    const newer = await report({ code });
    const { body } = await verifyCode(number, verificationCodeIn(text));
    expect(body.report.superseded).toBe(true);
    expect(body.report.recordsChangedSince).toBe(false);
    const latest = await verifyUpload(newer.bytes);
    expect(latest.body.report).toMatchObject({ superseded: false, supersededAt: null, recordsChangedSince: null });
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
    /** Each section's text, by its id, from the HTML page. */
    const sectionsOf = (html: string) =>
      new Map(
        [...html.matchAll(/<section id="([a-z]+)">([\s\S]*?)<\/section>/g)].map((match) => [match[1]!, match[2]!]),
      );
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
    // A demo subject whose court or penalty records fall on two days at least, so that a period
    // can leave some out.
    const keys = ['partial-debtor', 'rep-is-debtor', 'major-tax-violator', 'serious-illegal', 'wage-arrears'] as const;
    let chosen: { code: string; records: { id: string; on: string }[] } | undefined;
    for (const key of keys) {
      const code = demoCode(key);
      const answered = await stack.query(reportQuery(['COURTS', 'PENALTIES']), { code });
      const { courts, marketRegulation } = answered.body.data.enterprise;
      const records = [
        ...courts.dishonestDebtorRecords.map((r: any) => ({ id: r.caseNumber, on: r.filedOn })),
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
    const from = days.at(-1)!;
    const inside = chosen!.records.filter((r) => r.on >= from).map((r) => r.id);
    // A case number may stand on both a debtor record and a restriction order of different days.
    const outside = chosen!.records.filter((r) => r.on < from && !inside.includes(r.id)).map((r) => r.id);
    expect(outside.length).toBeGreaterThan(0);

    const fetched = await report({ code: chosen!.code, sections: 'COURTS,PENALTIES', from, to: '2099-12-31' });
    const text = await pdfText(fetched.bytes);
    expect(text).toContain('专项信用报告');
    expect(text).toContain(SECTION_TITLES.COURTS);
    expect(text).toContain(SECTION_TITLES.PENALTIES);
    for (const other of REPORT_SECTIONS.filter((s) => s !== 'COURTS' && s !== 'PENALTIES'))
      expect(text).not.toContain(SECTION_TITLES[other]);
    for (const id of inside) expect(text).toContain(id.replace(/\s+/g, ''));
    for (const id of outside) expect(text).not.toContain(id.replace(/\s+/g, ''));

    const { body } = await verifyUpload(fetched.bytes);
    expect(body.report).toMatchObject({ sections: ['PENALTIES', 'COURTS'], from, to: '2099-12-31', special: true });
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
