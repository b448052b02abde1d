import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { silentLogger } from '../../src/index.js';
import { CommitQueue, type BatchWriter } from '../../src/durable-log/index.js';

class Unavailable extends Error {}

function queue<Output>(write: BatchWriter<number, Output>, options: { batchMax?: number; timeoutMs?: number } = {}) {
  return new CommitQueue<number, Output>({
    name: 'test log',
    batchMax: options.batchMax ?? 100,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    logger: silentLogger(),
    write,
    unavailable: (cause) => new Unavailable('unavailable', { cause }),
  });
}

const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('group commit', () => {
  it('writes concurrent appends one batch at a time, in arrival order, each answered with its own result', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat({ max: 6 }), { minLength: 1, maxLength: 120 }),
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.nat({ max: 3 }), { minLength: 1, maxLength: 8 }),
        async (arrivals, batchMax, writeTurns) => {
          const batches: number[][] = [];
          const arrived: number[] = [];
          let writing = false;
          let overlapped = false;
          const commits = queue<string>(
            async (batch) => {
              overlapped ||= writing;
              writing = true;
              batches.push([...batch]);
              // Writes take a few turns of the event loop, while more appends arrive.
              await turns(writeTurns[batches.length % writeTurns.length]!);
              writing = false;
              return batch.map((n) => `stored ${n}`);
            },
            { batchMax },
          );
          const results = await Promise.all(
            arrivals.map(async (wait, n) => {
              await turns(wait);
              arrived.push(n);
              return commits.append(n);
            }),
          );
          expect(results).toEqual(arrivals.map((_, n) => `stored ${n}`));
          expect(overlapped).toBe(false);
          expect(batches.flat()).toEqual(arrived);
          expect(batches.every((batch) => batch.length >= 1 && batch.length <= batchMax)).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('gathers the appends made in one turn into one batch, split at the batch size', async () => {
    const sizes: number[] = [];
    const commits = queue(
      (batch) => {
        sizes.push(batch.length);
        return Promise.resolve([...batch]);
      },
      { batchMax: 100 },
    );
    await Promise.all(Array.from({ length: 250 }, (_, n) => commits.append(n)));
    expect(sizes).toEqual([100, 100, 50]);
  });

  it('fails every append of a failed batch with the log’s error, and goes on with the next batch', async () => {
    let calls = 0;
    const commits = queue((batch) =>
      ++calls === 1 ? Promise.reject(new Error('EIO: i/o error')) : Promise.resolve(batch.map((n) => n * 10)),
    );
    const failed = await Promise.allSettled([commits.append(1), commits.append(2)]);
    expect(failed.map((outcome) => outcome.status === 'rejected' && outcome.reason)).toEqual([
      expect.any(Unavailable),
      expect.any(Unavailable),
    ]);
    expect(((failed[0] as PromiseRejectedResult).reason as Error).cause).toMatchObject({ message: 'EIO: i/o error' });
    expect(await commits.append(3)).toBe(30);
  });

  it('fails only the entries a writer answers with an error', async () => {
    const commits = queue((batch) => Promise.resolve(batch.map((n) => (n % 2 ? new Error(`odd ${n}`) : n))));
    const outcomes = await Promise.allSettled([1, 2, 3, 4].map((n) => commits.append(n)));
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message))).toEqual([
      'odd 1',
      2,
      'odd 3',
      4,
    ]);
  });

  it('with a timeout, settles every append while a write hangs, and drops those still waiting', async () => {
    const hanging = deferred();
    const hold = deferred();
    const written: number[][] = [];
    const commits = queue(
      async (batch) => {
        written.push([...batch]);
        if (written.length === 1) {
          hanging.resolve();
          await hold.promise;
        }
        return [...batch];
      },
      { timeoutMs: 50 },
    );
    const first = commits.append(1);
    await hanging.promise;
    const waiting = commits.append(2);
    const outcomes = await Promise.allSettled([first, waiting]);
    expect(outcomes.map((o) => o.status === 'rejected' && (o.reason as Error).cause)).toEqual([
      expect.objectContaining({ message: 'test log write timed out' }),
      expect.objectContaining({ message: 'test log write timed out' }),
    ]);
    hold.resolve();
    expect(await commits.append(3)).toBe(3);
    // The hung batch landed; the append that timed out while waiting was never written.
    expect(written).toEqual([[1], [3]]);
  });

  it('refuses appends once closed, after writing what was queued', async () => {
    const written: number[] = [];
    const commits = queue((batch) => {
      written.push(...batch);
      return Promise.resolve([...batch]);
    });
    const queued = commits.append(1);
    await commits.close();
    expect(await queued).toBe(1);
    await expect(commits.append(2)).rejects.toBeInstanceOf(Unavailable);
    expect(written).toEqual([1]);
  });
});
