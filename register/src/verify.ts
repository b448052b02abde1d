import {
  formatReport as formatLogReport,
  runVerifyCommand,
  verifyChainFiles,
  verifyTableChains,
  type ChainHead,
  type CommandIo,
  type VerifyReport,
} from '@credit-gateway/common/durable-log';
import { loadRegisterConfig } from './config.js';
import { registerTable } from './postgres-store.js';
import { registerFormat } from './record.js';

export type {
  ChainHead,
  ChainProblem,
  ChainReport,
  ProblemKind,
  VerifyReport,
} from '@credit-gateway/common/durable-log';

/**
 * Verifies every `<writer>.jsonl` chain in a file store directory: edited records (hash
 * mismatch), replaced or removed ones (a link that does not match, a gap), reordered and
 * duplicated ones, and with `expectHeads`, removed last records and removed chains.
 */
export function verifyFileRegister(dir: string, expectHeads: readonly ChainHead[] = []): Promise<VerifyReport> {
  return verifyChainFiles(dir, registerFormat, expectHeads);
}

/** Verifies every writer's chain in the PostgreSQL register, page by page in (writer, seq) order. */
export function verifyPostgresRegister(url: string, expectHeads: readonly ChainHead[] = []): Promise<VerifyReport> {
  return verifyTableChains(url, registerTable, registerFormat, {
    expectHeads,
    applicationName: 'credit-gateway-register-verify',
  });
}

/** The report as the command prints it: a line per chain with its head, then each problem. */
export function formatReport(report: VerifyReport): string {
  return formatLogReport(report, 'register');
}

/** The register's command line: 0 when every chain is intact, 1 when one is not, 2 when it could not check. */
export function runRegisterCli(argv: readonly string[], io: CommandIo): Promise<number> {
  return runVerifyCommand(argv, io, {
    subject: 'register',
    command: 'register',
    configuredBy: 'REGISTER_DATABASE_URL or REGISTER_DIR',
    files: verifyFileRegister,
    table: verifyPostgresRegister,
    configured: (env) => {
      const { store } = loadRegisterConfig(env);
      return store.kind === 'file' ? { dir: store.dir } : { url: store.url };
    },
  });
}
