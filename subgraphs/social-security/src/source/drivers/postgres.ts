import pg from 'pg';
import type { Logger, SourceErrorCode } from '@credit-gateway/common';
import type { FrontDbDriver, SqlValue } from '../front-db.js';

export interface PostgresOptions {
  url: string;
  poolSize: number;
  timeoutMs: number;
  logger: Logger;
}

/**
 * What a PostgreSQL failure means for the section it feeds. SQLSTATE classes: 57014 is a
 * cancelled statement (statement_timeout); 42 (undefined table or column, syntax) and 22 (data
 * exception) mean the tables are not what the adapter reads; everything else (08 connection,
 * 53 resources, 57P shutdown, 28 authentication, network errors) means the database is not there.
 */
export function postgresErrorCode(error: unknown): SourceErrorCode {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (code === '57014' || code === 'ETIMEDOUT') return 'SOURCE_TIMEOUT';
  if (typeof code === 'string' && /^(42|22)[0-9A-Z]{3}$/.test(code)) return 'SOURCE_BAD_RESPONSE';
  // node-postgres words its own timeouts (connect, query read) without a code.
  if (code === undefined && error instanceof Error && /timeout/i.test(error.message)) return 'SOURCE_TIMEOUT';
  return 'SOURCE_UNAVAILABLE';
}

/**
 * The front-end database on a PostgreSQL server. Each query is bounded twice: by the server's
 * statement_timeout, so that the server drops work nobody waits for, and by the client-side
 * deadline, which also covers connecting and a server that stopped answering.
 */
export function openPostgresFrontDb(options: PostgresOptions): FrontDbDriver {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    statement_timeout: options.timeoutMs,
    query_timeout: options.timeoutMs,
    connectionTimeoutMillis: options.timeoutMs,
    idleTimeoutMillis: 30_000,
    application_name: 'subgraph-social-security',
  });
  // An idle connection that breaks is dropped by the pool; unhandled, the event would end the process.
  pool.on('error', (error) => options.logger.warn({ err: error }, 'idle front-end database connection failed'));

  return {
    name: 'postgres',
    async run(sql, params) {
      const result = await pool.query<Record<string, unknown>>(sql, params as SqlValue[]);
      return result.rows;
    },
    classify: postgresErrorCode,
    async close() {
      // A connection stuck on an unreachable server must not hold up shutdown.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        pool.end(),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, options.timeoutMs))),
      ]);
      clearTimeout(timer);
    },
  };
}
