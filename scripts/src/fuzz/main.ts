/**
 * `npm run fuzz -- [--runs 100000] [--seed 1] [--concurrency 16] [--hang-ms 15000]
 *   [--url http://127.0.0.1:4000 --keys-dir .data/dev-keys] [--case 17,42] [--skip family,…] [--trace] [--json report.json]`
 *
 * Without --url it starts the whole system on free ports: one gateway with high rate limits for
 * most cases and one with the shipped limits for a share of them. Exits 1 when any 5xx, uncoded
 * error, hang, reset or /readyz failure was counted.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Args, HIGH_RATE_LIMITS } from '../harness/args.js';
import { REPOSITORY, startSystem } from '../harness/system.js';
import type { Outcome } from '../harness/http.js';
import { failuresOf, formatFuzzReport, prepareFuzz, runFuzz } from './run.js';

const args = new Args(process.argv.slice(2));
const runs = args.int('runs', 100_000, 1);
const seed = args.int('seed', 1);
const concurrency = args.int('concurrency', 16, 1);
const hangMs = args.int('hang-ms', 15_000, 100);
const cases = args.string('case')?.split(',').map(Number);
const url = args.string('url');

const system = url
  ? null
  : await startSystem({
      // The first gateway believes X-Forwarded-For from this machine, so that claimed addresses
      // are walked and counted; the second believes none, as it ships.
      gateways: [{ ...HIGH_RATE_LIMITS, TRUSTED_PROXIES: '127.0.0.1,::1' }, {}],
      logLevel: args.string('log-level') ?? 'fatal',
    });
const gatewayUrl = url ?? system!.gateways[0]!.url;
const keysDir = args.string('keys-dir') ?? system?.keys.dir ?? join(REPOSITORY, '.data/dev-keys');
process.stderr.write(
  `fuzzing ${gatewayUrl}: ${cases ? `cases ${cases.join(',')}` : `${runs} requests`}, seed ${seed}, concurrency ${concurrency}\n`,
);
try {
  const prepared = await prepareFuzz(seed, keysDir);
  const report = await runFuzz(
    {
      url: gatewayUrl,
      normalUrl: system?.gateways[1]!.url ?? gatewayUrl,
      keysDir,
      runs,
      seed,
      concurrency,
      hangMs,
      ...(cases ? { cases } : {}),
      ...(args.string('skip') ? { skip: args.string('skip')!.split(',') } : {}),
      ...(args.flag('trace')
        ? {
            onCase: (index: number, family: string, outcome: Outcome) =>
              process.stderr.write(
                `case ${index} ${outcome.verdict} ${outcome.status ?? '-'} ${Math.round(outcome.latencyMs)} ms ${family}\n`,
              ),
          }
        : {}),
      onProgress: (done, partial) =>
        done % (runs >= 10_000 ? 5_000 : 100) === 0 &&
        process.stderr.write(
          `${done}: 5xx ${partial.fiveXX} uncoded ${partial.uncoded} hangs ${partial.hangs} resets ${partial.resets}\n`,
        ),
    },
    prepared,
  );
  process.stdout.write(`${formatFuzzReport(report)}\n`);
  const json = args.string('json');
  if (json) await writeFile(json, JSON.stringify(report, null, 2));
  process.exitCode = failuresOf(report) > 0 ? 1 : 0;
} finally {
  await system?.close();
}
