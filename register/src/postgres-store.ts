import pg from 'pg';
import type { Logger } from '@credit-gateway/common';
import { CommitQueue } from './commit-queue.js';
import { RegisterStartError, RegisterUnavailableError } from './errors.js';
import {
  GENESIS_HASH,
  parseStoredRecord,
  recordHash,
  sealRecord,
  WRITER_ID_PATTERN,
  type QueryRecordInput,
  type StoredQueryRecord,
} from './record.js';
import { lookupOptions, type BySubjectOptions, type QueryRegister, type RegisterHooks } from './types.js';

export interface PostgresRegisterOptions {
  url: string;
  poolSize: number;
  writer: string;
  timeoutMs: number;
  batchMax: number;
  logger: Logger;
  hooks?: RegisterHooks;
}

export const REGISTER_TABLE = 'query_register';

/** Columns in the order of StoredQueryRecord's fields; `time` is a timestamptz. */
const COLUMNS = [
  ['writer', 'writer'],
  ['seq', 'seq'],
  ['prev_hash', 'prevHash'],
  ['hash', 'hash'],
  ['time', 'time'],
  ['request_id', 'requestId'],
  ['caller', 'caller'],
  ['client', 'client'],
  ['tier', 'tier'],
  ['purpose', 'purpose'],
  ['operation_name', 'operationName'],
  ['operation_hash', 'operationHash'],
  ['subjects', 'subjects'],
  ['fields_returned', 'fieldsReturned'],
  ['fields_denied', 'fieldsDenied'],
  ['outcome', 'outcome'],
  ['error_codes', 'errorCodes'],
] as const satisfies readonly (readonly [string, keyof StoredQueryRecord])[];

/**
 * The table, made append-only as far as PostgreSQL allows: triggers refuse UPDATE, DELETE and
 * TRUNCATE for every role. The table's owner or a superuser can still disable them, which the
 * hash chains then reveal; in production, grant the gateway's role only INSERT and SELECT on a
 * table another role owns.
 */
export const REGISTER_DDL = `
CREATE TABLE ${REGISTER_TABLE} (
  writer text NOT NULL,
  seq bigint NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL,
  time timestamptz NOT NULL,
  request_id text NOT NULL,
  caller text,
  client text,
  tier text NOT NULL,
  purpose text,
  operation_name text,
  operation_hash text NOT NULL,
  subjects text[] NOT NULL,
  fields_returned text[] NOT NULL,
  fields_denied text[] NOT NULL,
  outcome text NOT NULL,
  error_codes text[] NOT NULL,
  PRIMARY KEY (writer, seq)
);
CREATE INDEX ${REGISTER_TABLE}_subjects ON ${REGISTER_TABLE} USING gin (subjects);
CREATE FUNCTION ${REGISTER_TABLE}_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the query register is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER ${REGISTER_TABLE}_append_only BEFORE UPDATE OR DELETE ON ${REGISTER_TABLE}
  FOR EACH ROW EXECUTE FUNCTION ${REGISTER_TABLE}_refuse_change();
CREATE TRIGGER ${REGISTER_TABLE}_no_truncate BEFORE TRUNCATE ON ${REGISTER_TABLE}
  FOR EACH STATEMENT EXECUTE FUNCTION ${REGISTER_TABLE}_refuse_change();
`;

/** Serializes replicas creating the table at the same time; any constant shared by them will do. */
const DDL_LOCK = 4_004_002;

/**
 * The register on PostgreSQL: the table `query_register` in the first schema of the search
 * path, created with its triggers when missing. Each group commit is one INSERT in one
 * transaction with synchronous_commit on, acknowledged after COMMIT; batches of one writer go
 * one at a time. Replicas write their own chains, so they never wait for each other.
 */
export async function openPostgresRegister(options: PostgresRegisterOptions): Promise<QueryRegister> {
  const { writer, logger } = options;
  if (!WRITER_ID_PATTERN.test(writer)) throw new RegisterStartError(`Invalid register writer id '${writer}'`);
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    connectionTimeoutMillis: options.timeoutMs,
    query_timeout: options.timeoutMs,
    statement_timeout: options.timeoutMs,
    idleTimeoutMillis: 30_000,
    application_name: 'credit-gateway-register',
  });
  // An idle connection that breaks is dropped by the pool; unhandled, the event would end the process.
  pool.on('error', (error) => logger.warn({ err: error }, 'query register: idle database connection failed'));
  try {
    await createTable(pool, logger);
    const tail = await readTail(pool, writer, { check: true });
    logger.info({ writer, seq: tail.seq }, 'query register opened (PostgreSQL)');
    return new PostgresRegister(options, pool, tail);
  } catch (error) {
    await endPool(pool, options.timeoutMs);
    throw error;
  }
}

class PostgresRegister implements QueryRegister {
  readonly writer: string;
  private readonly queue: CommitQueue;
  /** Null after a failed batch: it may have committed after all, so the tail is read again. */
  private tail: { seq: number; hash: string } | null;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly options: PostgresRegisterOptions,
    private readonly pool: pg.Pool,
    tail: { seq: number; hash: string },
  ) {
    this.writer = options.writer;
    this.tail = tail;
    this.queue = new CommitQueue({
      batchMax: options.batchMax,
      timeoutMs: options.timeoutMs,
      logger: options.logger,
      write: (inputs) => this.write(inputs),
    });
  }

  append(record: QueryRecordInput): Promise<StoredQueryRecord> {
    return this.queue.append(record);
  }

  async bySubject(subject: string, options: BySubjectOptions = {}): Promise<StoredQueryRecord[]> {
    const { limit, before } = lookupOptions(options);
    try {
      const { rows } = await this.pool.query<Row>(
        `SELECT * FROM ${REGISTER_TABLE} WHERE subjects @> ARRAY[$1::text] AND time < $2::timestamptz
         ORDER BY time DESC, writer, seq DESC LIMIT $3`,
        [subject, Number.isFinite(before) ? new Date(before).toISOString() : 'infinity', limit],
      );
      return rows.map((row) => {
        const record = parseStoredRecord(rowToRecord(row));
        if (typeof record === 'string') throw new Error(`query register: unreadable row (${record})`);
        return record;
      });
    } catch (error) {
      this.options.logger.error({ err: error }, 'query register look-up failed');
      throw new RegisterUnavailableError({ cause: error });
    }
  }

  close(): Promise<void> {
    this.closing ??= this.queue.close().then(() => endPool(this.pool, this.options.timeoutMs));
    return this.closing;
  }

  private async write(inputs: readonly QueryRecordInput[]): Promise<StoredQueryRecord[]> {
    const client = await checkOut(this.pool, this.options.logger);
    try {
      this.tail ??= await readTail(client, this.writer, { check: false });
      const records: StoredQueryRecord[] = [];
      let prev = this.tail;
      for (const input of inputs) {
        const record = sealRecord(input, this.writer, prev);
        records.push(record);
        prev = record;
      }
      const values: unknown[] = [];
      const rows = records.map((record) => {
        const placeholders = COLUMNS.map(([, field]) => {
          values.push(record[field]);
          return `$${values.length}`;
        });
        return `(${placeholders.join(', ')})`;
      });
      await client.query('BEGIN');
      // Durable before it is acknowledged, whatever the server's default.
      await client.query('SET LOCAL synchronous_commit = on');
      await this.options.hooks?.commit?.(records.length);
      await client.query(
        `INSERT INTO ${REGISTER_TABLE} (${COLUMNS.map(([column]) => column).join(', ')}) VALUES ${rows.join(', ')}`,
        values,
      );
      await client.query('COMMIT');
      client.release();
      this.tail = { seq: prev.seq, hash: prev.hash };
      return records;
    } catch (error) {
      this.tail = null;
      if ((error as { code?: unknown }).code === '23505') {
        this.options.logger.error(
          { writer: this.writer },
          'query register: another process appends as this writer; give each replica its own REGISTER_WRITER_ID',
        );
      }
      // Dropped rather than reused: the transaction or the connection is in an unknown state.
      client.release(error instanceof Error ? error : true);
      throw error;
    }
  }
}

interface Row {
  writer: string;
  seq: string;
  prev_hash: string;
  hash: string;
  time: Date;
  request_id: string;
  caller: string | null;
  client: string | null;
  tier: string;
  purpose: string | null;
  operation_name: string | null;
  operation_hash: string;
  subjects: string[];
  fields_returned: string[];
  fields_denied: string[];
  outcome: string;
  error_codes: string[];
}

/** A row as the record it stores, to be checked by parseStoredRecord. */
export function rowToRecord(row: Row): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const [column, field] of COLUMNS) record[field] = row[column];
  record['seq'] = Number(row.seq);
  record['time'] = row.time instanceof Date ? row.time.toISOString() : row.time;
  return record;
}

export type { Row as RegisterRow };

/**
 * A connection from the pool, listened to while it is out: one that breaks between two
 * queries emits an error that would otherwise end the process. The query fails on its own.
 */
async function checkOut(pool: pg.Pool, logger: Logger): Promise<pg.PoolClient> {
  const client = await pool.connect();
  const onError = (error: Error) => logger.warn({ err: error }, 'query register: database connection failed');
  client.on('error', onError);
  const release = client.release.bind(client);
  client.release = (error?: Error | boolean) => {
    client.off('error', onError);
    release(error);
  };
  return client;
}

async function createTable(pool: pg.Pool, logger: Logger): Promise<void> {
  const client = await checkOut(pool, logger);
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [DDL_LOCK]);
    const { rows } = await client.query<{ exists: boolean; guarded: boolean }>(
      `SELECT to_regclass($1) IS NOT NULL AS exists,
              EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = to_regclass($1) AND tgname = $2 AND tgenabled <> 'D')
                AS guarded`,
      [REGISTER_TABLE, `${REGISTER_TABLE}_append_only`],
    );
    if (!rows[0]!.exists) {
      await client.query(REGISTER_DDL);
      logger.info({ table: REGISTER_TABLE }, 'query register: created the table');
    } else if (!rows[0]!.guarded) {
      logger.warn({ table: REGISTER_TABLE }, 'query register: the append-only trigger is missing or disabled');
    }
    await client.query('COMMIT');
    client.release();
  } catch (error) {
    client.release(error instanceof Error ? error : true);
    throw error;
  }
}

/**
 * The last record of `writer`'s chain. At start it is checked as the file store checks its
 * last line: it must match its hash and follow the record before it.
 */
async function readTail(
  db: pg.Pool | pg.PoolClient,
  writer: string,
  options: { check: boolean },
): Promise<{ seq: number; hash: string }> {
  const { rows } = await db.query<Row>(
    `SELECT * FROM ${REGISTER_TABLE} WHERE writer = $1 ORDER BY seq DESC LIMIT ${options.check ? 2 : 1}`,
    [writer],
  );
  if (rows.length === 0) return { seq: 0, hash: GENESIS_HASH };
  if (!options.check) return { seq: Number(rows[0]!.seq), hash: rows[0]!.hash };
  const last = parseStoredRecord(rowToRecord(rows[0]!));
  const refuse = (reason: string) =>
    new RegisterStartError(
      `Query register table ${REGISTER_TABLE}, writer '${writer}', seq ${rows[0]!.seq}: ${reason}. ` +
        `Run the register's verify command, and have an operator decide before anything more is appended.`,
    );
  if (typeof last === 'string') throw refuse(`the last record is unreadable (${last})`);
  if (recordHash(last) !== last.hash) throw refuse('the last record does not match its hash');
  const previous = rows[1] === undefined ? null : parseStoredRecord(rowToRecord(rows[1]));
  const linked =
    previous === null
      ? last.seq === 1 && last.prevHash === GENESIS_HASH
      : typeof previous !== 'string' && previous.seq === last.seq - 1 && previous.hash === last.prevHash;
  if (!linked) throw refuse('the last record does not follow the one before it');
  return { seq: last.seq, hash: last.hash };
}

async function endPool(pool: pg.Pool, timeoutMs: number): Promise<void> {
  // A connection stuck on an unreachable server must not hold up shutdown.
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    pool.end().catch(() => undefined),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
  ]);
  clearTimeout(timer);
}
