import { hostname } from 'node:os';
import { EnvReader, type Env } from '@credit-gateway/common';
import { WRITER_ID_PATTERN } from './record.js';

export type RegisterStoreConfig =
  | {
      kind: 'file';
      /** One `<writer>.jsonl` per chain (REGISTER_DIR). */
      dir: string;
      /** Most (subject, record) pairs the in-memory subject index holds (REGISTER_INDEX_MAX_ENTRIES). */
      indexMaxEntries: number;
      /**
       * REGISTER_SYNC_WRITES: write and fsync a lone record on the event loop (about 0.1 ms on a
       * local disk) rather than through the thread pool (about 0.3 ms); batches always go through
       * the thread pool. Off for network disks, whose fsync can stall.
       */
      syncWrites: boolean;
    }
  | {
      kind: 'postgres';
      /** REGISTER_DATABASE_URL; the table is created in the first schema of the search path. */
      url: string;
      /** REGISTER_POOL_SIZE: one connection appends, the others answer look-ups. */
      poolSize: number;
    };

export interface RegisterConfig {
  store: RegisterStoreConfig;
  /** This process's chain (REGISTER_WRITER_ID); every replica needs its own. */
  writer: string;
  /** An append not durable by then fails with REGISTER_UNAVAILABLE (REGISTER_TIMEOUT_MS). */
  timeoutMs: number;
  /** Most records written and synced together in one group commit (REGISTER_BATCH_MAX). */
  batchMax: number;
  /**
   * A worker of a multi-process gateway on the file store: its register is the one the primary
   * process holds, reached over IPC (see cluster-writer.ts). Never set from the environment.
   */
  viaPrimary?: boolean;
}

export const DEFAULT_REGISTER_DIR = '.data/register';

/**
 * Reads the register's variables into `reader`, which reports the problems with the rest of
 * the gateway's configuration. PostgreSQL when REGISTER_DATABASE_URL is set, else the embedded
 * file store in REGISTER_DIR.
 */
export function readRegisterConfig(reader: EnvReader, host: string = hostname()): RegisterConfig {
  reader = reader.section('query register');
  const url = reader.optionalString(
    'REGISTER_DATABASE_URL',
    'The register in PostgreSQL (postgres:// or postgresql://), in the first schema of the search path; the file store when unset',
  );
  const dir = reader.optionalString('REGISTER_DIR', {
    text: 'Directory of the embedded file store: one <writer>.jsonl per chain',
    default: DEFAULT_REGISTER_DIR,
  });
  const writer = reader.string('REGISTER_WRITER_ID', defaultWriterId(host), {
    text: "This process's chain, 1 to 64 letters, digits, '.', '_' or '-'; every replica needs its own",
    default: 'the host name, made a valid id',
  });
  if (!WRITER_ID_PATTERN.test(writer)) {
    reader.problem(
      `REGISTER_WRITER_ID must be 1 to 64 letters, digits, '.', '_' or '-', not starting with '.', got '${writer}'`,
    );
  }
  const timeoutMs = reader.int(
    'REGISTER_TIMEOUT_MS',
    2_000,
    { min: 1, max: 60_000 },
    'An append not durable by then fails its request with REGISTER_UNAVAILABLE',
  );
  // Each record is 17 parameters of one INSERT, and PostgreSQL takes at most 65,535.
  const batchMax = reader.int(
    'REGISTER_BATCH_MAX',
    500,
    { min: 1, max: 2_000 },
    'Most records written and synced together in one group commit',
  );
  const indexMaxEntries = reader.int(
    'REGISTER_INDEX_MAX_ENTRIES',
    250_000,
    { min: 1_000, max: 100_000_000 },
    "Most (subject, record) pairs the file store's in-memory subject index holds; look-ups scan the files for the rest",
  );
  const poolSize = reader.int(
    'REGISTER_POOL_SIZE',
    4,
    { min: 2, max: 100 },
    'PostgreSQL connections: one appends, the others answer look-ups',
  );
  let store: RegisterStoreConfig;
  if (url !== undefined) {
    if (dir !== undefined) reader.problem('Set REGISTER_DATABASE_URL or REGISTER_DIR, not both');
    if (!isPostgresUrl(url)) reader.problem('REGISTER_DATABASE_URL must be a postgres:// or postgresql:// URL');
    store = { kind: 'postgres', url, poolSize };
  } else {
    store = {
      kind: 'file',
      dir: dir ?? DEFAULT_REGISTER_DIR,
      indexMaxEntries,
      syncWrites: reader.bool(
        'REGISTER_SYNC_WRITES',
        true,
        'File store: write and fsync a lone record on the event loop rather than the thread pool; off for network disks, whose fsync can stall',
      ),
    };
  }
  return { store, writer, timeoutMs, batchMax };
}

/** For a caller that only needs the register, such as its command line. */
export function loadRegisterConfig(env: Env): RegisterConfig {
  const reader = new EnvReader(env);
  const config = readRegisterConfig(reader);
  reader.done();
  return config;
}

/** The host name, made a valid writer id: stable across restarts, so the chain continues. */
export function defaultWriterId(host: string): string {
  const id = host
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .replace(/^\.+/, '')
    .slice(0, 64);
  return id === '' ? 'gateway' : id;
}

function isPostgresUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'postgres:' || protocol === 'postgresql:';
  } catch {
    return false;
  }
}
