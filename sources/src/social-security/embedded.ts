import initSqlJs, { type BindParams, type Database, type Statement } from 'sql.js';
import { SourceError, type Logger, type SourceErrorCode } from '@credit-gateway/common';
import type { FrontDbDriver, FrontDbRow, SqlValue } from '@credit-gateway/subgraph-social-security/front-db';
import { parseFaultUpdate, type Faults } from '../sim/faults.js';
import { seedFrontDb, type SeedResult, type SqlExecutor } from './seed.js';

export interface EmbeddedOptions {
  /** Generated registered subjects seeded at start, on top of the demo subjects. */
  population: number;
  faults: Faults;
  logger: Logger;
}

/** The embedded front-end database: a driver for the subgraph, with the simulator's controls. */
export interface EmbeddedFrontDb extends FrontDbDriver {
  faults(): Faults;
  /** Changes the simulated misbehaviour; a query hanging under the old faults is released. */
  setFaults(update: Partial<Faults>): Faults;
  /** What was seeded at start, and how long it took. */
  seeded: SeedResult & { ms: number };
}

/**
 * SQLite numbers a `$1`-style parameter by its first appearance in the text, not by its digits:
 * `SELECT $2, $1` binds an array's first value to `$2`. Arrays are bound by position only when
 * the placeholders first appear as $1, $2, $3…; otherwise by name, which is correct but costs a
 * name lookup per parameter (too slow for the seed's 8,000-parameter inserts).
 */
export function placeholdersInOrder(sql: string): boolean {
  let next = 1;
  for (const match of sql.matchAll(/\$(\d+)/g)) {
    const number = Number(match[1]);
    if (number === next) next++;
    else if (number > next) return false;
  }
  return true;
}

function bindable(sql: string, params: readonly SqlValue[], inOrder = placeholdersInOrder(sql)): BindParams {
  if (inOrder) return params as SqlValue[];
  return Object.fromEntries(params.map((value, index) => [`$${index + 1}`, value]));
}

function readAll(statement: Statement, params: BindParams): FrontDbRow[] {
  const rows: FrontDbRow[] = [];
  try {
    if (Array.isArray(params) ? params.length > 0 : params !== null) statement.bind(params);
    while (statement.step()) rows.push(statement.getAsObject());
    return rows;
  } finally {
    statement.reset();
  }
}

/** The seed's executor: full-batch INSERTs share one prepared statement, freed when seeding ends. */
function seedExecutor(db: Database): SqlExecutor & { free(): void } {
  const prepared = new Map<string, { statement: Statement; inOrder: boolean }>();
  return {
    execute(sql, params = []) {
      let entry = prepared.get(sql);
      if (!entry) {
        entry = { statement: db.prepare(sql), inOrder: placeholdersInOrder(sql) };
        prepared.set(sql, entry);
      }
      return Promise.resolve(readAll(entry.statement, bindable(sql, params, entry.inOrder)));
    },
    free() {
      for (const { statement } of prepared.values()) statement.free();
      prepared.clear();
    },
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** What a front-end database sends when its view is broken: rows without the columns asked for. */
const GARBAGE_ROWS: readonly FrontDbRow[] = [{ ERRCODE: 'E9001', ERRMSG: '前置库同步中，数据暂不可用' }];

/**
 * Opens the embedded front-end database: SQLite compiled to WebAssembly, in memory, seeded with
 * the same DDL and generator as the PostgreSQL seed. It is this department's stand-in, so it
 * injects faults the way the HTTP stand-ins do. It is seeded here, at start, rather than loaded
 * from a file prepared once: seeding runs while the other services of `npm start` start, so the
 * system is up in about the same ~10 s, and there is no file to go stale when the generator changes.
 */
export async function openEmbeddedFrontDb(options: EmbeddedOptions): Promise<EmbeddedFrontDb> {
  const SQL = await initSqlJs();
  const db = new SQL.Database();
  const started = performance.now();
  const executor = seedExecutor(db);
  let seeded: SeedResult;
  try {
    seeded = await seedFrontDb(executor, { populationSize: options.population });
  } catch (error) {
    executor.free();
    db.close();
    throw error;
  }
  executor.free();
  const ms = Math.round(performance.now() - started);
  options.logger.info({ ...seeded, ms }, 'embedded front-end database seeded');

  let faults = options.faults;
  let closed = false;
  const hanging = new Set<(error: Error) => void>();
  const releaseHanging = (reason: string) => {
    for (const release of hanging) release(new Error(reason));
    hanging.clear();
  };

  return {
    name: 'embedded',
    async run(sql, params) {
      if (closed) throw new Error('the front-end database is closed');
      const current = faults;
      const delay = current.delayMs + (current.jitterMs > 0 ? Math.random() * current.jitterMs : 0);
      if (delay > 0) await sleep(delay);
      if (current.hang) {
        // Never answers until the faults change or the database closes; the caller's deadline ends the wait.
        return new Promise<never>((_, reject) => hanging.add(reject));
      }
      if (Math.random() < current.errorRate) {
        throw new SourceError('SOURCE_UNAVAILABLE', 'social-security', {
          cause: new Error('simulated front-end database outage'),
        });
      }
      if (Math.random() < current.garbageRate) return GARBAGE_ROWS;
      const statement = db.prepare(sql);
      try {
        return readAll(statement, bindable(sql, params));
      } finally {
        statement.free();
      }
    },
    classify(error): SourceErrorCode {
      // SQLite rejecting the query text means the tables are not what the adapter reads.
      if (error instanceof Error && /no such (table|column)|syntax error/.test(error.message))
        return 'SOURCE_BAD_RESPONSE';
      return 'SOURCE_UNAVAILABLE';
    },
    close() {
      closed = true;
      releaseHanging('the front-end database closed');
      db.close();
      return Promise.resolve();
    },
    seeded: { ...seeded, ms },
    faults: () => faults,
    setFaults(update) {
      const next = parseFaultUpdate(update, faults);
      if (typeof next === 'string') throw new RangeError(next);
      faults = next;
      releaseHanging('faults changed');
      options.logger.info({ faults }, 'faults changed');
      return faults;
    },
  };
}
