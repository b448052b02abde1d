/**
 * `npm run docs:config` writes the configuration tables of README.md from the config readers;
 * `npm run docs:config:check` fails when README.md differs from what they read, or when a
 * variable is read without a description.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigDocsError, groupCatalogs, spliceConfigDocs } from './render.js';
import { describeServices } from './services.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const readmeFile = `${root}README.md`;

function firstDifference(a: string, b: string): string {
  const left = a.split('\n');
  const right = b.split('\n');
  const line = left.findIndex((text, index) => text !== right[index]);
  const at = line < 0 ? left.length : line;
  return `line ${at + 1}:\n  README.md: ${left[at] ?? '(end of file)'}\n  readers:   ${right[at] ?? '(end of file)'}`;
}

try {
  const readme = readFileSync(readmeFile, 'utf8');
  const generated = spliceConfigDocs(readme, groupCatalogs(describeServices(), root));
  if (process.argv.includes('--check')) {
    if (generated !== readme) {
      process.stderr.write(
        `README.md's configuration tables differ from the config readers; run npm run docs:config.\nFirst difference at ${firstDifference(readme, generated)}\n`,
      );
      process.exitCode = 1;
    } else {
      process.stdout.write("README.md's configuration tables match the config readers\n");
    }
  } else if (generated !== readme) {
    writeFileSync(readmeFile, generated);
    process.stdout.write('README.md: configuration tables written\n');
  } else {
    process.stdout.write('README.md: configuration tables already up to date\n');
  }
} catch (error) {
  if (!(error instanceof ConfigDocsError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
}
