import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { emptyFigures, runLoad, type LoadFigures } from '../../../scripts/src/chaos/load.js';
import { HIGH_RATE_LIMITS } from '../../../scripts/src/harness/args.js';
import { verifyFileRegister } from '@credit-gateway/register';
import { startStack, type Stack } from '../support/stack.js';
import { freePort, startChildGateway, waitForReady, type ChildGateway } from './child-gateway.js';

/**
 * CI's sample of `npm run chaos`: under a bounded load loop of profile, batch and credit-rule
 * queries, one department down, Redis down and back, and a gateway worker killed with kill -9.
 * No request hangs, every failed answer carries a code, and every answered request is in the
 * query register, whose chains verify.
 */
let stack: Stack;
let dir: string;
let gateway: ChildGateway;
let redis: ChildProcess;
let redisPort: number;
let token: string;
const acknowledged: string[] = [];
const codes = [
  '91500155MA5UQ01CXD',
  '91500112MA60YD7K76',
  '91350100MA2XH3FN5G',
  '91441900MA4UW2DQ7T',
  '91120116MA05LQ3B65',
];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function startRedis(): Promise<void> {
  redis = spawn(
    'redis-server',
    ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  for (let i = 0; i < 100; i++) {
    try {
      execFileSync('redis-cli', ['-p', String(redisPort), 'ping'], { stdio: 'ignore' });
      return;
    } catch {
      await sleep(100);
    }
  }
  throw new Error('redis-server did not start');
}

/** Resolves once `figures` has counted `count` more answers than it had, however slow the machine. */
async function answersAfter(figures: LoadFigures, count: number): Promise<void> {
  const target = figures.requests + count;
  while (figures.requests < target) await sleep(50);
}

/**
 * Runs load while `fault` happens, then `recover`, and returns the figures. Each phase lasts a
 * number of answers, not a time: a loaded machine makes it longer, never emptier.
 */
async function underLoad(fault: () => Promise<void>, recover: () => Promise<void>): Promise<LoadFigures> {
  let stop!: () => void;
  const until = new Promise<void>((resolve) => (stop = resolve));
  const figures = emptyFigures();
  const load = runLoad(
    { url: gateway.url, token, codes, concurrency: 4, hangMs: 15_000, until, maxRequests: 20_000 },
    figures,
  );
  await answersAfter(figures, 4);
  await fault();
  await answersAfter(figures, 12);
  await recover();
  await answersAfter(figures, 4);
  stop();
  await load;
  acknowledged.push(...figures.acknowledged);
  return figures;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'credit-gateway-chaos-'));
  redisPort = await freePort();
  await startRedis();
  stack = await startStack();
  token = await stack.token('GOVERNMENT', 'chaos-approval');
  gateway = await startChildGateway(stack, dir, {
    ...HIGH_RATE_LIMITS,
    WORKERS: '2',
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    ENTITY_CACHE: 'true',
    CACHE_REDIS_URL: `redis://127.0.0.1:${redisPort}`,
  });
}, 180_000);

afterAll(async () => {
  await gateway?.kill();
  redis?.kill('SIGKILL');
  await stack?.close();
  await rm(dir, { recursive: true, force: true });
});

it('while the courts are down, no request hangs or comes back uncoded', async () => {
  const figures = await underLoad(
    () => stack.setFaults('courts', { errorRate: 1 }),
    () => stack.clearFaults(),
  );
  expect(figures.requests).toBeGreaterThanOrEqual(20);
  expect({ hangs: figures.hangs, uncoded: figures.uncoded, resets: figures.resets }).toEqual({
    hangs: 0,
    uncoded: 0,
    resets: 0,
  });
}, 120_000);

it('keeps answering while Redis is down and after it is back', async () => {
  const figures = await underLoad(
    async () => {
      redis.kill('SIGKILL');
      await new Promise((resolve) => redis.once('exit', resolve));
    },
    () => startRedis(),
  );
  expect(figures.ok).toBeGreaterThan(0);
  expect({ hangs: figures.hangs, uncoded: figures.uncoded, resets: figures.resets, fiveXX: figures.fiveXX }).toEqual({
    hangs: 0,
    uncoded: 0,
    resets: 0,
    fiveXX: 0,
  });
}, 120_000);

it('survives a worker killed with kill -9: no hang, no uncoded answer, and a worker back', async () => {
  // Worker pids from their own "listening" log lines (the primary also runs tsx's helpers).
  const workers = gateway.workerPids();
  expect(workers).toHaveLength(2);
  const figures = await underLoad(
    async () => {
      process.kill(workers[0]!, 'SIGKILL');
    },
    () => waitForReady(gateway.url, 60_000, () => true),
  );
  expect(figures.ok).toBeGreaterThan(0);
  // Connections the killed worker held may be reset; nothing may hang or come back uncoded.
  expect({ hangs: figures.hangs, uncoded: figures.uncoded }).toEqual({ hangs: 0, uncoded: 0 });
  const deadline = Date.now() + 60_000;
  while (gateway.workerPids().includes(workers[0]!) && Date.now() < deadline) await sleep(200);
  expect(gateway.workerPids()).toHaveLength(2);
  expect(gateway.workerPids()).not.toContain(workers[0]);
}, 120_000);

it('has every answered request in the query register, and the register verifies', async () => {
  const register = join(dir, 'register');
  const stored = new Set<string>();
  for (const file of (await readdir(register)).filter((name) => name.endsWith('.jsonl'))) {
    for (const line of (await readFile(join(register, file), 'utf8')).split('\n').filter(Boolean))
      stored.add((JSON.parse(line) as { requestId: string }).requestId);
  }
  expect(acknowledged.length).toBeGreaterThan(30);
  expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
  const report = await verifyFileRegister(register);
  expect(report.ok, JSON.stringify(report)).toBe(true);
}, 60_000);
