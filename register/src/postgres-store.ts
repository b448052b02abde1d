import type { Logger } from '@credit-gateway/common';
import { describeTail, openTableChain, type LogTable, type TableChain } from '@credit-gateway/common/durable-log';
import { ChainRegister } from './chain-register.js';
import { RegisterStartError, RegisterUnavailableError } from './errors.js';
import {
  parseStoredRecord,
  registerFormat,
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
  ['writer', 'writer', 'text NOT NULL'],
  ['seq', 'seq', 'bigint NOT NULL'],
  ['prev_hash', 'prevHash', 'text NOT NULL'],
  ['hash', 'hash', 'text NOT NULL'],
  ['time', 'time', 'timestamptz NOT NULL'],
  ['request_id', 'requestId', 'text NOT NULL'],
  ['caller', 'caller', 'text'],
  ['client', 'client', 'text'],
  ['tier', 'tier', 'text NOT NULL'],
  ['purpose', 'purpose', 'text'],
  ['operation_name', 'operationName', 'text'],
  ['operation_hash', 'operationHash', 'text NOT NULL'],
  ['subjects', 'subjects', 'text[] NOT NULL'],
  ['fields_returned', 'fieldsReturned', 'text[] NOT NULL'],
  ['fields_denied', 'fieldsDenied', 'text[] NOT NULL'],
  ['outcome', 'outcome', 'text NOT NULL'],
  ['error_codes', 'errorCodes', 'text[] NOT NULL'],
] as const satisfies readonly (readonly [string, keyof StoredQueryRecord, string])[];

/**
 * The table `query_register` in the first schema of the search path: one chain per writer,
 * keyed by (writer, seq), a GIN index on `subjects` for look-ups, and the log's triggers
 * refusing UPDATE, DELETE and TRUNCATE for every role. The table's owner or a superuser can
 * still disable them, which the hash chains then reveal; in production, grant the gateway's
 * role only INSERT and SELECT on a table another role owns.
 */
export const registerTable: LogTable<StoredQueryRecord> = {
  table: REGISTER_TABLE,
  name: 'query register',
  columns: COLUMNS.map(([name, , type]) => ({ name, type })),
  chains: { column: 'writer' },
  seqColumn: 'seq',
  indexes: [`CREATE INDEX ${REGISTER_TABLE}_subjects ON ${REGISTER_TABLE} USING gin (subjects)`],
  // Serializes replicas creating the table at the same time; any constant shared by them will do.
  ddlLock: 4_004_002,
  values: (record) => COLUMNS.map(([, field]) => record[field]),
  fromRow: rowToRecord,
};

/**
 * The register on PostgreSQL. Each group commit is one INSERT in one transaction with
 * synchronous_commit on, acknowledged after COMMIT; batches of one writer go one at a time.
 * Replicas write their own chains, so they never wait for each other. At start the last record
 * is checked as the file store checks its last line: it must match its hash and follow the
 * record before it.
 */
export async function openPostgresRegister(options: PostgresRegisterOptions): Promise<QueryRegister> {
  const { writer, logger } = options;
  if (!WRITER_ID_PATTERN.test(writer)) throw new RegisterStartError(`Invalid register writer id '${writer}'`);
  const chain = await openTableChain({
    url: options.url,
    poolSize: options.poolSize,
    timeoutMs: options.timeoutMs,
    spec: registerTable,
    format: registerFormat,
    writer,
    name: 'query register',
    applicationName: 'credit-gateway-register',
    logger,
    hooks: options.hooks,
    forkHint: 'give each replica its own REGISTER_WRITER_ID',
    accept: (read) => {
      if (read.tailProblem === null) return;
      throw new RegisterStartError(
        `Query register table ${REGISTER_TABLE}, writer '${writer}', seq ${read.last?.seq}: ` +
          `${describeTail(read.tailProblem, { withSeq: false })}. ` +
          `Run the register's verify command, and have an operator decide before anything more is appended.`,
      );
    },
  });
  logger.info({ writer, seq: chain.tail.seq }, 'query register opened (PostgreSQL)');
  return new PostgresRegister(options, chain);
}

class PostgresRegister extends ChainRegister {
  constructor(
    private readonly options: PostgresRegisterOptions,
    private readonly table: TableChain<QueryRecordInput, StoredQueryRecord>,
  ) {
    super(table, options);
  }

  async bySubject(subject: string, options: BySubjectOptions = {}): Promise<StoredQueryRecord[]> {
    const { limit, before } = lookupOptions(options);
    try {
      const { rows } = await this.table.pool.query<Row>(
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

  protected release(): Promise<void> {
    return Promise.resolve();
  }
}

type Row = Record<(typeof COLUMNS)[number][0], unknown>;

/** A row as the record it stores, to be checked by parseStoredRecord. */
function rowToRecord(row: Record<string, unknown>): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const [column, field] of COLUMNS) record[field] = row[column];
  record['seq'] = Number(row['seq']);
  record['time'] = row['time'] instanceof Date ? row['time'].toISOString() : row['time'];
  return record;
}
