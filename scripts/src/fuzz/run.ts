/**
 * Sends `runs` fuzz cases at a running gateway with bounded concurrency, polls /readyz all along,
 * and counts what a client must never see: 5xx, errors without a code, hangs, resets. Case `i`
 * of seed `s` is always the same request, so any failure replays alone (`--seed s --case i`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONSENT_GROUPS, TIERS, type Tier } from '@credit-gateway/common';
import { generateDevKeys, mintCallerToken, mintConsent } from '@credit-gateway/gateway';
import { createAgent, send, type Exchange, type Outcome } from '../harness/http.js';
import { fuzzCase, type Credentials } from './cases.js';
import { Rng } from './rng.js';
import { loadFuzzSchema, type FuzzSchema } from './schema.js';
import { valuePools, type ValuePools } from './values.js';

export interface FuzzOptions {
  /** The gateway with high rate limits (most cases). */
  url: string;
  /** A gateway with the shipped rate limits, for a share of the cases; `url` when absent. */
  normalUrl?: string;
  /** The development key set the gateway trusts, to mint tokens and consents. */
  keysDir: string;
  runs: number;
  seed: number;
  concurrency: number;
  /** A request not answered within this is a hang. */
  hangMs: number;
  /**
   * Families not sent (matched as substrings of the case family), e.g. a shape known to wedge the
   * gateway, to measure the rest; the cases are still drawn, so indices do not move.
   */
  skip?: string[];
  /**
   * Stop early when no request at all was answered for this long (default 4 hang bounds): the
   * gateway is wedged, and the rest of the run would only count hangs. The report says so.
   */
  wedgedMs?: number;
  /** Only these case indices (replaying failures). */
  cases?: number[];
  onProgress?: (done: number, report: FuzzReport) => void;
  /** Called for every answered case, in the order answers arrive. */
  onCase?: (index: number, family: string, outcome: Outcome) => void;
}

export interface FailureClass {
  key: string;
  count: number;
  /** The smallest case seen of this class: its index, and the request with tokens shown as tiers. */
  example: { index: number; family: string; request: string; status: number | null; detail?: string; answer?: string };
}

export interface FuzzReport {
  requests: number;
  ok: number;
  /** Answers by status code. */
  statuses: Record<string, number>;
  /** Answers by error code. */
  codes: Record<string, number>;
  fiveXX: number;
  uncoded: number;
  hangs: number;
  resets: number;
  readyzPolls: number;
  readyzFailures: number;
  /** Set when the run stopped early because the gateway answered nothing for `wedgedMs`. */
  wedged?: { afterRequests: number; unsent: number };
  failures: FailureClass[];
  /** The slowest answers (hangs included), to see what makes the gateway work hard. */
  slowest: { index: number; family: string; ms: number; verdict: string }[];
  seconds: number;
}

export function failuresOf(report: FuzzReport): number {
  return (
    report.fiveXX + report.uncoded + report.hangs + report.resets + report.readyzFailures + (report.wedged?.unsent ?? 0)
  );
}

export async function fuzzCredentials(keysDir: string, pools: ValuePools): Promise<Credentials> {
  const clients = Object.fromEntries(TIERS.map((tier) => [tier, `fuzz-${tier.toLowerCase()}`])) as Record<Tier, string>;
  const tokens = {} as Record<Tier, string>;
  for (const tier of TIERS)
    tokens[tier] = await mintCallerToken({
      tier,
      client: tier === 'PUBLIC' ? null : clients[tier],
      subject: 'fuzzer',
      dir: keysDir,
    });
  const foreignDir = await mkdtemp(join(tmpdir(), 'credit-gateway-foreign-keys-'));
  const foreign = await generateDevKeys(foreignDir);
  const foreignToken = await mintCallerToken({ tier: 'GOVERNMENT', client: 'foreign', dir: foreign.dir });
  await rm(foreignDir, { recursive: true, force: true });
  const consents: string[] = [];
  for (const subject of pools.validCodes.slice(0, 20))
    consents.push(
      await mintConsent({
        subject,
        grantee: clients.AUTHORIZED,
        purpose: 'LOAN_APPROVAL',
        groups: [...CONSENT_GROUPS],
        dir: keysDir,
      }),
    );
  return { tokens, clients, foreignToken, consents };
}

/** The request as a reproducer: tokens replaced by what they are, long values cut. */
export function describeExchange(exchange: Exchange, credentials: Credentials): string {
  const tokenNames = new Map<string, string>(TIERS.map((tier) => [credentials.tokens[tier], `<${tier} token>`]));
  tokenNames.set(credentials.foreignToken, '<token of an untrusted key>');
  credentials.consents.forEach((consent, i) => tokenNames.set(consent, `<consent ${i}>`));
  const redact = (text: string) => {
    let result = text;
    for (const [token, name] of tokenNames) result = result.split(token).join(name);
    return result.length > 600 ? `${result.slice(0, 600)}… (${result.length} chars)` : result;
  };
  const headers = Object.entries(exchange.headers)
    .map(([name, value]) => `${name}: ${redact(String(value))}`)
    .join('\n');
  const body = exchange.body === undefined ? '' : `\n\n${redact(exchange.body.toString())}`;
  return `${exchange.method} ${redact(exchange.path)}\n${headers}${body}`;
}

function classKey(family: string, outcome: Outcome): string {
  // Family without the caller: a class is what broke, whoever asked.
  const what = family.split(' ')[0]!;
  const detail = (outcome.detail ?? '').replace(/\d+/g, 'N').slice(0, 80);
  return `${outcome.verdict === 'ok' ? '5xx' : outcome.verdict} ${outcome.status ?? '-'} ${what} ${detail}`.trim();
}

export interface PreparedFuzz {
  schema: FuzzSchema;
  pools: ValuePools;
  credentials: Credentials;
}

export async function prepareFuzz(seed: number, keysDir: string): Promise<PreparedFuzz> {
  const pools = valuePools(seed);
  return { schema: loadFuzzSchema(), pools, credentials: await fuzzCredentials(keysDir, pools) };
}

/**
 * Polls /readyz until stopped, as a load balancer's probe would: a poll that gets no answer within
 * the bound is a failure, and so is a run of `failureThreshold` unready answers in a row (Kubernetes'
 * default threshold is 3). A single unready answer is a probe's blip, not a replica out of service.
 */
export function pollReadiness(
  url: string,
  intervalMs: number,
  boundMs: number,
  failureThreshold = 3,
): { stop(): Promise<{ polls: number; failures: number; details: string[] }> } {
  let polls = 0;
  let failures = 0;
  let unreadyRun = 0;
  const details: string[] = [];
  let running = true;
  const fail = (detail: string) => {
    failures++;
    if (details.length < 5) details.push(detail);
  };
  const loop = (async () => {
    while (running) {
      polls++;
      try {
        const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(boundMs) });
        const text = await response.text();
        if (response.status === 200) unreadyRun = 0;
        else if (++unreadyRun >= failureThreshold)
          fail(`${unreadyRun} unready in a row: ${response.status} ${text.slice(0, 200)}`);
      } catch (error) {
        fail((error as Error).message);
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { polls, failures, details };
    },
  };
}

export async function runFuzz(options: FuzzOptions, prepared?: PreparedFuzz): Promise<FuzzReport> {
  const started = performance.now();
  const { schema, pools, credentials } = prepared ?? (await prepareFuzz(options.seed, options.keysDir));
  const agent = createAgent(options.concurrency);
  const report: FuzzReport = {
    requests: 0,
    ok: 0,
    statuses: {},
    codes: {},
    fiveXX: 0,
    uncoded: 0,
    hangs: 0,
    resets: 0,
    readyzPolls: 0,
    readyzFailures: 0,
    failures: [],
    slowest: [],
    seconds: 0,
  };
  const classes = new Map<string, FailureClass & { size: number }>();
  const readiness = pollReadiness(options.url, 500, Math.max(2_000, Math.min(options.hangMs, 10_000)));
  const indices = options.cases ?? Array.from({ length: options.runs }, (_, i) => i);
  let next = 0;
  let lastAnswer = Date.now();
  const wedgedMs = options.wedgedMs ?? options.hangMs * 4;

  async function worker(): Promise<void> {
    while (next < indices.length) {
      if (Date.now() - lastAnswer > wedgedMs) {
        report.wedged ??= { afterRequests: report.requests, unsent: indices.length - next };
        return;
      }
      const index = indices[next++]!;
      // Each case has its own generator, so case i is the same whatever ran before it.
      const rng = new Rng((options.seed * 1_000_003 + index) >>> 0);
      let fuzz;
      try {
        fuzz = fuzzCase(rng, pools, schema, credentials);
      } catch (error) {
        throw new Error(`the fuzzer could not build case ${index}: ${(error as Error).message}`);
      }
      if (options.skip?.some((family) => fuzz.family.includes(family))) continue;
      const target = fuzz.normalLimits ? (options.normalUrl ?? options.url) : options.url;
      let outcome: Outcome;
      try {
        outcome = await send(target, fuzz.exchange, { agent, hangMs: options.hangMs });
      } catch (error) {
        // Headers Node itself refuses to send are the fuzzer's problem, not the gateway's.
        if ((error as NodeJS.ErrnoException).code === 'ERR_INVALID_CHAR') continue;
        throw error;
      }
      report.requests++;
      if (outcome.verdict !== 'hang') lastAnswer = Date.now();
      options.onCase?.(index, fuzz.family, outcome);
      const status = outcome.status === null ? 'none' : String(outcome.status);
      report.statuses[status] = (report.statuses[status] ?? 0) + 1;
      for (const code of outcome.codes) report.codes[code] = (report.codes[code] ?? 0) + 1;
      const fiveXX = outcome.status !== null && outcome.status >= 500;
      if (fiveXX) report.fiveXX++;
      if (outcome.verdict === 'uncoded') report.uncoded++;
      if (outcome.verdict === 'hang') report.hangs++;
      if (outcome.verdict === 'reset') report.resets++;
      if (outcome.verdict === 'ok' && !fiveXX) report.ok++;
      if (outcome.verdict !== 'ok' || fiveXX) {
        const key = classKey(fuzz.family, outcome);
        const size = (fuzz.exchange.body?.length ?? 0) + fuzz.exchange.path.length;
        const existing = classes.get(key);
        const answer = outcome.json === undefined ? undefined : JSON.stringify(outcome.json).slice(0, 400);
        const example = {
          index,
          family: fuzz.family,
          request: describeExchange(fuzz.exchange, credentials),
          status: outcome.status,
          ...(outcome.detail ? { detail: outcome.detail } : {}),
          ...(answer ? { answer } : {}),
        };
        if (!existing) classes.set(key, { key, count: 1, example, size });
        else {
          existing.count++;
          if (size < existing.size) Object.assign(existing, { example, size });
        }
      }
      if (report.slowest.length < 10 || outcome.latencyMs > report.slowest[report.slowest.length - 1]!.ms) {
        report.slowest.push({
          index,
          family: fuzz.family,
          ms: Math.round(outcome.latencyMs),
          verdict: outcome.verdict,
        });
        report.slowest.sort((a, b) => b.ms - a.ms);
        report.slowest.length = Math.min(report.slowest.length, 10);
      }
      if (options.onProgress && report.requests % 100 === 0) options.onProgress(report.requests, report);
    }
  }

  try {
    await Promise.all(Array.from({ length: options.concurrency }, () => worker()));
  } finally {
    const polled = await readiness.stop();
    report.readyzPolls = polled.polls;
    report.readyzFailures = polled.failures;
    if (polled.failures > 0)
      classes.set('readyz', {
        key: 'readyz',
        count: polled.failures,
        size: 0,
        example: {
          index: -1,
          family: 'readyz',
          request: 'GET /readyz',
          status: null,
          detail: polled.details.join(' | '),
        },
      });
    agent.destroy();
  }
  report.failures = [...classes.values()].map(({ size: _size, ...rest }) => rest).sort((a, b) => b.count - a.count);
  report.seconds = (performance.now() - started) / 1000;
  return report;
}

export function formatFuzzReport(report: FuzzReport): string {
  const lines = [
    `requests ${report.requests} in ${report.seconds.toFixed(1)} s (${(report.requests / report.seconds).toFixed(0)}/s)`,
    `ok ${report.ok}  5xx ${report.fiveXX}  uncoded ${report.uncoded}  hangs ${report.hangs}  resets ${report.resets}  readyz failures ${report.readyzFailures}/${report.readyzPolls}`,
    ...(report.wedged
      ? [
          `WEDGED: nothing answered for a while after ${report.wedged.afterRequests} requests; ${report.wedged.unsent} cases not sent`,
        ]
      : []),
    `statuses ${JSON.stringify(report.statuses)}`,
    `codes ${JSON.stringify(report.codes)}`,
  ];
  lines.push(
    'slowest:',
    ...report.slowest.map((slow) => `  case ${slow.index} ${slow.ms} ms ${slow.verdict} ${slow.family}`),
  );
  for (const failure of report.failures) {
    lines.push(
      '',
      `[${failure.count}×] ${failure.key}`,
      `  case ${failure.example.index} (${failure.example.family}), status ${failure.example.status ?? 'none'}${failure.example.detail ? `: ${failure.example.detail}` : ''}`,
    );
    lines.push(...failure.example.request.split('\n').map((line) => `    ${line}`));
    if (failure.example.answer) lines.push(`  answer: ${failure.example.answer}`);
  }
  return lines.join('\n');
}
