/**
 * `npm run capacity`: what one request costs the shared stores. Starts the whole system as
 * separate processes (scripts/src/harness), with the gateway's two Redis roles on two Redis servers
 * of its own (state: rate limits; cache: entity cache and persisted queries) and the query register
 * and the credit store on a PostgreSQL database of its own, runs N approval checks and N whole
 * department profiles, and prints the Redis commands (`INFO commandstats`) and the PostgreSQL
 * transactions, rows and bytes (`pg_stat_database`, `pg_stat_user_tables`, relation sizes) each
 * request cost, read as differences before and after each workload.
 *
 *   npm run capacity -- [--requests 500] [--concurrency 8] [--entity-cache] [--single-redis] [--postgres <url>]
 *
 * The state role is a three-primary Redis Cluster (REDIS_CLUSTER=true), as on Kubernetes, unless
 * --single-redis; the cache role is one Redis, as there.
 *
 * The Redis servers and the database are made for the run and removed after it, so that nothing
 * else on the machine is counted. docs/capacity.md turns the figures into a sizing.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
// Low enough that Redis answers within REDIS_TIMEOUT_MS (100 ms) on a busy machine: a rate limit
// Redis does not answer in time is counted in the gateway's memory, and not in Redis.
const CONCURRENCY = positive('concurrency', 8);
const CLUSTER = !process.argv.includes('--single-redis');
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

/** One Redis role: its servers (one, or the primaries of a cluster). */
interface RedisRole {
  ports: number[];
  children: ChildProcess[];
  url: string;
}

async function startServer(args: string[]): Promise<{ port: number; child: ChildProcess }> {
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

async function startRedis(args: string[]): Promise<RedisRole> {
  const { port, child } = await startServer(args);
  return { ports: [port], children: [child], url: `redis://127.0.0.1:${port}` };
}

/** Three primaries without replicas, their slots shared out by `redis-cli --cluster create`. */
async function startRedisCluster(args: string[], dir: string): Promise<RedisRole> {
  const servers = [];
  for (let i = 0; i < 3; i++) {
    servers.push(
      await startServer([
        ...args,
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        join(dir, `nodes-${i}.conf`),
        '--dir',
        dir,
      ]),
    );
  }
  const ports = servers.map(({ port }) => port);
  await run('redis-cli', ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-yes']);
  for (let tries = 0; tries < 100; tries++) {
    const states = await Promise.all(
      ports.map(async (port) => (await run('redis-cli', ['-p', String(port), 'cluster', 'info'])).stdout),
    );
    if (states.every((state) => state.includes('cluster_state:ok'))) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { ports, children: servers.map(({ child }) => child), url: `redis://127.0.0.1:${ports[0]}` };
}

/** Calls of a command, and the microseconds Redis spent on them. */
interface Calls {
  calls: number;
  usec: number;
}

/** Calls of each command since the servers started (`INFO commandstats`), added up over them. */
async function commandStats(role: RedisRole): Promise<Map<string, Calls>> {
  const calls = new Map<string, Calls>();
  for (const port of role.ports) {
    const { stdout } = await run('redis-cli', ['-p', String(port), 'info', 'commandstats']);
    for (const line of stdout.split('\n')) {
      const match = /^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/.exec(line.trim());
      if (!match) continue;
      const sum = calls.get(match[1]!) ?? { calls: 0, usec: 0 };
      calls.set(match[1]!, { calls: sum.calls + Number(match[2]), usec: sum.usec + Number(match[3]) });
    }
  }
  return calls;
}

/** CPU seconds the role's servers have used (`INFO cpu`: user and system, main thread and all). */
async function cpuSeconds(role: RedisRole): Promise<number> {
  let seconds = 0;
  for (const port of role.ports) {
    const { stdout } = await run('redis-cli', ['-p', String(port), 'info', 'cpu']);
    for (const match of stdout.matchAll(/^used_cpu_(?:user|sys):([\d.]+)/gm)) seconds += Number(match[1]);
  }
  return seconds;
}

/** Commands a client sends about its connection or the server, not about a request. */
const HOUSEKEEPING = new Set(['info', 'ping', 'hello', 'select', 'readonly']);
const housekeeping = (command: string) =>
  HOUSEKEEPING.has(command) || /^(cluster|client|config|command)\|/.test(command);

function difference(before: Map<string, Calls>, after: Map<string, Calls>): Map<string, Calls> {
  const grown = new Map<string, Calls>();
  for (const [command, { calls, usec }] of after) {
    const earlier = before.get(command) ?? { calls: 0, usec: 0 };
    if (calls > earlier.calls && !housekeeping(command))
      grown.set(command, { calls: calls - earlier.calls, usec: usec - earlier.usec });
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
  redis: Record<'state' | 'cache', Map<string, Calls>>;
  /** CPU seconds each role's servers used during the workload. */
  redisCpu: Record<'state' | 'cache', number>;
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
    const commands = [...cost.redis[role]].sort((a, b) => b[1].calls - a[1].calls);
    const calls = commands.reduce((sum, [, each]) => sum + each.calls, 0);
    lines.push(
      `Redis ${role}: ${perRequest(calls, cost.requests)} commands per request (those a script runs included), ` +
        `${perRequest(cost.redisCpu[role] * 1e6, cost.requests)} µs of Redis CPU per request`,
    );
    for (const [command, each] of commands)
      lines.push(
        `  ${command.padEnd(24)} ${perRequest(each.calls, cost.requests).padStart(8)} per request (${each.calls}), ` +
          `${(each.usec / each.calls).toFixed(2)} µs each`,
      );
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

const redisDir = mkdtempSync(join(tmpdir(), 'credit-capacity-redis-'));
const state = CLUSTER
  ? await startRedisCluster(['--maxmemory-policy', 'noeviction'], redisDir)
  : await startRedis(['--maxmemory-policy', 'noeviction']);
const cache = await startRedis(['--maxmemory', '256mb', '--maxmemory-policy', 'allkeys-lru']);
const cleanUp = async () => {
  for (const child of [...state.children, ...cache.children]) child.kill('SIGTERM');
  rmSync(redisDir, { recursive: true, force: true });
  const again = new pg.Client({ connectionString: adminUrl });
  await again.connect();
  await again.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await again.end();
};

try {
  const system = await startSystem({
    populationSize: POPULATION,
    gatewayEnv: {
      REDIS_URL: state.url,
      REDIS_CLUSTER: String(CLUSTER),
      CACHE_REDIS_URL: cache.url,
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
        `one gateway process, entity cache ${ENTITY_CACHE ? 'on' : 'off (shipped default)'}, rate limits as shipped ` +
        `in ${CLUSTER ? 'a three-primary Redis Cluster' : 'one Redis'}\n`,
    );
    // What taking a snapshot costs the database itself, taken off every workload's figures.
    const idle = await pgSnapshot(adminUrl, databaseUrl, database);
    const overhead = subtract((await pgSnapshot(adminUrl, databaseUrl, database)).database, idle.database);
    let failedAll = 0;
    for (const { workload, query, codes: subjects } of workloads) {
      const beforePg = await pgSnapshot(adminUrl, databaseUrl, database);
      const before = {
        state: await commandStats(state),
        cache: await commandStats(cache),
        stateCpu: await cpuSeconds(state),
        cacheCpu: await cpuSeconds(cache),
        pg: beforePg,
      };
      const failed = await drive(
        gateway.url,
        headers,
        subjects.map((code) => JSON.stringify({ query, variables: { code } })),
      );
      failedAll += failed;
      const after = {
        state: await commandStats(state),
        cache: await commandStats(cache),
        stateCpu: await cpuSeconds(state),
        cacheCpu: await cpuSeconds(cache),
      };
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
          redisCpu: { state: after.stateCpu - before.stateCpu, cache: after.cacheCpu - before.cacheCpu },
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
