/**
 * `npm run chaos -- [--seconds 4] [--concurrency 8] [--hang-ms 15000] [--only name,…]`
 *
 * Starts the whole system on 127.0.0.1 (gateway with WORKERS=2, a private redis-server for rate
 * limits, persisted queries and the entity cache, and the query register on PostgreSQL behind a
 * TCP proxy), then runs each scenario under a bounded load loop: departments down, slow and
 * answering garbage; Redis down and back; PostgreSQL cut and back; a worker killed with kill -9;
 * the whole gateway killed and restarted. Prints a table, then checks that every acknowledged
 * request is in the register and that the register verifies. Exits 1 when an expectation fails.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { STAND_IN_NAMES } from '@credit-gateway/common';
import { mintCallerToken } from '@credit-gateway/gateway';
import { DEMO_SUBJECTS, population } from '@credit-gateway/sources';
import { Args, HIGH_RATE_LIMITS } from '../harness/args.js';
import { freePort, REPOSITORY, startSystem, waitUntilReady, type RunningSystem } from '../harness/system.js';
import { emptyFigures, percentile, runLoad, type LoadFigures } from './load.js';
import { startTcpProxy } from './tcp-proxy.js';

const args = new Args(process.argv.slice(2));
const seconds = args.int('seconds', 4, 1);
const concurrency = args.int('concurrency', 8, 1);
const hangMs = args.int('hang-ms', 15_000, 100);
const only = args.string('only')?.split(',');
const pgUrl = args.string('postgres') ?? 'postgres://postgres@127.0.0.1:5432/test';

interface Scenario {
  name: string;
  fault(): Promise<void>;
  recover(): Promise<void>;
  /** Connections cut by the fault itself (kill -9) are expected; elsewhere a reset is a failure. */
  resetsExpected?: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function startRedis(port: number): ChildProcess {
  return spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
}

async function waitForPort(port: number): Promise<void> {
  const { connect } = await import('node:net');
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      }).on('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`nothing listens on ${port}`);
}

const schemaName = `chaos_${randomBytes(4).toString('hex')}`;
const schemaUrl = (base: string) => `${base}?options=${encodeURIComponent(`-c search_path=${schemaName}`)}`;
const admin = new pg.Client({ connectionString: pgUrl });
await admin.connect();
await admin.query(`CREATE SCHEMA ${schemaName}`);
const pgTarget = new URL(pgUrl);
const proxy = await startTcpProxy({ host: pgTarget.hostname, port: Number(pgTarget.port || 5432) });
const proxiedUrl = `postgres://${pgTarget.username}@127.0.0.1:${proxy.port}${pgTarget.pathname}`;
const redisPort = await freePort();
let redis = startRedis(redisPort);
await waitForPort(redisPort);

let system: RunningSystem | undefined;
let failed = false;
try {
  system = await startSystem({
    gatewayEnv: {
      ...HIGH_RATE_LIMITS,
      WORKERS: '2',
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      ENTITY_CACHE: 'true',
      CACHE_REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      CACHE_PREFIX: `${schemaName}:entity:`,
      APQ_PREFIX: `${schemaName}:apq:`,
      REGISTER_DATABASE_URL: schemaUrl(proxiedUrl),
      REGISTER_WRITER_ID: schemaName,
    },
    logLevel: args.string('log-level') ?? 'fatal',
  });
  const running = system;
  const gateway = running.gateways[0]!;
  const token = await mintCallerToken({
    tier: 'GOVERNMENT',
    client: 'chaos-approval',
    subject: 'chaos',
    dir: running.keys.dir,
  });
  const codes = [...DEMO_SUBJECTS.keys(), ...[...population(60)].slice(DEMO_SUBJECTS.size)];
  const faults = (name: string, body: Record<string, unknown>) => async () => {
    const response = await fetch(`${running.standInUrl(name as (typeof STAND_IN_NAMES)[number])}/_sim/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`faults for ${name}: ${response.status}`);
  };
  const clear = { delayMs: 0, jitterMs: 0, errorRate: 0, garbageRate: 0, hang: false };
  const workers = () =>
    execFileSync('pgrep', ['-P', String(gateway.pid())], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);

  const scenarios: Scenario[] = [
    { name: 'baseline', fault: () => Promise.resolve(), recover: () => Promise.resolve() },
    ...STAND_IN_NAMES.flatMap((name): Scenario[] => [
      { name: `${name} down`, fault: faults(name, { errorRate: 1 }), recover: faults(name, clear) },
      { name: `${name} slow`, fault: faults(name, { delayMs: 3_000 }), recover: faults(name, clear) },
      { name: `${name} garbage`, fault: faults(name, { garbageRate: 1 }), recover: faults(name, clear) },
      { name: `${name} hangs`, fault: faults(name, { hang: true }), recover: faults(name, clear) },
    ]),
    {
      name: 'social-security down',
      fault: () => running.restartSubgraph('social-security', { FAULT_ERROR_RATE: '1' }),
      recover: () => running.restartSubgraph('social-security', { FAULT_ERROR_RATE: '0' }),
    },
    {
      name: 'redis down and back',
      fault: async () => {
        redis.kill('SIGKILL');
        await new Promise((resolve) => redis.once('exit', resolve));
      },
      recover: async () => {
        redis = startRedis(redisPort);
        await waitForPort(redisPort);
      },
    },
    {
      name: 'postgres cut and back',
      fault: () => Promise.resolve(proxy.setMode('refuse')),
      recover: () => Promise.resolve(proxy.setMode('pass')),
    },
    {
      name: 'gateway worker kill -9',
      resetsExpected: true,
      fault: () => {
        const [victim] = workers();
        if (victim === undefined) throw new Error('no gateway worker to kill');
        process.kill(victim, 'SIGKILL');
        return Promise.resolve();
      },
      recover: () => waitUntilReady(`${gateway.url}/readyz`, 60_000),
    },
    {
      name: 'whole gateway kill -9, restart',
      resetsExpected: true,
      fault: async () => {
        const pids = workers();
        await gateway.kill('SIGKILL');
        for (const pid of pids) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // gone with its primary
          }
        }
      },
      recover: () => gateway.restart(),
    },
  ];

  const rows: { name: string; figures: LoadFigures; problems: string[] }[] = [];
  const acknowledged: string[] = [];
  for (const scenario of scenarios) {
    if (only && !only.some((name) => scenario.name.includes(name))) continue;
    let stop!: () => void;
    const until = new Promise<void>((resolve) => (stop = resolve));
    const figures = emptyFigures();
    const load = runLoad({ url: gateway.url, token, codes, concurrency, hangMs, until, maxRequests: 20_000 }, figures);
    await sleep(1_000);
    await scenario.fault();
    await sleep(seconds * 1_000);
    await scenario.recover();
    await sleep(1_500);
    stop();
    await load;
    const problems: string[] = [];
    if (figures.hangs > 0) problems.push(`${figures.hangs} hangs`);
    if (figures.uncoded > 0) problems.push(`${figures.uncoded} uncoded: ${figures.examples.join('; ')}`);
    if (figures.resets > 0 && !scenario.resetsExpected)
      problems.push(`${figures.resets} resets: ${figures.examples.join('; ')}`);
    rows.push({ name: scenario.name, figures, problems });
    acknowledged.push(...figures.acknowledged);
    process.stderr.write(
      `${scenario.name}: ${figures.requests} requests${problems.length ? `; ${problems.join(', ')}` : ''}\n`,
    );
  }

  // Every answered request is in the register, and the register's chains verify.
  await sleep(500);
  const direct = new pg.Client({ connectionString: schemaUrl(pgUrl) });
  await direct.connect();
  const stored = new Set(
    (await direct.query<{ request_id: string }>(`SELECT request_id FROM query_register`)).rows.map(
      (row) => row.request_id,
    ),
  );
  await direct.end();
  const missing = acknowledged.filter((id) => !stored.has(id));
  let verified = true;
  let verifyOutput = '';
  try {
    verifyOutput = execFileSync(
      process.execPath,
      ['register/dist/cli.js', 'verify', '--database-url', schemaUrl(pgUrl)],
      {
        cwd: REPOSITORY,
        encoding: 'utf8',
      },
    );
  } catch (error) {
    verified = false;
    verifyOutput =
      String((error as { stdout?: string }).stdout ?? '') + String((error as { stderr?: string }).stderr ?? '');
  }

  const header = [
    'scenario',
    'requests',
    'ok',
    'coded',
    'uncoded',
    '5xx',
    'hangs',
    'resets',
    'p50 ms',
    'p99 ms',
    'codes',
    'verdict',
  ];
  const table = rows.map(({ name, figures, problems }) => [
    name,
    String(figures.requests),
    String(figures.ok),
    String(figures.coded),
    String(figures.uncoded),
    String(figures.fiveXX),
    String(figures.hangs),
    String(figures.resets),
    percentile(figures.latencies, 50).toFixed(0),
    percentile(figures.latencies, 99).toFixed(0),
    Object.entries(figures.codes)
      .map(([code, count]) => `${code}:${count}`)
      .join(' '),
    problems.length === 0 ? 'pass' : `FAIL ${problems.join('; ')}`,
  ]);
  const lines = [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...table.map((row) => `| ${row.join(' | ')} |`),
  ];
  process.stdout.write(`${lines.join('\n')}\n\n`);
  process.stdout.write(
    `register: ${acknowledged.length} acknowledged requests, ${missing.length} missing from the register${missing.length ? ` (e.g. ${missing.slice(0, 3).join(', ')})` : ''}; verify ${verified ? 'passed' : 'FAILED'}\n${verifyOutput.trim().slice(0, 2_000)}\n`,
  );
  failed = rows.some((row) => row.problems.length > 0) || missing.length > 0 || !verified;
} catch (error) {
  process.stderr.write(`chaos run failed: ${(error as Error).stack ?? String(error)}\n`);
  failed = true;
} finally {
  await system?.close();
  redis.kill('SIGKILL');
  await proxy.close();
  await admin.query(`DROP SCHEMA ${schemaName} CASCADE`).catch(() => undefined);
  await admin.end();
}
process.exitCode = failed ? 1 : 0;
