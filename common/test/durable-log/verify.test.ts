import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { silentLogger } from '../../src/index.js';
import {
  canonicalJson,
  ChainVerifier,
  openFileChain,
  sealedHash,
  verifyChainFiles,
  type ChainHead,
  type ProblemKind,
} from '../../src/durable-log/index.js';
import { noteFormat, tempDir, type Note } from './support.js';

/** A chain of `length` notes, as the log writes them. */
function chainOf(length: number): Note[] {
  const notes: Note[] = [];
  for (let n = 0; n < length; n++) {
    const prev = notes.at(-1);
    notes.push(
      noteFormat.seal(`note ${n}`, 'w1', prev ? { seq: prev.seq, hash: prev.hash } : { seq: 0, hash: '0'.repeat(64) }),
    );
  }
  return notes;
}

type Tamper =
  | { kind: 'edit'; at: number }
  | { kind: 'forge'; at: number }
  | { kind: 'remove'; at: number }
  | { kind: 'move'; from: number; to: number }
  | { kind: 'copy'; at: number };

/** What someone with write access to the store could do to a chain of `length` records. */
function tamper(length: number): fc.Arbitrary<Tamper> {
  const at = fc.nat({ max: length - 1 });
  return fc.oneof(
    at.map((i) => ({ kind: 'edit' as const, at: i })),
    at.map((i) => ({ kind: 'forge' as const, at: i })),
    at.map((i) => ({ kind: 'remove' as const, at: i })),
    fc
      .tuple(at, at)
      .filter(([from, to]) => from !== to)
      .map(([from, to]) => ({ kind: 'move' as const, from, to })),
    at.map((i) => ({ kind: 'copy' as const, at: i })),
  );
}

function apply(notes: Note[], change: Tamper): Note[] {
  const copy = [...notes];
  switch (change.kind) {
    case 'edit':
      copy[change.at] = { ...copy[change.at]!, body: 'changed' };
      return copy;
    case 'forge': {
      const forged = { ...copy[change.at]!, body: 'forged' };
      copy[change.at] = { ...forged, hash: sealedHash(forged) };
      return copy;
    }
    case 'remove':
      copy.splice(change.at, 1);
      return copy;
    case 'move': {
      const [moved] = copy.splice(change.from, 1);
      copy.splice(change.to, 0, moved!);
      return copy;
    }
    case 'copy':
      copy.splice(change.at, 0, copy[change.at]!);
      return copy;
  }
}

/** The kinds of problem each tamper must be reported as, whatever else comes with it. */
function expected(change: Tamper, length: number): ProblemKind[] {
  switch (change.kind) {
    case 'edit':
      return ['hash-mismatch'];
    case 'forge':
      return [change.at === length - 1 ? 'head-mismatch' : 'prev-hash-mismatch'];
    case 'remove':
      return [change.at === length - 1 ? 'truncated' : 'missing'];
    case 'move':
      return ['out-of-order'];
    case 'copy':
      return ['duplicate'];
  }
}

function verify(notes: readonly Note[], head?: ChainHead) {
  const verifier = new ChainVerifier('w1', noteFormat, head);
  notes.forEach((note, i) => verifier.add(note, { line: i + 1 }));
  return verifier.finish();
}

describe('verify', () => {
  it('finds an intact chain intact', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), (length) => {
        const notes = chainOf(length);
        const last = notes.at(-1)!;
        expect(verify(notes, { writer: 'w1', seq: last.seq, hash: last.hash })).toMatchObject({
          records: length,
          head: { writer: 'w1', seq: length, hash: last.hash },
          problems: [],
        });
      }),
    );
  });

  it('detects any changed, removed, reordered or repeated record, given the head recorded before', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 20 }).chain((length) => fc.tuple(fc.constant(length), tamper(length))),
        ([length, change]) => {
          const notes = chainOf(length);
          const last = notes.at(-1)!;
          const report = verify(apply(notes, change), { writer: 'w1', seq: last.seq, hash: last.hash });
          expect(report.problems.length).toBeGreaterThan(0);
          expect(report.problems.map((problem) => problem.kind)).toEqual(
            expect.arrayContaining(expected(change, length)),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('names the record changed, the one removed, and the one out of place', () => {
    const notes = chainOf(6);
    const at = (change: Tamper) =>
      verify(apply(notes, change)).problems.map(({ kind, seq, toSeq, line }) => ({ kind, seq, toSeq, line }));
    expect(at({ kind: 'edit', at: 2 })).toEqual([{ kind: 'hash-mismatch', seq: 3, toSeq: undefined, line: 3 }]);
    expect(at({ kind: 'forge', at: 2 })).toEqual([{ kind: 'prev-hash-mismatch', seq: 4, toSeq: undefined, line: 4 }]);
    expect(at({ kind: 'remove', at: 1 })).toEqual([{ kind: 'missing', seq: 2, toSeq: undefined, line: undefined }]);
    expect(at({ kind: 'move', from: 2, to: 3 })).toEqual([{ kind: 'out-of-order', seq: 3, toSeq: undefined, line: 4 }]);
  });

  it('reads chain files line by line, and reports a line that holds no record', async () => {
    const { dir, remove } = await tempDir();
    try {
      const chain = await openFileChain({
        dir,
        writer: 'w1',
        format: noteFormat,
        name: 'note log',
        logger: silentLogger(),
        refuseLock: () => new Error('locked'),
        accept: () => undefined,
      });
      const notes = await chain.append(['a', 'b', 'c']);
      await chain.close();
      expect((await verifyChainFiles(dir, noteFormat)).ok).toBe(true);
      const lines = (await readFile(join(dir, 'w1.jsonl'), 'utf8')).split('\n');
      lines[1] = canonicalJson({ ...notes[1], body: 'x' }).slice(0, 20);
      await writeFile(join(dir, 'w1.jsonl'), lines.join('\n'));
      const report = await verifyChainFiles(dir, noteFormat);
      expect(report.ok).toBe(false);
      expect(report.chains[0]!.problems.map(({ kind, line, message }) => ({ kind, line, message }))).toEqual([
        { kind: 'unreadable', line: 2, message: 'line 2 is not a note (not JSON)' },
        { kind: 'missing', line: undefined, message: 'seq 2 is missing: removed from the chain' },
      ]);
    } finally {
      await remove();
    }
  });
});
