/**
 * The load generator, run in its own process so that it never shares an event loop with the
 * gateway it measures. Reads one job as JSON from argv[2], keeps `concurrency` requests in
 * flight over keep-alive connections for `durationMs` (or `requests` in all), and prints one
 * JSON result line.
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';

export interface LoadJob {
  url: string;
  headers: Record<string, string>;
  /** Request bodies, sent round-robin. */
  bodies: string[];
  concurrency: number;
  durationMs?: number;
  requests?: number;
}

export interface LoadResult {
  requests: number;
  errors: number;
  /** First error seen, to tell a misconfiguration from an overload. */
  firstError: string | null;
  elapsedMs: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function once(agent: Agent, url: URL, headers: Record<string, string>, body: string): Promise<string | null> {
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) resolve(`HTTP ${res.statusCode}: ${text.slice(0, 300)}`);
          // A GraphQL error anywhere in the answer counts; searching is cheaper than parsing.
          else if (text.includes('"errors"')) resolve(text.slice(text.indexOf('"errors"'), 400));
          else resolve(null);
        });
        res.on('error', (error) => resolve(String(error)));
      },
    );
    req.on('error', (error) => resolve(String(error)));
    req.end(body);
  });
}

export async function runLoad(job: LoadJob): Promise<LoadResult> {
  const url = new URL(job.url);
  const agent = new Agent({ keepAlive: true, maxSockets: job.concurrency });
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | null = null;
  let next = 0;
  const started = performance.now();
  const stopAt = job.durationMs === undefined ? Infinity : started + job.durationMs;
  const limit = job.requests ?? Infinity;

  async function worker(): Promise<void> {
    while (performance.now() < stopAt && next < limit) {
      const body = job.bodies[next++ % job.bodies.length]!;
      const t0 = performance.now();
      const error = await once(agent, url, job.headers, body);
      latencies.push(performance.now() - t0);
      if (error !== null) {
        errors++;
        firstError ??= error;
      }
    }
  }

  await Promise.all(Array.from({ length: job.concurrency }, () => worker()));
  const elapsedMs = performance.now() - started;
  agent.destroy();
  const sorted = Float64Array.from(latencies).sort();
  return {
    requests: latencies.length,
    errors,
    firstError,
    elapsedMs,
    rps: (latencies.length / elapsedMs) * 1000,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    meanMs: latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length),
  };
}

const jobFile = process.argv[2];
if (jobFile !== undefined) {
  const job = JSON.parse(readFileSync(jobFile, 'utf8')) as LoadJob;
  process.stdout.write(`${JSON.stringify(await runLoad(job))}\n`);
}
