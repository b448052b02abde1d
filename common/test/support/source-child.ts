import { fileURLToPath } from 'node:url';

/**
 * Environment for a child process a test starts with `node --import tsx`: the workspace packages
 * resolve to their TypeScript sources, as they do inside vitest, so tests never depend on `dist/`.
 */
export const SOURCE_CHILD_ENV = {
  TSX_TSCONFIG_PATH: fileURLToPath(new URL('./source-tsconfig.json', import.meta.url)),
} as const;
