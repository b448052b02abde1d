import { EnvReader } from '@credit-gateway/common';
import {
  runVerifyCommand,
  verifyChainFiles,
  verifyTableChains,
  type ChainHead,
  type CommandIo,
  type VerifyReport,
} from '@credit-gateway/common/durable-log';
import { readStoreLocation } from '../config.js';
import { eventsTable } from './postgres-events.js';
import { eventFormat } from './stored-event.js';

/**
 * Verifies the store's hash chain in a directory (`events.jsonl`): edited events (hash
 * mismatch), replaced or removed ones, reordered and duplicated ones, and with `expectHeads`
 * (`events:<position>:<hash>`), removed last events.
 */
export function verifyFileEvents(dir: string, expectHeads: readonly ChainHead[] = []): Promise<VerifyReport> {
  return verifyChainFiles(dir, eventFormat, expectHeads);
}

/** The same for the store's PostgreSQL table, page by page in position order. */
export function verifyPostgresEvents(url: string, expectHeads: readonly ChainHead[] = []): Promise<VerifyReport> {
  return verifyTableChains(url, eventsTable, eventFormat, { expectHeads, applicationName: 'credit-store-verify' });
}

/** The store's command line: 0 when its chain is intact, 1 when it is not, 2 when it could not check. */
export function runStoreCli(argv: readonly string[], io: CommandIo): Promise<number> {
  return runVerifyCommand(argv, io, {
    subject: 'credit store',
    command: 'credit-store',
    configuredBy: 'CREDIT_DATABASE_URL or CREDIT_STORE_DIR',
    files: verifyFileEvents,
    table: verifyPostgresEvents,
    configured: (env) => {
      const reader = new EnvReader(env);
      const { storeDir, storeDatabaseUrl } = readStoreLocation(reader);
      reader.done();
      return storeDatabaseUrl === undefined ? { dir: storeDir } : { url: storeDatabaseUrl };
    },
  });
}
