import { readdir, readFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { population } from '@credit-gateway/sources';
import { scrape } from '../support/metrics.js';
import { startStack, type Stack } from '../support/stack.js';

/**
 * Request bodies held open by clients that announce a body and stall: the gateway holds at most
 * BODY_BUDGET_BYTES of them, one address at most BODY_BUDGET_PER_ADDRESS_BYTES, refuses the rest
 * at once, and serves everyone else. Clients are told apart by their source address on the
 * loopback network (127.0.0.2, 127.0.0.3, …), which the gateway sees as their address.
 */
const SHARE = 131_072;
const BUDGET = 2 * SHARE;
/** Each holder announces a body this long: two fill an address's share, four the budget. */
const DECLARED = 65_536;
/** What a holder sends of it before it stalls, and so what it holds: all but its last byte. */
const HELD = DECLARED - 1;

const REGISTRATION =
  'query Registration($code: CreditCode!) { enterprise(code: $code) { code marketRegulation { registration { name } } } }';

let stack: Stack;
let port: number;
const codes = [...population(100)].slice(0, 12);

beforeAll(async () => {
  stack = await startStack({
    populationSize: 100,
    gatewayEnv: {
      BODY_LIMIT_BYTES: String(DECLARED),
      REPORT_UPLOAD_LIMIT_BYTES: String(DECLARED),
      BODY_BUDGET_BYTES: String(BUDGET),
      BODY_BUDGET_PER_ADDRESS_BYTES: String(SHARE),
      MAX_CONNECTIONS_PER_ADDRESS: '40',
      // Holders stay until the test lets them go, however slowly they send.
      BODY_TIMEOUT_MS: '120000',
      BODY_MIN_BYTES_PER_SECOND: '0',
    },
  });
  port = Number(new URL(stack.gatewayUrl).port);
});

afterAll(async () => {
  await stack?.close();
});

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: any;
}

/** A complete HTTP/1.1 response in `raw`, or undefined while it is still arriving. */
function parseReply(raw: string): Reply | undefined {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine = '', ...lines] = raw.slice(0, end).split('\r\n');
  const headers = Object.fromEntries(
    lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
  );
  const body = raw.slice(end + 4);
  if (Buffer.byteLength(body) < Number(headers['content-length'] ?? 0)) return undefined;
  return { status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(body) as unknown };
}

/** A client that announces a body of `declared` bytes, sends the first `sent` of it, and stalls. */
interface Holder {
  /** The gateway's answer, once one came. */
  reply(): Reply | undefined;
  /** Sends the rest of the body; resolves with the answer. */
  finish(): Promise<Reply>;
  closed: Promise<void>;
  socket: Socket;
}

function hold(options: {
  from: string;
  path: string;
  body: string;
  sent: number;
  headers: Record<string, string>;
}): Holder {
  const { from, path, body, sent, headers } = options;
  const socket = connect({ port, host: '127.0.0.1', localAddress: from });
  let raw = '';
  let answered: (reply: Reply) => void = () => {};
  const answer = new Promise<Reply>((resolve) => (answered = resolve));
  socket.on('data', (chunk: Buffer) => {
    raw += chunk.toString('utf8');
    const reply = parseReply(raw);
    if (reply) answered(reply);
  });
  socket.on('error', () => undefined);
  socket.once('connect', () => {
    const head = Object.entries({ host: '127.0.0.1', 'content-length': String(Buffer.byteLength(body)), ...headers })
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    socket.write(`POST ${path} HTTP/1.1\r\n${head}\r\n`);
    socket.write(body.slice(0, sent));
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return {
    reply: () => parseReply(raw),
    finish: () => {
      socket.write(body.slice(sent));
      return answer;
    },
    closed,
    socket,
  };
}

/** A request from `from`, answered whole. */
function send(
  from: string,
  path: string,
  options: { method?: string; body?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'POST',
        localAddress: from,
        agent: false,
        headers: options.headers ?? {},
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers as Record<string, string>,
            body: response.headers['content-type']?.includes('json') ? (JSON.parse(text) as unknown) : text,
          });
        });
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

async function registerRecords(): Promise<{ requestId: string; outcome: string; errorCodes: string[] }[]> {
  const records = [];
  for (const name of (await readdir(stack.registerDir)).filter((file) => file.endsWith('.jsonl'))) {
    for (const line of (await readFile(join(stack.registerDir, name), 'utf8')).split('\n')) {
      if (line !== '') records.push(JSON.parse(line) as { requestId: string; outcome: string; errorCodes: string[] });
    }
  }
  return records;
}

async function heldBytes(): Promise<number> {
  return (await scrape(stack.metricsUrl)).value('credit_gateway_request_body_bytes_held');
}

async function refusals(scope: string): Promise<number> {
  return (await scrape(stack.metricsUrl)).value('credit_gateway_request_body_refusals_total', { scope });
}

/** A registration query as a JSON body of exactly `bytes` bytes: JSON allows the trailing spaces. */
function registrationBody(code: string, bytes = DECLARED): string {
  return JSON.stringify({ query: REGISTRATION, variables: { code } }).padEnd(bytes, ' ');
}

async function query(from: string, code: string): Promise<Reply> {
  return send(from, '/graphql', {
    body: registrationBody(code, 200),
    headers: { 'content-type': 'application/json', ...(await stack.headers()) },
  });
}

/**
 * Opens a holder that sends all but the last byte of its body, and waits until the gateway has
 * either answered it (refused) or holds what it sent (accepted), as its own accounting shows.
 */
async function holdOne(from: string, code: string, requestId: string) {
  const before = await heldBytes();
  const holder = hold({
    from,
    path: '/graphql',
    body: registrationBody(code),
    sent: HELD,
    headers: { 'content-type': 'application/json', 'x-request-id': requestId, ...(await stack.headers()) },
  });
  const accepted = await vi.waitFor(
    async () => {
      if (holder.reply()) return false;
      if ((await heldBytes()) === before + HELD) return true;
      throw new Error('neither answered nor reserved yet');
    },
    { timeout: 10_000, interval: 20 },
  );
  return { holder, accepted };
}

describe('the body budget', { timeout: 120_000 }, () => {
  const holders: Holder[] = [];
  afterAll(() => {
    for (const holder of holders) holder.socket.destroy();
  });

  it('lets one address hold no more than its share of stalled bodies, and refuses the rest at once', async () => {
    const outcomes = [];
    for (let i = 0; i < 12; i++) {
      const { holder, accepted } = await holdOne('127.0.0.2', codes[i]!, `holder-2-${i}`);
      holders.push(holder);
      outcomes.push(accepted);
    }
    expect(outcomes.filter(Boolean)).toHaveLength(SHARE / DECLARED);
    expect(await heldBytes()).toBe((SHARE / DECLARED) * HELD);
    expect(await refusals('address-body-bytes')).toBe(12 - SHARE / DECLARED);
    const refused = holders.flatMap((holder) => holder.reply() ?? []);
    for (const reply of refused) {
      expect(reply.status).toBe(429);
      expect(reply.headers['retry-after']).toBe('1');
    }
    expect(refused[0]?.body).toMatchInlineSnapshot(`
      {
        "errors": [
          {
            "extensions": {
              "code": "RATE_LIMITED",
              "limit": 131072,
              "retryAfterSeconds": 1,
              "scope": "address-body-bytes",
            },
            "message": "Requests from this address are already sending 131072 bytes of bodies; retry shortly",
          },
        ],
      }
    `);
  });

  it("answers another address's requests while one address holds its share", async () => {
    const answers = await Promise.all(codes.slice(0, 6).map((code) => query('127.0.0.3', code)));
    answers.forEach((answer, i) => {
      expect(answer.status).toBe(200);
      expect(answer.body.errors).toBeUndefined();
      expect(answer.body.data.enterprise.code).toBe(codes[i]);
    });
  });

  it('refuses every further body at once once the process holds its budget, on /graphql and /report alike', async () => {
    for (let i = 0; i < 2; i++) {
      const { holder, accepted } = await holdOne('127.0.0.3', codes[i]!, `holder-3-${i}`);
      holders.push(holder);
      expect(accepted).toBe(true);
    }
    expect(await heldBytes()).toBe((BUDGET / DECLARED) * HELD);
    const graphql = await query('127.0.0.4', codes[0]!);
    expect(graphql.status).toBe(429);
    expect(graphql.headers['retry-after']).toBe('1');
    expect(graphql.body.errors[0].extensions).toEqual({
      code: 'RATE_LIMITED',
      scope: 'body-bytes',
      limit: BUDGET,
      retryAfterSeconds: 1,
    });
    const report = await send('127.0.0.4', '/report', {
      body: JSON.stringify({ code: codes[0], format: 'html' }),
      headers: { 'content-type': 'application/json', ...(await stack.headers()) },
    });
    expect(report.status).toBe(429);
    expect(report.headers['retry-after']).toBe('1');
    expect(report.body.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', scope: 'body-bytes' });
    // A request without a body holds nothing and is still answered.
    const get = await send('127.0.0.4', `/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      method: 'GET',
      headers: { accept: 'application/json' },
    });
    expect(get.status).toBe(200);
    expect(await heldBytes()).toBe((BUDGET / DECLARED) * HELD);
  });

  it('answers the bodies it accepted once they arrive, and serves everyone again once the holders are gone', async () => {
    const accepted = holders.filter((holder) => holder.reply() === undefined);
    expect(accepted).toHaveLength(BUDGET / DECLARED);
    // One accepted holder from each address sends the rest of its body: it is answered in full.
    const [first, , third] = accepted;
    const finished = await Promise.all([first!.finish(), third!.finish()]);
    for (const reply of finished) {
      expect(reply.status).toBe(200);
      expect(reply.body.errors).toBeUndefined();
      expect(reply.body.data.enterprise.code).toBe(codes[0]);
    }
    // The others go away mid-body.
    for (const holder of holders) holder.socket.destroy();
    await Promise.all(holders.map((holder) => holder.closed));
    await vi.waitFor(async () => expect(await heldBytes()).toBe(0), { timeout: 10_000, interval: 20 });
    const answers = await Promise.all(codes.map((code, i) => query(i % 2 ? '127.0.0.2' : '127.0.0.4', code)));
    answers.forEach((answer, i) => {
      expect(answer.status).toBe(200);
      expect(answer.body.data.enterprise.code).toBe(codes[i]);
    });
    expect(await heldBytes()).toBe(0);
    // The bodies answered are registered as answered, those cut off as refused; of one address's
    // refusals over its share, the first.
    // Registered once their answers are out, which for the bodies cut off is after this test's own.
    await vi.waitFor(
      async () => {
        const holderRecords = (await registerRecords())
          .filter((record) => record.requestId.startsWith('holder-'))
          .map(({ requestId, outcome, errorCodes }) => ({ requestId, outcome, errorCodes }))
          .sort((a, b) => a.requestId.localeCompare(b.requestId));
        expect(holderRecords).toEqual([
          { requestId: 'holder-2-0', outcome: 'OK', errorCodes: [] },
          { requestId: 'holder-2-1', outcome: 'REJECTED', errorCodes: ['BAD_REQUEST'] },
          { requestId: 'holder-2-2', outcome: 'REJECTED', errorCodes: ['RATE_LIMITED'] },
          { requestId: 'holder-3-0', outcome: 'OK', errorCodes: [] },
          { requestId: 'holder-3-1', outcome: 'REJECTED', errorCodes: ['BAD_REQUEST'] },
        ]);
      },
      { timeout: 10_000, interval: 50 },
    );
  });
});

describe('bodies announced long and sent slowly', { timeout: 120_000 }, () => {
  it('hold only the bytes they sent, and a fresh address is served while they hold on', async () => {
    const trickles: Holder[] = [];
    try {
      // Eight connections from each of four addresses announce a body each, four times the whole
      // budget in all, and send a little of it.
      for (const from of ['127.0.0.20', '127.0.0.21', '127.0.0.22', '127.0.0.23'])
        for (let i = 0; i < 8; i++)
          trickles.push(
            hold({
              from,
              path: '/graphql',
              body: registrationBody(codes[i]!),
              sent: 1_000,
              headers: { 'content-type': 'application/json', 'x-request-id': `trickle-${from}-${i}` },
            }),
          );
      await vi.waitFor(
        async () => {
          if ((await heldBytes()) !== trickles.length * 1_000) throw new Error('not held yet');
        },
        { timeout: 10_000, interval: 20 },
      );
      const answers = await Promise.all(codes.slice(0, 4).map((code) => query('127.0.0.30', code)));
      answers.forEach((answer, i) => {
        expect(answer.status).toBe(200);
        expect(answer.body.data.enterprise.code).toBe(codes[i]);
      });
      expect(trickles.filter((trickle) => trickle.reply() !== undefined)).toEqual([]);
      expect(await heldBytes()).toBe(trickles.length * 1_000);
    } finally {
      for (const trickle of trickles) trickle.socket.destroy();
    }
    await vi.waitFor(async () => expect(await heldBytes()).toBe(0), { timeout: 10_000, interval: 20 });
  });
});

describe('document uploads for verification', { timeout: 120_000 }, () => {
  it("does not let one address's slow uploads stop another address's upload from being verified", async () => {
    const issued = await fetch(`${stack.gatewayUrl}/report?code=${codes[0]}&format=html`, {
      headers: await stack.headers(),
    });
    expect(issued.status).toBe(200);
    const document = Buffer.from(await issued.arrayBuffer());
    // One address starts an upload and trickles it; its next upload waits for the first.
    const slow = hold({
      from: '127.0.0.5',
      path: '/report/verify',
      body: 'x'.repeat(DECLARED),
      sent: 1_000,
      headers: { 'content-type': 'text/html' },
    });
    try {
      await vi.waitFor(
        async () => {
          if ((await heldBytes()) !== 1_000) throw new Error('not held yet');
        },
        { timeout: 10_000, interval: 20 },
      );
      const second = await send('127.0.0.5', '/report/verify', {
        body: document,
        headers: { 'content-type': 'text/html' },
      });
      expect(second.status).toBe(429);
      expect(second.headers['retry-after']).toBe('1');
      expect(second.body).toMatchInlineSnapshot(`
        {
          "errors": [
            {
              "extensions": {
                "code": "RATE_LIMITED",
                "limit": 1,
                "retryAfterSeconds": 1,
                "scope": "address-uploads",
              },
              "message": "This address is already uploading 1 document for verification; retry once done",
            },
          ],
        }
      `);
      // Every other address's upload is verified meanwhile.
      const others = await Promise.all(
        ['127.0.0.6', '127.0.0.7', '127.0.0.8'].map((from) =>
          send(from, '/report/verify', { body: document, headers: { 'content-type': 'text/html' } }),
        ),
      );
      for (const other of others) {
        expect(other.status).toBe(200);
        expect(other.body).toMatchObject({ authentic: true });
      }
      expect(slow.reply()).toBeUndefined();
    } finally {
      slow.socket.destroy();
    }
    await vi.waitFor(async () => expect(await heldBytes()).toBe(0), { timeout: 10_000, interval: 20 });
  });
});

describe('connections', { timeout: 120_000 }, () => {
  it('turns away a connection past its address’s share with a coded 429, and still serves other addresses', async () => {
    const open: Socket[] = [];
    try {
      for (let i = 0; i < 40; i++) {
        const socket = connect({ port, host: '127.0.0.1', localAddress: '127.0.0.9' });
        socket.on('error', () => undefined);
        await new Promise((resolve) => socket.once('connect', resolve));
        open.push(socket);
      }
      const extra = connect({ port, host: '127.0.0.1', localAddress: '127.0.0.9' });
      let raw = '';
      extra.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
      extra.on('error', () => undefined);
      await new Promise((resolve) => extra.once('close', resolve));
      const reply = parseReply(raw);
      expect(reply?.status).toBe(429);
      expect(reply?.headers['retry-after']).toBe('1');
      expect(reply?.body).toMatchInlineSnapshot(`
        {
          "errors": [
            {
              "extensions": {
                "code": "RATE_LIMITED",
                "limit": 40,
                "retryAfterSeconds": 1,
                "scope": "address-connections",
              },
              "message": "This address already has 40 connections open to the gateway; reuse one or retry shortly",
            },
          ],
        }
      `);
      const other = await query('127.0.0.10', codes[1]!);
      expect(other.status).toBe(200);
      expect(other.body.data.enterprise.code).toBe(codes[1]);
    } finally {
      for (const socket of open) socket.destroy();
    }
    // Once its connections close, the address is served again.
    await vi.waitFor(
      async () => {
        const again = await query('127.0.0.9', codes[2]!);
        expect(again.status).toBe(200);
      },
      { timeout: 10_000, interval: 50 },
    );
  });
});
