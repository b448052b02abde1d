import type { Logger } from '@credit-gateway/common';
import type { RegisterConfig } from './config.js';
import { openFileRegister } from './file-store.js';
import { openPostgresRegister } from './postgres-store.js';
import type { QueryRegister, RegisterHooks } from './types.js';

export { DEFAULT_REGISTER_DIR, loadRegisterConfig, readRegisterConfig } from './config.js';
export type { RegisterConfig, RegisterStoreConfig } from './config.js';
export { RegisterStartError, RegisterUnavailableError } from './errors.js';
export {
  canonicalJson,
  GENESIS_HASH,
  QUERY_OUTCOMES,
  recordHash,
  type QueryOutcome,
  type QueryRecordInput,
  type StoredQueryRecord,
} from './record.js';
export type { BySubjectOptions, QueryRegister, RegisterHooks } from './types.js';
export {
  formatReport,
  verifyFileRegister,
  verifyPostgresRegister,
  type ChainHead,
  type ChainProblem,
  type ChainReport,
  type VerifyReport,
} from './verify.js';

/**
 * Opens the configured register: PostgreSQL, or the embedded file store. Rejects with
 * RegisterStartError when its chain cannot be continued safely, and with the store's own error
 * when it cannot be reached: the gateway must not start without its register.
 */
export function openQueryRegister(
  config: RegisterConfig,
  logger: Logger,
  options: { hooks?: RegisterHooks } = {},
): Promise<QueryRegister> {
  const common = {
    writer: config.writer,
    timeoutMs: config.timeoutMs,
    batchMax: config.batchMax,
    logger: logger.child({ component: 'query-register' }),
    ...options,
  };
  return config.store.kind === 'postgres'
    ? openPostgresRegister({ ...common, url: config.store.url, poolSize: config.store.poolSize })
    : openFileRegister({
        ...common,
        dir: config.store.dir,
        indexMaxEntries: config.store.indexMaxEntries,
        syncWrites: config.store.syncWrites,
      });
}
