import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envName, SUBGRAPH_NAMES } from '@credit-gateway/common';
import { population } from '@credit-gateway/sources';
import { startStack, type Stack } from '../support/stack.js';
import { SOURCE_CHILD_ENV } from '../../../common/test/support/source-child.js';

/**
 * A gateway of two workers (node:cluster) in its own process, in front of the test's subgraphs.
 *
 * A worker is stalled with SIGSTOP: its event loop, its timers and its signal handlers all stop,
 * exactly as when a request blocks the loop, but without a test-only hook in the gateway and
 * without depending on a document being slow enough on this machine.
 */
const repository = fileURLToPath(new URL('../../../', import.meta.url));
const REGISTRATION =
  'query Registration($code: CreditCode!) { enterprise(code: $code) { code marketRegulation { registration { name } } } }';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

interface GatewayProcess {
  child: ChildProcess;
  /** Workers that logged that they listen, restarts included, in order. */
  listening: { worker: number; pid: number }[];
  /** Messages the primary and workers logged. */
  messages: string[];
  /** Resolves once `count` workers have logged that they listen. */
  listeningCount(count: number): Promise<void>;
}

let stack: Stack;
let dir: string;
let tsconfig: string;
let port: number;
let healthPort: number;
let token: string;
const gateways: GatewayProcess[] = [];

function startGatewayProcess(): GatewayProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'gateway/src/index.ts'], {
    cwd: repository,
    env: {
      PATH: process.env['PATH'],
      TSX_TSCONFIG_PATH: tsconfig,
      ...stack.gatewayEnv,
      REGISTER_DIR: join(dir, 'register'),
      REGISTER_WRITER_ID: 'watchdog-test',
      ...Object.fromEntries(SUBGRAPH_NAMES.map((name) => [`SUBGRAPH_${envName(name)}_URL`, stack.subgraphUrls[name]])),
      PORT: String(port),
      HEALTH_PORT: String(healthPort),
      METRICS_PORT: '0',
      WORKERS: '2',
      WORKER_STALL_MS: '5000',
      SHUTDOWN_GRACE_MS: '3000',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const waiters: (() => void)[] = [];
  const gateway: GatewayProcess = {
    child,
    listening: [],
    messages: [],
    async listeningCount(count) {
      while (gateway.listening.length < count) {
        if (child.exitCode !== null || child.signalCode !== null) throw new Error('the gateway exited');
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
  };
  child.on('exit', () => {
    for (const wake of waiters.splice(0)) wake();
  });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const entry = JSON.parse(line) as { msg?: string; worker?: number; pid?: number };
    if (entry.msg) gateway.messages.push(entry.msg);
    if (entry.msg === 'credit-gateway listening' && entry.worker !== undefined && entry.pid !== undefined) {
      gateway.listening.push({ worker: entry.worker, pid: entry.pid });
      for (const wake of waiters.splice(0)) wake();
    }
  });
  gateways.push(gateway);
  return gateway;
}

function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

async function health(path: '/healthz' | '/readyz'): Promise<{ status: number; body: any }> {
  const response = await fetch(`http://127.0.0.1:${healthPort}${path}`, { signal: AbortSignal.timeout(10_000) });
  return { status: response.status, body: await response.json() };
}

/** Polls the primary's /readyz until it answers `status`; bounded by the test's timeout. */
async function readyzUntil(status: number): Promise<any> {
  for (;;) {
    const answer = await health('/readyz');
    if (answer.status === status) return answer.body;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function ask(code: string): Promise<Response> {
  // A new connection each time: the primary hands connections to the workers in turn.
  return fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
      'x-credit-purpose': 'ADMISSION_TEST',
      connection: 'close',
    },
    body: JSON.stringify({ query: REGISTRATION, variables: { code } }),
  });
}

async function answered(code: string): Promise<void> {
  const response = await ask(code);
  expect(response.status).toBe(200);
  expect(await response.json()).toMatchObject({ data: { enterprise: { code } } });
}

const codes = [...population(100)].slice(0, 6);

beforeAll(async () => {
  stack = await startStack({ populationSize: 100 });
  dir = await mkdtemp(join(tmpdir(), 'credit-gateway-watchdog-'));
  token = await stack.token('GOVERNMENT');
  // The gateway runs from source: workspace imports resolve to their src/, not to a build.
  tsconfig = SOURCE_CHILD_ENV.TSX_TSCONFIG_PATH;
  port = await freePort();
  healthPort = await freePort();
}, 120_000);

afterAll(async () => {
  for (const { child, listening } of gateways) {
    for (const { pid } of listening) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  await stack?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a gateway whose worker stalls', { timeout: 120_000 }, () => {
  it('is ready on its health port once both workers report ready', async () => {
    const gateway = startGatewayProcess();
    await gateway.listeningCount(2);
    const ready = await readyzUntil(200);
    expect(ready).toMatchObject({
      ready: true,
      stopping: false,
      workers: [
        { worker: 1, alive: true, ready: true },
        { worker: 2, alive: true, ready: true },
      ],
    });
    expect(await health('/healthz')).toEqual({ status: 200, body: { status: 'ok', workers: 2 } });
    for (const code of codes) await answered(code);
  });

  it('answers health while a worker is stalled, replaces that worker, and answers again', async () => {
    const gateway = gateways[0]!;
    const stalled = gateway.listening.find((entry) => entry.worker === 1)!;
    process.kill(stalled.pid, 'SIGSTOP');
    // The primary answers for the stalled worker: not ready, while it is still alive.
    const unready = await readyzUntil(503);
    expect(unready.workers).toContainEqual(expect.objectContaining({ worker: 1, ready: false }));
    expect((await health('/healthz')).status).toBe(200);
    // Past WORKER_STALL_MS the primary kills it (SIGKILL reaches a stopped process) and forks slot 1 again,
    // which takes over the register lock the killed worker never released.
    await gateway.listeningCount(3);
    expect(gateway.listening[2]!.worker).toBe(1);
    expect(gateway.listening[2]!.pid).not.toBe(stalled.pid);
    expect(isGone(stalled.pid)).toBe(true);
    expect(gateway.messages).toContain('gateway worker stalled: killing and replacing it');
    expect((await readyzUntil(200)).workers).toHaveLength(2);
    for (const code of codes) await answered(code);
  });

  it('finishes a request in flight on SIGTERM, then exits cleanly', async () => {
    const gateway = gateways[0]!;
    await stack.setFaults('market', { delayMs: 1_500 });
    await stack.resetStats();
    try {
      const inFlight = ask(codes[0]!);
      // The request has reached the department before the signal.
      for (;;) {
        if ((await stack.standInStats('market')).requests > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const exited = once(gateway.child, 'exit');
      gateway.child.kill('SIGTERM');
      const response = await inFlight;
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ data: { enterprise: { code: codes[0] } } });
      const [code] = (await exited) as [number | null];
      expect(code).toBe(0);
      for (const { pid } of gateway.listening) expect(isGone(pid)).toBe(true);
    } finally {
      await stack.clearFaults();
    }
  });

  it('kills a stalled worker that ignores SIGTERM, so that the next start is not refused its register', async () => {
    const gateway = startGatewayProcess();
    await gateway.listeningCount(2);
    const stalled = gateway.listening[0]!;
    process.kill(stalled.pid, 'SIGSTOP');
    const exited = once(gateway.child, 'exit');
    gateway.child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    // Killed (by the watchdog, or at the end of the grace), not left behind holding its lock.
    expect(code).toBe(1);
    expect(
      gateway.messages.filter((message) =>
        [
          'gateway worker stalled while stopping: killing it',
          'gateway workers did not stop in time: killing them',
        ].includes(message),
      ),
    ).toHaveLength(1);
    expect(isGone(stalled.pid)).toBe(true);

    const next = startGatewayProcess();
    await next.listeningCount(2);
    expect(next.listening.map((entry) => entry.worker).sort()).toEqual([1, 2]);
    await readyzUntil(200);
    for (const code of codes) await answered(code);
  });
});
