/**
 * `npm run bench`: our gateway, plain @apollo/gateway on @apollo/server 5, Hive Gateway and Hive
 * Gateway with the Rust query planner on the same supergraph, subgraphs and queries, over stand-ins
 * at zero and at realistic latency, and our gateway at 1, 2 and 4 processes. Every gateway and the
 * load generator run in processes of their own. Each gateway's answers are compared with ours before
 * it is timed. Prints the tables and the targets and writes bench/results/<timestamp>.md, latest.md
 * and latest.svg.
 *
 * `npm run bench -- --quick`: a smoke run of a couple of minutes (1 s cells at concurrency 16, no
 * realistic-latency pass); its figures prove the bench works, not how fast anything is.
 *
 * `npm run bench -- --cpu-prof`: no comparison; our gateway with the shipped defaults under
 * `node --cpu-prof` on the approval check and the whole department profile (concurrency 16), and
 * the functions and packages it spends its time in.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  createInternalSigner,
  envName,
  parseEd25519Key,
  STAND_IN_NAMES,
  STAND_IN_PORTS,
  SUBGRAPH_NAMES,
  SUBGRAPH_PORTS,
  SUBGRAPH_METRICS_PORTS,
  GATEWAY_METRICS_PORT,
  type Tier,
} from '@credit-gateway/common';
import { GATEWAY_NODE_FLAGS, generateDevKeys, mintCallerToken } from '@credit-gateway/gateway';
import { population, subgraphEntry } from '@credit-gateway/sources';
import type { LoadJob, LoadResult } from './load.js';
import { answersDiffer, volatilePaths } from './answers.js';
import { summarise } from './cpu-profile.js';
import { profileQuery } from './profile.js';
import { childPids, launch, ROOT, sampleRss, waitHealthy, type Running, type Service } from './services.js';
import { renderMarkdown, renderSvg, type BenchReport, type Row } from './report.js';

const run = promisify(execFile);
const QUICK = process.argv.includes('--quick');
/** `--cpu-prof`: only CPU profiles of our gateway (shipped defaults) on the approval check and the profile. */
const CPU_PROF = process.argv.includes('--cpu-prof');
const OFFSET = Number(process.env['BENCH_PORT_OFFSET'] ?? 20_000);
const DURATION_MS = Number(process.env['BENCH_DURATION_MS'] ?? (QUICK ? 1_000 : 3_000));
const CONCURRENCY = (process.env['BENCH_CONCURRENCY'] ?? (QUICK ? '16' : '1,16,64')).split(',').map(Number);
/** Our gateway's process counts in the scale-out table. */
const SCALE_WORKERS = [1, 2, 4];
/** The longest warm-up of one workload, except where it has to fill the caches. */
const WARM_UP_MS = QUICK ? 1_000 : 3_000;
/** Requests per workload whose answers are compared with ours before a gateway is timed. */
const SAMPLE = 3;
const POPULATION = 20_000;
const work = mkdtempSync(join(tmpdir(), 'credit-bench-'));
const keys = await generateDevKeys(join(ROOT, '.data/dev-keys'));

const port = (base: number): number => base + OFFSET;
const standInUrl = (name: keyof typeof STAND_IN_PORTS): string => `http://127.0.0.1:${port(STAND_IN_PORTS[name])}`;
const subgraphUrl = (name: string): string =>
  `http://127.0.0.1:${port(SUBGRAPH_PORTS[name as keyof typeof SUBGRAPH_PORTS])}/graphql`;
const GATEWAY_URL = `http://127.0.0.1:${port(4000)}/graphql`;
const APOLLO_URL = `http://127.0.0.1:${port(4200)}/graphql`;
const HIVE_URL = `http://127.0.0.1:${port(4300)}/graphql`;
const HIVE_RUST_URL = `http://127.0.0.1:${port(4400)}/graphql`;

// ---------------------------------------------------------------------------------------------
// Workloads

const codes = [...population(POPULATION)];
const pick = (count: number, from: number): string[] => codes.slice(from, from + count);

const APPROVAL = `query ApprovalCheck($code: CreditCode!) { enterprise(code: $code) { code
  marketRegulation { registration { name status } abnormalOperations { listedOn removedOn } seriousIllegalListings { listedOn removedOn } }
  tax { creditGrades { year grade } majorViolations { caseNature publicityEndsOn } }
  courts { dishonestDebtorRecords { caseNumber status } }
  socialSecurity { wageArrearsListings { listedOn removedOn } }
  procurement { banned } } }`;
const BATCH = `query BatchCheck($codes: [CreditCode!]!) { enterprises(codes: $codes) { code courts { dishonestDebtorRecords { status } } procurement { banned } } }`;
const PORTRAIT = `query CreditEasyPortrait($code: CreditCode!) { enterprise(code: $code) {
  marketRegulation { registration { name establishedOn registeredCapital { amount currency } } }
  tax { creditGrades { year grade score } payments { period taxType amount } }
  socialSecurity { insuredHeadcount contributionStatus contributions(months: 12) { period amountDue amountPaid } }
  procurement { contracts { signedOn purchaser amount } }
  courts { dishonestDebtorRecords { caseNumber status } } } }`;
const WALK = `query Walk($since: DateTime!, $after: String) { debtorRestrictions(changedSince: $since, after: $after, first: 100) {
  edges { cursor node { id changedAt change caseNumber debtorName debtorCode debtorIdNumber listed
    restrictions { measure { id name } legalBasis } boundPersons { name role idNumber } feedback { department action actedOn } } }
  pageInfo { endCursor hasNextPage } } }`;
const SINCE = '2000-01-01T00:00:00Z';
// Every department field to depth 3 that a GOVERNMENT caller may read, from the composed supergraph.
const PROFILE = profileQuery(readFileSync(join(ROOT, 'schema/supergraph.graphql'), 'utf8'), 'GOVERNMENT');

interface Workload {
  id: string;
  title: string;
  tier: Tier;
  purpose: string;
  bodies: string[];
}

const body = (query: string, variables: Record<string, unknown>): string => JSON.stringify({ query, variables });

// ---------------------------------------------------------------------------------------------
// Tokens: ours gets a caller token; the peers forward an internal token signed with the gateway key.

const callerTokens = new Map<Tier, string>();
const internalTokens = new Map<Tier, string>();
const signer = createInternalSigner(parseEd25519Key(readFileSync(keys.files.gatewayPrivateKey, 'utf8'), 'private'), {
  ttlSeconds: 24 * 3600,
});
for (const tier of ['GOVERNMENT', 'JUDICIAL'] as const) {
  callerTokens.set(tier, await mintCallerToken({ tier, client: `bench-${tier.toLowerCase()}`, dir: keys.dir }));
  internalTokens.set(
    tier,
    await signer.sign({
      tier,
      client: `bench-${tier.toLowerCase()}`,
      purpose: tier === 'JUDICIAL' ? 'JUDICIAL_ENFORCEMENT' : 'ADMINISTRATIVE_LICENSING',
      consents: {},
    }),
  );
}

type PeerId = 'apollo' | 'hive' | 'hive-rust';
type GatewayId =
  | 'ours-off'
  | 'ours-default'
  | 'ours-warm-1'
  | 'ours-warm'
  | 'ours-workers-1'
  | 'ours-workers-2'
  | 'ours-workers-4'
  | PeerId;
const PEERS: readonly PeerId[] = ['apollo', 'hive', 'hive-rust'];
const isPeer = (id: GatewayId): id is PeerId => (PEERS as readonly string[]).includes(id);
const GATEWAY_TITLES: Record<GatewayId, string> = {
  'ours-off': 'ours, all off, 1 process',
  'ours-default': 'ours, shipped defaults (caches off)',
  'ours-warm-1': 'ours, caches warm, 1 process',
  'ours-warm': 'ours, caches warm, 1 worker/core',
  'ours-workers-1': 'ours, shipped defaults, WORKERS=1',
  'ours-workers-2': 'ours, shipped defaults, WORKERS=2',
  'ours-workers-4': 'ours, shipped defaults, WORKERS=4',
  apollo: 'plain @apollo/gateway',
  hive: 'Hive Gateway',
  'hive-rust': 'Hive Gateway, Rust query planner',
};
const PEER_PORTS: Record<PeerId, number> = { apollo: 4200, hive: 4300, 'hive-rust': 4400 };
const PEER_URLS: Record<PeerId, string> = { apollo: APOLLO_URL, hive: HIVE_URL, 'hive-rust': HIVE_RUST_URL };
const urlOf = (id: GatewayId): string => (isPeer(id) ? PEER_URLS[id] : GATEWAY_URL);

function headersFor(gateway: GatewayId, workload: Pick<Workload, 'tier' | 'purpose'>): Record<string, string> {
  if (isPeer(gateway)) return { authorization: `Bearer ${internalTokens.get(workload.tier)!}` };
  return { authorization: `Bearer ${callerTokens.get(workload.tier)!}`, 'x-credit-purpose': workload.purpose };
}

// ---------------------------------------------------------------------------------------------
// Switches: read from the gateway's config source, so a switch that has not landed is reported, not faked.

// What each of our variants sets; a switch the gateway does not read is left out and reported.
const SWITCHES = ['ENTITY_CACHE', 'DEDUPE', 'MERGE_FETCHES', 'APQ', 'WORKERS'];
function gatewaySource(dir: string): string {
  let text = '';
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) text += gatewaySource(path);
    else if (entry.endsWith('.ts')) text += readFileSync(path, 'utf8');
  }
  return text;
}
const source = gatewaySource(join(ROOT, 'gateway/src'));
const available = SWITCHES.filter((name) => source.includes(`'${name}'`));
const has = (name: string): boolean => source.includes(`'${name}'`);

function switchEnv(id: GatewayId): Record<string, string> {
  // The shipped defaults, as `npm start` runs them: nothing set (the entity cache is off by default).
  if (id === 'ours-default') return {};
  const workers = /^ours-workers-(\d+)$/.exec(id);
  if (workers) return { WORKERS: workers[1]! };
  const on = id !== 'ours-off';
  const env: Record<string, string> = {};
  if (has('ENTITY_CACHE')) env['ENTITY_CACHE'] = String(on);
  if (has('DEDUPE')) env['DEDUPE'] = String(on);
  if (has('MERGE_FETCHES')) env['MERGE_FETCHES'] = String(on);
  if (has('APQ')) env['APQ'] = String(on);
  // One process unless the variant is the multi-core one: 0 is one worker per core.
  if (has('WORKERS')) env['WORKERS'] = id === 'ours-warm' ? '0' : '1';
  if (on && has('CACHE_REDIS_URL')) env['CACHE_REDIS_URL'] = 'redis://127.0.0.1:6379';
  if (on && has('CACHE_PREFIX')) env['CACHE_PREFIX'] = `bench:${process.pid}:${Date.now()}:entity:`;
  if (on && has('APQ_PREFIX')) env['APQ_PREFIX'] = `bench:${process.pid}:apq:`;
  return env;
}

// ---------------------------------------------------------------------------------------------
// Processes

interface Faults {
  delayMs: number;
  jitterMs: number;
}

function backendServices(faults: Faults): Service[] {
  const faultEnv = { FAULT_DELAY_MS: String(faults.delayMs), FAULT_JITTER_MS: String(faults.jitterMs) };
  const standIns: Service[] = STAND_IN_NAMES.map((name) => ({
    name: `stand-in ${name}`,
    command: [process.execPath, 'sources/dist/main.js', name],
    env: { PORT: String(port(STAND_IN_PORTS[name])), POPULATION_SIZE: String(POPULATION), ...faultEnv },
    health: `${standInUrl(name)}/healthz`,
  }));
  const subgraphs: Service[] = SUBGRAPH_NAMES.map((name) => ({
    name: `subgraph ${name}`,
    command: [process.execPath, subgraphEntry(name)],
    env: {
      PORT: String(port(SUBGRAPH_PORTS[name])),
      METRICS_PORT: String(port(SUBGRAPH_METRICS_PORTS[name])),
      GATEWAY_PUBLIC_KEY_FILE: keys.files.gatewayPublicKey,
      ...(name in STAND_IN_PORTS ? { SOURCE_URL: standInUrl(name as keyof typeof STAND_IN_PORTS) } : {}),
      ...(name === 'credit'
        ? {
            LINKAGE_URL: standInUrl('courts'),
            CREDIT_STORE_DIR: join(work, 'credit'),
            CREDIT_REPRESENTATIVE_INDEX_SIZE: String(POPULATION),
          }
        : {}),
      ...(name === 'social-security' ? { FRONT_DB_POPULATION: String(POPULATION), ...faultEnv } : {}),
    },
    health: `${subgraphUrl(name).replace('/graphql', '')}/readyz`,
  }));
  return [...standIns, ...subgraphs];
}

function gatewayService(id: GatewayId): Service {
  if (isPeer(id)) {
    return {
      name: id,
      command: [process.execPath, bundled('peers'), id, String(port(PEER_PORTS[id])), supergraphFile],
      env: { NODE_ENV: 'production' },
      health: `${PEER_URLS[id]}?query=%7B__typename%7D`,
    };
  }
  return {
    name: id,
    command: [process.execPath, ...GATEWAY_NODE_FLAGS, 'gateway/dist/index.js'],
    env: {
      PORT: String(port(4000)),
      // The primary's health port is offset too, so the bench runs beside `npm start`.
      HEALTH_PORT: String(port(4010)),
      // Metrics on, as in production, on an offset port too.
      METRICS_PORT: String(port(GATEWAY_METRICS_PORT)),
      ...keys.env,
      ...Object.fromEntries(SUBGRAPH_NAMES.map((name) => [`SUBGRAPH_${envName(name)}_URL`, subgraphUrl(name)])),
      REGISTER_DIR: join(work, `register-${id}-${Date.now()}`),
      RATE_LIMITS: 'GOVERNMENT=1000000000/1m,JUDICIAL=1000000000/1m',
      RATE_LIMIT_CLIENT: 'off',
      // One load generator at one address: the tier, address and subjects ceilings would measure themselves.
      RATE_LIMIT_TIER_TOTAL: 'GOVERNMENT=off,JUDICIAL=off',
      RATE_LIMIT_ADDRESS: 'GOVERNMENT=off,JUDICIAL=off',
      RATE_LIMIT_SUBJECTS: 'GOVERNMENT=off,JUDICIAL=off',
      ...switchEnv(id),
    },
    health: `http://127.0.0.1:${port(4000)}/readyz`,
  };
}

// The peers and the load generator run as plain JavaScript, as ours does: no loader in the process.
const BUILD = join(ROOT, 'node_modules/.cache/credit-bench');
const bundled = (name: string): string => join(BUILD, `${name}.mjs`);
for (const name of ['peers', 'load']) {
  await run(join(ROOT, 'node_modules/.bin/esbuild'), [
    join(ROOT, `bench/src/${name}.ts`),
    '--bundle',
    '--format=esm',
    '--platform=node',
    '--packages=external',
    `--outfile=${bundled(name)}`,
    '--log-level=warning',
  ]);
}

// The peers read the same composed supergraph, pointed at the bench's ports.
const supergraphFile = join(work, 'supergraph.graphql');
let supergraph = readFileSync(join(ROOT, 'schema/supergraph.graphql'), 'utf8');
for (const name of SUBGRAPH_NAMES)
  supergraph = supergraph.replace(`http://127.0.0.1:${SUBGRAPH_PORTS[name]}/graphql`, subgraphUrl(name));
writeFileSync(supergraphFile, supergraph);

async function start(services: Service[]): Promise<Running[]> {
  const running = services.map(launch);
  await Promise.all(services.map((service, i) => waitHealthy(service, running[i]!)));
  return running;
}

async function load(job: LoadJob): Promise<LoadResult> {
  const file = join(work, 'job.json');
  writeFileSync(file, JSON.stringify(job));
  const { stdout } = await run(process.execPath, [bundled('load'), file], {
    cwd: ROOT,
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as LoadResult;
}

async function post(
  url: string,
  headers: Record<string, string>,
  text: string,
): Promise<{ data?: unknown; errors?: unknown[] }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: text,
    // A gateway that hangs fails the run instead of holding it.
    signal: AbortSignal.timeout(60_000),
  });
  return (await response.json()) as { data?: unknown; errors?: unknown[] };
}

async function standInCalls(): Promise<Record<string, number>> {
  const calls: Record<string, number> = {};
  for (const name of STAND_IN_NAMES) {
    const stats = (await (await fetch(`${standInUrl(name)}/_sim/stats`)).json()) as Record<string, unknown>;
    calls[name] = typeof stats['calls'] === 'number' ? stats['calls'] : Number(stats['requests'] ?? 0);
  }
  return calls;
}

// ---------------------------------------------------------------------------------------------

const { cpus, loadavg } = await import('node:os');
const report: BenchReport = {
  startedAt: new Date().toISOString(),
  load: [loadavg()[0]!, 0],
  host: `${process.platform} ${process.arch}, ${cpus().length} cores, Node ${process.version}`,
  quick: QUICK,
  durationMs: DURATION_MS,
  concurrency: CONCURRENCY,
  switches: { available, missing: SWITCHES.filter((n) => !available.includes(n)) },
  rows: [],
  overhead: [],
  scaling: [],
  answers: [],
  defaultWorkers: undefined,
  profileQuery: { leaves: PROFILE.leaves, bytes: PROFILE.query.length, skipped: PROFILE.skipped },
  notes: [],
};
const log = (line: string): void => void process.stdout.write(`${line}\n`);
log(`bench: work dir ${work}; switches found in gateway config: ${available.join(', ') || 'none'}`);

async function walkBodies(): Promise<string[]> {
  // Cursors of the whole feed, found once through our gateway, then replayed page by page.
  const bodies: string[] = [body(WALK, { since: SINCE, after: null })];
  let after: string | null = null;
  for (let page = 0; page < 20; page++) {
    const answer = (await post(
      GATEWAY_URL,
      headersFor('ours-off', { tier: 'JUDICIAL', purpose: 'JUDICIAL_ENFORCEMENT' }),
      body(WALK, { since: SINCE, after }),
    )) as {
      data?: { debtorRestrictions?: { pageInfo: { endCursor: string | null; hasNextPage: boolean } } };
      errors?: unknown[];
    };
    const info = answer.data?.debtorRestrictions?.pageInfo;
    if (!info?.hasNextPage || info.endCursor === null) break;
    after = info.endCursor;
    bodies.push(body(WALK, { since: SINCE, after }));
  }
  return bodies;
}

function workloads(walk: string[]): Workload[] {
  return [
    {
      id: 'approval',
      title: 'Approval check (one profile)',
      tier: 'GOVERNMENT',
      purpose: 'ADMINISTRATIVE_LICENSING',
      bodies: pick(200, 0).map((code) => body(APPROVAL, { code })),
    },
    {
      id: 'batch100',
      title: '100-code batch',
      tier: 'GOVERNMENT',
      purpose: 'ADMINISTRATIVE_LICENSING',
      bodies: Array.from({ length: 10 }, (_, i) => body(BATCH, { codes: pick(100, 1000 + i * 100) })),
    },
    {
      id: 'portrait',
      title: 'Credit-Easy portrait',
      tier: 'GOVERNMENT',
      purpose: 'LOAN_APPROVAL',
      bodies: pick(200, 3000).map((code) => body(PORTRAIT, { code })),
    },
    {
      id: 'profile',
      title: 'Whole department profile (depth 3)',
      tier: 'GOVERNMENT',
      purpose: 'ADMINISTRATIVE_LICENSING',
      bodies: pick(200, 7000).map((code) => body(PROFILE.query, { code })),
    },
    {
      id: 'walk',
      title: 'Court linkage feed walk (100 a page)',
      tier: 'JUDICIAL',
      purpose: 'JUDICIAL_ENFORCEMENT',
      bodies: walk,
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Answers: every gateway answers a sample of each workload before it is timed, and a gateway whose
// data differs from ours on that workload is reported and not timed on it.

interface Reference {
  answers: unknown[];
  /** Leaf paths that differ between two readings of our own gateway (read times): not compared. */
  volatile: Set<string>;
}
const references = new Map<string, Reference>();

async function takeReferences(list: Workload[]): Promise<void> {
  for (const workload of list) {
    const sample = workload.bodies.slice(0, SAMPLE);
    const headers = headersFor('ours-off', workload);
    const first = await Promise.all(sample.map((text) => post(GATEWAY_URL, headers, text)));
    // Far enough apart for a read time to move on.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const second = await Promise.all(sample.map((text) => post(GATEWAY_URL, headers, text)));
    const volatile = new Set<string>();
    first.forEach((answer, i) => volatilePaths(answer.data, second[i]!.data).forEach((path) => volatile.add(path)));
    references.set(workload.id, { answers: first.map((answer) => answer.data), volatile });
    if (first.some((answer) => answer.errors))
      report.notes.push(
        `${workload.id}: our gateway answers the sample with errors: ${JSON.stringify(first.find((a) => a.errors)?.errors).slice(0, 300)}`,
      );
  }
}

async function sameAnswers(id: GatewayId, workload: Workload): Promise<boolean> {
  const reference = references.get(workload.id)!;
  const headers = headersFor(id, workload);
  let difference: string | undefined;
  for (const [i, text] of workload.bodies.slice(0, SAMPLE).entries()) {
    const answer = await post(urlOf(id), headers, text);
    difference =
      answer.errors !== undefined && answer.data === undefined
        ? `errors only: ${JSON.stringify(answer.errors).slice(0, 200)}`
        : answersDiffer(reference.answers[i], answer.data, reference.volatile);
    if (difference !== undefined) {
      difference = `request ${i + 1}: ${difference}`;
      break;
    }
  }
  report.answers.push({
    gateway: GATEWAY_TITLES[id],
    gatewayId: id,
    workload: workload.id,
    equal: difference === undefined,
    ...(difference === undefined ? {} : { difference }),
  });
  if (difference !== undefined)
    log(`answers ${GATEWAY_TITLES[id]} ${workload.id}: differ from ours, not timed (${difference})`);
  return difference === undefined;
}

// ---------------------------------------------------------------------------------------------

/** Starts one gateway, checks and times it on each workload; answers how many processes it ran. */
async function measureGateway(id: GatewayId, profile: string, list: Workload[], levels: number[]): Promise<number> {
  const url = urlOf(id);
  const [gateway] = await start([gatewayService(id)]);
  // Cluster workers are the gateway's children; a single process has none.
  const processes = Math.max(1, childPids(gateway!.child.pid!).length);
  try {
    for (const workload of list) {
      if (!(await sameAnswers(id, workload))) continue;
      const headers = headersFor(id, workload);
      // Warm-up: JIT, connection pools, query plans, and for "caches warm" every entity once (a quick
      // run does not wait for that). At the highest concurrency measured, so that what depends on it
      // (merged texts of that many operations, the subgraphs' parsed documents) is warm too.
      const fillsCaches = !QUICK && (id === 'ours-warm' || id === 'ours-warm-1');
      await load({
        url,
        headers,
        bodies: workload.bodies,
        concurrency: Math.max(4, ...levels),
        requests: Math.max(50, workload.bodies.length),
        ...(fillsCaches ? {} : { durationMs: WARM_UP_MS }),
      });
      for (const concurrency of levels) {
        const before = await standInCalls();
        const rss = sampleRss(gateway!.child.pid!);
        const result = await load({ url, headers, bodies: workload.bodies, concurrency, durationMs: DURATION_MS });
        const memory = rss.stop();
        const after = await standInCalls();
        const sourceCalls =
          STAND_IN_NAMES.reduce((sum, name) => sum + after[name]! - before[name]!, 0) / Math.max(1, result.requests);
        const row: Row = {
          profile,
          gateway: GATEWAY_TITLES[id],
          gatewayId: id,
          workload: workload.id,
          workloadTitle: workload.title,
          concurrency,
          processes,
          sourceCalls,
          ...result,
          ...memory,
        };
        report.rows.push(row);
        log(
          `${profile.padEnd(9)} ${GATEWAY_TITLES[id].padEnd(34)} ${workload.id.padEnd(9)} c=${String(concurrency).padStart(3)}  ${result.rps.toFixed(0).padStart(6)} req/s  p50 ${result.p50Ms.toFixed(1).padStart(7)} ms  p99 ${result.p99Ms.toFixed(1).padStart(7)} ms  RSS ${memory.peakProcessMb.toFixed(0)} MB  calls/req ${sourceCalls.toFixed(2)}  errors ${result.errors}${result.firstError ? ` (${result.firstError.slice(0, 160)})` : ''}`,
        );
      }
    }
  } finally {
    await gateway!.stop();
  }
  return processes;
}

/** CPU profiles of the shipped defaults, one gateway run per workload; prints where the time goes. */
async function cpuProfiles(list: Workload[]): Promise<void> {
  for (const workload of list.filter((w) => w.id === 'approval' || w.id === 'profile')) {
    // Kept after the run, to open in a profiler.
    const dir = join(tmpdir(), `credit-bench-cpu-${report.startedAt.replace(/[:.]/g, '-')}`, workload.id);
    mkdirSync(dir, { recursive: true });
    const service = gatewayService('ours-default');
    const [command, ...rest] = service.command;
    // The profile starts with the process.
    const launched = performance.now();
    const [gateway] = await start([
      { ...service, command: [command!, ...rest.slice(0, -1), '--cpu-prof', `--cpu-prof-dir=${dir}`, rest.at(-1)!] },
    ]);
    const headers = headersFor('ours-default', workload);
    await load({ url: GATEWAY_URL, headers, bodies: workload.bodies, concurrency: 16, durationMs: WARM_UP_MS });
    const measured = performance.now();
    const result = await load({
      url: GATEWAY_URL,
      headers,
      bodies: workload.bodies,
      concurrency: 16,
      durationMs: DURATION_MS * 3,
    });
    // The profile is written when the process exits: give it the whole shutdown grace.
    await gateway!.stop(30_000);
    const files = readdirSync(dir)
      .filter((name) => name.endsWith('.cpuprofile'))
      .map((name) => join(dir, name));
    // Start-up and warm-up left out: only the measured load counts.
    const summary = summarise(files, { skipMs: measured - launched });
    log(
      `\ncpu profile, ${workload.title}, c=16: ${result.requests} requests, ${result.rps.toFixed(0)} req/s, ${result.errors} errors; ${files.length} process(es), ${(summary.busyMs / 1000).toFixed(1)} s busy of ${(summary.totalMs / 1000).toFixed(1)} s after the warm-up; profiles in ${dir}`,
    );
    log('  by package or file (self time, share of busy time):');
    for (const cost of summary.areas.slice(0, 15))
      log(`    ${(cost.share * 100).toFixed(1).padStart(5)}%  ${cost.ms.toFixed(0).padStart(6)} ms  ${cost.name}`);
    log('  by function:');
    for (const cost of summary.functions)
      log(`    ${(cost.share * 100).toFixed(1).padStart(5)}%  ${cost.ms.toFixed(0).padStart(6)} ms  ${cost.name}`);
  }
}

let backend: Running[] = [];
try {
  // Zero latency: the whole matrix, the gateway overhead and the scaling table.
  backend = await start(backendServices({ delayMs: 0, jitterMs: 0 }));
  if (CPU_PROF) {
    await cpuProfiles(workloads([]));
    await Promise.all(backend.map((service) => service.stop()));
    rmSync(work, { recursive: true, force: true });
    process.exit(0);
  }
  const [ours] = await start([gatewayService('ours-off')]);
  const walk = await walkBodies();
  const list = workloads(walk);
  log(
    `profile query: ${PROFILE.leaves} leaf fields, ${PROFILE.query.length} characters${PROFILE.skipped.length > 0 ? `; left out: ${PROFILE.skipped.join(', ')}` : ''}`,
  );
  await takeReferences(list);
  const govHeaders = headersFor('ours-off', list[0]!);
  for (const [label, text] of [
    ['{ __typename } (no subgraph; a probe, not registered)', JSON.stringify({ query: '{ __typename }' })],
    [
      '{ __schema { queryType { name } } } (no subgraph; registered durably)',
      JSON.stringify({ query: '{ __schema { queryType { name } } }' }),
    ],
    ['approval check (one profile)', list[0]!.bodies[0]!],
  ] as const) {
    // Steady state at low load: the JIT has compiled the request path before anything is timed.
    await load({
      url: GATEWAY_URL,
      headers: govHeaders,
      bodies: [text],
      concurrency: 1,
      requests: QUICK ? 50 : 1_500,
    });
    const result = await load({
      url: GATEWAY_URL,
      headers: govHeaders,
      bodies: [text],
      concurrency: 1,
      requests: QUICK ? 100 : 1000,
    });
    report.overhead.push({ label, p50Ms: result.p50Ms, p99Ms: result.p99Ms, requests: result.requests });
    log(`overhead ${label}: p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms`);
  }
  for (const size of [1, 10, 100, 500]) {
    const text = body(BATCH, { codes: pick(size, 5000) });
    const repeats = QUICK ? 3 : 10;
    const before = await standInCalls();
    const result = await load({
      url: GATEWAY_URL,
      headers: govHeaders,
      bodies: [text],
      concurrency: 1,
      requests: repeats,
    });
    const after = await standInCalls();
    const calls = Object.fromEntries(STAND_IN_NAMES.map((name) => [name, (after[name]! - before[name]!) / repeats]));
    report.scaling.push({ size, p50Ms: result.p50Ms, p99Ms: result.p99Ms, errors: result.errors, calls, repeats });
    log(`scaling ${size}: p50 ${result.p50Ms.toFixed(1)} ms, calls per request ${JSON.stringify(calls)}`);
  }
  await ours!.stop();

  const gateways: GatewayId[] = [
    'ours-off',
    'ours-default',
    ...(has('ENTITY_CACHE') ? (['ours-warm-1'] as const) : []),
    ...(has('ENTITY_CACHE') && has('WORKERS') ? (['ours-warm'] as const) : []),
    ...PEERS,
  ];
  if (!has('ENTITY_CACHE'))
    report.notes.push('The gateway has no ENTITY_CACHE switch yet: "caches warm" is not available.');
  if (!has('WORKERS'))
    report.notes.push('The gateway has no WORKERS switch yet: the multi-core column is not available.');
  for (const id of gateways) {
    const processes = await measureGateway(id, 'zero', list, CONCURRENCY);
    if (id === 'ours-default') report.defaultWorkers = processes;
  }

  // Scale-out: the shipped defaults at 1, 2 and 4 processes on the two target workloads. The count
  // the WORKERS default comes to on this machine is the shipped-defaults run itself, not run twice.
  const scaleList = list.filter((w) => w.id === 'approval' || w.id === 'profile');
  const scaleLevels = CONCURRENCY.filter((c) => c > 1).length > 0 ? CONCURRENCY.filter((c) => c > 1) : CONCURRENCY;
  if (has('WORKERS')) {
    for (const workers of SCALE_WORKERS) {
      const id = `ours-workers-${workers}` as GatewayId;
      // The default always runs a primary; WORKERS=1 is a single process without one, so only a
      // count above one is the same configuration as the default's.
      if (workers === report.defaultWorkers && workers > 1) {
        for (const row of report.rows.filter(
          (r) =>
            r.profile === 'zero' &&
            r.gatewayId === 'ours-default' &&
            scaleList.some((w) => w.id === r.workload) &&
            scaleLevels.includes(r.concurrency),
        ))
          report.rows.push({
            ...row,
            profile: 'scale',
            gatewayId: id,
            gateway: GATEWAY_TITLES[id],
            sameAsDefault: true,
          });
        continue;
      }
      await measureGateway(id, 'scale', scaleList, scaleLevels);
    }
  }
  await Promise.all(backend.map((service) => service.stop()));

  if (!QUICK) {
    // Realistic latency: the stand-ins answer after 20 ms plus up to 30 ms of jitter.
    backend = await start(backendServices({ delayMs: 20, jitterMs: 30 }));
    for (const id of ['ours-default', ...(has('ENTITY_CACHE') ? ['ours-warm-1'] : []), ...PEERS] as GatewayId[])
      await measureGateway(id, 'realistic', list, [16]);
  }
} finally {
  await Promise.all(backend.map((service) => service.stop()));
  rmSync(work, { recursive: true, force: true });
}

report.load[1] = loadavg()[0]!;
const markdown = renderMarkdown(report);
const stamp = report.startedAt.replace(/[:.]/g, '-');
// A quick run proves the bench works; it does not replace the last full report.
const results = QUICK ? join(work, '..', `credit-bench-quick-${stamp}.md`) : join(ROOT, `bench/results/${stamp}.md`);
writeFileSync(results, markdown);
if (!QUICK) {
  writeFileSync(join(ROOT, 'bench/results/latest.md'), markdown);
  writeFileSync(join(ROOT, 'bench/results/latest.svg'), renderSvg(report));
}
log(`\n${markdown}`);
log(`report written to ${results}`);
