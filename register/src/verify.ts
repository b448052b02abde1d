import { parseArgs } from 'node:util';
import { ConfigError, type Env } from '@credit-gateway/common';
import {
  formatReport as formatLogReport,
  parseHead,
  verifyChainFiles,
  verifyTableChains,
  type ChainHead,
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

const USAGE =
  'usage: register verify [--dir <directory> | --database-url <postgres url>] [--expect-head <writer>:<seq>:<hash>]...\n' +
  '  Without --dir or --database-url, the register configured by REGISTER_DATABASE_URL or REGISTER_DIR.\n';

export interface CliIo {
  env: Env;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** The register's command line: 0 when every chain is intact, 1 when one is not, 2 when it could not check. */
export async function runRegisterCli(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        dir: { type: 'string' },
        'database-url': { type: 'string' },
        'expect-head': { type: 'string', multiple: true },
      },
    });
  } catch (error) {
    io.stderr.write(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1 || positionals[0] !== 'verify') {
    io.stderr.write(USAGE);
    return 2;
  }
  if (values.dir !== undefined && values['database-url'] !== undefined) {
    io.stderr.write(`Give --dir or --database-url, not both\n${USAGE}`);
    return 2;
  }
  const expectHeads: ChainHead[] = [];
  for (const value of values['expect-head'] ?? []) {
    const head = parseHead(value);
    if (head === null) {
      io.stderr.write(`--expect-head must be writer:seq:hash (a SHA-256 in hex), got '${value}'\n`);
      return 2;
    }
    expectHeads.push(head);
  }
  try {
    let report: VerifyReport;
    if (values.dir !== undefined) report = await verifyFileRegister(values.dir, expectHeads);
    else if (values['database-url'] !== undefined)
      report = await verifyPostgresRegister(values['database-url'], expectHeads);
    else {
      const { store } = loadRegisterConfig(io.env);
      report =
        store.kind === 'file'
          ? await verifyFileRegister(store.dir, expectHeads)
          : await verifyPostgresRegister(store.url, expectHeads);
    }
    io.stdout.write(formatReport(report));
    return report.ok ? 0 : 1;
  } catch (error) {
    io.stderr.write(
      error instanceof ConfigError
        ? `${error.message}\n`
        : `Could not verify the register: ${(error as Error).message}\n`,
    );
    return 2;
  }
}
