import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { population } from '@credit-gateway/sources';
import { scrape } from '../support/metrics.js';
import { startStack, type Stack } from '../support/stack.js';

/**
 * Connections opened, used once and left idle under keep-alive, from several addresses, fill the
 * gateway's MAX_CONNECTIONS: a new client is still answered, an idle one making room. Clients are
 * told apart by their source address on the loopback network (127.0.0.2, 127.0.0.3, …).
 */
const REGISTRATION =
  'query Registration($code: CreditCode!) { enterprise(code: $code) { code marketRegulation { registration { name } } } }';

let stack: Stack;
let port: number;
const code = [...population(100)][0]!;

beforeAll(async () => {
  stack = await startStack({
    populationSize: 100,
    gatewayEnv: { MAX_CONNECTIONS: '20', MAX_CONNECTIONS_PER_ADDRESS: '8', KEEP_ALIVE_TIMEOUT_MS: '60000' },
  });
  port = Number(new URL(stack.gatewayUrl).port);
});

afterAll(async () => {
  await stack?.close();
});

interface Held {
  socket: Socket;
  received: () => string;
  closed: Promise<void>;
}

/** A connection from `from` that has sent `text` and reads what comes back. */
async function open(from: string, text: string): Promise<Held> {
  const socket = connect({ port, host: '127.0.0.1', localAddress: from });
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(text);
  return { socket, received: () => received, closed };
}

/** A keep-alive connection whose one request has been answered, now idle. */
async function idle(from: string): Promise<Held> {
  const held = await open(from, 'GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n');
  while (!held.received().endsWith('{"status":"ok"}')) await new Promise((resolve) => setTimeout(resolve, 10));
  return held;
}

/** A registration query from `from` on a new connection. */
async function query(from: string): Promise<{ status: number; body: any }> {
  const body = JSON.stringify({ query: REGISTRATION, variables: { code } });
  const headers = { 'content-type': 'application/json', ...(await stack.headers()) };
  return new Promise((resolve, reject) => {
    httpRequest(
      { host: '127.0.0.1', port, path: '/graphql', method: 'POST', localAddress: from, agent: false, headers },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            body: JSON.parse(text) as unknown,
          }),
        );
      },
    )
      .on('error', reject)
      .end(body);
  });
}

describe('MAX_CONNECTIONS', { timeout: 60_000 }, () => {
  it('answers a new client while idle keep-alive connections and headers still arriving fill it', async () => {
    const held: Held[] = [];
    try {
      // Below 90% of the cap an answer keeps its connection; from there on it closes it.
      for (let i = 0; i < 17; i++) held.push(await idle(['127.0.0.2', '127.0.0.3', '127.0.0.4'][i % 3]!));
      for (const h of held) expect(h.received()).toMatch(/\r\nconnection: keep-alive\r\n/i);
      for (let i = 0; i < 3; i++)
        held.push(await open('127.0.0.5', 'POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\nx-waiting: '));

      const answer = await query('127.0.0.6');
      expect(answer.status).toBe(200);
      expect(answer.body.data.enterprise.code).toBe(code);
      // The connection idle the longest made room for it; every other one is still open.
      await held[0]!.closed;
      expect(held.map((h) => h.socket.destroyed)).toEqual([true, ...Array<boolean>(19).fill(false)]);
      const metrics = await scrape(stack.metricsUrl);
      const closed = (reason: string) => metrics.value('credit_gateway_client_connections_closed_total', { reason });
      expect([closed('idle-for-room'), closed('refused'), closed('address-refused')]).toEqual([1, 0, 0]);
      // The new client's connection closes once answered, near the cap: the holders are left.
      await vi.waitFor(
        async () => expect((await scrape(stack.metricsUrl)).value('credit_gateway_client_connections_open')).toBe(19),
        { timeout: 10_000, interval: 20 },
      );
    } finally {
      for (const h of held) h.socket.destroy();
    }
  });
});
