import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// Tests run the TypeScript sources directly; workspace packages resolve to their src/.
const alias = {
  // One graphql instance, the one Node itself loads: the Apollo packages require() it, and a second
  // (ESM) copy would fail graphql-js's instanceof checks.
  graphql: createRequire(import.meta.url).resolve('graphql'),
  // Before '@credit-gateway/common', which would otherwise take its subpaths.
  '@credit-gateway/common/durable-log': here('./common/src/durable-log/index.ts'),
  '@credit-gateway/common': here('./common/src/index.ts'),
  '@credit-gateway/sources': here('./sources/src/index.ts'),
  '@credit-gateway/register': here('./register/src/index.ts'),
  '@credit-gateway/gateway': here('./gateway/src/server.ts'),
  '@credit-gateway/clients': here('./clients/src/index.ts'),
  '@credit-gateway/subgraph-market': here('./subgraphs/market/src/server.ts'),
  '@credit-gateway/subgraph-tax': here('./subgraphs/tax/src/server.ts'),
  '@credit-gateway/subgraph-courts': here('./subgraphs/courts/src/server.ts'),
  '@credit-gateway/subgraph-procurement': here('./subgraphs/procurement/src/server.ts'),
  // Before the package itself: an alias also matches the paths under it.
  '@credit-gateway/subgraph-social-security/front-db': here('./subgraphs/social-security/src/front-db.ts'),
  '@credit-gateway/subgraph-social-security': here('./subgraphs/social-security/src/server.ts'),
  '@credit-gateway/subgraph-credit': here('./subgraphs/credit/src/server.ts'),
};

export default defineConfig({
  resolve: { alias },
  test: {
    // One test file per core, at least two. Vitest's default leaves a core idle, and most of an e2e
    // file's time is spent waiting on its own servers, so two files at once on two cores take about
    // half the time one at a time does. Every file starts its own servers on free ports, keeps its
    // Redis keys under a prefix of its own and its PostgreSQL tables in a schema of its own.
    maxWorkers: Math.max(2, availableParallelism()),
    projects: [
      {
        resolve: { alias },
        test: { name: 'unit', include: ['**/test/**/*.test.ts'], exclude: ['**/node_modules/**', '**/dist/**'] },
      },
      {
        resolve: { alias },
        test: {
          name: 'e2e',
          include: ['**/test/**/*.e2e.ts'],
          exclude: ['**/node_modules/**', '**/dist/**'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
