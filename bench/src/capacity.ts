/**
 * `npm run capacity`: what one request costs the shared stores. Starts the whole system as
 * separate processes (scripts/src/harness), with the gateway's two Redis roles on two Redis servers
 * of its own (state: rate limits; cache: entity cache and persisted queries) and the query register
 * and the credit store on a PostgreSQL database of its own, runs N approval checks and N whole
 * department profiles, and prints the Redis commands (`INFO commandstats`) and the PostgreSQL
 * transactions, rows and bytes (`pg_stat_database`, `pg_stat_user_tables`, relation sizes) each
 * request cost, read as differences before and after each workload.
 *
 *   npm run capacity -- [--requests 500] [--concurrency 16] [--entity-cache] [--postgres <url>]
 *
 * The Redis servers and the database are made for the run and removed after it, so that nothing
 * else on the machine is counted. docs/capacity.md turns the figures into a sizing.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { mintCallerToken } from '@credit-gateway/gateway';
import { population } from '@credit-gateway/sources';
import { freePort, REPOSITORY, startSystem } from '../../scripts/src/harness/system.js';
import { profileQuery } from './profile.js';

const run = promisify(execFile);

function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? undefined : process.argv[index + 1];
}
function positive(name: string, fallback: number): number {
  const value = Number(option(name) ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive whole number`);
  return value;
}

const REQUESTS = positive('requests', 500);
const CONCURRENCY = positive('concurrency', 16);
const ENTITY_CACHE = process.argv.includes('--entity-cache');
const POSTGRES = option('postgres') ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const POPULATION = 2 * REQUESTS + 100;

// The bench's approval check (bench/src/main.ts) and its whole department profile.
const APPROVAL = `query ApprovalCheck($code: CreditCode!) { enterprise(code: $code) { code
  marketRegulation { registration { name status } abnormalOperations { listedOn removedOn } seriousIllegalListings { listedOn removedOn } }
  tax { creditGrades { year grade } majorViolations { caseNature publicityEndsOn } }
  courts { dishonestDebtorRecords { caseNumber status } }
  socialSecurity { wageArrearsListings { listedOn removedOn } }
  procurement { banned } } }`;
const PROFILE = profileQuery(readFileSync(join(REPOSITORY, 'schema/supergraph.graphql'), 'utf8'), 'GOVERNMENT');

// ---------------------------------------------------------------------------------------------
// Redis: two servers of the run's own, without persistence.

interface RedisServer {
  port: number;
  child: ChildProcess;
}

async function startRedis(args: string[]): Promise<RedisServer> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...args], {
    stdio: 'ignore',
  });
  for (let tries = 0; tries < 100; tries++) {
    try {
      const { stdout } = await run('redis-cli', ['-p', String(port), 'ping']);
      if (stdout.trim() === 'PONG') return { port, child };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server did not start on ${port}`);
}

/** Calls of each command since the server started (`INFO commandstats`). */
async function commandStats(redis: RedisServer): Promise<Map<string, number>> {
  const { stdout } = await run('redis-cli', ['-p', String(redis.port), 'info', 'commandstats']);
  const calls = new Map<string, number>();
  for (const line of stdout.split('\n')) {
    const match = /^cmdstat_([^:]+):calls=(\d+)/.exec(line.trim());
    if (match) calls.set(match[1]!, Number(match[2]));
  }
  return calls;
}

/** Commands a client sends about its connection or the server, not about a request. */
const HOUSEKEEPING = new Set(['info', 'ping', 'client|setname', 'client|setinfo', 'hello', 'select', 'config|get']);

function difference(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const grown = new Map<string, number>();
  for (const [command, calls] of after) {
    const delta = calls - (before.get(command) ?? 0);
    if (delta > 0 && !HOUSEKEEPING.has(command)) grown.set(command, delta);
  }
  return grown;
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL: a database of the run's own.

interface PgSnapshot {
  database: Record<string, number>;
  tables: Map<string, Record<string, number>>;
  bytes: number;
}

const DATABASE_COLUMNS = [
  'xact_commit',
  'xact_rollback',
  'tup_returned',
  'tup_fetched',
  'tup_inserted',
  'tup_updated',
  'tup_deleted',
  'blks_read',
  'blks_hit',
] as const;
const TABLE_COLUMNS = ['seq_scan', 'idx_scan', 'n_tup_ins', 'n_tup_upd', 'n_tup_del'] as const;

/**
 * The database's counters. The statistics a backend gathers reach the shared view once it has
 * been idle a while (at most PGSTAT_IDLE_INTERVAL, 10 s), so the reading waits that long. The
 * tables and their sizes are read first, on a connection to the database that ends before the
 * rest is read, so that the reading itself is counted once in every snapshot (and taken off by
 * calibration); then the database's row, until two readings 2 s apart agree.
 */
async function pgSnapshot(adminUrl: string, databaseUrl: string, database: string): Promise<PgSnapshot> {
  // Past the longest a backend keeps its statistics to itself while idle.
  await new Promise((resolve) => setTimeout(resolve, 11_000));
  const own = new pg.Client({ connectionString: databaseUrl });
  await own.connect();
  const tables = new Map<string, Record<string, number>>();
  let bytes: number;
  try {
    const rows = await own.query<Record<string, string>>(
      `SELECT schemaname || '.' || relname AS name, pg_total_relation_size(relid) AS bytes,
              ${TABLE_COLUMNS.map((c) => `coalesce(${c}, 0) AS ${c}`).join(', ')}
         FROM pg_stat_user_tables`,
    );
    bytes = 0;
    for (const table of rows.rows) {
      tables.set(table['name']!, Object.fromEntries(TABLE_COLUMNS.map((c) => [c, Number(table[c])])));
      bytes += Number(table['bytes']);
    }
  } finally {
    await own.end();
  }
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    let previous: Record<string, number> | undefined;
    for (let tries = 0; tries < 15; tries++) {
      await admin.query('SELECT pg_stat_clear_snapshot()');
      const row = (
        await admin.query<Record<string, string>>(
          `SELECT ${DATABASE_COLUMNS.join(', ')} FROM pg_stat_database WHERE datname = $1`,
          [database],
        )
      ).rows[0]!;
      const current = Object.fromEntries(DATABASE_COLUMNS.map((c) => [c, Number(row[c])]));
      if (previous && JSON.stringify(previous) === JSON.stringify(current)) break;
      previous = current;
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
    return { database: previous!, tables, bytes };
  } finally {
    await admin.end();
  }
}

const subtract = (after: Record<string, number>, before: Record<string, number> | undefined) =>
  Object.fromEntries(Object.entries(after).map(([key, value]) => [key, value - (before?.[key] ?? 0)]));

// ---------------------------------------------------------------------------------------------
// Load

async function drive(url: string, headers: Record<string, string>, bodies: string[]): Promise<number> {
  let next = 0;
  let failed = 0;
  let first: string | undefined;
  const worker = async () => {
    while (next < bodies.length) {
      const body = bodies[next++]!;
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
      const answer = (await response.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] };
      if (response.status !== 200 || answer.errors !== undefined || answer.data === undefined) {
        failed++;
        first ??= `HTTP ${response.status}: ${JSON.stringify(answer).slice(0, 300)}`;
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  if (failed > 0)
    process.stderr.write(`${failed} of ${bodies.length} requests were not answered whole; first: ${first}\n`);
  return failed;
}

interface Cost {
  workload: string;
  requests: number;
  failed: number;
  redis: Record<'state' | 'cache', Map<string, number>>;
  database: Record<string, number>;
  tables: Map<string, Record<string, number>>;
  bytes: number;
}

function perRequest(value: number, requests: number): string {
  return (value / requests).toFixed(3);
}

function report(cost: Cost): string {
  const lines = [`\n## ${cost.workload}: ${cost.requests} requests, ${cost.failed} not answered whole`];
  for (const role of ['state', 'cache'] as const) {
    const commands = [...cost.redis[role]].sort((a, b) => b[1] - a[1]);
    const total = commands.reduce((sum, [, calls]) => sum + calls, 0);
    lines.push(`Redis ${role}: ${perRequest(total, cost.requests)} commands per request`);
    for (const [command, calls] of commands)
      lines.push(`  ${command.padEnd(24)} ${perRequest(calls, cost.requests).padStart(8)} per request (${calls})`);
  }
  lines.push('PostgreSQL (the register and the credit store), per request:');
  for (const [column, value] of Object.entries(cost.database))
    lines.push(`  ${column.padEnd(24)} ${perRequest(value, cost.requests).padStart(8)}`);
  lines.push(`  ${'bytes grown'.padEnd(24)} ${perRequest(cost.bytes, cost.requests).padStart(8)}`);
  for (const [table, counters] of cost.tables) {
    const shown = Object.entries(counters).filter(([, value]) => value !== 0);
    if (shown.length > 0)
      lines.push(
        `  ${table}: ${shown.map(([column, value]) => `${column} ${perRequest(value, cost.requests)}`).join(', ')}`,
      );
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------

const database = `capacity_${process.pid}_${Date.now().toString(36)}`;
const adminUrl = POSTGRES;
const databaseUrl = (() => {
  const url = new URL(POSTGRES);
  url.pathname = `/${database}`;
  return url.toString();
})();

const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${database}`);
await admin.end();

const state = await startRedis(['--maxmemory-policy', 'noeviction']);
const cache = await startRedis(['--maxmemory', '256mb', '--maxmemory-policy', 'allkeys-lru']);
const cleanUp = async () => {
  state.child.kill('SIGTERM');
  cache.child.kill('SIGTERM');
  const again = new pg.Client({ connectionString: adminUrl });
  await again.connect();
  await again.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await again.end();
};

try {
  const system = await startSystem({
    populationSize: POPULATION,
    gatewayEnv: {
      REDIS_URL: `redis://127.0.0.1:${state.port}`,
      CACHE_REDIS_URL: `redis://127.0.0.1:${cache.port}`,
      CACHE_REDIS_MAX_BYTES: '201326592',
      REGISTER_DATABASE_URL: databaseUrl,
      ...(ENTITY_CACHE ? { ENTITY_CACHE: 'true' } : {}),
    },
    subgraphEnv: { credit: { CREDIT_DATABASE_URL: databaseUrl } },
  });
  try {
    const gateway = system.gateways[0]!;
    const token = await mintCallerToken({ tier: 'GOVERNMENT', client: 'capacity', dir: system.keys.dir });
    const headers = { authorization: `Bearer ${token}`, 'x-credit-purpose': 'ADMINISTRATIVE_LICENSING' };
    // Past the demo subjects, different subjects for each workload: nothing is answered from a cache
    // the other workload filled.
    const codes = [...population(POPULATION)].slice(50);
    const workloads = [
      { workload: 'Approval check', query: APPROVAL, codes: codes.slice(0, REQUESTS) },
      { workload: 'Whole department profile', query: PROFILE.query, codes: codes.slice(REQUESTS, 2 * REQUESTS) },
    ];
    // One request first, so that what a process does once (schemas, prepared tables) is not counted.
    await drive(gateway.url, headers, [JSON.stringify({ query: APPROVAL, variables: { code: codes.at(-1) } })]);

    process.stdout.write(
      `# Store operations per request: ${REQUESTS} requests a workload at concurrency ${CONCURRENCY}, ` +
        `one gateway process, entity cache ${ENTITY_CACHE ? 'on' : 'off (shipped default)'}, rate limits as shipped\n`,
    );
    // What taking a snapshot costs the database itself, taken off every workload's figures.
    const idle = await pgSnapshot(adminUrl, databaseUrl, database);
    const overhead = subtract((await pgSnapshot(adminUrl, databaseUrl, database)).database, idle.database);
    let failedAll = 0;
    for (const { workload, query, codes: subjects } of workloads) {
      const before = {
        state: await commandStats(state),
        cache: await commandStats(cache),
        pg: await pgSnapshot(adminUrl, databaseUrl, database),
      };
      const failed = await drive(
        gateway.url,
        headers,
        subjects.map((code) => JSON.stringify({ query, variables: { code } })),
      );
      failedAll += failed;
      const after = { state: await commandStats(state), cache: await commandStats(cache) };
      const afterPg = await pgSnapshot(adminUrl, databaseUrl, database);
      const tables = new Map<string, Record<string, number>>();
      for (const [table, counters] of afterPg.tables)
        tables.set(table, subtract(counters, before.pg.tables.get(table)));
      process.stdout.write(
        report({
          workload,
          requests: subjects.length,
          failed,
          redis: { state: difference(before.state, after.state), cache: difference(before.cache, after.cache) },
          database: subtract(subtract(afterPg.database, before.pg.database), overhead),
          tables,
          bytes: afterPg.bytes - before.pg.bytes,
        }) + '\n',
      );
    }
    process.exitCode = failedAll > 0 ? 1 : 0;
  } finally {
    await system.close();
  }
} finally {
  await cleanUp();
}
