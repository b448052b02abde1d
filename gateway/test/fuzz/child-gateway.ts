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
  /** Where a load balancer asks whether to send: the primary's HEALTH_PORT when it has one, else the main port. */
  readyUrl: string;
  env: Record<string, string>;
  /** The primary's pid (the only process with WORKERS=1). */
  pid(): number | undefined;
  /** Worker pids, from their "listening" log lines, latest first per slot. */
  workerPids(): number[];
  /** Sends `signal`, waits for the process to exit and returns how it did (null when it was not running). */
  kill(signal?: NodeJS.Signals): Promise<ExitStatus | null>;
  start(): Promise<void>;
  /** The JSON log lines of the processes since the last start, in the order written. */
  logs(): LogLine[];
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface LogLine {
  msg?: string;
  worker?: number;
  pid?: number;
  [field: string]: unknown;
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
  // The register on PostgreSQL when the test names one, else the file store in `dir`.
  const stackEnv = { ...stack.gatewayEnv };
  delete stackEnv['REGISTER_DIR'];
  const gatewayEnv: Record<string, string> = {
    ...stackEnv,
    ...(env['REGISTER_DATABASE_URL'] ? {} : { REGISTER_DIR: join(dir, 'register') }),
    // Its own issued-report register: a second process on one directory is refused, as it should be.
    REPORT_DIR: join(dir, 'reports'),
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
  // A primary's health port of its own, never the default one another system on the machine may hold.
  if (gatewayEnv['WORKERS'] !== '1' && gatewayEnv['HEALTH_PORT'] === undefined)
    gatewayEnv['HEALTH_PORT'] = String(await freePort());
  let child: ChildProcess | undefined;
  const workers = new Map<number, number>();
  let logs: LogLine[] = [];
  let stderr = '';
  const alive = () => child !== undefined && child.exitCode === null && child.signalCode === null;
  const supervised = gatewayEnv['WORKERS'] !== '1' && Number(gatewayEnv['HEALTH_PORT'] ?? 0) > 0;
  const gateway: ChildGateway = {
    url,
    readyUrl: supervised ? `http://127.0.0.1:${gatewayEnv['HEALTH_PORT']}/readyz` : `${url}/readyz`,
    env: gatewayEnv,
    pid: () => child?.pid,
    workerPids: () => [...workers.values()],
    logs: () => [...logs],
    async kill(signal = 'SIGKILL') {
      if (!alive()) return null;
      const exited = new Promise<ExitStatus>((resolve) =>
        child!.once('exit', (code, exitSignal) => resolve({ code, signal: exitSignal })),
      );
      child!.kill(signal);
      const status = await exited;
      for (const pid of workers.values()) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone with its primary.
        }
      }
      workers.clear();
      return status;
    },
    async start() {
      logs = [];
      child = spawn(process.execPath, ['--import', 'tsx', 'gateway/src/index.ts'], {
        cwd: repository,
        env: { PATH: process.env['PATH'], TSX_TSCONFIG_PATH: tsconfig, LOG_LEVEL: 'info', ...gatewayEnv },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      // The last of what it wrote to stderr: why it exited, when it does.
      stderr = '';
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
        stderr = (stderr + chunk).slice(-4_000);
      });
      let buffered = '';
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        buffered += chunk;
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const line of lines) {
          try {
            const entry = JSON.parse(line) as LogLine;
            logs.push(entry);
            if (entry.msg === 'credit-gateway listening' && entry.pid !== undefined)
              workers.set(entry.worker ?? -1, entry.pid);
          } catch {
            // not a log line
          }
        }
      });
      try {
        await waitForReady(url, 120_000, alive);
      } catch (error) {
        const last = logs.slice(-5).map((line) => JSON.stringify(line));
        throw new Error(`${(error as Error).message}: ${[...last, stderr.trim()].join('\n') || '(no output)'}`, {
          cause: error,
        });
      }
    },
  };
  await gateway.start();
  return gateway;
}
