/**
 * `npm run bench`: our gateway, plain @apollo/gateway on @apollo/server 5 and Hive Gateway on the
 * same supergraph, subgraphs and queries, over stand-ins at zero and at realistic latency. Every
 * gateway and the load generator run in processes of their own. Prints the tables and writes
 * bench/results/<timestamp>.md, latest.md and latest.svg.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
import { launch, ROOT, sampleRss, waitHealthy, type Running, type Service } from './services.js';
import { renderMarkdown, renderSvg, type BenchReport, type Row } from './report.js';

const run = promisify(execFile);
const OFFSET = Number(process.env['BENCH_PORT_OFFSET'] ?? 20_000);
const DURATION_MS = Number(process.env['BENCH_DURATION_MS'] ?? 3_000);
const CONCURRENCY = (process.env['BENCH_CONCURRENCY'] ?? '1,16,64').split(',').map(Number);
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

type GatewayId = 'ours-off' | 'ours-default-1' | 'ours-default' | 'ours-warm-1' | 'ours-warm' | 'apollo' | 'hive';
const GATEWAY_TITLES: Record<GatewayId, string> = {
  'ours-off': 'ours, all off, 1 process',
  'ours-default-1': 'ours, defaults (no entity cache), 1 process',
  'ours-default': 'ours, defaults (no entity cache), 1 worker/core',
  'ours-warm-1': 'ours, caches warm, 1 process',
  'ours-warm': 'ours, caches warm, 1 worker/core',
  apollo: 'plain @apollo/gateway',
  hive: 'Hive Gateway',
};

function headersFor(gateway: GatewayId, workload: Workload): Record<string, string> {
  if (gateway === 'apollo' || gateway === 'hive')
    return { authorization: `Bearer ${internalTokens.get(workload.tier)!}` };
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
  // The shipped defaults: no entity cache, deduplication and persisted queries on, one worker per core.
  if (id === 'ours-default') return has('ENTITY_CACHE') ? { ENTITY_CACHE: 'false' } : {};
  if (id === 'ours-default-1') return { ...(has('ENTITY_CACHE') ? { ENTITY_CACHE: 'false' } : {}), WORKERS: '1' };
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
  if (id === 'apollo' || id === 'hive') {
    return {
      name: id,
      command: [process.execPath, bundled('peers'), id, String(port(id === 'apollo' ? 4200 : 4300)), supergraphFile],
      env: { NODE_ENV: 'production' },
      health: `${id === 'apollo' ? APOLLO_URL : HIVE_URL}?query=%7B__typename%7D`,
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
  durationMs: DURATION_MS,
  concurrency: CONCURRENCY,
  switches: { available, missing: SWITCHES.filter((n) => !available.includes(n)) },
  rows: [],
  overhead: [],
  scaling: [],
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
      headersFor('ours-off', { tier: 'JUDICIAL', purpose: 'JUDICIAL_ENFORCEMENT' } as Workload),
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
      id: 'walk',
      title: 'Court linkage feed walk (100 a page)',
      tier: 'JUDICIAL',
      purpose: 'JUDICIAL_ENFORCEMENT',
      bodies: walk,
    },
  ];
}

async function measureGateway(id: GatewayId, profile: string, list: Workload[], levels: number[]): Promise<void> {
  const url = id === 'apollo' ? APOLLO_URL : id === 'hive' ? HIVE_URL : GATEWAY_URL;
  const [gateway] = await start([gatewayService(id)]);
  try {
    for (const workload of list) {
      const headers = headersFor(id, workload);
      // Warm-up: JIT, connection pools, query plans, and for "caches warm" every entity once.
      await load({
        url,
        headers,
        bodies: workload.bodies,
        concurrency: 4,
        requests: Math.max(50, workload.bodies.length),
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
          sourceCalls,
          ...result,
          ...memory,
        };
        report.rows.push(row);
        log(
          `${profile.padEnd(9)} ${GATEWAY_TITLES[id].padEnd(26)} ${workload.id.padEnd(9)} c=${String(concurrency).padStart(3)}  ${result.rps.toFixed(0).padStart(6)} req/s  p50 ${result.p50Ms.toFixed(1).padStart(7)} ms  p99 ${result.p99Ms.toFixed(1).padStart(7)} ms  RSS ${memory.peakProcessMb.toFixed(0)} MB  calls/req ${sourceCalls.toFixed(2)}  errors ${result.errors}${result.firstError ? ` (${result.firstError.slice(0, 160)})` : ''}`,
        );
      }
    }
  } finally {
    await gateway!.stop();
  }
}

let backend: Running[] = [];
try {
  // Zero latency: the whole matrix, the gateway overhead and the scaling table.
  backend = await start(backendServices({ delayMs: 0, jitterMs: 0 }));
  const [ours] = await start([gatewayService('ours-off')]);
  const walk = await walkBodies();
  const list = workloads(walk);
  for (const workload of list) {
    const answer = await post(GATEWAY_URL, headersFor('ours-off', workload), workload.bodies[0]!);
    if (answer.errors)
      report.notes.push(
        `${workload.id} through our gateway answers errors: ${JSON.stringify(answer.errors).slice(0, 300)}`,
      );
  }
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
    await load({ url: GATEWAY_URL, headers: govHeaders, bodies: [text], concurrency: 1, requests: 3_000 });
    const result = await load({
      url: GATEWAY_URL,
      headers: govHeaders,
      bodies: [text],
      concurrency: 1,
      requests: 1000,
    });
    report.overhead.push({ label, p50Ms: result.p50Ms, p99Ms: result.p99Ms });
    log(`overhead ${label}: p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms`);
  }
  for (const size of [1, 10, 100, 500]) {
    const text = body(BATCH, { codes: pick(size, 5000) });
    const repeats = 10;
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
    report.scaling.push({ size, p50Ms: result.p50Ms, p99Ms: result.p99Ms, errors: result.errors, calls });
    log(`scaling ${size}: p50 ${result.p50Ms.toFixed(1)} ms, calls per request ${JSON.stringify(calls)}`);
  }
  await ours!.stop();

  const gateways: GatewayId[] = [
    'ours-off',
    'ours-default-1',
    'ours-default',
    ...(has('ENTITY_CACHE') ? (['ours-warm-1'] as const) : []),
    ...(has('ENTITY_CACHE') && has('WORKERS') ? (['ours-warm'] as const) : []),
    'apollo',
    'hive',
  ];
  if (!has('ENTITY_CACHE'))
    report.notes.push('The gateway has no ENTITY_CACHE switch yet: "caches warm" is not available.');
  if (!has('WORKERS'))
    report.notes.push('The gateway has no WORKERS switch yet: the multi-core column is not available.');
  for (const id of gateways) await measureGateway(id, 'zero', list, CONCURRENCY);
  await Promise.all(backend.map((service) => service.stop()));

  // Realistic latency: the stand-ins answer after 20 ms plus up to 30 ms of jitter.
  backend = await start(backendServices({ delayMs: 20, jitterMs: 30 }));
  for (const id of gateways) await measureGateway(id, 'realistic', list, [16]);
} finally {
  await Promise.all(backend.map((service) => service.stop()));
  rmSync(work, { recursive: true, force: true });
}

report.load[1] = loadavg()[0]!;
const markdown = renderMarkdown(report);
const stamp = report.startedAt.replace(/[:.]/g, '-');
writeFileSync(join(ROOT, `bench/results/${stamp}.md`), markdown);
writeFileSync(join(ROOT, 'bench/results/latest.md'), markdown);
writeFileSync(join(ROOT, 'bench/results/latest.svg'), renderSvg(report));
log(`\n${markdown}`);
