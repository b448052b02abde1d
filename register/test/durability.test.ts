import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyFileRegister, verifyPostgresRegister, type RegisterConfig, type VerifyReport } from '../src/index.js';
import {
  fileConfig,
  open,
  postgresConfig,
  queryInput,
  runAppendChild,
  tempDir,
  testSchema,
} from './support/register.js';

interface Store {
  config: RegisterConfig;
  verify(): Promise<VerifyReport>;
  cleanup(): Promise<void>;
}

// Child processes start Node with tsx: about a second each.
describe.each([
  {
    name: 'file store',
    async setup(): Promise<Store> {
      const { dir, remove } = await tempDir();
      return { config: fileConfig(dir), verify: () => verifyFileRegister(dir), cleanup: remove };
    },
  },
  {
    name: 'PostgreSQL',
    async setup(): Promise<Store> {
      const schema = await testSchema();
      return {
        config: postgresConfig(schema.url),
        verify: () => verifyPostgresRegister(schema.url),
        cleanup: schema.drop,
      };
    },
  },
])('the $name across kill -9', { timeout: 60_000 }, ({ setup }) => {
  let store: Store;

  beforeEach(async () => {
    store = await setup();
  });

  afterEach(() => store.cleanup());

  it('keeps every acknowledged record, and a chain that verifies and continues', async () => {
    const run = await runAppendChild(store.config, { mode: 'flood', inFlight: 64, killAfter: 2_000 });
    expect({ signal: run.signal, stderr: run.stderr }).toEqual({ signal: 'SIGKILL', stderr: '' });
    const acknowledged = run.lines.map(Number);
    expect(acknowledged.length).toBeGreaterThanOrEqual(2_000);
    expect(new Set(acknowledged).size).toBe(acknowledged.length);

    const report = await store.verify();
    expect(report.ok).toBe(true);
    const head = report.chains[0]!.head!;
    // No gaps, so every seq up to the head is there: the acknowledged ones are all within it.
    expect(head.seq).toBeGreaterThanOrEqual(Math.max(...acknowledged));
    expect(report.chains[0]!.records).toBe(head.seq);

    const register = await open(store.config);
    try {
      expect(await register.append(queryInput(-1))).toMatchObject({ seq: head.seq + 1, prevHash: head.hash });
    } finally {
      await register.close();
    }
    expect((await store.verify()).ok).toBe(true);
  });
});

describe('the file store on a full disk', () => {
  let dir: string;
  let remove: () => Promise<void>;

  beforeEach(async () => {
    ({ dir, remove } = await tempDir());
  });

  afterEach(() => remove());

  // The tests run as root, which a read-only directory does not stop; a file size limit does.
  it(
    'rejects with REGISTER_UNAVAILABLE when a write fails, and leaves only acknowledged records',
    { timeout: 60_000 },
    async () => {
      const run = await runAppendChild(fileConfig(dir), { mode: 'until-failure', shell: 'ulimit -f 1024' });
      expect({ code: run.code, stderr: run.stderr, last: run.lines.at(-1) }).toEqual({
        code: 0,
        stderr: '',
        last: 'failed REGISTER_UNAVAILABLE EFBIG',
      });
      const acknowledged = run.lines.slice(0, -1).map(Number);
      expect(acknowledged).toEqual(Array.from({ length: acknowledged.length }, (_, i) => i + 1));
      expect(acknowledged.length).toBeGreaterThan(100);

      // The failed write was cut off: the file holds exactly the acknowledged records.
      const report = await verifyFileRegister(dir);
      expect(report.ok).toBe(true);
      expect(report.chains[0]).toMatchObject({ records: acknowledged.length, tornTailBytes: 0 });
      expect((await stat(join(dir, 'gw-1.jsonl'))).size).toBeLessThanOrEqual(1024 * 1024);
    },
  );
});
