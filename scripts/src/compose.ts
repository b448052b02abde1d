/**
 * Composes the subgraph SDLs in schema/ into schema/supergraph.graphql, the file the gateway
 * loads. `--check` fails when the committed file differs from a fresh composition.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { composeServices } from '@apollo/composition';
import { LOCAL_SUBGRAPH_NAMES, SUBGRAPH_NAMES, SUBGRAPH_PORTS, subgraphTypeDefs } from '@credit-gateway/common';

const schemaDir = fileURLToPath(new URL('../../schema/', import.meta.url));
const supergraphFile = `${schemaDir}supergraph.graphql`;

export function composeSupergraph(): string {
  const remote = SUBGRAPH_NAMES.map((name) => ({ name, url: `http://127.0.0.1:${SUBGRAPH_PORTS[name]}/graphql` }));
  // The query register is served inside the gateway process, so it has no address of its own.
  const local = LOCAL_SUBGRAPH_NAMES.map((name) => ({ name, url: `local:${name}` }));
  const result = composeServices(
    [...remote, ...local].map(({ name, url }) => ({
      name,
      url,
      // As the subgraphs read their SDL: named selections (fragments) expanded.
      typeDefs: subgraphTypeDefs(name),
    })),
  );
  if (result.errors) {
    throw new Error(`Composition failed:\n${result.errors.map((e) => `  - ${e.message}`).join('\n')}`);
  }
  for (const hint of result.hints) process.stderr.write(`hint: ${hint.toString()}\n`);
  return `${result.supergraphSdl.trimEnd()}\n`;
}

function main(): void {
  const composed = composeSupergraph();
  if (process.argv.includes('--check')) {
    let committed = '';
    try {
      committed = readFileSync(supergraphFile, 'utf8');
    } catch {
      // A missing file is drift too.
    }
    if (committed !== composed) {
      process.stderr.write('schema/supergraph.graphql is out of date: run `npm run compose` and commit it.\n');
      process.exit(1);
    }
    process.stdout.write('schema/supergraph.graphql is up to date\n');
    return;
  }
  writeFileSync(supergraphFile, composed);
  process.stdout.write(`wrote ${supergraphFile}\n`);
}

main();
