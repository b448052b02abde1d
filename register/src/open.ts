import type { Logger } from '@credit-gateway/common';
import type { RegisterConfig } from './config.js';
import { openFileRegister } from './file-store.js';
import { openPostgresRegister } from './postgres-store.js';
import type { QueryRegister, RegisterHooks } from './types.js';

/** Opens the configured store itself, in this process. */
export function openRegisterStore(
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
