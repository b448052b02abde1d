import { mkdir, open, type FileHandle } from 'node:fs/promises';
import type { Logger } from '@credit-gateway/common';
import {
  chainFiles,
  chainPath,
  describeTail,
  forEachLine,
  openFileChain,
  readChainFile,
  type FileChain,
  type LineAt,
} from '@credit-gateway/common/durable-log';
import { ChainRegister } from './chain-register.js';
import { RegisterStartError } from './errors.js';
import {
  parseStoredRecord,
  registerFormat,
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

interface ChainFile {
  writer: string;
  read: FileHandle;
}

/**
 * The embedded register: one chain file per writer, `<dir>/<writer>.jsonl`, one canonical
 * record per line, only ever appended to (the durable log's file chain: a `<writer>.lock` file
 * holding the process id keeps a second process from writing the same chain, and a torn last
 * line left by a crash is cut off).
 *
 * Start-up reads every chain file in the directory once (time grows with the register's size;
 * for registers of tens of millions of records, use PostgreSQL), continues this writer's chain
 * from its last record, and indexes subjects in memory within `indexMaxEntries` (see
 * SubjectIndex). Any damage to the last record stops the start: appending to it would bury it.
 * Damage further back is logged; `verify` reports it. Other writers' files are read as they are
 * at start; records they add later are not seen.
 */
export async function openFileRegister(options: FileRegisterOptions): Promise<QueryRegister> {
  const { dir, writer, logger } = options;
  if (!WRITER_ID_PATTERN.test(writer)) throw new RegisterStartError(`Invalid register writer id '${writer}'`);
  await mkdir(dir, { recursive: true });
  const files: ChainFile[] = [];
  let chain: FileChain<QueryRecordInput, StoredQueryRecord> | undefined;
  try {
    const index = new SubjectIndex(options.indexMaxEntries);
    // Other chains first: the index forgets the records it took in first.
    for (const other of (await chainFiles(dir)).filter((name) => name !== writer)) {
      files.push({ writer: other, read: await open(chainPath(dir, other), 'r') });
      await indexOtherChain(files.at(-1)!, files.length - 1, index, logger);
    }
    const own = files.length;
    const indexOwn = (record: StoredQueryRecord, at: LineAt) => index.add(locationOf(own, record, at), record.subjects);
    chain = await openFileChain({
      dir,
      writer,
      format: registerFormat,
      name: 'query register',
      logger,
      syncWrites: options.syncWrites,
      hooks: options.hooks,
      refuseLock: (refusal) =>
        refusal.held === 'here'
          ? new RegisterStartError(`Query register writer '${writer}' is already open in this process`)
          : new RegisterStartError(
              `Query register writer '${writer}' is in use by process ${refusal.holder} (${refusal.path}). Give each gateway ` +
                `process its own REGISTER_WRITER_ID, or remove the lock file if that process is not a gateway.`,
            ),
      accept: (read) => {
        if (read.tailProblem !== null) {
          throw new RegisterStartError(
            `Query register ${read.where}, line ${read.last?.line}: ${describeTail(read.tailProblem, { withSeq: true })}. ` +
              `A crash cannot leave this; run the register's verify command, and have an operator decide before ` +
              `anything more is appended.`,
          );
        }
        const broken = read.unreadableCount + read.unlinked;
        if (broken > 0) logger.warn({ writer, broken }, 'query register: damaged records in this chain; run verify');
      },
      onRead: indexOwn,
      onWritten: indexOwn,
    });
    files.push({ writer, read: await open(chain.path, 'r') });
    logger.info(
      { writer, seq: chain.tail.seq, chains: files.length, index: index.size },
      'query register opened (file store)',
    );
    return new FileRegister(options, chain, files, index);
  } catch (error) {
    await chain?.close();
    for (const file of files) await file.read.close();
    throw error;
  }
}

function locationOf(file: number, record: StoredQueryRecord, at: LineAt): RecordLocation {
  return { file, offset: at.offset, length: at.length, time: Date.parse(record.time), seq: record.seq };
}

class FileRegister extends ChainRegister {
  constructor(
    options: FileRegisterOptions,
    chain: FileChain<QueryRecordInput, StoredQueryRecord>,
    private readonly files: ChainFile[],
    private readonly index: SubjectIndex,
  ) {
    super(chain, options);
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

  protected async release(): Promise<void> {
    for (const file of this.files) await file.read.close();
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

function parseLine(line: Buffer): StoredQueryRecord | string {
  try {
    return parseStoredRecord(JSON.parse(line.toString('utf8')));
  } catch {
    return 'not JSON';
  }
}

/** Reads another writer's chain into the index; its damage is `verify`'s to report. */
async function indexOtherChain(file: ChainFile, fileNumber: number, index: SubjectIndex, logger: Logger) {
  let unreadable = 0;
  await readChainFile(file.read, registerFormat, (record, at) => {
    if (typeof record === 'string') unreadable++;
    else index.add(locationOf(fileNumber, record, at), record.subjects);
  });
  if (unreadable > 0) {
    logger.warn({ writer: file.writer, unreadable }, 'query register: unreadable records in a chain; run verify');
  }
}
