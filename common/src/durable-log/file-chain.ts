import { fdatasyncSync } from 'node:fs';
import { mkdir, open, readdir, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../logger.js';
import { sealAfter, type ChainLink, type LogFormat } from './chain.js';
import { appendAll, appendAllSync, forEachLine } from './lines.js';
import { takeProcessLock, type LockRefusal } from './process-lock.js';
import { ChainReader, type AcceptChain, type ChainWriter, type LogHooks } from './writer.js';

/** Each chain is `<dir>/<writer>.jsonl`, its writer's lock `<dir>/<writer>.lock`. */
export const CHAIN_FILE_SUFFIX = '.jsonl';

/** Writer names become file names: letters, digits, `.`, `_` and `-`, not starting with a dot. */
export const CHAIN_NAME_PATTERN = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$/;

/** Where a record's line is in its chain file. */
export interface LineAt {
  offset: number;
  /** Bytes, its newline included. */
  length: number;
}

export interface FileChainOptions<Input, Stored> {
  dir: string;
  writer: string;
  format: LogFormat<Input, Stored>;
  /** In log lines: "query register", "credit store". */
  name: string;
  logger: Logger;
  /** The error a lock held by this or another live process is refused with. */
  refuseLock: (refusal: LockRefusal) => Error;
  /** Sees what the chain holds before anything is written or cut off; throws to refuse the start. */
  accept: AcceptChain;
  /** Each readable record found at start, in file order. */
  onRead?(record: Stored, at: LineAt): void;
  /** Each appended record, once durable, before its append resolves. */
  onWritten?(record: Stored, at: LineAt): void;
  /**
   * Write and fsync a lone record on the event loop (about 0.1 ms on a local disk) rather than
   * through the thread pool (about 0.3 ms); batches always go through the thread pool. Off for
   * network disks, whose fsync can stall, and whenever a commit hook is set.
   */
  syncWrites?: boolean;
  hooks?: LogHooks;
}

/** The `<writer>.jsonl` chain files in `dir`, sorted, as writer names. */
export async function chainFiles(dir: string): Promise<string[]> {
  return (await readdir(dir))
    .filter((name) => name.endsWith(CHAIN_FILE_SUFFIX))
    .map((name) => name.slice(0, -CHAIN_FILE_SUFFIX.length))
    .sort();
}

export function chainPath(dir: string, writer: string): string {
  return join(dir, `${writer}${CHAIN_FILE_SUFFIX}`);
}

/**
 * Reads a chain file line by line in [0, size): each line parsed with the record before it.
 * Returns where the last complete line ends and the bytes after it (a write cut short by a
 * crash, or one in progress).
 */
export async function readChainFile<Stored>(
  file: FileHandle,
  format: LogFormat<unknown, Stored>,
  onLine: (record: Stored | string, at: LineAt & { line: number }) => void,
): Promise<{ end: number; torn: number }> {
  const { size } = await file.stat();
  let line = 0;
  let previous: Stored | null = null;
  return forEachLine(file, { from: 0, to: size }, (bytes, offset, length) => {
    let record: Stored | string;
    try {
      record = format.parse(JSON.parse(bytes.toString('utf8')), previous);
    } catch {
      record = 'not JSON';
    }
    if (typeof record !== 'string') previous = record;
    onLine(record, { offset, length, line: ++line });
  });
}

/**
 * One writer's chain in a directory of JSON lines files: `<dir>/<writer>.jsonl`, one record per
 * line, only ever appended to, and `<dir>/<writer>.lock` holding the writing process's id, so
 * a second process cannot fork the chain (one that is gone is taken over).
 *
 * Start-up reads the whole file. A last line without its newline can only be a write that was
 * never acknowledged (acknowledgement waits for the fdatasync), cut short by a crash: it is cut
 * off, once `accept` has seen the rest. Each batch is written, then fdatasync'ed, then
 * acknowledged; a failed write is cut off before the next one, never trusted, as the kernel may
 * have dropped its pages.
 */
export async function openFileChain<Input, Stored>(
  options: FileChainOptions<Input, Stored>,
): Promise<FileChain<Input, Stored>> {
  const { dir, writer, format, logger } = options;
  if (!CHAIN_NAME_PATTERN.test(writer)) throw new TypeError(`Invalid chain name '${writer}'`);
  await mkdir(dir, { recursive: true });
  const release = await takeProcessLock(join(dir, `${writer}.lock`), options.refuseLock);
  const path = chainPath(dir, writer);
  let file: FileHandle | undefined;
  try {
    const existed = await open(path, 'r').then(
      (handle) => handle.close().then(() => true),
      () => false,
    );
    file = await open(path, 'a+');
    if (!existed) await syncDirectory(dir);
    const reader = new ChainReader(format, writer, path);
    const { end, torn } = await readChainFile(file, format, (record, at) => {
      reader.add(record, { line: at.line });
      if (typeof record !== 'string') options.onRead?.(record, at);
    });
    options.accept(reader.finish());
    if (torn > 0) {
      logger.warn({ writer, bytes: torn }, `${options.name}: cut off an incomplete last line left by a crash`);
      await file.truncate(end);
      await file.datasync();
    }
    return new FileChain(options, file, reader.tail, end, release);
  } catch (error) {
    await file?.close();
    await release();
    throw error;
  }
}

export class FileChain<Input, Stored> implements ChainWriter<Input, Stored> {
  readonly kind = 'file';
  readonly writer: string;
  /** A failed write may have left bytes past `size`; they are cut off before the next one. */
  private damaged = false;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly options: FileChainOptions<Input, Stored>,
    private readonly file: FileHandle,
    private last: ChainLink,
    private size: number,
    private readonly release: () => Promise<void>,
  ) {
    this.writer = options.writer;
  }

  get tail(): ChainLink {
    return this.last;
  }

  /** The chain file's path. */
  get path(): string {
    return chainPath(this.options.dir, this.writer);
  }

  async append(inputs: readonly Input[]): Promise<Stored[]> {
    if (this.damaged) await this.cutOff();
    const { format, hooks } = this.options;
    const { records, tail } = sealAfter(format, this.writer, this.last, inputs);
    const lines = records.map((record) => Buffer.from(`${format.line(record)}\n`));
    const data = Buffer.concat(lines);
    try {
      if (this.options.syncWrites && records.length === 1 && !hooks?.commit) {
        // A lone record (light load) is durable sooner here than through the thread pool's
        // round trips. Under load batches grow, and their fsync goes to the thread pool, so the
        // event loop is not held while the disk works.
        appendAllSync(this.file.fd, data);
        fdatasyncSync(this.file.fd);
      } else {
        await appendAll(this.file, data);
        await hooks?.commit?.(records.length);
        await this.file.datasync();
      }
    } catch (error) {
      this.damaged = true;
      await this.cutOff().catch((cutError: unknown) =>
        this.options.logger.error({ err: cutError }, `${this.options.name}: could not cut off a failed write`),
      );
      throw error;
    }
    let offset = this.size;
    records.forEach((record, i) => {
      const length = lines[i]!.length;
      this.options.onWritten?.(record, { offset, length });
      offset += length;
    });
    this.size = offset;
    this.last = tail;
    return records;
  }

  async recover(): Promise<Stored[]> {
    if (this.damaged) await this.cutOff();
    return [];
  }

  close(): Promise<void> {
    this.closing ??= this.file.close().finally(() => this.release());
    return this.closing;
  }

  private async cutOff(): Promise<void> {
    await this.file.truncate(this.size);
    await this.file.datasync();
    this.damaged = false;
  }
}

/** Makes a newly created file's directory entry durable. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
