/**
 * The register's command line, run by operators:
 *   node register/dist/cli.js verify [--dir <dir> | --database-url <url>] [--expect-head writer:seq:hash]...
 */
import { runRegisterCli } from './verify.js';

process.exitCode = await runRegisterCli(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
});
