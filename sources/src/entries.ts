import type { SubgraphName } from '@credit-gateway/common';

/**
 * The built entry point each subgraph runs from on embedded defaults (`npm start`, the fuzz and
 * chaos harness, the benchmark), relative to the repository: its own, except social security,
 * which the simulator hosts on the embedded front-end database. The subgraphs themselves never
 * load the simulator.
 */
export function subgraphEntry(name: SubgraphName): string {
  return name === 'social-security' ? 'sources/dist/social-security/main.js' : `subgraphs/${name}/dist/index.js`;
}
