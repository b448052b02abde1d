import { inSpan, SourceError, SpanKind, type SourceErrorCode } from '@credit-gateway/common';

/** A query parameter or a value to insert: what both PostgreSQL and SQLite bind. */
export type SqlValue = string | number | null;

/** One row as a driver returns it: column name → value. */
export type FrontDbRow = Readonly<Record<string, unknown>>;

/** Queries counted since the last reset, so that tests and benchmarks can see how the adapter batches. */
export interface FrontDbStats {
  queries: number;
  /** Most queries in flight at once. */
  peakInFlight: number;
}

/**
 * What a front-end database driver provides: PostgreSQL here, or a stand-in supplied by the
 * process that hosts the subgraph. The client below adds the deadline, the error mapping and the
 * counts, so every driver fails the same way.
 */
export interface FrontDbDriver {
  /** Names the driver in logs: `postgres`, `embedded`. */
  readonly name: string;
  /** Runs one query with `$1`-style parameters. */
  run(sql: string, params: readonly SqlValue[]): Promise<readonly FrontDbRow[]>;
  /** The one place that decides what a driver's failure means. */
  classify(error: unknown): SourceErrorCode;
  close(): Promise<void>;
}

export interface FrontDb {
  /** The driver's name. */
  driver: string;
  /**
   * Runs one query with `$1`-style parameters, bounded by the source timeout. Every failure is a
   * SourceError: SOURCE_TIMEOUT, SOURCE_UNAVAILABLE or SOURCE_BAD_RESPONSE.
   */
  query(sql: string, params: readonly SqlValue[]): Promise<readonly FrontDbRow[]>;
  stats(): FrontDbStats;
  resetStats(): void;
  close(): Promise<void>;
}

function sourceError(code: SourceErrorCode, cause: unknown): SourceError {
  return new SourceError(code, 'social-security', { cause });
}

/** Rejects with SOURCE_TIMEOUT once `timeoutMs` has passed, whatever the driver is doing. */
async function withDeadline<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(sourceError('SOURCE_TIMEOUT', new Error(`no answer within ${timeoutMs} ms`))),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export function frontDbClient(driver: FrontDbDriver, options: { timeoutMs: number }): FrontDb {
  let stats: FrontDbStats = { queries: 0, peakInFlight: 0 };
  let inFlight = 0;
  async function run(sql: string, params: readonly SqlValue[]): Promise<readonly FrontDbRow[]> {
    stats.queries++;
    inFlight++;
    stats.peakInFlight = Math.max(stats.peakInFlight, inFlight);
    // In flight until the driver settles, even when the caller has given up on it.
    const work = driver.run(sql, params).finally(() => inFlight--);
    try {
      return await withDeadline(work, options.timeoutMs);
    } catch (error) {
      if (error instanceof SourceError) throw error;
      throw sourceError(driver.classify(error), error);
    }
  }
  return {
    driver: driver.name,
    query: (sql, params) =>
      // A department call like any other, traced without its SQL or parameters (common/src/tracing.ts).
      inSpan(
        'source social-security',
        SpanKind.CLIENT,
        { 'credit.source': 'social-security', 'db.system.name': driver.name },
        () => run(sql, params),
      ),
    stats: () => ({ ...stats }),
    resetStats: () => {
      stats = { queries: 0, peakInFlight: inFlight };
    },
    close: () => driver.close(),
  };
}
