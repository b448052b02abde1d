import { once } from 'node:events';
import { Agent, request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { listen, sendJson, type ListeningServer } from '../src/http.js';

/*
 * The cap on a process's connections, through real sockets on loopback. Clients bind distinct
 * source addresses (127.0.0.2, 127.0.0.3, …) so that the cap per address is not what they meet.
 */

const TIMEOUTS = { headersTimeoutMs: 20_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 60_000 };
const LIMITS = { maxConnections: 20, maxConnectionsPerAddress: 8 };

/** Answers GET at once; a POST once its whole body has arrived. */
async function start(): Promise<ListeningServer> {
  return listen(
    (request, response) => {
      request.resume();
      request.on('end', () => sendJson(response, 200, { ok: true }));
    },
    0,
    '127.0.0.1',
    TIMEOUTS,
    LIMITS,
  );
}

/** Resolves once `condition` holds; the test's own timeout bounds the wait. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await sleep(10);
}

interface Held {
  socket: Socket;
  received: () => string;
  closed: Promise<void>;
}

async function open(port: number, from: string, text: string): Promise<Held> {
  const socket = connect({ port, host: '127.0.0.1', localAddress: from });
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
  socket.on('error', () => {});
  const closed = once(socket, 'close').then(() => undefined);
  await once(socket, 'connect');
  socket.write(text);
  return { socket, received: () => received, closed };
}

/** A keep-alive connection that had one request answered and now waits, idle. */
async function idle(port: number, from: string): Promise<Held> {
  const held = await open(port, from, 'GET /ok HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n');
  await until(() => held.received().endsWith('{"ok":true}'));
  return held;
}

/** A connection whose headers have not all arrived. */
const partialHeaders = (port: number, from: string) =>
  open(port, from, 'GET /slow HTTP/1.1\r\nhost: 127.0.0.1\r\nx-waiting: ');

/** A connection whose body has not all arrived. */
const partialBody = (port: number, from: string) =>
  open(port, from, 'POST /slow HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: 100\r\n\r\n{"partial":');

/** A request on a new connection the client would keep alive. */
async function get(port: number, from: string): Promise<{ status: number; connection: string | undefined }> {
  const agent = new Agent({ keepAlive: true });
  try {
    return await new Promise((resolve, reject) => {
      httpRequest({ port, host: '127.0.0.1', localAddress: from, path: '/new', agent }, (response) => {
        response.resume();
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, connection: response.headers.connection }),
        );
      })
        .on('error', reject)
        .end();
    });
  } finally {
    agent.destroy();
  }
}

const addresses = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'];

describe('the connection cap', { timeout: 30_000 }, () => {
  it('closes the connection idle the longest to serve a new one', async () => {
    const server = await start();
    const held: Held[] = [];
    try {
      // Below 90% of the cap answers keep their connection.
      for (let i = 0; i < 17; i++) held.push(await idle(server.port, addresses[i % 3]!));
      expect(held.map((h) => /\r\nconnection: keep-alive\r\n/i.test(h.received()))).toEqual(Array(17).fill(true));
      // The rest of the cap is taken by requests still arriving, which are not idle.
      const busy = [
        await partialHeaders(server.port, '127.0.0.5'),
        await partialHeaders(server.port, '127.0.0.5'),
        await partialBody(server.port, '127.0.0.5'),
      ];
      await until(() => server.connections().open === 20);

      let closedCount = 0;
      for (const h of [...held, ...busy]) void h.closed.then(() => closedCount++);
      // Near the cap, the answer closes its connection rather than keep it.
      expect(await get(server.port, '127.0.0.6')).toEqual({ status: 200, connection: 'close' });
      await held[0]!.closed;
      expect(closedCount).toBe(1);
      expect(server.connections()).toMatchObject({ idleClosed: 1, refused: 0, addressRefused: 0 });

      // The requests still arriving were left alone: they are answered once whole.
      busy[2]!.socket.write('"x"}'.padEnd(100 - '{"partial":'.length, ' '));
      await until(() => busy[2]!.received().endsWith('{"ok":true}'));
      busy[0]!.socket.write('1\r\n\r\n');
      await until(() => busy[0]!.received().endsWith('{"ok":true}'));
      expect(busy[0]!.received()).toMatch(/^HTTP\/1\.1 200 [^]*\r\nconnection: close\r\n/i);
      held.push(...busy);
    } finally {
      for (const h of held) h.socket.destroy();
      await until(() => server.connections().open === 0);
      await server.close();
    }
  });

  it('refuses a new connection while every one is mid-request, and serves again once they go', async () => {
    const server = await start();
    const holders: Held[] = [];
    try {
      for (let i = 0; i < 20; i++) {
        const from = addresses[i % 4]!;
        holders.push(await (i % 2 ? partialBody(server.port, from) : partialHeaders(server.port, from)));
      }
      await until(() => server.connections().open === 20);

      const refused = await open(server.port, '127.0.0.6', 'GET /new HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n');
      await refused.closed;
      expect(refused.received()).toBe('');
      expect(server.connections()).toEqual({ open: 20, idleClosed: 0, refused: 1, addressRefused: 0 });
      // None of the holders was closed to make room.
      expect(holders.filter((h) => h.socket.destroyed)).toEqual([]);

      for (const h of holders) h.socket.destroy();
      await until(() => server.connections().open === 0);
      expect(await get(server.port, '127.0.0.6')).toEqual({ status: 200, connection: 'keep-alive' });
      await until(() => server.connections().open === 0);
    } finally {
      for (const h of holders) h.socket.destroy();
      await server.close();
    }
  });
});
