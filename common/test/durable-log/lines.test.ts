import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forEachLine } from '../../src/durable-log/index.js';

describe('reading a JSON lines file line by line', () => {
  it('gives every complete line of a range with its offset and length, whatever the chunk it reads at a time', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lines-'));
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc
              .string({ unit: 'binary-ascii', maxLength: 200, size: 'large' })
              .map((line) => line.replaceAll('\n', ' ')),
          ),
          fc.string({ maxLength: 10 }).map((tail) => tail.replaceAll('\n', ' ')),
          fc.integer({ min: 1, max: 64 }),
          async (lines, tail, chunk) => {
            const text = lines.map((line) => `${line}\n`).join('') + tail;
            const path = join(dir, 'lines.jsonl');
            await writeFile(path, text);
            const file = await open(path, 'r');
            try {
              const read: [string, number, number][] = [];
              const to = Buffer.byteLength(text);
              const result = await forEachLine(file, { from: 0, to, chunk }, (line, offset, length) =>
                read.push([line.toString('utf8'), offset, length]),
              );
              let offset = 0;
              const expected = lines.map((line): [string, number, number] => {
                const at = offset;
                offset += Buffer.byteLength(line) + 1;
                return [line, at, Buffer.byteLength(line) + 1];
              });
              expect(read).toEqual(expected);
              expect(result).toEqual({ end: offset, torn: Buffer.byteLength(tail) });
            } finally {
              await file.close();
            }
          },
        ),
        { numRuns: 100 },
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
