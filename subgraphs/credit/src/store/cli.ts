/**
 * The credit store's command line, run by operators:
 *   node subgraphs/credit/dist/store/cli.js verify [--dir <dir> | --database-url <url>] [--expect-head events:position:hash]...
 */
import { runStoreCli } from './verify.js';

process.exitCode = await runStoreCli(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
});
