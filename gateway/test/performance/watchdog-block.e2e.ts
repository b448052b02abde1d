import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SOURCE_CHILD_ENV } from '../../../common/test/support/source-child.js';

/**
 * The watchdog against a worker whose event loop is really blocked: the gateway's primary over a
 * fixture worker (fixtures/blocking-workers.ts) that has a route which busy-loops for a minute.
 */
const repository = fileURLToPath(new URL('../../../', import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

let dir: string;
let primary: ChildProcess;
let port: number;
let healthPort: number;

async function pidOfWorker(): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}/pid`, {
    headers: { connection: 'close' },
    signal: AbortSignal.timeout(1_000),
  });
  return ((await response.json()) as { pid: number }).pid;
}

/** Retries `probe` until it resolves; bounded by the test's timeout. */
async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean): Promise<T> {
  for (;;) {
    try {
      const value = await probe();
      if (accept(value)) return value;
    } catch {
      // Not answering yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function readyz(): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${healthPort}/readyz`, { signal: AbortSignal.timeout(10_000) });
  await response.arrayBuffer();
  return response.status;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'credit-gateway-block-'));
  const tsconfig = SOURCE_CHILD_ENV.TSX_TSCONFIG_PATH;
  port = await freePort();
  healthPort = await freePort();
  primary = spawn(process.execPath, ['--import', 'tsx', 'gateway/test/performance/fixtures/blocking-workers.ts'], {
    cwd: repository,
    env: {
      PATH: process.env['PATH'],
      TSX_TSCONFIG_PATH: tsconfig,
      PORT: String(port),
      HEALTH_PORT: String(healthPort),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}, 60_000);

afterAll(async () => {
  if (primary && primary.exitCode === null && primary.signalCode === null) {
    const exited = new Promise((resolve) => primary.once('exit', resolve));
    primary.kill('SIGTERM');
    await exited;
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a worker whose event loop is blocked', { timeout: 90_000 }, () => {
  it('is killed and replaced by the primary, which answers health meanwhile', async () => {
    const first = await eventually(pidOfWorker, () => true);
    await eventually(readyz, (status) => status === 200);
    // Never answered: the worker is killed in the middle of it.
    const blocked = fetch(`http://127.0.0.1:${port}/block`, { headers: { connection: 'close' } }).then(
      () => 'answered',
      () => 'cut',
    );
    await eventually(readyz, (status) => status === 503);
    const second = await eventually(pidOfWorker, (pid) => pid !== first);
    expect(await blocked).toBe('cut');
    expect(() => process.kill(first, 0)).toThrow();
    expect(await eventually(readyz, (status) => status === 200)).toBe(200);
    expect(await pidOfWorker()).toBe(second);
  });
});
