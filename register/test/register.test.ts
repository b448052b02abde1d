import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  GENESIS_HASH,
  verifyFileRegister,
  verifyPostgresRegister,
  type ChainHead,
  type QueryRegister,
  type RegisterConfig,
  type RegisterHooks,
  type VerifyReport,
} from '../src/index.js';
import { sealRecord } from '../src/record.js';
import { fileConfig, open, outcomes, postgresConfig, queryInput, tempDir, testSchema } from './support/register.js';

interface Backend {
  config(overrides?: Partial<RegisterConfig>): RegisterConfig;
  verify(heads?: ChainHead[]): Promise<VerifyReport>;
  cleanup(): Promise<void>;
}

const backends: { name: string; setup(): Promise<Backend> }[] = [
  {
    name: 'file store',
    async setup() {
      const temp = await tempDir();
      return {
        config: (overrides) => fileConfig(temp.dir, overrides),
        verify: (heads) => verifyFileRegister(temp.dir, heads),
        cleanup: temp.remove,
      };
    },
  },
  {
    name: 'file store, writing through the thread pool',
    async setup() {
      const temp = await tempDir();
      return {
        config: (overrides) => fileConfig(temp.dir, overrides, 250_000, false),
        verify: (heads) => verifyFileRegister(temp.dir, heads),
        cleanup: temp.remove,
      };
    },
  },
  {
    name: 'PostgreSQL',
    async setup() {
      const schema = await testSchema();
      return {
        config: (overrides) => postgresConfig(schema.url, overrides),
        verify: (heads) => verifyPostgresRegister(schema.url, heads),
        cleanup: schema.drop,
      };
    },
  },
];

/** A promise and the functions that settle it, for hooks that hold a commit until told. */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe.each(backends)('the query register on the $name', ({ setup }) => {
  let backend: Backend;
  const registers: QueryRegister[] = [];
  const openRegister = async (overrides: Partial<RegisterConfig> = {}, hooks?: RegisterHooks) => {
    const register = await open(backend.config(overrides), hooks);
    registers.push(register);
    return register;
  };

  beforeEach(async () => {
    backend = await setup();
  });

  afterEach(async () => {
    for (const register of registers.splice(0)) await register.close();
    await backend.cleanup();
  });

  it('seals each record into the chain and continues the chain after a reopen', async () => {
    const first = await openRegister();
    const one = await first.append(queryInput(1));
    const two = await first.append(queryInput(2));
    await first.close();
    const again = await openRegister();
    const three = await again.append(queryInput(3));

    expect(one).toEqual(sealRecord(queryInput(1), 'gw-1', { seq: 0, hash: GENESIS_HASH }));
    expect(two).toEqual(sealRecord(queryInput(2), 'gw-1', one));
    expect(three).toEqual(sealRecord(queryInput(3), 'gw-1', two));
    expect(await backend.verify()).toEqual({
      ok: true,
      chains: [
        {
          writer: 'gw-1',
          records: 3,
          head: { writer: 'gw-1', seq: 3, hash: three.hash },
          tornTailBytes: 0,
          problems: [],
          moreProblems: 0,
        },
      ],
    });
  });

  it('keeps one chain without gaps under hundreds of concurrent appends', async () => {
    const batches: number[] = [];
    const register = await openRegister({ batchMax: 50 }, { commit: (records) => void batches.push(records) });
    // Arriving over several turns of the event loop, while earlier batches are being written.
    const appends = Array.from({ length: 600 }, async (_, i) => {
      for (let wait = 0; wait < i % 7; wait++) await new Promise((resolve) => setImmediate(resolve));
      return register.append(queryInput(i));
    });
    const records = await Promise.all(appends);

    expect(records.map((record) => record.seq).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 600 }, (_, i) => i + 1),
    );
    // Each caller gets its own record back.
    expect(records.map((record) => record.requestId)).toEqual(Array.from({ length: 600 }, (_, i) => `req-${i}`));
    expect(batches.reduce((sum, size) => sum + size, 0)).toBe(600);
    expect(Math.max(...batches)).toBeLessThanOrEqual(50);
    const report = await backend.verify();
    expect(report.ok).toBe(true);
    expect(report.chains.map((chain) => [chain.records, chain.head?.seq])).toEqual([[600, 600]]);
  });

  it('writes appends made together in one group commit', async () => {
    const batches: number[] = [];
    const register = await openRegister({ batchMax: 1_000 }, { commit: (records) => void batches.push(records) });
    await Promise.all(Array.from({ length: 300 }, (_, i) => register.append(queryInput(i))));
    expect(batches).toEqual([300]);
  });

  it('splits a group commit at the batch size', async () => {
    const batches: number[] = [];
    const register = await openRegister({ batchMax: 100 }, { commit: (records) => void batches.push(records) });
    await Promise.all(Array.from({ length: 250 }, (_, i) => register.append(queryInput(i))));
    expect(batches).toEqual([100, 100, 50]);
  });

  it('gathers the appends that arrive while a batch is being made durable into the next one', async () => {
    const batches: number[] = [];
    const firstCommit = deferred();
    const hold = deferred();
    const register = await openRegister(
      { batchMax: 1_000 },
      {
        commit: async (records) => {
          batches.push(records);
          if (batches.length === 1) {
            firstCommit.resolve();
            await hold.promise;
          }
        },
      },
    );
    const first = register.append(queryInput(0));
    await firstCommit.promise;
    const rest = Array.from({ length: 250 }, (_, i) => register.append(queryInput(i + 1)));
    hold.resolve();
    await Promise.all([first, ...rest]);
    expect(batches).toEqual([1, 250]);
  });

  it('fails a batch the store cannot make durable with REGISTER_UNAVAILABLE, and continues the chain after it', async () => {
    let commits = 0;
    const register = await openRegister(
      {},
      {
        commit: () => {
          if (++commits === 2) throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
        },
      },
    );
    const one = await register.append(queryInput(1));
    const failed = [2, 3, 4].map((n) => register.append(queryInput(n)));
    expect(await outcomes(failed)).toEqual(['REGISTER_UNAVAILABLE', 'REGISTER_UNAVAILABLE', 'REGISTER_UNAVAILABLE']);
    const error = await failed[0]!.catch((e: unknown) => e);
    expect(error).toMatchInlineSnapshot(
      `[GraphQLError: The query register could not record this request, so no data is returned]`,
    );
    expect((error as { extensions: unknown }).extensions).toEqual({ code: 'REGISTER_UNAVAILABLE' });
    expect((error as Error).cause).toMatchObject({ code: 'EIO' });

    const five = await register.append(queryInput(5));
    expect(five).toMatchObject({ seq: 2, prevHash: one.hash, requestId: 'req-5' });
    const report = await backend.verify();
    expect(report.ok).toBe(true);
    expect(report.chains[0]!.records).toBe(2);
  });

  it('rejects within its timeout when the store hangs, and drops appends still waiting', async () => {
    const hanging = deferred();
    const hold = deferred();
    let commits = 0;
    const register = await openRegister(
      { timeoutMs: 300 },
      {
        commit: async () => {
          if (++commits !== 2) return;
          hanging.resolve();
          await hold.promise;
        },
      },
    );
    await register.append(queryInput(1));
    const inFlight = register.append(queryInput(2));
    await hanging.promise;
    const waiting = register.append(queryInput(3));
    expect(await outcomes([inFlight, waiting])).toEqual(['REGISTER_UNAVAILABLE', 'REGISTER_UNAVAILABLE']);

    // The store comes back: the batch it was writing lands (registered, though its request
    // failed), the append that was still waiting was never written.
    hold.resolve();
    const next = await register.append(queryInput(4));
    expect(next).toMatchObject({ seq: 3, requestId: 'req-4' });
    const report = await backend.verify();
    expect(report.ok).toBe(true);
    expect(report.chains[0]!.records).toBe(3);
  });

  it('refuses an invalid record without touching the chain', async () => {
    const register = await openRegister();
    await expect(register.append(queryInput(1, { tier: 'ROOT' as never }))).rejects.toThrowErrorMatchingInlineSnapshot(
      `[TypeError: Query record not registered: tier must be one of the tiers]`,
    );
    expect(await register.append(queryInput(2))).toMatchObject({ seq: 1, requestId: 'req-2' });
  });

  it('refuses appends once closed', async () => {
    const register = await openRegister();
    await register.close();
    expect(await outcomes([register.append(queryInput(1))])).toEqual(['REGISTER_UNAVAILABLE']);
  });

  it('finds the records of a subject, newest first, a page at a time', async () => {
    const register = await openRegister();
    const enterprise = '91500112MA60YD7K76';
    const person = 'person:6f1c2b';
    // Times out of append order, and two records at the same time.
    const plan: [n: number, subjects: string[], second: number][] = [
      [1, [enterprise], 10],
      [2, [enterprise, person], 30],
      [3, ['91350100MA2XH3FN5G'], 20],
      [4, [person, enterprise, enterprise], 20],
      [5, [enterprise], 50],
      [6, [enterprise], 30],
    ];
    for (const [n, subjects, second] of plan) {
      await register.append(
        queryInput(n, { subjects, time: new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString() }),
      );
    }
    const ids = (records: { requestId: string }[]) => records.map((record) => record.requestId);

    expect(ids(await register.bySubject(enterprise))).toEqual(['req-5', 'req-6', 'req-2', 'req-4', 'req-1']);
    expect(ids(await register.bySubject(person))).toEqual(['req-2', 'req-4']);
    expect(ids(await register.bySubject(enterprise, { limit: 2 }))).toEqual(['req-5', 'req-6']);
    expect(ids(await register.bySubject(enterprise, { before: '2026-01-01T00:00:30.000Z' }))).toEqual([
      'req-4',
      'req-1',
    ]);
    expect(await register.bySubject('91110105MA01HT6E2P')).toEqual([]);
    const [newest] = await register.bySubject(enterprise, { limit: 1 });
    expect(newest).toEqual(
      expect.objectContaining({ writer: 'gw-1', seq: 5, subjects: [enterprise], time: '2026-01-01T00:00:50.000Z' }),
    );
    await expect(register.bySubject(enterprise, { limit: 0 })).rejects.toThrowErrorMatchingInlineSnapshot(
      `[TypeError: limit must be a whole number from 1 to 1000]`,
    );
    await expect(register.bySubject(enterprise, { before: 'soon' })).rejects.toThrowErrorMatchingInlineSnapshot(
      `[TypeError: before must be an ISO 8601 time]`,
    );
  });

  it('finds a subject in every chain the store holds', async () => {
    const one = await openRegister({ writer: 'gw-1' });
    await one.append(queryInput(1));
    await one.close();
    const two = await openRegister({ writer: 'gw-2' });
    await two.append(queryInput(2));
    expect((await two.bySubject('91500112MA60YD7K76')).map((record) => [record.writer, record.seq])).toEqual([
      ['gw-2', 1],
      ['gw-1', 1],
    ]);
  });
});
