import { fdatasyncSync } from 'node:fs';
import { mkdir, open, readdir, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '@credit-gateway/common';
import { CommitQueue } from './commit-queue.js';
import { RegisterStartError } from './errors.js';
import { appendAll, appendAllSync, forEachLine, takeProcessLock } from '@credit-gateway/common';
import {
  canonicalJson,
  GENESIS_HASH,
  parseStoredRecord,
  recordHash,
  sealRecord,
  WRITER_ID_PATTERN,
  type QueryRecordInput,
  type StoredQueryRecord,
} from './record.js';
import { SubjectIndex, type RecordLocation } from './subject-index.js';
import { lookupOptions, type BySubjectOptions, type QueryRegister, type RegisterHooks } from './types.js';

export interface FileRegisterOptions {
  dir: string;
  writer: string;
  timeoutMs: number;
  batchMax: number;
  indexMaxEntries: number;
  /** Write and fsync on the event loop (REGISTER_SYNC_WRITES); a test's commit hook turns it off. */
  syncWrites?: boolean;
  logger: Logger;
  hooks?: RegisterHooks;
}

export const CHAIN_FILE_SUFFIX = '.jsonl';

interface ChainFile {
  writer: string;
  path: string;
  read: FileHandle;
}

/**
 * The embedded register: one JSON lines file per writer, `<dir>/<writer>.jsonl`, one canonical
 * record per line, only ever appended to. A `<writer>.lock` file holding the process id keeps a
 * second process from writing the same chain.
 *
 * Start-up reads every chain file in the directory once (time grows with the register's size;
 * for registers of tens of millions of records, use PostgreSQL), continues this writer's chain
 * from its last record, and indexes subjects in memory within `indexMaxEntries` (see
 * SubjectIndex). A final line without its newline can only be a write that was never
 * acknowledged, cut short by a crash: it is cut off. Any other damage to the last record stops
 * the start: appending to it would bury it. Damage further back is logged; `verify` reports it.
 * Other writers' files are read as they are at start; records they add later are not seen.
 */
export async function openFileRegister(options: FileRegisterOptions): Promise<QueryRegister> {
  const { dir, writer, logger } = options;
  if (!WRITER_ID_PATTERN.test(writer)) throw new RegisterStartError(`Invalid register writer id '${writer}'`);
  await mkdir(dir, { recursive: true });
  const releaseLock = await lockWriter(dir, writer);
  const files: ChainFile[] = [];
  let append: FileHandle | undefined;
  try {
    const index = new SubjectIndex(options.indexMaxEntries);
    const others = (await readdir(dir))
      .filter((name) => name.endsWith(CHAIN_FILE_SUFFIX) && name !== `${writer}${CHAIN_FILE_SUFFIX}`)
      .sort();
    for (const name of others) {
      const file: ChainFile = {
        writer: name.slice(0, -CHAIN_FILE_SUFFIX.length),
        path: join(dir, name),
        read: await open(join(dir, name), 'r'),
      };
      files.push(file);
      await indexOtherChain(file, files.length - 1, index, logger);
    }
    const path = join(dir, `${writer}${CHAIN_FILE_SUFFIX}`);
    const existed = await open(path, 'r').then(
      (handle) => handle.close().then(() => true),
      () => false,
    );
    append = await open(path, 'a');
    if (!existed) await syncDirectory(dir);
    const own: ChainFile = { writer, path, read: await open(path, 'r') };
    files.push(own);
    const start = await readOwnChain(own, files.length - 1, index, logger);
    if (start.torn > 0) {
      // Never acknowledged: acknowledgement waits for the whole batch to be synced.
      logger.warn({ writer, bytes: start.torn }, 'query register: cut off an incomplete last line left by a crash');
      await append.truncate(start.size);
      await append.datasync();
    }
    logger.info(
      { writer, seq: start.tail.seq, chains: files.length, index: index.size },
      'query register opened (file store)',
    );
    return new FileRegister(options, files, append, start.tail, start.size, index, releaseLock);
  } catch (error) {
    await append?.close();
    for (const file of files) await file.read.close();
    await releaseLock();
    throw error;
  }
}

class FileRegister implements QueryRegister {
  readonly writer: string;
  private readonly queue: CommitQueue;
  /** A failed write may have left bytes past `size`; they are cut off before the next batch. */
  private damaged = false;
  private readonly own: number;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly options: FileRegisterOptions,
    private readonly files: ChainFile[],
    private readonly file: FileHandle,
    private tail: { seq: number; hash: string },
    private size: number,
    private readonly index: SubjectIndex,
    private readonly releaseLock: () => Promise<void>,
  ) {
    this.writer = options.writer;
    this.own = files.length - 1;
    this.queue = new CommitQueue({
      batchMax: options.batchMax,
      timeoutMs: options.timeoutMs,
      logger: options.logger,
      write: (inputs) => this.write(inputs),
    });
  }

  append(record: QueryRecordInput): Promise<StoredQueryRecord> {
    return this.queue.append(record);
  }

  async bySubject(subject: string, options: BySubjectOptions = {}): Promise<StoredQueryRecord[]> {
    const { limit, before } = lookupOptions(options);
    const { locations, forgottenMaxTime } = this.index.lookup(subject, before);
    const writerOf = (location: RecordLocation) => this.files[location.file]!.writer;
    locations.sort((a, b) => newestFirst(a.time, writerOf(a), a.seq, b.time, writerOf(b), b.seq));
    const records = await Promise.all(locations.slice(0, limit).map((location) => this.readRecord(location)));
    // The index forgot the oldest records; scan for them unless every answer is newer.
    const cutoff = records.length === limit ? Date.parse(records[limit - 1]!.time) : -Infinity;
    if (forgottenMaxTime < cutoff || forgottenMaxTime === -Infinity) return records;
    const found = [...records, ...(await this.scanForgotten(subject, before))];
    found.sort((a, b) => newestFirst(Date.parse(a.time), a.writer, a.seq, Date.parse(b.time), b.writer, b.seq));
    return found.slice(0, limit);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.queue.close();
      await this.file.close();
      for (const file of this.files) await file.read.close();
      await this.releaseLock();
    })();
    return this.closing;
  }

  private async write(inputs: readonly QueryRecordInput[]): Promise<StoredQueryRecord[]> {
    if (this.damaged) await this.repair();
    const records: StoredQueryRecord[] = [];
    let prev = this.tail;
    for (const input of inputs) {
      const record = sealRecord(input, this.writer, prev);
      records.push(record);
      prev = record;
    }
    const lines = records.map((record) => Buffer.from(`${canonicalJson(record)}\n`));
    try {
      if (this.options.syncWrites && inputs.length === 1 && !this.options.hooks?.commit) {
        // A lone record (light load) is written and synced sooner here than through the thread
        // pool's round trips. Under load batches grow, and their fsync goes to the thread pool,
        // so the event loop is not held while the disk works.
        appendAllSync(this.file.fd, Buffer.concat(lines));
        fdatasyncSync(this.file.fd);
      } else {
        await appendAll(this.file, Buffer.concat(lines));
        await this.options.hooks?.commit?.(records.length);
        await this.file.datasync();
      }
    } catch (error) {
      // After a failed fsync the kernel may have dropped the pages: the batch is cut off and
      // written again never, rather than trusted.
      this.damaged = true;
      await this.repair().catch((repairError: unknown) =>
        this.options.logger.error({ err: repairError }, 'query register: could not cut off a failed write'),
      );
      throw error;
    }
    let offset = this.size;
    records.forEach((record, i) => {
      const length = lines[i]!.length;
      this.index.add(
        { file: this.own, offset, length, time: Date.parse(record.time), seq: record.seq },
        record.subjects,
      );
      offset += length;
    });
    this.size = offset;
    this.tail = { seq: prev.seq, hash: prev.hash };
    return records;
  }

  private async repair(): Promise<void> {
    await this.file.truncate(this.size);
    await this.file.datasync();
    this.damaged = false;
  }

  private async readRecord(location: RecordLocation): Promise<StoredQueryRecord> {
    const buffer = Buffer.allocUnsafe(location.length);
    await this.files[location.file]!.read.read(buffer, 0, location.length, location.offset);
    const record = parseStoredRecord(JSON.parse(buffer.toString('utf8')));
    if (typeof record === 'string') throw new Error(`query register: indexed record unreadable (${record})`);
    return record;
  }

  private async scanForgotten(subject: string, before: number): Promise<StoredQueryRecord[]> {
    const found: StoredQueryRecord[] = [];
    for (const [i, file] of this.files.entries()) {
      const to = this.index.scanLimit(i);
      if (to === 0) continue;
      await forEachLine(file.read, { from: 0, to }, (line) => {
        const record = parseLine(line);
        if (typeof record !== 'string' && record.subjects.includes(subject) && Date.parse(record.time) < before) {
          found.push(record);
        }
      });
    }
    return found;
  }
}

/** Newest first: by time, then writer, then seq, descending. */
function newestFirst(aTime: number, aWriter: string, aSeq: number, bTime: number, bWriter: string, bSeq: number) {
  if (aTime !== bTime) return bTime - aTime;
  if (aWriter !== bWriter) return aWriter < bWriter ? -1 : 1;
  return bSeq - aSeq;
}

export function parseLine(line: Buffer): StoredQueryRecord | string {
  try {
    return parseStoredRecord(JSON.parse(line.toString('utf8')));
  } catch {
    return 'not JSON';
  }
}

/** Reads another writer's chain into the index; its damage is `verify`'s to report. */
async function indexOtherChain(
  file: ChainFile,
  fileNumber: number,
  index: SubjectIndex,
  logger: Logger,
): Promise<void> {
  let unreadable = 0;
  const { size } = await file.read.stat();
  await forEachLine(file.read, { from: 0, to: size }, (line, offset, length) => {
    const record = parseLine(line);
    if (typeof record === 'string') unreadable++;
    else
      index.add({ file: fileNumber, offset, length, time: Date.parse(record.time), seq: record.seq }, record.subjects);
  });
  if (unreadable > 0) {
    logger.warn({ writer: file.writer, unreadable }, 'query register: unreadable records in a chain; run verify');
  }
}

/**
 * Reads this writer's chain: indexes it, checks the links on the way, and checks the last
 * record completely, as the next record will link to it.
 */
async function readOwnChain(
  file: ChainFile,
  fileNumber: number,
  index: SubjectIndex,
  logger: Logger,
): Promise<{ tail: { seq: number; hash: string }; size: number; torn: number }> {
  // The last two lines read: the tail must link to the one before it.
  const seen: { line: number; last: StoredQueryRecord | string | null; previous: StoredQueryRecord | string | null } = {
    line: 0,
    last: null,
    previous: null,
  };
  let broken = 0;
  const { size } = await file.read.stat();
  const { end, torn } = await forEachLine(file.read, { from: 0, to: size }, (bytes, offset, length) => {
    const record = parseLine(bytes);
    seen.line++;
    seen.previous = seen.last;
    seen.last = record;
    if (typeof record === 'string') {
      broken++;
      return;
    }
    if (!follows(record, seen.previous)) broken++;
    index.add({ file: fileNumber, offset, length, time: Date.parse(record.time), seq: record.seq }, record.subjects);
  });
  const { last, previous } = seen;
  if (last === null) return { tail: { seq: 0, hash: GENESIS_HASH }, size: end, torn };
  const refuse = (reason: string) =>
    new RegisterStartError(
      `Query register ${file.path}, line ${seen.line}: ${reason}. A crash cannot leave this; ` +
        `run the register's verify command, and have an operator decide before anything more is appended.`,
    );
  if (typeof last === 'string') throw refuse(`the last record is unreadable (${last})`);
  if (last.writer !== file.writer) throw refuse(`the last record belongs to writer '${last.writer}'`);
  if (recordHash(last) !== last.hash) throw refuse(`the last record (seq ${last.seq}) does not match its hash`);
  if (!follows(last, previous)) throw refuse(`the last record (seq ${last.seq}) does not follow the one before it`);
  if (broken > 0)
    logger.warn({ writer: file.writer, broken }, 'query register: damaged records in this chain; run verify');
  return { tail: { seq: last.seq, hash: last.hash }, size: end, torn };
}

/** Whether `record` links to `previous`, the line before it (null for the first line). */
function follows(record: StoredQueryRecord, previous: StoredQueryRecord | string | null): boolean {
  if (previous === null) return record.seq === 1 && record.prevHash === GENESIS_HASH;
  return typeof previous !== 'string' && record.seq === previous.seq + 1 && record.prevHash === previous.hash;
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

/** Takes `<dir>/<writer>.lock` for this process: one chain has one writer. */
function lockWriter(dir: string, writer: string): Promise<() => Promise<void>> {
  return takeProcessLock(join(dir, `${writer}.lock`), (refusal) =>
    refusal.held === 'here'
      ? new RegisterStartError(`Query register writer '${writer}' is already open in this process`)
      : new RegisterStartError(
          `Query register writer '${writer}' is in use by process ${refusal.holder} (${refusal.path}). Give each gateway ` +
            `process its own REGISTER_WRITER_ID, or remove the lock file if that process is not a gateway.`,
        ),
  );
}
