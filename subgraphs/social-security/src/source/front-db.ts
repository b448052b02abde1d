import { SourceError, type SourceErrorCode } from '@credit-gateway/common';
import type { Faults, SeedResult, SqlValue } from '@credit-gateway/sources';

export type { SqlValue };

/** One row as a driver returns it: column name → value. */
export type FrontDbRow = Readonly<Record<string, unknown>>;

/** Queries counted since the last reset, so that tests and benchmarks can see how the adapter batches. */
export interface FrontDbStats {
  queries: number;
  /** Most queries in flight at once. */
  peakInFlight: number;
}

interface FrontDbClient {
  /**
   * Runs one query with `$1`-style parameters, bounded by the source timeout. Every failure is a
   * SourceError: SOURCE_TIMEOUT, SOURCE_UNAVAILABLE or SOURCE_BAD_RESPONSE.
   */
  query(sql: string, params: readonly SqlValue[]): Promise<readonly FrontDbRow[]>;
  stats(): FrontDbStats;
  resetStats(): void;
  close(): Promise<void>;
}

export interface PostgresFrontDb extends FrontDbClient {
  driver: 'postgres';
}

/** The embedded stand-in: an in-memory SQLite database seeded at start, with fault injection. */
export interface EmbeddedFrontDb extends FrontDbClient {
  driver: 'embedded';
  faults(): Faults;
  /** Changes the simulated misbehaviour; a query hanging under the old faults is released. */
  setFaults(update: Partial<Faults>): Faults;
  /** What was seeded at start, and how long it took. */
  seeded: SeedResult & { ms: number };
}

export type FrontDb = PostgresFrontDb | EmbeddedFrontDb;

/** What a driver provides; the shared part adds the deadline, the error mapping and the counts. */
export interface FrontDbDriver {
  run(sql: string, params: readonly SqlValue[]): Promise<readonly FrontDbRow[]>;
  /** The one place that decides what a driver's failure means. */
  classify(error: unknown): SourceErrorCode;
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

export function frontDbClient(driver: FrontDbDriver, options: { timeoutMs: number }): FrontDbClient {
  let stats: FrontDbStats = { queries: 0, peakInFlight: 0 };
  let inFlight = 0;
  return {
    async query(sql, params) {
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
    },
    stats: () => ({ ...stats }),
    resetStats: () => {
      stats = { queries: 0, peakInFlight: inFlight };
    },
    close: () => driver.close(),
  };
}
