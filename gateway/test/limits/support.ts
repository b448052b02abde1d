import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Logger } from '@credit-gateway/common';

export interface LogEntry {
  level: string;
  message: string;
  fields?: unknown;
}

/** A logger that keeps what it is told, to assert what an operator would see. */
export function recordingLogger(): { logger: Logger; entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at =
    (level: string) =>
    (fields: unknown, message?: string): void => {
      entries.push(typeof fields === 'string' ? { level, message: fields } : { level, message: message ?? '', fields });
    };
  const logger = {
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    fatal: at('fatal'),
    child: () => logger,
  };
  return { logger: logger as unknown as Logger, entries };
}

/** A port nothing listens on: taken from the system, then released. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface TcpProxy {
  port: number;
  /** Drops every connection and stops listening, as if the server went away. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  /** Holds the server's replies back while hung, as a stalled server would, and sends them on after. */
  hang(hung: boolean): void;
  close(): Promise<void>;
}

/** A TCP proxy to a real server, to take it away and bring it back during a test. */
export async function tcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let hung = false;
  const held: { client: Socket; data: Buffer }[] = [];
  let server: Server | null = null;
  let port = 0;

  const listen = async () => {
    const next = createServer((client) => {
      const upstream = connect(target.port, target.host);
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.on('data', (data) => upstream.write(data));
      upstream.on('data', (data: Buffer) => {
        if (hung) held.push({ client, data });
        else client.write(data);
      });
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => resolve());
    });
    port = (next.address() as AddressInfo).port;
    server = next;
  };

  const stop = async () => {
    const current = server;
    server = null;
    for (const socket of sockets) socket.destroy();
    if (current) await new Promise<void>((resolve) => current.close(() => resolve()));
  };

  await listen();
  return {
    get port() {
      return port;
    },
    stop,
    start: listen,
    hang: (value) => {
      hung = value;
      if (hung) return;
      for (const { client, data } of held.splice(0)) if (!client.destroyed) client.write(data);
    },
    close: stop,
  };
}
