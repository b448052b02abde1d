import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { envName, type SubgraphName } from '@credit-gateway/common';
import type { Stack } from '../support/stack.js';
import { SOURCE_CHILD_ENV } from '../../../common/test/support/source-child.js';

/**
 * A gateway in its own process, run from source, in front of a test stack's subgraphs: a request
 * that wedges its event loop, a kill -9 or a crash cannot take the test process with it, and the
 * test still sees and counts it.
 */
export interface ChildGateway {
  url: string;
  env: Record<string, string>;
  /** The primary's pid (the only process with WORKERS=1). */
  pid(): number | undefined;
  /** Worker pids, from their "listening" log lines, latest first per slot. */
  workerPids(): number[];
  kill(signal?: NodeJS.Signals): Promise<void>;
  start(): Promise<void>;
}

const repository = fileURLToPath(new URL('../../../', import.meta.url));

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

export async function waitForReady(url: string, timeoutMs: number, alive: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive()) throw new Error('the gateway exited');
    try {
      const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // not yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} was not ready in ${timeoutMs} ms`);
}

export async function startChildGateway(
  stack: Stack,
  dir: string,
  env: Record<string, string> = {},
): Promise<ChildGateway> {
  await mkdir(dir, { recursive: true });
  const tsconfig = SOURCE_CHILD_ENV.TSX_TSCONFIG_PATH;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const gatewayEnv: Record<string, string> = {
    ...stack.gatewayEnv,
    REGISTER_DIR: join(dir, 'register'),
    REGISTER_WRITER_ID: 'child-gateway',
    WORKERS: '1',
    METRICS_PORT: '0',
    ...Object.fromEntries(
      (Object.entries(stack.subgraphUrls) as [SubgraphName, string][]).map(([name, subgraphUrl]) => [
        `SUBGRAPH_${envName(name)}_URL`,
        subgraphUrl,
      ]),
    ),
    ...env,
    PORT: String(port),
  };
  let child: ChildProcess | undefined;
  const workers = new Map<number, number>();
  const alive = () => child !== undefined && child.exitCode === null && child.signalCode === null;
  const gateway: ChildGateway = {
    url,
    env: gatewayEnv,
    pid: () => child?.pid,
    workerPids: () => [...workers.values()],
    async kill(signal = 'SIGKILL') {
      if (!alive()) return;
      const exited = new Promise<void>((resolve) => child!.once('exit', () => resolve()));
      child!.kill(signal);
      await exited;
      for (const pid of workers.values()) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone with its primary.
        }
      }
      workers.clear();
    },
    async start() {
      child = spawn(process.execPath, ['--import', 'tsx', 'gateway/src/index.ts'], {
        cwd: repository,
        env: { PATH: process.env['PATH'], TSX_TSCONFIG_PATH: tsconfig, LOG_LEVEL: 'info', ...gatewayEnv },
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      let buffered = '';
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        buffered += chunk;
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const line of lines) {
          try {
            const entry = JSON.parse(line) as { msg?: string; worker?: number; pid?: number };
            if (entry.msg === 'credit-gateway listening' && entry.pid !== undefined)
              workers.set(entry.worker ?? -1, entry.pid);
          } catch {
            // not a log line
          }
        }
      });
      await waitForReady(url, 120_000, alive);
    },
  };
  await gateway.start();
  return gateway;
}
