import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDevKeys, mintCallerToken, type DevKeySet } from '../../src/auth/index.js';
import { SOURCE_CHILD_ENV } from '../../../common/test/support/source-child.js';
import { scrape } from '../support/metrics.js';

/**
 * The gateway's entry as one process (WORKERS=1): it serves its own registry on METRICS_PORT, and
 * stops at once when that port cannot be opened.
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
let keys: DevKeySet;
const children: ChildProcess[] = [];

function startEntry(env: Record<string, string>): {
  child: ChildProcess;
  listening: Promise<{ metrics: string | null }>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', 'gateway/src/index.ts'], {
    cwd: repository,
    env: {
      PATH: process.env['PATH'],
      TSX_TSCONFIG_PATH: SOURCE_CHILD_ENV.TSX_TSCONFIG_PATH,
      ...keys.env,
      WORKERS: '1',
      REGISTER_DIR: join(dir, `register-${children.length}`),
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const listening = new Promise<{ metrics: string | null }>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the gateway exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const entry = JSON.parse(line) as { msg?: string; metrics?: string | null };
      if (entry.msg === 'credit-gateway listening') resolve({ metrics: entry.metrics ?? null });
    });
  });
  return { child, listening };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'credit-gateway-metrics-'));
  keys = await generateDevKeys(join(dir, 'keys'));
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the gateway entry as a single process', { timeout: 120_000 }, () => {
  it('serves its own metrics on METRICS_PORT, counting what the public port answered', async () => {
    const port = await freePort();
    const metricsPort = await freePort();
    const { child, listening } = startEntry({ PORT: String(port), METRICS_PORT: String(metricsPort) });
    const { metrics } = await listening;
    expect(metrics).toBe(`http://127.0.0.1:${metricsPort}/metrics`);
    const token = await mintCallerToken({ tier: 'GOVERNMENT', client: 'approval-system-test', dir: keys.dir });
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${token}`,
          'x-credit-purpose': 'ADMINISTRATIVE_LICENSING',
        },
        body: JSON.stringify({ query: 'query Probe { __schema { queryType { name } } }' }),
      });
      expect(response.status).toBe(200);
    }
    const page = await scrape(metrics!);
    expect(page.value('credit_gateway_processes')).toBe(1);
    expect(
      page.value('credit_gateway_request_duration_seconds_count', {
        operation: 'Probe',
        tier: 'GOVERNMENT',
        outcome: 'OK',
      }),
    ).toBe(3);
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(404);
    child.kill('SIGTERM');
    expect((await once(child, 'exit'))[0]).toBe(0);
    await expect(fetch(metrics!)).rejects.toThrow();
  });

  it('exits with code 1 when its metrics port is taken', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const metricsPort = (taken.address() as { port: number }).port;
      const { child, listening } = startEntry({ PORT: String(await freePort()), METRICS_PORT: String(metricsPort) });
      listening.catch(() => undefined);
      expect((await once(child, 'exit'))[0]).toBe(1);
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });
});
