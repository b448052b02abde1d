import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDevKeys, mintCallerToken } from '../../src/auth/index.js';
import { SOURCE_CHILD_ENV } from '../../../common/test/support/source-child.js';
import { scrape } from '../support/metrics.js';

const repository = fileURLToPath(new URL('../../../', import.meta.url));

interface Listening {
  worker: number;
  pid: number;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

let dir: string;
let gateway: ChildProcess;
let url: string;
let metricsUrl: string;
let token: string;
const listening: Listening[] = [];
const waiters: (() => void)[] = [];

/** Resolves once `count` workers have logged that they listen, counting restarts. */
async function listeningCount(count: number): Promise<void> {
  while (listening.length < count) {
    if (gateway.exitCode !== null || gateway.signalCode !== null) throw new Error('the gateway exited');
    await new Promise<void>((resolve) => waiters.push(resolve));
  }
}

async function ask(): Promise<number> {
  // A new connection each time: the primary hands connections to the workers in turn.
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
      'x-credit-purpose': 'ADMINISTRATIVE_LICENSING',
      connection: 'close',
    },
    // Answered by the gateway alone, and registered (a bare `{ __typename }` probe is not).
    body: JSON.stringify({ query: '{ __schema { queryType { name } } }' }),
  });
  expect(await response.json()).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
  return response.status;
}

/** Records in each chain of the register, by file name. */
async function chains(): Promise<Record<string, number>> {
  const register = join(dir, 'register');
  const counts: Record<string, number> = {};
  for (const name of (await readdir(register)).filter((file) => file.endsWith('.jsonl')).sort()) {
    counts[name] = (await readFile(join(register, name), 'utf8')).split('\n').filter((line) => line !== '').length;
  }
  return counts;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'credit-gateway-workers-'));
  const keys = await generateDevKeys(join(dir, 'keys'));
  token = await mintCallerToken({ tier: 'GOVERNMENT', client: 'approval-system-test', dir: keys.dir });
  // The gateway runs from source: workspace imports resolve to their src/, not to a build.
  const tsconfig = SOURCE_CHILD_ENV.TSX_TSCONFIG_PATH;
  const port = await freePort();
  const healthPort = await freePort();
  const metricsPort = await freePort();
  url = `http://127.0.0.1:${port}`;
  metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  gateway = spawn(process.execPath, ['--import', 'tsx', 'gateway/src/index.ts'], {
    cwd: repository,
    env: {
      PATH: process.env['PATH'],
      TSX_TSCONFIG_PATH: tsconfig,
      ...keys.env,
      PORT: String(port),
      WORKERS: '2',
      HEALTH_PORT: String(healthPort),
      METRICS_PORT: String(metricsPort),
      REGISTER_DIR: join(dir, 'register'),
      REGISTER_WRITER_ID: 'gateway-test',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  gateway.on('exit', () => {
    for (const wake of waiters.splice(0)) wake();
  });
  createInterface({ input: gateway.stdout! }).on('line', (line) => {
    const entry = JSON.parse(line) as { msg?: string; worker?: number; pid?: number };
    if (entry.msg === 'credit-gateway listening' && entry.worker !== undefined && entry.pid !== undefined) {
      listening.push({ worker: entry.worker, pid: entry.pid });
      for (const wake of waiters.splice(0)) wake();
    }
  });
  await listeningCount(2);
}, 120_000);

afterAll(async () => {
  if (gateway && gateway.exitCode === null && gateway.signalCode === null) {
    gateway.kill('SIGKILL');
    for (const { pid } of listening) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('WORKERS=2', { timeout: 120_000 }, () => {
  it('runs two workers on one port, both answering into the one register chain the primary holds', async () => {
    expect(listening.map((entry) => entry.worker).sort()).toEqual([1, 2]);
    for (let i = 0; i < 6; i++) expect(await ask()).toBe(200);
    expect(await chains()).toEqual({ 'gateway-test.jsonl': 6 });
  });

  it('serves one metrics page for both workers from the primary, adding up what each counted', async () => {
    const before = await scrape(metricsUrl);
    // Both workers' registries answered the primary.
    expect(before.value('credit_gateway_processes')).toBe(2);
    const requests = 'credit_gateway_request_duration_seconds_count';
    const labels = { operation: '__none__', tier: 'GOVERNMENT', outcome: 'OK' };
    // The six requests of the test before, three answered by each worker in turn.
    expect(before.value(requests, labels)).toBe(6);
    for (let i = 0; i < 4; i++) expect(await ask()).toBe(200);
    const after = await scrape(metricsUrl);
    expect(after.value(requests, labels)).toBe(10);
    expect(after.value('credit_gateway_register_commit_duration_seconds_count', { committed: 'true' })).toBe(10);
    // The metrics stay off the public port.
    expect((await fetch(`${url}/metrics`)).status).toBe(404);
  });

  it('restarts a worker that dies, which goes on writing into the same chain', async () => {
    const victim = listening.find((entry) => entry.worker === 1)!;
    process.kill(victim.pid, 'SIGKILL');
    await listeningCount(3);
    expect(listening[2]!.worker).toBe(1);
    expect(listening[2]!.pid).not.toBe(victim.pid);
    const before = await chains();
    for (let i = 0; i < 4; i++) expect(await ask()).toBe(200);
    expect(await chains()).toEqual({ 'gateway-test.jsonl': before['gateway-test.jsonl']! + 4 });
  });

  it('stops every worker and exits cleanly on SIGTERM', async () => {
    const exited = once(gateway, 'exit');
    gateway.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
    for (const { pid } of listening) expect(() => process.kill(pid, 0)).toThrow();
  });
});
