import { readdir, readFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envName, silentLogger, SUBGRAPH_NAMES } from '@credit-gateway/common';
import { population } from '@credit-gateway/sources';
import { loadConfig, startGateway, type RunningGateway } from '../../src/server.js';
import { startStack, type Stack } from '../support/stack.js';

const REGISTRATION =
  'query Registration($code: CreditCode!) { enterprise(code: $code) { code marketRegulation { registration { name } } } }';

/** A client that sends its request's headers, then its body a byte at a time, for as long as it is let. */
interface Trickler {
  /** Everything the gateway sent back. */
  received(): string;
  /** Whether the gateway has closed the connection. */
  closed(): boolean;
  /** Resolves once the connection is closed, with what was received. */
  done: Promise<string>;
  socket: Socket;
}

function trickle(port: number, requestId: string): Trickler {
  const socket = connect(port, '127.0.0.1');
  let received = '';
  let closed = false;
  const body = JSON.stringify({ query: '{ __schema { queryType { name } } }' }).padEnd(2_000, ' ');
  let sent = 0;
  let timer: NodeJS.Timeout | undefined;
  socket.once('connect', () => {
    socket.write(
      'POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n' +
        `x-request-id: ${requestId}\r\ncontent-length: ${body.length}\r\n\r\n`,
    );
    timer = setInterval(() => {
      if (!socket.writable || sent >= body.length) return;
      socket.write(body[sent++]!);
    }, 500);
  });
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
  socket.on('error', () => undefined);
  const done = new Promise<string>((resolve) =>
    socket.once('close', () => {
      clearInterval(timer);
      closed = true;
      resolve(received);
    }),
  );
  return { received: () => received, closed: () => closed, done, socket };
}

/** Status line and JSON body of a raw HTTP/1.1 response. */
function parseResponse(raw: string): { status: number; connection: string | undefined; body: unknown } {
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  const lines = head.split('\r\n');
  const status = Number(lines[0]?.split(' ')[1]);
  const connection = lines
    .find((line) => line.toLowerCase().startsWith('connection:'))
    ?.split(':')[1]
    ?.trim();
  return { status, connection, body: JSON.parse(body) as unknown };
}

async function registerRecords(dir: string): Promise<{ requestId: string; outcome: string; errorCodes: string[] }[]> {
  const records = [];
  for (const name of (await readdir(dir)).filter((file) => file.endsWith('.jsonl'))) {
    for (const line of (await readFile(join(dir, name), 'utf8')).split('\n')) {
      if (line !== '') records.push(JSON.parse(line) as { requestId: string; outcome: string; errorCodes: string[] });
    }
  }
  return records;
}

let stack: Stack;
let defaults: RunningGateway;
let short: RunningGateway;
const codes = [...population(100)].slice(0, 20);

beforeAll(async () => {
  stack = await startStack({
    populationSize: 100,
    gatewayEnv: { BODY_TIMEOUT_MS: '60000', BODY_MIN_BYTES_PER_SECOND: '0' },
  });
  const subgraphs = Object.fromEntries(
    SUBGRAPH_NAMES.map((name) => [`SUBGRAPH_${envName(name)}_URL`, stack.subgraphUrls[name]]),
  );
  // The defaults: admission of 24, a 10 s body timeout and a minimum rate of 1 KiB a second.
  defaults = await startGateway(loadConfig({ PORT: '0', ...stack.gatewayEnv, ...subgraphs }), silentLogger());
  // The same, with a short body timeout and no minimum rate, for the timeout alone.
  short = await startGateway(
    loadConfig({
      PORT: '0',
      ...stack.gatewayEnv,
      REGISTER_DIR: join(stack.registerDir, '..', 'register-3'),
      ...subgraphs,
      BODY_TIMEOUT_MS: '1500',
      BODY_MIN_BYTES_PER_SECOND: '0',
    }),
    silentLogger(),
  );
});

afterAll(async () => {
  await short?.close();
  await defaults?.close();
  await stack?.close();
});

describe('slow request bodies', { timeout: 120_000 }, () => {
  it('do not keep 20 ordinary requests from being answered by a gateway holding 50 of them', async () => {
    const port = new URL(stack.gatewayUrl).port;
    const tricklers = Array.from({ length: 50 }, (_, i) => trickle(Number(port), `trickler-${i}`));
    try {
      await Promise.all(
        tricklers.map((trickler) => new Promise((resolve) => trickler.socket.once('connect', resolve))),
      );
      // Twice the 24 places of admission are sending bodies; none of them holds one.
      const answers = await Promise.all(codes.map((code) => stack.query(REGISTRATION, { code })));
      answers.forEach((answer, i) => {
        expect(answer.status).toBe(200);
        expect(answer.body.errors).toBeUndefined();
        expect(answer.body.data.enterprise.code).toBe(codes[i]);
      });
      // Every trickler is still connected and unanswered: the ordinary requests did not wait for them.
      const answered = tricklers.flatMap((trickler, i) => (trickler.closed() || trickler.received() !== '' ? [i] : []));
      expect(answered).toEqual([]);
    } finally {
      for (const trickler of tricklers) trickler.socket.destroy();
    }
  });

  it('answers a body that misses BODY_TIMEOUT_MS with a coded 408, closes its connection, and registers it', async () => {
    const tricklers = Array.from({ length: 5 }, (_, i) => trickle(short.port, `late-body-${i}`));
    const responses = (await Promise.all(tricklers.map((trickler) => trickler.done))).map(parseResponse);
    for (const response of responses) {
      expect(response.status).toBe(408);
      expect(response.connection).toBe('close');
      expect(response.body).toMatchInlineSnapshot(`
        {
          "errors": [
            {
              "extensions": {
                "code": "REQUEST_TIMEOUT",
              },
              "message": "The request body did not arrive within 1500 ms",
            },
          ],
        }
      `);
    }
    const records = await registerRecords(join(stack.registerDir, '..', 'register-3'));
    for (let i = 0; i < 5; i++) {
      expect(records.find((record) => record.requestId === `late-body-${i}`)).toMatchObject({
        outcome: 'REJECTED',
        errorCodes: ['REQUEST_TIMEOUT'],
      });
    }
  });

  it('answers a body slower than BODY_MIN_BYTES_PER_SECOND with a coded 408 and closes its connection', async () => {
    const trickler = trickle(defaults.port, 'slow-body');
    const response = parseResponse(await trickler.done);
    expect(response.status).toBe(408);
    expect(response.connection).toBe('close');
    expect(response.body).toMatchInlineSnapshot(`
      {
        "errors": [
          {
            "extensions": {
              "code": "REQUEST_TIMEOUT",
            },
            "message": "The request body arrived slower than 1024 bytes a second",
          },
        ],
      }
    `);
  });
});
