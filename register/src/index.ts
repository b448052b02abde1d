import type { Logger } from '@credit-gateway/common';
import type { RegisterConfig } from './config.js';
import { PrimaryRegisterClient } from './cluster-writer.js';
import { openRegisterStore } from './open.js';
import type { QueryRegister, RegisterHooks } from './types.js';

export { DEFAULT_REGISTER_DIR, loadRegisterConfig, readRegisterConfig } from './config.js';
export type { RegisterConfig, RegisterStoreConfig } from './config.js';
export { RegisterStartError, RegisterUnavailableError } from './errors.js';
export {
  canonicalJson,
  GENESIS_HASH,
  MAX_RECORD_TEXT,
  QUERY_OUTCOMES,
  recordHash,
  type QueryOutcome,
  type QueryRecordInput,
  type StoredQueryRecord,
} from './record.js';
export {
  hostRegisterForWorkers,
  registerOwnedByPrimary,
  workerRegisterConfig,
  type RegisterHost,
} from './cluster-writer.js';
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
 * Opens the configured register: PostgreSQL, the embedded file store, or in a worker of a
 * multi-process gateway on the file store, the one its primary holds. Rejects with
 * RegisterStartError when its chain cannot be continued safely, and with the store's own error
 * when it cannot be reached: the gateway must not start without its register.
 */
export function openQueryRegister(
  config: RegisterConfig,
  logger: Logger,
  options: { hooks?: RegisterHooks } = {},
): Promise<QueryRegister> {
  if (config.viaPrimary) {
    return Promise.resolve(new PrimaryRegisterClient(config, logger.child({ component: 'query-register' })));
  }
  return openRegisterStore(config, logger, options);
}
