import { spawnSync } from 'node:child_process';
import { readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { silentLogger } from '../../src/index.js';
import {
  openFileChain,
  verifyChainFiles,
  type ChainRead,
  type FileChainOptions,
  type LockRefusal,
} from '../../src/durable-log/index.js';
import { noteFormat, tempDir, type Note } from './support.js';

class Refused extends Error {
  constructor(readonly refusal: LockRefusal) {
    super(refusal.held);
  }
}

function openNotes(dir: string, options: Partial<FileChainOptions<string, Note>> = {}) {
  return openFileChain<string, Note>({
    dir,
    writer: 'w1',
    format: noteFormat,
    name: 'note log',
    logger: silentLogger(),
    refuseLock: (refusal) => new Refused(refusal),
    accept: () => undefined,
    ...options,
  });
}

describe('a chain in a file', () => {
  let dir: string;
  let remove: () => Promise<void>;
  const path = () => join(dir, 'w1.jsonl');

  beforeEach(async () => {
    ({ dir, remove } = await tempDir());
  });

  afterEach(() => remove());

  it('seals records one after another and continues after a reopen', async () => {
    const chain = await openNotes(dir);
    const [one, two] = await chain.append(['a', 'b']);
    expect(one).toMatchObject({ writer: 'w1', seq: 1, prevHash: '0'.repeat(64), body: 'a' });
    expect(two).toMatchObject({ seq: 2, prevHash: one!.hash });
    await chain.close();
    const read: Note[] = [];
    const again = await openNotes(dir, { onRead: (note) => read.push(note) });
    expect(read).toEqual([one, two]);
    expect(again.tail).toEqual({ seq: 2, hash: two!.hash });
    expect(await again.append(['c'])).toMatchObject([{ seq: 3, prevHash: two!.hash }]);
    await again.close();
    expect((await verifyChainFiles(dir, noteFormat)).ok).toBe(true);
  });

  it('cuts off whatever a crash left of the last batch after its last complete line, and goes on from there', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        async (acknowledged, inFlight, where) => {
          const { dir, remove } = await tempDir();
          try {
            const chain = await openNotes(dir);
            for (let n = 0; n < acknowledged; n++) await chain.append([`ack ${n}`]);
            const before = (await stat(join(dir, 'w1.jsonl'))).size;
            // The last batch, then the crash: the file holds any prefix of its bytes.
            const batch = await chain.append(Array.from({ length: inFlight }, (_, n) => `batch ${n}`));
            await chain.close();
            const after = (await stat(join(dir, 'w1.jsonl'))).size;
            const cut = before + Math.floor(where * (after - before));
            await truncate(join(dir, 'w1.jsonl'), cut);
            const lineEnds = batch.map((_, i) =>
              batch
                .slice(0, i + 1)
                .reduce((sum, note) => sum + Buffer.byteLength(`${noteFormat.line(note)}\n`), before),
            );
            const whole = lineEnds.filter((end) => end <= cut).length;

            const reads: ChainRead[] = [];
            const again = await openNotes(dir, { accept: (read) => reads.push(read) });
            expect(reads[0]).toMatchObject({ records: acknowledged + whole, unreadableCount: 0, tailProblem: null });
            expect(again.tail.seq).toBe(acknowledged + whole);
            expect((await stat(join(dir, 'w1.jsonl'))).size).toBe(whole === 0 ? before : lineEnds[whole - 1]);
            expect(await again.append(['after'])).toMatchObject([{ seq: acknowledged + whole + 1 }]);
            await again.close();
            expect((await verifyChainFiles(dir, noteFormat)).ok).toBe(true);
          } finally {
            await remove();
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it('shows its user a damaged last record before anything is cut off or appended', async () => {
    const chain = await openNotes(dir);
    await chain.append(['a', 'b']);
    await chain.close();
    const [first, second] = (await readFile(path(), 'utf8')).split('\n');
    await writeFile(path(), `${first}\n${second!.replace('"b"', '"x"')}\n{"torn`);
    const refuse = (read: ChainRead) => {
      throw new Error(JSON.stringify(read));
    };
    const refused = await openNotes(dir, { accept: refuse }).catch((error: Error) => JSON.parse(error.message));
    expect(refused).toEqual({
      where: path(),
      records: 2,
      unreadable: [],
      unreadableCount: 0,
      unlinked: 0,
      last: { line: 2 },
      tailProblem: { kind: 'hash-mismatch', seq: 2 },
    });
    // Refused: the torn line is left for the operator to see.
    expect(await readFile(path(), 'utf8')).toMatch(/\{"torn$/);
  });

  it('cuts off a batch it could not make durable, and continues after the last durable record', async () => {
    let fail = false;
    const chain = await openNotes(dir, {
      hooks: {
        commit: () => {
          if (fail) throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
        },
      },
    });
    const [one] = await chain.append(['a']);
    const size = (await stat(path())).size;
    fail = true;
    await expect(chain.append(['b', 'c'])).rejects.toMatchObject({ code: 'EIO' });
    expect((await stat(path())).size).toBe(size);
    fail = false;
    expect(await chain.recover()).toEqual([]);
    expect(await chain.append(['d'])).toMatchObject([{ seq: 2, prevHash: one!.hash, body: 'd' }]);
    await chain.close();
    expect((await verifyChainFiles(dir, noteFormat)).chains[0]).toMatchObject({ records: 2, problems: [] });
  });

  it('lets one process write a chain: refuses a second opening here or a live holder, takes over a dead one', async () => {
    const chain = await openNotes(dir);
    await expect(openNotes(dir)).rejects.toMatchObject({ refusal: { held: 'here' } });
    await chain.close();

    // Process 1 is always alive.
    await writeFile(join(dir, 'w1.lock'), '1\n');
    await expect(openNotes(dir)).rejects.toMatchObject({
      refusal: { held: 'elsewhere', holder: 1, path: join(dir, 'w1.lock') },
    });

    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    await writeFile(join(dir, 'w1.lock'), `${gone}\n`);
    const taken = await openNotes(dir);
    expect(await readFile(join(dir, 'w1.lock'), 'utf8')).toBe(`${process.pid}\n`);
    await taken.close();
    await expect(stat(join(dir, 'w1.lock'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
