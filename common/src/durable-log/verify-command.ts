import { parseArgs } from 'node:util';
import { ConfigError, type Env } from '../config.js';
import { formatReport, parseHead, type ChainHead, type VerifyReport } from './verify.js';

/** A log that an operator checks from the command line. */
export interface VerifyTarget {
  /** Its name in the report and the messages: "register", "credit store". */
  subject: string;
  /** The command's name in its usage line: "register". */
  command: string;
  /** The variables that say where it is, for the usage line: "REGISTER_DATABASE_URL or REGISTER_DIR". */
  configuredBy: string;
  files(dir: string, expectHeads: readonly ChainHead[]): Promise<VerifyReport>;
  table(url: string, expectHeads: readonly ChainHead[]): Promise<VerifyReport>;
  /** Where the environment puts it; throws ConfigError when the environment is wrong. */
  configured(env: Env): { dir: string } | { url: string };
}

export interface CommandIo {
  env: Env;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/**
 * `<command> verify [--dir <dir> | --database-url <url>] [--expect-head writer:seq:hash]...`:
 * prints the report, and answers 0 when every chain is intact, 1 when one is not, 2 when it
 * could not check.
 */
export async function runVerifyCommand(argv: readonly string[], io: CommandIo, target: VerifyTarget): Promise<number> {
  const usage =
    `usage: ${target.command} verify [--dir <directory> | --database-url <postgres url>] [--expect-head <writer>:<seq>:<hash>]...\n` +
    `  Without --dir or --database-url, the ${target.subject} configured by ${target.configuredBy}.\n`;
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
    io.stderr.write(`${(error as Error).message}\n${usage}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1 || positionals[0] !== 'verify') {
    io.stderr.write(usage);
    return 2;
  }
  if (values.dir !== undefined && values['database-url'] !== undefined) {
    io.stderr.write(`Give --dir or --database-url, not both\n${usage}`);
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
    const where =
      values.dir !== undefined
        ? { dir: values.dir }
        : values['database-url'] !== undefined
          ? { url: values['database-url'] }
          : target.configured(io.env);
    const report =
      'dir' in where ? await target.files(where.dir, expectHeads) : await target.table(where.url, expectHeads);
    io.stdout.write(formatReport(report, target.subject));
    return report.ok ? 0 : 1;
  } catch (error) {
    io.stderr.write(
      error instanceof ConfigError
        ? `${error.message}\n`
        : `Could not verify the ${target.subject}: ${(error as Error).message}\n`,
    );
    return 2;
  }
}
