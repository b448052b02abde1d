/** Test support for the durable store: temporary directories, PostgreSQL schemas, child writers. */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { testSchema as postgresSchema } from '../../../common/test/support/postgres.js';
import { SOURCE_CHILD_ENV } from '../../../common/test/support/source-child.js';
import type { EventStoreConfig } from '../src/store/index.js';

const CHILD = fileURLToPath(new URL('./store-child.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../../../', import.meta.url));

export async function tempDir(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'credit-store-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A schema of the store's tests. */
export const testSchema = () => postgresSchema('credit_store_test');

/** One place for the store under test: a directory or a schema, and how to remove it. */
export interface StoreUnderTest {
  config: EventStoreConfig;
  admin?: pg.Client;
  cleanup(): Promise<void>;
}

export const STORES = [
  {
    name: 'file store',
    async setup(): Promise<StoreUnderTest> {
      const { dir, remove } = await tempDir();
      return { config: { dir }, cleanup: remove };
    },
  },
  {
    name: 'PostgreSQL store',
    async setup(): Promise<StoreUnderTest> {
      const schema = await testSchema();
      return {
        config: { databaseUrl: schema.url, writerLockWaitMs: 10_000 },
        admin: schema.admin,
        cleanup: schema.drop,
      };
    },
  },
];

export interface ChildRun {
  /** `position key` for every append the child saw acknowledged. */
  acknowledged: { position: number; key: string }[];
  signal: NodeJS.Signals | null;
  stderr: string;
}

/**
 * Runs store-child.ts under tsx: it appends as fast as it can, `inFlight` at a time, printing
 * each acknowledged event. After `killAfter` acknowledgements it is killed with SIGKILL.
 */
export function runStoreChild(
  config: EventStoreConfig,
  options: { killAfter: number; inFlight: number },
): Promise<ChildRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(config), String(options.inFlight)], {
    cwd: REPO,
    env: { ...process.env, ...SOURCE_CHILD_ENV },
  });
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    let acks = 0;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      acks += chunk.split('\n').filter((line) => /^\d+ /.test(line)).length;
      if (acks >= options.killAfter) child.kill('SIGKILL');
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    // 'close' comes after the pipes are drained: every line the child wrote is in.
    child.on('close', (_code, signal) =>
      resolve({
        acknowledged: stdout
          .split('\n')
          .filter((line) => /^\d+ /.test(line))
          .map((line) => {
            const [position, key] = line.split(' ');
            return { position: Number(position), key: key! };
          }),
        signal,
        stderr,
      }),
    );
  });
}
