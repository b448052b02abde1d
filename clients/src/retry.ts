/** How the client retries what is safe to send again. */
export interface RetryPolicy {
  /** Most sends of one operation, the first included (default 3, at most MAX_ATTEMPTS). */
  attempts: number;
  /** The first backoff, doubled at each retry (default 200 ms). */
  baseDelayMs: number;
  /** The longest backoff (default 5 s). */
  maxDelayMs: number;
  /** A `Retry-After` longer than this is not waited for: the error is raised (default 30 s). */
  maxRetryAfterMs: number;
}

export const MAX_ATTEMPTS = 10;

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  attempts: 3,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  maxRetryAfterMs: 30_000,
};

export function retryPolicy(options: Partial<RetryPolicy> | false | undefined): RetryPolicy {
  if (options === false) return { ...DEFAULT_RETRY_POLICY, attempts: 1 };
  const policy = { ...DEFAULT_RETRY_POLICY, ...options };
  const attempts = Number.isFinite(policy.attempts) ? Math.trunc(policy.attempts) : DEFAULT_RETRY_POLICY.attempts;
  return {
    attempts: Math.min(Math.max(attempts, 1), MAX_ATTEMPTS),
    baseDelayMs: Math.max(0, policy.baseDelayMs),
    maxDelayMs: Math.max(0, policy.maxDelayMs),
    maxRetryAfterMs: Math.max(0, policy.maxRetryAfterMs),
  };
}

/** What one send came to, as far as retrying goes. */
export type SendOutcome = { kind: 'network' } | { kind: 'status'; status: number; retryAfterMs: number | undefined };

/**
 * The wait before sending again, or null to stop. Only an operation safe to repeat is retried
 * (`safe`: a query, or a mutation every field of which carries an idempotency key), only after a
 * network failure, a 503, or a 429 that says when to come back (`Retry-After`), and never past
 * `policy.attempts` sends in all. `attempt` is the number of sends made so far.
 */
export function retryDelay(
  policy: RetryPolicy,
  attempt: number,
  outcome: SendOutcome,
  safe: boolean,
  random: () => number = Math.random,
): number | null {
  if (!safe || attempt >= policy.attempts) return null;
  // Exponential backoff with jitter: between half and all of base * 2^(attempt - 1).
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const backoff = Math.round(ceiling * (0.5 + Math.min(Math.max(random(), 0), 1) / 2));
  if (outcome.kind === 'network') return backoff;
  const { status, retryAfterMs } = outcome;
  if (retryAfterMs !== undefined && retryAfterMs > policy.maxRetryAfterMs) return null;
  if (status === 503) return Math.max(backoff, retryAfterMs ?? 0);
  if (status === 429 && retryAfterMs !== undefined) return retryAfterMs;
  return null;
}

/** `Retry-After` in milliseconds: whole seconds, or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1_000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
