import { writeSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

const CHUNK = 1024 * 1024;
const NEWLINE = 0x0a;

/**
 * Calls `onLine` for every complete line (without its newline) in bytes [from, to) of a JSON
 * lines file, with its offset and its length including the newline. Returns where the last
 * complete line ends and how many bytes follow it unterminated: a torn write, or one in progress.
 * A line's bytes are only valid during the call. Reads `range.chunk` bytes at a time (1 MiB unless
 * given), letting the event loop run between reads: a smaller chunk holds it for less time where
 * each line costs more to handle.
 */
export async function forEachLine(
  file: FileHandle,
  range: { from: number; to: number; chunk?: number },
  onLine: (line: Buffer, offset: number, length: number) => void,
): Promise<{ end: number; torn: number }> {
  const chunk = range.chunk ?? CHUNK;
  const buffer = Buffer.allocUnsafe(chunk);
  let carry: Buffer = Buffer.alloc(0);
  let carryOffset = range.from;
  let position = range.from;
  while (position < range.to) {
    const { bytesRead } = await file.read(buffer, 0, Math.min(chunk, range.to - position), position);
    if (bytesRead === 0) break;
    position += bytesRead;
    let data = buffer.subarray(0, bytesRead);
    if (carry.length > 0) data = Buffer.concat([carry, data]);
    let start = 0;
    for (let newline = data.indexOf(NEWLINE); newline !== -1; newline = data.indexOf(NEWLINE, start)) {
      onLine(data.subarray(start, newline), carryOffset + start, newline + 1 - start);
      start = newline + 1;
    }
    // Copied: `buffer` is reused by the next read.
    carry = Buffer.from(data.subarray(start));
    carryOffset += start;
  }
  return { end: carryOffset, torn: carry.length };
}

/** Writes all of `data` at the end of a file opened for append. */
export async function appendAll(file: FileHandle, data: Buffer): Promise<void> {
  let written = 0;
  while (written < data.length) {
    const { bytesWritten } = await file.write(data, written, data.length - written, null);
    written += bytesWritten;
  }
}

/** The same, blocking: for small appends whose durability the caller waits for anyway. */
export function appendAllSync(fd: number, data: Buffer): void {
  let written = 0;
  while (written < data.length) written += writeSync(fd, data, written, data.length - written, null);
}
