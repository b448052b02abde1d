import pg from 'pg';
import type { Logger } from '@credit-gateway/common';
import { parseStoredEvent, StoreStartError, type EventBackend, type StoredEvent } from './stored-event.js';

export const EVENTS_TABLE = 'credit_events';

/**
 * Append-only as far as PostgreSQL allows: triggers refuse UPDATE, DELETE and TRUNCATE. The
 * unique keys make a second writer fail rather than fork the log.
 */
export const EVENTS_DDL = `
CREATE TABLE ${EVENTS_TABLE} (
  position bigint PRIMARY KEY,
  stream text NOT NULL,
  version integer NOT NULL,
  idempotency_key text NOT NULL,
  recorded_at timestamptz NOT NULL,
  data jsonb NOT NULL,
  UNIQUE (stream, version),
  UNIQUE (stream, idempotency_key)
);
CREATE FUNCTION ${EVENTS_TABLE}_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the credit store is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER ${EVENTS_TABLE}_append_only BEFORE UPDATE OR DELETE ON ${EVENTS_TABLE}
  FOR EACH ROW EXECUTE FUNCTION ${EVENTS_TABLE}_refuse_change();
CREATE TRIGGER ${EVENTS_TABLE}_no_truncate BEFORE TRUNCATE ON ${EVENTS_TABLE}
  FOR EACH STATEMENT EXECUTE FUNCTION ${EVENTS_TABLE}_refuse_change();
`;

/** Serializes processes creating the table at the same time. */
const DDL_LOCK = 4_006_001;
/** High half of the session lock that makes one process the writer of a table (low half: its oid). */
const WRITER_LOCK = 4_006;

interface Row {
  position: string;
  stream: string;
  version: number;
  idempotency_key: string;
  recorded_at: Date;
  data: unknown;
}

const SELECT = `SELECT position, stream, version, idempotency_key, recorded_at, data FROM ${EVENTS_TABLE}`;

function toEvent(row: Row): StoredEvent {
  const event = parseStoredEvent({
    position: Number(row.position),
    stream: row.stream,
    version: row.version,
    idempotencyKey: row.idempotency_key,
    recordedAt: row.recorded_at.toISOString(),
    data: row.data,
  });
  if (typeof event === 'string') throw new Error(`Credit store: row at position ${row.position} unreadable (${event})`);
  return event;
}

/**
 * The store on PostgreSQL: the table `credit_events` in the first schema of the search path,
 * created when missing. Each group commit is one INSERT in one transaction with synchronous
 * commit on, acknowledged after COMMIT. One process writes a table at a time: it holds a
 * session advisory lock for as long as it is open.
 */
export async function openPostgresEvents(options: {
  url: string;
  poolSize: number;
  timeoutMs: number;
  writerLockWaitMs: number;
  logger: Logger;
}): Promise<{ backend: EventBackend; events: StoredEvent[] }> {
  const { logger } = options;
  // Holds the writer lock, and reads the whole table at start without a statement timeout.
  const owner = new pg.Client({
    connectionString: options.url,
    connectionTimeoutMillis: options.timeoutMs,
    application_name: 'credit-store-writer',
  });
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    connectionTimeoutMillis: options.timeoutMs,
    query_timeout: options.timeoutMs,
    statement_timeout: options.timeoutMs,
    idleTimeoutMillis: 30_000,
    application_name: 'credit-store',
  });
  // A connection that breaks while idle is dropped; unhandled, the event would end the process.
  pool.on('error', (error) => logger.warn({ err: error }, 'credit store: idle database connection failed'));
  owner.on('error', (error) => logger.error({ err: error }, 'credit store: the writer connection failed'));
  try {
    await owner.connect();
    await createTable(owner, logger);
    await takeWriterLock(owner, options.writerLockWaitMs);
    const { rows } = await owner.query<Row>(`${SELECT} ORDER BY position`);
    const events = rows.map(toEvent);
    return { backend: new PostgresBackend(pool, owner, logger), events };
  } catch (error) {
    await Promise.allSettled([owner.end(), pool.end()]);
    throw error;
  }
}

class PostgresBackend implements EventBackend {
  readonly kind = 'postgres';
  private closing: Promise<void> | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly owner: pg.Client,
    private readonly logger: Logger,
  ) {}

  async write(events: readonly StoredEvent[]): Promise<void> {
    const client = await this.pool.connect();
    const onError = (error: Error) => this.logger.warn({ err: error }, 'credit store: database connection failed');
    client.on('error', onError);
    try {
      const values: unknown[] = [];
      const rows = events.map((event) => {
        values.push(
          event.position,
          event.stream,
          event.version,
          event.idempotencyKey,
          event.recordedAt,
          JSON.stringify(event.data),
        );
        const n = values.length;
        return `($${n - 5}, $${n - 4}, $${n - 3}, $${n - 2}, $${n - 1}, $${n}::jsonb)`;
      });
      await client.query('BEGIN');
      // Durable before it is acknowledged, whatever the server's default.
      await client.query('SET LOCAL synchronous_commit = on');
      await client.query(
        `INSERT INTO ${EVENTS_TABLE} (position, stream, version, idempotency_key, recorded_at, data) VALUES ${rows.join(', ')}`,
        values,
      );
      await client.query('COMMIT');
      client.off('error', onError);
      client.release();
    } catch (error) {
      if ((error as { code?: unknown }).code === '23505') {
        this.logger.error('credit store: another process writes this table; run one writer per store');
      }
      client.off('error', onError);
      // Dropped rather than reused: the transaction or the connection is in an unknown state.
      client.release(error instanceof Error ? error : true);
      throw error;
    }
  }

  async recover(position: number): Promise<StoredEvent[]> {
    const { rows } = await this.pool.query<Row>(`${SELECT} WHERE position > $1 ORDER BY position`, [position]);
    return rows.map(toEvent);
  }

  close(): Promise<void> {
    this.closing ??= Promise.allSettled([this.pool.end(), this.owner.end()]).then(() => undefined);
    return this.closing;
  }
}

async function createTable(client: pg.Client, logger: Logger): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [DDL_LOCK]);
    const { rows } = await client.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [
      EVENTS_TABLE,
    ]);
    if (!rows[0]!.exists) {
      await client.query(EVENTS_DDL);
      logger.info({ table: EVENTS_TABLE }, 'credit store: created the table');
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * Becomes the table's one writer. A writer that was just killed still holds the lock until the
 * server notices its connection closed, so the start waits a little before it gives up.
 */
async function takeWriterLock(client: pg.Client, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const { rows } = await client.query<{ locked: boolean }>(
      `SELECT pg_try_advisory_lock(($1::bigint << 32) | to_regclass($2)::oid::bigint) AS locked`,
      [WRITER_LOCK, EVENTS_TABLE],
    );
    if (rows[0]!.locked) return;
    if (Date.now() >= deadline) {
      throw new StoreStartError(
        `Credit store table ${EVENTS_TABLE} is in use by another process: one process writes a store`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
