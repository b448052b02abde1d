/**
 * A bounded load loop of ordinary queries (approval profile, batch check, credit rules) at modest
 * concurrency, each with its own x-request-id, judged like the fuzzer judges: ok, coded error,
 * uncoded, 5xx, hang, reset, with latencies.
 */
import { randomUUID } from 'node:crypto';
import { createAgent, send, type Outcome } from '../harness/http.js';

export const QUERIES = [
  `query Profile($code: CreditCode!) { enterprise(code: $code) { code marketRegulation { registration { name status } }
    tax { majorViolations { caseNature } } courts { dishonestDebtorRecords { caseNumber status } }
    socialSecurity { wageArrearsListings { listedOn } } procurement { banned } } }`,
  `query Batch($codes: [CreditCode!]!) { enterprises(codes: $codes) { code courts { dishonestDebtorRecords { status } } procurement { banned } } }`,
  `query Rules($code: CreditCode!) { enterprise(code: $code) { creditLists { list } measures(context: GOVERNMENT_PROCUREMENT) { status measure { id } } greenChannel { eligible } } }`,
];

export interface LoadFigures {
  requests: number;
  ok: number;
  coded: number;
  uncoded: number;
  fiveXX: number;
  hangs: number;
  resets: number;
  latencies: number[];
  /** Codes seen, with counts. */
  codes: Record<string, number>;
  /** Request ids of answers the gateway gave other than REGISTER_UNAVAILABLE: each must be in the register. */
  acknowledged: string[];
  /** Answers that carried credit data while the register could not write (checked against the register after). */
  examples: string[];
}

export function emptyFigures(): LoadFigures {
  return {
    requests: 0,
    ok: 0,
    coded: 0,
    uncoded: 0,
    fiveXX: 0,
    hangs: 0,
    resets: 0,
    latencies: [],
    codes: {},
    acknowledged: [],
    examples: [],
  };
}

export interface LoadOptions {
  url: string;
  token: string;
  codes: readonly string[];
  concurrency: number;
  hangMs: number;
  /** Stop when this resolves, or after `maxRequests`. */
  until: Promise<unknown>;
  maxRequests: number;
}

export function record(figures: LoadFigures, outcome: Outcome, requestId: string): void {
  figures.requests++;
  figures.latencies.push(outcome.latencyMs);
  for (const code of outcome.codes) figures.codes[code] = (figures.codes[code] ?? 0) + 1;
  if (outcome.verdict === 'hang') figures.hangs++;
  else if (outcome.verdict === 'reset') figures.resets++;
  else if (outcome.verdict === 'uncoded') figures.uncoded++;
  else if (outcome.codes.length > 0) figures.coded++;
  else figures.ok++;
  if (outcome.status !== null && outcome.status >= 500) figures.fiveXX++;
  if (outcome.status !== null && !outcome.codes.includes('REGISTER_UNAVAILABLE')) figures.acknowledged.push(requestId);
  if (outcome.verdict !== 'ok' && figures.examples.length < 5)
    figures.examples.push(`${outcome.verdict} ${outcome.status ?? '-'} ${outcome.detail ?? ''}`.trim());
}

export async function runLoad(options: LoadOptions, figures = emptyFigures()): Promise<LoadFigures> {
  const agent = createAgent(options.concurrency);
  let stopped = false;
  void options.until.then(() => (stopped = true));
  let sent = 0;
  const worker = async () => {
    while (!stopped && sent < options.maxRequests) {
      const n = sent++;
      const query = QUERIES[n % QUERIES.length]!;
      const code = options.codes[n % options.codes.length]!;
      const variables = query.includes('$codes') ? { codes: options.codes.slice(0, 20) } : { code };
      const requestId = `chaos-${randomUUID()}`;
      const outcome = await send(
        options.url,
        {
          method: 'POST',
          path: '/graphql',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${options.token}`,
            'x-credit-purpose': 'ADMINISTRATIVE_LICENSING',
            'x-request-id': requestId,
          },
          body: JSON.stringify({ query, variables }),
        },
        { agent, hangMs: options.hangMs },
      );
      record(figures, outcome, requestId);
      // A gateway that is down refuses at once: pace the retries instead of spinning.
      if (outcome.verdict === 'reset') await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  agent.destroy();
  return figures;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
