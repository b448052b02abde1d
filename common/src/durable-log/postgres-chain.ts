import pg from 'pg';
import type { Logger } from '../logger.js';
import { follows, sealAfter, type ChainLink, type LogFormat } from './chain.js';
import { ChainReader, type AcceptChain, type ChainWriter, type LogHooks } from './writer.js';

export interface TableColumn {
  name: string;
  /** Its SQL type and constraints, e.g. `text NOT NULL`. */
  type: string;
  /** The cast its parameter takes in the INSERT, e.g. `jsonb`. */
  cast?: string;
}

/** How a user's records are laid out in a table of its own. */
export interface LogTable<Stored> {
  table: string;
  /** The log's name in the triggers' refusal: "the <name> is append-only". */
  name: string;
  columns: readonly TableColumn[];
  /**
   * Which chain a row belongs to: the column naming its writer, in a table that holds one
   * chain per writer; or the one chain's name, in a table that holds only one.
   */
  chains: { column: string } | { name: string };
  /** The column holding each record's place in its chain. */
  seqColumn: string;
  /** Table constraints besides the primary key on (writer, seq), or (seq). */
  constraints?: readonly string[];
  /** Statements run after the table is created: its indexes. */
  indexes?: readonly string[];
  /**
   * Indexes a table created by an earlier version may lack: `CREATE INDEX IF NOT EXISTS`
   * statements, run when the table is created and at every start on a table already there.
   */
  addedIndexes?: readonly string[];
  /**
   * Columns a table created by an earlier version lacks. They are added when missing, and the
   * rows already there hold NULL in them: their types must allow it.
   */
  addedColumns?: readonly string[];
  /** Key of the advisory lock that serializes processes creating the table at once. */
  ddlLock: number;
  /** The record's values for `columns`, in their order. */
  values(record: Stored): unknown[];
  /** A row as the value the format parses. */
  fromRow(row: Record<string, unknown>): unknown;
}

/** The table's DDL: made append-only as far as PostgreSQL allows. */
export function tableDdl(spec: LogTable<unknown>): string {
  const { table } = spec;
  const key = 'column' in spec.chains ? `${spec.chains.column}, ${spec.seqColumn}` : spec.seqColumn;
  const lines = [
    ...spec.columns.map((column) => `${column.name} ${column.type}`),
    `PRIMARY KEY (${key})`,
    ...(spec.constraints ?? []),
  ];
  return `
CREATE TABLE ${table} (
  ${lines.join(',\n  ')}
);
${[...(spec.indexes ?? []), ...(spec.addedIndexes ?? [])].map((statement) => `${statement};\n`).join('')}CREATE FUNCTION ${table}_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the ${spec.name} is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table}
  FOR EACH ROW EXECUTE FUNCTION ${table}_refuse_change();
CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
  FOR EACH STATEMENT EXECUTE FUNCTION ${table}_refuse_change();
`;
}

export interface TableChainOptions<Input, Stored> {
  url: string;
  /** Connections: one appends at a time, the others answer the user's own reads. */
  poolSize: number;
  /** Bound on connecting and on every statement. */
  timeoutMs: number;
  spec: LogTable<Stored>;
  format: LogFormat<Input, Stored>;
  writer: string;
  /** In log lines: "query register", "credit store". */
  name: string;
  applicationName: string;
  logger: Logger;
  /** Sees what the chain holds before anything is written; throws to refuse the start. */
  accept: AcceptChain;
  /** When set, the whole chain is read at start and each readable record given here, in order. */
  onRead?(record: Stored): void;
  /**
   * One process writes the table: it holds a session advisory lock for as long as it is open.
   * A writer just killed holds it until the server notices, so a start waits up to `waitMs`.
   */
  exclusive?: { waitMs: number; refuse(): Error };
  /** Logged when another process takes this chain's next seq: what the operator should change. */
  forkHint: string;
  hooks?: LogHooks;
}

/** High half of the session lock that makes one process the writer of a table (low half: its oid). */
const WRITER_LOCK = 4_006;

/**
 * A chain in a PostgreSQL table, created with its append-only triggers when missing. Each
 * group commit is one INSERT in one transaction with synchronous_commit on, acknowledged
 * after COMMIT. The primary key on (writer, seq) makes a second process that appends as the
 * same writer fail rather than fork the chain.
 */
export async function openTableChain<Input, Stored>(
  options: TableChainOptions<Input, Stored>,
): Promise<TableChain<Input, Stored>> {
  const { logger, name, spec } = options;
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    connectionTimeoutMillis: options.timeoutMs,
    query_timeout: options.timeoutMs,
    statement_timeout: options.timeoutMs,
    idleTimeoutMillis: 30_000,
    application_name: options.applicationName,
  });
  // An idle connection that breaks is dropped by the pool; unhandled, the event would end the process.
  pool.on('error', (error) => logger.warn({ err: error }, `${name}: idle database connection failed`));
  // Holds the writer lock, and reads the whole chain at start without a statement timeout.
  const owner = options.exclusive
    ? new pg.Client({
        connectionString: options.url,
        connectionTimeoutMillis: options.timeoutMs,
        application_name: `${options.applicationName}-writer`,
      })
    : undefined;
  owner?.on('error', (error) => logger.error({ err: error }, `${name}: the writer connection failed`));
  try {
    await owner?.connect();
    await createTable(owner ?? pool, spec, logger, name);
    if (owner && options.exclusive) await takeWriterLock(owner, spec.table, options.exclusive);
    const tail = await readChain(owner ?? pool, options);
    return new TableChain(options, pool, owner, tail);
  } catch (error) {
    await closeAll(pool, owner, options.timeoutMs);
    throw error;
  }
}

export class TableChain<Input, Stored> implements ChainWriter<Input, Stored> {
  readonly kind = 'postgres';
  readonly writer: string;
  /** After a failed append, a batch may have committed anyway: find out before the next one. */
  private uncertain = false;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly options: TableChainOptions<Input, Stored>,
    /** For the user's own reads, too. */
    readonly pool: pg.Pool,
    private readonly owner: pg.Client | undefined,
    private last: ChainLink,
  ) {
    this.writer = options.writer;
  }

  get tail(): ChainLink {
    return this.last;
  }

  async append(inputs: readonly Input[]): Promise<Stored[]> {
    await this.recover();
    const { format, spec, logger, name } = this.options;
    const { records, tail } = sealAfter(format, this.writer, this.last, inputs);
    const values: unknown[] = [];
    const rows = records.map((record) => {
      const row = spec.values(record);
      const placeholders = spec.columns.map((column, i) => {
        values.push(row[i]);
        return column.cast ? `$${values.length}::${column.cast}` : `$${values.length}`;
      });
      return `(${placeholders.join(', ')})`;
    });
    const client = await checkOut(this.pool, logger, name);
    try {
      await client.query('BEGIN');
      // Durable before it is acknowledged, whatever the server's default.
      await client.query('SET LOCAL synchronous_commit = on');
      await this.options.hooks?.commit?.(records.length);
      await client.query(
        `INSERT INTO ${spec.table} (${spec.columns.map((column) => column.name).join(', ')}) VALUES ${rows.join(', ')}`,
        values,
      );
      await client.query('COMMIT');
      client.release();
    } catch (error) {
      this.uncertain = true;
      if ((error as { code?: unknown }).code === '23505') {
        logger.error(
          { writer: this.writer },
          `${name}: another process appends to this chain; ${this.options.forkHint}`,
        );
      }
      // Dropped rather than reused: the transaction or the connection is in an unknown state.
      client.release(error instanceof Error ? error : true);
      throw error;
    }
    this.last = tail;
    return records;
  }

  async recover(): Promise<Stored[]> {
    if (!this.uncertain) return [];
    const { format, spec, name } = this.options;
    const { rows } = await this.pool.query<Record<string, unknown>>(chainQuery(spec, 'after'), [
      ...chainParams(spec, this.writer),
      this.last.seq,
    ]);
    const found: Stored[] = [];
    let tail = this.last;
    for (const row of rows) {
      const record = format.parse(spec.fromRow(row), found.at(-1) ?? null);
      if (typeof record === 'string')
        throw new Error(`${name}: a record after seq ${tail.seq} is unreadable (${record})`);
      const link = format.link(record);
      if (!follows(link, tail)) throw new Error(`${name}: seq ${link.seq} does not follow seq ${tail.seq}`);
      found.push(record);
      tail = { seq: link.seq, hash: link.hash };
    }
    this.last = tail;
    this.uncertain = false;
    return found;
  }

  close(): Promise<void> {
    this.closing ??= closeAll(this.pool, this.owner, this.options.timeoutMs);
    return this.closing;
  }
}

/** The query selecting a chain's rows: all in order, the last two, or those after a seq. */
function chainQuery(spec: LogTable<unknown>, which: 'all' | 'last' | 'after'): string {
  const mine = 'column' in spec.chains ? `${spec.chains.column} = $1` : 'TRUE';
  const next = 'column' in spec.chains ? '$2' : '$1';
  const { table, seqColumn: seq } = spec;
  switch (which) {
    case 'all':
      return `SELECT * FROM ${table} WHERE ${mine} ORDER BY ${seq}`;
    case 'last':
      return `SELECT * FROM ${table} WHERE ${mine} ORDER BY ${seq} DESC LIMIT 2`;
    case 'after':
      return `SELECT * FROM ${table} WHERE ${mine} AND ${seq} > ${next} ORDER BY ${seq}`;
  }
}

function chainParams(spec: LogTable<unknown>, writer: string): unknown[] {
  return 'column' in spec.chains ? [writer] : [];
}

/**
 * Reads this writer's chain at start: all of it when the user wants every record, else its
 * last two records, enough to check the tail as the file store checks its last line.
 */
async function readChain<Input, Stored>(
  db: pg.Pool | pg.Client,
  options: TableChainOptions<Input, Stored>,
): Promise<ChainLink> {
  const { spec, format, writer } = options;
  const reader = new ChainReader(format, writer, `table ${spec.table}, writer '${writer}'`);
  const all = options.onRead !== undefined;
  const { rows } = await db.query<Record<string, unknown>>(
    chainQuery(spec, all ? 'all' : 'last'),
    chainParams(spec, writer),
  );
  // Oldest first.
  if (!all) rows.reverse();
  let readable: Stored | null = null;
  for (const [i, row] of rows.entries()) {
    const record = format.parse(spec.fromRow(row), readable);
    // With only the last two read, the first of them has no known predecessor.
    reader.add(record, { seq: Number(row[spec.seqColumn]) }, all || i > 0);
    if (typeof record === 'string') continue;
    readable = record;
    options.onRead?.(record);
  }
  options.accept(reader.finish());
  return reader.tail;
}

async function createTable(db: pg.Pool | pg.Client, spec: LogTable<unknown>, logger: Logger, name: string) {
  const client = db instanceof pg.Pool ? await checkOut(db, logger, name) : db;
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [spec.ddlLock]);
    const { rows } = await client.query<{ exists: boolean; guarded: boolean; columns: string[] | null }>(
      `SELECT to_regclass($1) IS NOT NULL AS exists,
              EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = to_regclass($1) AND tgname = $2 AND tgenabled <> 'D')
                AS guarded,
              (SELECT array_agg(attname::text) FROM pg_attribute
                WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped) AS columns`,
      [spec.table, `${spec.table}_append_only`],
    );
    const found = rows[0]!;
    if (!found.exists) {
      await client.query(tableDdl(spec));
      logger.info({ table: spec.table }, `${name}: created the table`);
    } else {
      const missing = (spec.addedColumns ?? []).filter((column) => !found.columns?.includes(column));
      if (missing.length > 0) {
        const added = spec.columns.filter((column) => missing.includes(column.name));
        await client.query(
          `ALTER TABLE ${spec.table} ${added.map((column) => `ADD COLUMN ${column.name} ${column.type}`).join(', ')}`,
        );
        logger.info({ table: spec.table, columns: missing }, `${name}: added the columns of the current format`);
      }
      for (const statement of spec.addedIndexes ?? []) await client.query(statement);
      if (!found.guarded) logger.warn({ table: spec.table }, `${name}: the append-only trigger is missing or disabled`);
    }
    await client.query('COMMIT');
    if (client !== db) (client as pg.PoolClient).release();
  } catch (error) {
    if (client === db) await client.query('ROLLBACK').catch(() => undefined);
    else (client as pg.PoolClient).release(error instanceof Error ? error : true);
    throw error;
  }
}

/** Becomes the table's one writer, waiting a little for one that was just killed. */
async function takeWriterLock(
  client: pg.Client,
  table: string,
  exclusive: { waitMs: number; refuse(): Error },
): Promise<void> {
  const deadline = Date.now() + exclusive.waitMs;
  for (;;) {
    const { rows } = await client.query<{ locked: boolean }>(
      `SELECT pg_try_advisory_lock(($1::bigint << 32) | to_regclass($2)::oid::bigint) AS locked`,
      [WRITER_LOCK, table],
    );
    if (rows[0]!.locked) return;
    if (Date.now() >= deadline) throw exclusive.refuse();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * A connection from the pool, listened to while it is out: one that breaks between two
 * queries emits an error that would otherwise end the process. The query fails on its own.
 */
async function checkOut(pool: pg.Pool, logger: Logger, name: string): Promise<pg.PoolClient> {
  const client = await pool.connect();
  const onError = (error: Error) => logger.warn({ err: error }, `${name}: database connection failed`);
  client.on('error', onError);
  const release = client.release.bind(client);
  client.release = (error?: Error | boolean) => {
    client.off('error', onError);
    release(error);
  };
  return client;
}

async function closeAll(pool: pg.Pool, owner: pg.Client | undefined, timeoutMs: number): Promise<void> {
  // A connection stuck on an unreachable server must not hold up shutdown.
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.allSettled([pool.end(), owner?.end()]),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
  ]);
  clearTimeout(timer);
}
