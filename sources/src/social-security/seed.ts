import { population } from '../generator/population.js';
import { frontDbRows } from './records.js';
import {
  FRONT_DB_COLUMNS,
  FRONT_DB_DDL,
  FRONT_DB_INDEXES,
  type FrontDbTable,
  type SqlValue,
} from '@credit-gateway/subgraph-social-security/front-db';

/** Records what the database was seeded with, so that a seed run can tell whether to reseed. */
export const FRONT_DB_META_TABLE = 'qzk_seed_meta';

/**
 * Bumped whenever the generated rows change shape or content, so that an existing database is
 * reseeded even when its population size is unchanged.
 */
export const FRONT_DB_FORMAT_VERSION = '1';

const META_TABLE_DDL = `CREATE TABLE IF NOT EXISTS ${FRONT_DB_META_TABLE} (
  meta_key VARCHAR(40) NOT NULL PRIMARY KEY,
  meta_value VARCHAR(200) NOT NULL
)`;

/**
 * The least a database driver must offer to be seeded: run one statement with `$1`-style
 * parameters and return its rows (none for DDL and writes). Both the PostgreSQL seed and the
 * embedded SQLite stand-in provide it.
 */
export interface SqlExecutor {
  execute(sql: string, params?: readonly SqlValue[]): Promise<readonly Record<string, unknown>[]>;
}

export interface SeedOptions {
  /** Generated registered subjects, on top of the demo subjects. */
  populationSize: number;
  /** Rows per multi-row INSERT. */
  batchRows?: number;
}

export interface SeedResult {
  subjects: number;
  units: number;
  contributions: number;
  listings: number;
}

const FRONT_DB_TABLES = Object.keys(FRONT_DB_COLUMNS) as FrontDbTable[];

/** 1,000 rows of the widest table is 8,000 parameters: under SQLite's and PostgreSQL's limits. */
export const DEFAULT_SEED_BATCH_ROWS = 1_000;

/** `INSERT … VALUES ($1, $2), ($3, $4)…` for `rows` rows; the same text for every full batch. */
function insertStatement(table: FrontDbTable, rows: number): string {
  const columns = FRONT_DB_COLUMNS[table];
  const tuples: string[] = [];
  for (let row = 0; row < rows; row++) {
    const base = row * columns.length;
    tuples.push(`(${columns.map((_, column) => `$${base + column + 1}`).join(', ')})`);
  }
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')}`;
}

type RowOf<T extends FrontDbTable> = { readonly [K in (typeof FRONT_DB_COLUMNS)[T][number]]: SqlValue };

/** Buffers rows of one table and writes them in multi-row INSERTs. */
class TableWriter<T extends FrontDbTable> {
  private values: SqlValue[] = [];
  private rows = 0;
  written = 0;
  private readonly fullBatch: string;

  constructor(
    private readonly executor: SqlExecutor,
    private readonly table: T,
    private readonly batchRows: number,
  ) {
    this.fullBatch = insertStatement(table, batchRows);
  }

  async add(row: RowOf<T>): Promise<void> {
    for (const column of FRONT_DB_COLUMNS[this.table] as readonly (keyof RowOf<T>)[]) this.values.push(row[column]);
    this.rows++;
    if (this.rows === this.batchRows) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.rows === 0) return;
    const sql = this.rows === this.batchRows ? this.fullBatch : insertStatement(this.table, this.rows);
    await this.executor.execute(sql, this.values);
    this.written += this.rows;
    this.values = [];
    this.rows = 0;
  }
}

/** Creates the front-end tables, their keys and the seed's record where they are missing. */
export async function createFrontDbTables(executor: SqlExecutor): Promise<void> {
  for (const statement of [...FRONT_DB_DDL, META_TABLE_DDL]) await executor.execute(statement);
  for (const index of FRONT_DB_INDEXES) await executor.execute(index.ddl);
}

/**
 * Replaces the front-end database's content with the demo subjects and `populationSize`
 * generated ones, in one transaction: nobody sees half a population. The keys are dropped for
 * the load and rebuilt after it, so readers of PostgreSQL wait until the transaction ends.
 */
export async function seedFrontDb(executor: SqlExecutor, options: SeedOptions): Promise<SeedResult> {
  const batchRows = options.batchRows ?? DEFAULT_SEED_BATCH_ROWS;
  await createFrontDbTables(executor);
  await executor.execute('BEGIN');
  let result: SeedResult;
  try {
    for (const index of FRONT_DB_INDEXES) await executor.execute(`DROP INDEX IF EXISTS ${index.name}`);
    for (const table of [...FRONT_DB_TABLES, FRONT_DB_META_TABLE]) await executor.execute(`DELETE FROM ${table}`);
    const units = new TableWriter(executor, 'sb_dwcbxx', batchRows);
    const contributions = new TableWriter(executor, 'sb_jfmx', batchRows);
    const listings = new TableWriter(executor, 'sb_tqgzmd', batchRows);
    let subjects = 0;
    for (const code of population(options.populationSize)) {
      subjects++;
      const rows = frontDbRows(code);
      if (!rows) continue;
      await units.add(rows.unit);
      for (const row of rows.contributions) await contributions.add(row);
      for (const row of rows.listings) await listings.add(row);
    }
    for (const writer of [units, contributions, listings]) await writer.flush();
    for (const index of FRONT_DB_INDEXES) await executor.execute(index.ddl);
    await executor.execute(`INSERT INTO ${FRONT_DB_META_TABLE} (meta_key, meta_value) VALUES ($1, $2), ($3, $4)`, [
      'population_size',
      String(options.populationSize),
      'format_version',
      FRONT_DB_FORMAT_VERSION,
    ]);
    await executor.execute('COMMIT');
    result = { subjects, units: units.written, contributions: contributions.written, listings: listings.written };
  } catch (error) {
    await executor.execute('ROLLBACK');
    throw error;
  }
  // Fresh statistics, or PostgreSQL's planner guesses thousands of rows per code.
  for (const table of FRONT_DB_TABLES) await executor.execute(`ANALYZE ${table}`);
  return result;
}

/**
 * Seeds only when the database was seeded with another population size or generator version
 * (or never): a restart of a one-shot seed service leaves a current database alone.
 */
export async function ensureFrontDbSeeded(
  executor: SqlExecutor,
  options: SeedOptions,
): Promise<{ reseeded: false } | ({ reseeded: true } & SeedResult)> {
  await createFrontDbTables(executor);
  const rows = await executor.execute(`SELECT meta_key, meta_value FROM ${FRONT_DB_META_TABLE}`);
  const meta = new Map(rows.map((row) => [String(row['meta_key']), String(row['meta_value'])]));
  if (
    meta.get('population_size') === String(options.populationSize) &&
    meta.get('format_version') === FRONT_DB_FORMAT_VERSION
  ) {
    return { reseeded: false };
  }
  return { reseeded: true, ...(await seedFrontDb(executor, options)) };
}
