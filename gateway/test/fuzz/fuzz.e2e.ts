import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { formatFuzzReport, runFuzz, type FuzzReport } from '../../../scripts/src/fuzz/run.js';
import { HIGH_RATE_LIMITS } from '../../../scripts/src/harness/args.js';
import { startStack, type Stack } from '../support/stack.js';
import { startChildGateway, type ChildGateway } from './child-gateway.js';

/**
 * CI's seeded sample of `npm run fuzz`: 1,500 hostile requests (documents, identifiers, HTTP
 * framing, headers, persisted queries, mutations) through gateways in their own processes, so a
 * request that wedges one is counted as a hang rather than freezing the test. Every count a client
 * must never see is zero: 5xx, errors without a code, hangs, resets, /readyz failures.
 */
let stack: Stack;
let dir: string;
let highLimits: ChildGateway;
let normalLimits: ChildGateway;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'credit-gateway-fuzz-'));
  stack = await startStack();
  [highLimits, normalLimits] = await Promise.all([
    // The first believes X-Forwarded-For from this machine, as the fuzz command's does.
    startChildGateway(stack, join(dir, 'high'), { ...HIGH_RATE_LIMITS, TRUSTED_PROXIES: '127.0.0.1,::1' }),
    startChildGateway(stack, join(dir, 'normal')),
  ]);
}, 180_000);

afterAll(async () => {
  await highLimits?.kill();
  await normalLimits?.kill();
  await stack?.close();
  await rm(dir, { recursive: true, force: true });
});

it('answers 1,500 seeded hostile requests with coded errors only, none hanging, none reset', async () => {
  const report: FuzzReport = await runFuzz({
    url: highLimits.url,
    normalUrl: normalLimits.url,
    keysDir: stack.keysDir,
    runs: 1_500,
    seed: 20_261_203,
    concurrency: 16,
    hangMs: 15_000,
  });
  // The whole report on failure: the distinct classes, each with its smallest reproducer.
  const counts = {
    fiveXX: report.fiveXX,
    uncoded: report.uncoded,
    hangs: report.hangs,
    resets: report.resets,
    readyzFailures: report.readyzFailures,
    unsent: report.wedged?.unsent ?? 0,
  };
  expect(report.requests + (report.wedged?.unsent ?? 0)).toBeGreaterThan(1_400);
  expect(counts, formatFuzzReport(report)).toEqual({
    fiveXX: 0,
    uncoded: 0,
    hangs: 0,
    resets: 0,
    readyzFailures: 0,
    unsent: 0,
  });
}, 900_000);
