import { once } from 'node:events';
import { Agent, request as httpRequest, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { listen, sendJson } from '../src/http.js';

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    // A fresh connection each time, never one the agent kept from the last request.
    httpRequest(url, { agent: false }, (response: IncomingMessage) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      response.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

describe('listen', { timeout: 30_000 }, () => {
  it('answers a request in flight before closing with a grace', async () => {
    let started!: () => void;
    const arrived = new Promise<void>((resolve) => (started = resolve));
    const server = await listen((_request, response) => {
      started();
      setTimeout(() => sendJson(response, 200, { finished: true }), 300);
    }, 0);
    const answer = get(`${server.url}/slow`);
    await arrived;
    const closed = server.close(10_000);
    expect(await answer).toEqual({ status: 200, body: '{"finished":true}' });
    await closed;
    // Nothing listens any more.
    await expect(get(`${server.url}/again`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('drains: answers keep their connection until then, and afterwards, in flight or new, close it', async () => {
    const arrivals: (() => void)[] = [];
    const server = await listen((request, response) => {
      if (request.url === '/slow') arrivals.shift()?.();
      setTimeout(() => sendJson(response, 200, { path: request.url }), request.url === '/slow' ? 300 : 0);
    }, 0);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const ask = (path: string) =>
      new Promise<{ connection: string | undefined; socket: unknown }>((resolve, reject) => {
        const request = httpRequest(`${server.url}${path}`, { agent }, (response) => {
          response.resume();
          response.on('end', () => resolve({ connection: response.headers.connection, socket: request.socket }));
        });
        request.on('error', reject).end();
      });
    try {
      const first = await ask('/before');
      expect(first.connection).toBe('keep-alive');
      const arrived = new Promise<void>((resolve) => arrivals.push(resolve));
      const inFlight = ask('/slow');
      await arrived;
      server.drain();
      const slow = await inFlight;
      // The kept connection served both, and is closed after the answer drained.
      expect(slow).toEqual({ connection: 'close', socket: first.socket });
      expect((await ask('/after')).connection).toBe('close');
    } finally {
      agent.destroy();
      await server.close();
    }
  });

  it('cuts a request still unanswered when the grace is over', async () => {
    let started!: () => void;
    const arrived = new Promise<void>((resolve) => (started = resolve));
    const server = await listen(() => started(), 0);
    const answer = get(`${server.url}/never`);
    await arrived;
    await server.close(200);
    await expect(answer).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('closes a connection whose headers do not arrive within headersTimeoutMs', async () => {
    const server = await listen(() => undefined, 0, '127.0.0.1', {
      headersTimeoutMs: 500,
      requestTimeoutMs: 1_000,
      keepAliveTimeoutMs: 5_000,
    });
    try {
      const socket = connect(server.port, '127.0.0.1');
      let received = '';
      socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
      await once(socket, 'connect');
      socket.write('GET / HTTP/1.1\r\nhost: 127.0.0.1\r\n');
      await once(socket, 'close');
      expect(received).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      await server.close();
    }
  });

  it('answers what Node refuses itself as JSON with a code', async () => {
    const server = await listen(() => undefined, 0);
    try {
      const raw = async (text: string) => {
        const socket = connect(server.port, '127.0.0.1');
        let received = '';
        socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
        await once(socket, 'connect');
        socket.end(text);
        await once(socket, 'close');
        return received;
      };
      const garbage = await raw('NOT HTTP AT ALL\r\n\r\n');
      expect(garbage).toMatch(/^HTTP\/1\.1 400 /);
      expect(JSON.parse(garbage.slice(garbage.indexOf('\r\n\r\n') + 4))).toEqual({
        errors: [{ message: 'The request is not valid HTTP', extensions: { code: 'BAD_REQUEST' } }],
      });
      const huge = await raw(`GET / HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(600 * 1024)}\r\n\r\n`);
      expect(huge).toMatch(/^HTTP\/1\.1 431 [^]*"code":"BAD_REQUEST"/);
    } finally {
      await server.close();
    }
  });

  it('lets a client still sending an unframed body read the answer instead of a reset', async () => {
    // TRACE carries no body framing, so the bytes after its headers are an unparseable next
    // request. The answer to the first goes out whole, and what the client still sends is read and
    // dropped before the close: closed at once, the client would meet a reset mid-body.
    const server = await listen((_request, response) => {
      setTimeout(() => sendJson(response, 405, { refused: true }), 50);
    }, 0);
    try {
      const body = Buffer.alloc(4 * 1024 * 1024, 'x');
      const answers = await Promise.all(
        Array.from(
          { length: 10 },
          () =>
            new Promise<string>((resolve) => {
              const request = httpRequest(
                `${server.url}/graphql`,
                { method: 'TRACE', agent: false, headers: { 'content-type': 'application/json' } },
                (response) => {
                  let text = '';
                  response.on('data', (data: Buffer) => (text += data.toString('utf8')));
                  response.on('end', () => resolve(`${response.statusCode} ${text}`));
                },
              );
              request.on('error', (error: NodeJS.ErrnoException) => resolve(`reset: ${error.code}`));
              request.end(body);
            }),
        ),
      );
      expect(answers).toEqual(Array.from({ length: 10 }, () => '405 {"refused":true}'));
    } finally {
      await server.close();
    }
  });
});
