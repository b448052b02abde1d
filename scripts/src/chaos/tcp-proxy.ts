import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

/**
 * A TCP proxy to cut a server off without stopping it (the machine's PostgreSQL, say): `refuse`
 * drops every connection; back in `pass`, connections that lived through the cut are dropped.
 * The same as common/test/support/tcp-proxy.ts, which a built script cannot import.
 */
export interface TcpProxy {
  port: number;
  setMode(mode: 'pass' | 'refuse'): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let mode: 'pass' | 'refuse' = 'pass';
  const sockets = new Set<Socket>();
  const dropAll = () => {
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  };
  const server = createServer((client) => {
    if (mode === 'refuse') {
      client.destroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    sockets.add(client).add(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    for (const socket of [client, upstream]) socket.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    setMode(next) {
      if (next !== mode) dropAll();
      mode = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        dropAll();
        server.close(() => resolve());
      }),
  };
}
