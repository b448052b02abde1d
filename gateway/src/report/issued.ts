/**
 * The issued-report register (报告出具登记): one record per report the gateway issued, signed
 * with Ed25519 over the SHA-256 of the document's bytes and the report's metadata, and kept in the
 * durable log's hash-chained file chain `<REPORT_DIR>/reports.jsonl` (written, fdatasync'ed, then
 * acknowledged; one writing process per directory). A report is handed out only once its record
 * is durable. The verification code is kept as its SHA-256 only. A verdict discloses the signed
 * record to whoever holds the number and code or the document, so its signature can be checked
 * offline; it holds nothing of what the report says beyond its subject.
 */
import cluster from 'node:cluster';
import { open, type FileHandle } from 'node:fs/promises';
import { createHash, createPublicKey, randomBytes, sign, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import { CreditGatewayError, type Logger } from '@credit-gateway/common';
import {
  canonicalJson,
  chainFiles,
  describeTail,
  chainPath,
  CommitQueue,
  forEachLine,
  HASH_PATTERN,
  openFileChain,
  openTableChain,
  sealedHash,
  type ChainLink,
  type ChainWriter,
  type LogFormat,
  type LogTable,
  type TableChain,
} from '@credit-gateway/common/durable-log';
import type { ReportFormat } from './scope.js';

export const REPORTS_CHAIN = 'reports';

/** What is signed: everything the verify endpoint may state, and the document's digest. */
export interface SignedReport {
  number: string;
  issuedAt: string;
  /**
   * The subject's unified social credit code (a public identifier): answered to whoever holds the
   * number and code or the document, who compares it with the report in hand.
   */
  subject: string;
  /** The subject's name as printed; absent from records issued before names were recorded. */
  subjectName?: string | null;
  sections: string[];
  from: string | null;
  to: string | null;
  special: boolean;
  format: ReportFormat;
  issuer: { client: string | null; tier: string };
  /** The query register's request id of the query the report was made from. */
  requestId: string;
  /** SHA-256 (hex) of the document's bytes as handed out. */
  documentSha256: string;
  /** SHA-256 (hex) of the canonical GraphQL data the report was made from. */
  dataSha256: string;
  /**
   * SHA-256 (hex) of what, besides the subject's records, decided that data: the caller, its
   * purpose and department, the subject's consents, the departments that could not be read.
   * Two reports' data say whether records changed only when this is the same. Null when unknown;
   * absent from records issued before it was recorded.
   */
  viewSha256?: string | null;
  /** SHA-256 (hex) of the verification code. */
  codeSha256: string;
  keyId: string;
}

export interface IssuedReport extends SignedReport {
  /** Ed25519 over canonicalJson(SignedReport), base64url. */
  signature: string;
}

export interface StoredReport extends IssuedReport {
  /** The chain it was appended to: one per gateway process. */
  writer: string;
  seq: number;
  prevHash: string;
  hash: string;
}

export const reportFormat: LogFormat<IssuedReport, StoredReport> = {
  noun: 'issued report',
  seal(input, writer, prev: ChainLink) {
    const unsealed = { ...input, writer, seq: prev.seq + 1, prevHash: prev.hash };
    return { ...unsealed, hash: sealedHash(unsealed) };
  },
  link: (record) => ({ seq: record.seq, hash: record.hash, prevHash: record.prevHash, writer: record.writer }),
  hashOf: (record) => sealedHash(record),
  line: (record) => canonicalJson(record),
  parse(value) {
    if (value === null || typeof value !== 'object') return 'not a record';
    const record = value as StoredReport;
    if (typeof record.number !== 'string' || typeof record.signature !== 'string') return 'not an issued report';
    if (!HASH_PATTERN.test(record.hash) || sealedHash(record) !== record.hash) return 'hash does not match';
    if (typeof record.seq !== 'number' || typeof record.writer !== 'string') return 'not in a chain';
    // Whether it follows the record before it is the chain reader's to check (durable-log/writer.ts).
    return record;
  },
};

export function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A short id of a public key: the first 16 hex of the SHA-256 of its DER. */
export function keyIdOf(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return sha256(publicKey.export({ format: 'der', type: 'spki' })).slice(0, 16);
}

const NUMBER_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

function randomText(length: number): string {
  const bytes = randomBytes(length);
  let text = '';
  for (const byte of bytes) text += NUMBER_ALPHABET[byte % 32];
  return text;
}

/** `CGR-20261207-7K3M9QX2PA`: the day of issue and ten random characters. */
export function newReportNumber(issuedAt: string): string {
  return `CGR-${issuedAt.slice(0, 10).replaceAll('-', '')}-${randomText(10)}`;
}

export const REPORT_NUMBER = /^CGR-\d{8}-[2-9A-HJ-NP-Z]{10}$/;

/** Twelve characters, four groups: what a verifier types in with the number. */
export function newVerificationCode(): string {
  return randomText(12).replace(/(.{4})(?=.)/g, '$1-');
}

export interface Verdict {
  authentic: boolean;
  /** Why not, when not: NO_SUCH_REPORT (unknown number, or a code that does not match it), DOCUMENT_NOT_ISSUED, SIGNATURE_INVALID. */
  reason?: 'NO_SUCH_REPORT' | 'DOCUMENT_NOT_ISSUED' | 'SIGNATURE_INVALID';
  /** The number a changed document claims, when one can be read from it. */
  claimedNumber?: string;
  /**
   * The particulars the report was issued with: what a verifier compares with the report in hand.
   * A number and code prove only that a report with these particulars was issued; an upload of the
   * file proves its contents (its SHA-256 is the one below). Never what the report says.
   */
  report?: {
    number: string;
    issuedAt: string;
    issuer: { client: string | null; tier: string };
    /** Whom the report is about: its unified social credit code, and its name when recorded. */
    subject: { code: string; name: string | null };
    sections: string[];
    from: string | null;
    to: string | null;
    special: boolean;
    format: ReportFormat;
    /** The issued file: its SHA-256 (hex), and the first 16 hex of it in groups of four, to read aloud. */
    document: { sha256: string; fingerprint: string };
    /**
     * What was signed, for checking offline with GET /report/public-key: `payload` is the exact
     * signed text (canonical JSON of the record: the verification code only as its SHA-256),
     * `value` the Ed25519 signature of it, base64url.
     */
    signature: { algorithm: 'Ed25519'; keyId: string; valid: true; payload: string; value: string };
    /**
     * The same caller (client and tier) was issued a newer report for the same subject and scope
     * (sections and period). Another caller's report never counts: who else asked is not told.
     */
    superseded: boolean;
    supersededAt: string | null;
    /**
     * Whether the same caller's newest such report, read with the same consents, purpose and
     * departments, was made from different records: the subject's records changed since. Null when
     * there is no such report to compare with.
     */
    recordsChangedSince: boolean | null;
  };
}

export interface IssuedReports {
  issue(
    input: Omit<SignedReport, 'keyId' | 'codeSha256' | 'subjectName' | 'viewSha256'> & {
      subjectName: string | null;
      viewSha256: string | null;
      verificationCode: string;
    },
  ): Promise<StoredReport>;
  verifyCode(number: string, code: string): Promise<Verdict>;
  verifyDocument(bytes: Buffer): Promise<Verdict>;
  close(): Promise<void>;
}

export interface IssuedReportsOptions {
  /** The files store's directory, unless `postgres` is given. */
  dir: string;
  /** PostgreSQL, where the query register is kept there. */
  postgres?: { url: string; poolSize: number; writer: string; timeoutMs: number };
  signingKey: KeyObject;
  /** Public keys reports were signed with before `signingKey`: their reports still verify. */
  earlierKeys?: readonly KeyObject[];
  logger: Logger;
  hooks?: IssuedReportsHooks;
}

/** Test and metrics hooks: what the files store reads. */
export interface IssuedReportsHooks {
  /**
   * Each read of a chain file: `index`, the bytes read to bring the index up to date (what the
   * file gained, and its last line read before); `record`, a report read to answer a look-up.
   */
  read?(read: { writer: string; bytes: number; purpose: 'index' | 'record' }): void;
  /** Each query of the PostgreSQL store, with the rows it answered. */
  query?(query: {
    purpose: 'byNumber' | 'byDocument' | 'sameScope';
    text: string;
    values: unknown[];
    rows: number;
  }): void;
}

function scopeKey(report: SignedReport): string {
  return `${report.subject}\n${report.sections.join(',')}\n${report.from ?? ''}\n${report.to ?? ''}`;
}

/**
 * Whether two reports were issued to the same caller: the same client and tier. A report issued
 * to no client (a PUBLIC token without one) cannot be told from another caller's, so none is.
 */
function sameCaller(a: SignedReport, b: SignedReport): boolean {
  return a.issuer.client !== null && a.issuer.client === b.issuer.client && a.issuer.tier === b.issuer.tier;
}

/** `3F2A 9C01 77BE 0D12`: the first 16 hex of a document's SHA-256, short enough to compare by eye. */
export function fingerprintOf(documentSha256: string): string {
  return documentSha256
    .slice(0, 16)
    .toUpperCase()
    .replace(/(.{4})(?=.)/g, '$1 ');
}

export function signedPart(report: IssuedReport): SignedReport {
  const { signature: _signature, ...signed } = report as IssuedReport & Partial<StoredReport>;
  const {
    writer: _writer,
    seq: _seq,
    prevHash: _prevHash,
    hash: _hash,
    ...rest
  } = signed as SignedReport & Partial<StoredReport>;
  return rest;
}

/** Where issued reports are kept and found. */
interface ReportStore {
  append(report: IssuedReport): Promise<StoredReport>;
  byNumber(number: string): Promise<StoredReport | undefined>;
  byDocument(sha: string): Promise<StoredReport | undefined>;
  /**
   * Reports of the same subject, sections and period, in issue order: `report` itself and, of
   * those issued after it, at least the newest of each issuer (client and tier) and view, which
   * is all a verdict compares it with: both stores give just these.
   */
  sameScope(report: StoredReport): Promise<StoredReport[]>;
  close(): Promise<void>;
}

/** This process's chain: `<base>`, or `<base>-w<n>` in cluster worker n. */
function writerName(base: string): string {
  return cluster.isWorker && cluster.worker ? `${base}-w${cluster.worker.id}` : base;
}

/** A report as the files store's index keeps it: where its line is, and what orders it. */
interface Placed {
  writer: string;
  offset: number;
  /** Bytes, its newline included. */
  length: number;
  number: string;
  issuedAt: string;
  /** Who it was issued to and how they saw the subject: see callerOf. */
  caller: string;
}

/**
 * Who a report was issued to (client and tier) and the view it was made with, where the record
 * states one: a verdict compares a report with the newest later one of each.
 */
function callerOf(record: StoredReport): string {
  return canonicalJson([record.issuer, (record as { viewSha256?: unknown }).viewSha256 ?? null]);
}

/** How far a chain file has been read into the index. */
interface FileRead {
  /** The file's identity: a file put in its place is read again from the start. */
  dev: number;
  ino: number;
  /**
   * Its size and time of change when last read: a file with both the same is not read again. (A
   * report read from it is checked all the same; one written in place of another, just as long
   * and within the file system's clock tick, is found once the file changes again.)
   */
  size: number;
  mtimeMs: number;
  /**
   * Its last complete line as read then, and a digest of it (the record's hash, or for a line
   * that holds no record the SHA-256 of its bytes): the next read starts at this line and goes
   * on only if the line is still there, unchanged.
   */
  last: { offset: number; length: number; digest: string } | null;
}

/**
 * Where the reports are: by number and by document (the first issued of each), by scope (all of
 * them, in issue order), and how far each chain file was read.
 */
interface Index {
  files: Map<string, FileRead>;
  byNumber: Map<string, Placed>;
  byDocument: Map<string, Placed>;
  /** Each scope's reports in issue order. */
  byScope: Map<string, Placed[]>;
  /** Each caller's key once, shared by its reports. */
  callers: Map<string, string>;
}

function emptyIndex(): Index {
  return { files: new Map(), byNumber: new Map(), byDocument: new Map(), byScope: new Map(), callers: new Map() };
}

/** Whether `a` was issued before `b`: by time, then by number. */
function issuedBefore(
  a: Pick<SignedReport, 'issuedAt' | 'number'>,
  b: Pick<SignedReport, 'issuedAt' | 'number'>,
): boolean {
  return a.issuedAt < b.issuedAt || (a.issuedAt === b.issuedAt && a.number < b.number);
}

/** Where `report` goes in `same`, which is in issue order: after every report issued before it. */
function placeInIssueOrder(same: readonly Placed[], report: Pick<SignedReport, 'issuedAt' | 'number'>): number {
  let low = 0;
  let high = same.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (issuedBefore(same[middle]!, report)) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Adds a report read at `offset` in `writer`'s file; the earliest issued wins a number or a document. */
function addToIndex(index: Index, writer: string, record: StoredReport, offset: number, length: number): void {
  if (
    typeof record.issuedAt !== 'string' ||
    typeof record.documentSha256 !== 'string' ||
    !Array.isArray(record.sections)
  )
    return;
  let caller = callerOf(record);
  const known = index.callers.get(caller);
  if (known === undefined) index.callers.set(caller, caller);
  else caller = known;
  const placed: Placed = { writer, offset, length, number: record.number, issuedAt: record.issuedAt, caller };
  const byNumber = index.byNumber.get(record.number);
  if (!byNumber || issuedBefore(placed, byNumber)) index.byNumber.set(record.number, placed);
  const byDocument = index.byDocument.get(record.documentSha256);
  if (!byDocument || issuedBefore(placed, byDocument)) index.byDocument.set(record.documentSha256, placed);
  const scope = scopeKey(record);
  const same = index.byScope.get(scope);
  if (!same) index.byScope.set(scope, [placed]);
  else if (!issuedBefore(placed, same.at(-1)!)) same.push(placed);
  else same.splice(placeInIssueOrder(same, placed), 0, placed);
}

/** A chain file's line as an issued report, its hash checked, or why it is not one. */
function parseReportLine(bytes: Buffer): StoredReport | string {
  try {
    return reportFormat.parse(JSON.parse(bytes.toString('utf8')), null);
  } catch {
    return 'not JSON';
  }
}

/** A chain file no longer holds the line its index was read up to: truncated, replaced or rewritten. */
class ChainFileChanged extends Error {}

const NEWLINE = 0x0a;

/**
 * How much of a chain file is read into the index at a time: each report's hash is checked as it
 * is read, some 250 reports here, so that the event loop waits for no more than a few milliseconds.
 */
const INDEX_CHUNK = 256 * 1024;

function isReportChain(writer: string): boolean {
  return writer === REPORTS_CHAIN || writer.startsWith(`${REPORTS_CHAIN}-`);
}

/** Most reports made durable together. */
const BATCH_MAX = 64;

/**
 * Appends to the chain `chain()` opens, one batch at a time as a chain takes them: reports issued
 * while a batch is written queue up and go together as the next one (one fdatasync or COMMIT).
 * A failed batch fails only its own reports; the next one is linked after what became durable.
 */
function appendQueue(
  chain: () => Promise<ChainWriter<IssuedReport, StoredReport>>,
  logger: Logger,
): CommitQueue<IssuedReport, StoredReport> {
  return new CommitQueue({
    name: 'issued-report register',
    batchMax: BATCH_MAX,
    logger,
    write: async (reports) => (await chain()).append(reports),
    unavailable: (cause) => new Error('issued-report register unavailable', { cause }),
  });
}

/**
 * The files store: each gateway process appends to its own chain in the directory
 * (`reports.jsonl`, or `reports-w<n>.jsonl` for worker n), opened on the first report, so a
 * gateway that never issues one holds no lock; a look-up reads every chain, so any process
 * verifies what any other issued.
 *
 * A look-up first brings the index up to date: it reads only the bytes each chain file gained
 * since it was last read, up to its last complete line (a line still being written is read once
 * it is whole), and one read at a time serves every look-up waiting for it. The index holds each
 * report's place, number, time of issue, document and scope; the report itself is read from its
 * file when asked for and checked again against its hash, so a file changed since it was read
 * is noticed, and read again from the start, as is one that shrank or was replaced.
 */
function fileStore(dir: string, logger: Logger, hooks: IssuedReportsHooks | undefined): ReportStore {
  let opening: Promise<ChainWriter<IssuedReport, StoredReport>> | undefined;
  let closed = false;
  function chain(): Promise<ChainWriter<IssuedReport, StoredReport>> {
    if (closed) return Promise.reject(new Error('issued-report register closed'));
    opening ??= openFileChain({
      dir,
      writer: writerName(REPORTS_CHAIN),
      format: reportFormat,
      name: 'issued-report register',
      logger,
      refuseLock: (refusal) =>
        new Error(
          refusal.held === 'here'
            ? `Issued-report register ${dir} is already open in this process`
            : `Issued-report register ${dir} is in use by process ${refusal.holder}`,
        ),
      accept: (read) => {
        if (read.unreadableCount > 0 || read.tailProblem !== null)
          throw new Error(
            `Issued-report register ${read.where}: ${read.unreadableCount} unreadable lines` +
              (read.tailProblem ? `; ${describeTail(read.tailProblem, { withSeq: true })}` : ''),
          );
      },
    }).catch((error: unknown) => {
      opening = undefined;
      throw error;
    });
    return opening;
  }
  const queue = appendQueue(chain, logger);

  let index = emptyIndex();
  /** Set when a file no longer holds what the index says it does: the next refresh reads every file from the start. */
  let stale = false;

  /**
   * Reads what `writer`'s file gained since `into` last read it. False, having added nothing,
   * when the file no longer holds what was read: `into` must be built again from the start.
   */
  async function readAppended(into: Index, writer: string): Promise<boolean> {
    let file: FileHandle;
    try {
      file = await open(chainPath(dir, writer), 'r');
    } catch (error) {
      // Gone since the directory was listed: the next refresh sees it gone.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
      throw error;
    }
    try {
      const { dev, ino, size, mtimeMs } = await file.stat();
      const known = into.files.get(writer);
      let check = known?.last ?? null;
      if (known && (known.dev !== dev || known.ino !== ino || size < (check ? check.offset + check.length : 0)))
        return false;
      if (known?.size === size && known.mtimeMs === mtimeMs) return true;
      let last = check;
      const from = check?.offset ?? 0;
      await forEachLine(file, { from, to: size, chunk: INDEX_CHUNK }, (bytes, offset, length) => {
        const record = parseReportLine(bytes);
        const digest = typeof record === 'string' ? sha256(bytes) : record.hash;
        if (check) {
          const same = offset === check.offset && length === check.length && digest === check.digest;
          check = null;
          if (!same) throw new ChainFileChanged();
          return;
        }
        last = { offset, length, digest };
        if (typeof record !== 'string') addToIndex(into, writer, record, offset, length);
      });
      hooks?.read?.({ writer, bytes: size - from, purpose: 'index' });
      // The line read last time is no longer whole.
      if (check) return false;
      into.files.set(writer, { dev, ino, size, mtimeMs, last });
      return true;
    } catch (error) {
      if (error instanceof ChainFileChanged) return false;
      throw error;
    } finally {
      await file.close();
    }
  }

  /** Brings the index up to date with the chain files in the directory. */
  async function refresh(): Promise<Index> {
    const writers = (
      await chainFiles(dir).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return [];
        throw error;
      })
    ).filter(isReportChain);
    let current = index;
    if (stale || [...current.files.keys()].some((writer) => !writers.includes(writer))) current = emptyIndex();
    stale = false;
    try {
      for (const writer of writers) {
        if (await readAppended(current, writer)) continue;
        logger.warn(
          { writer },
          'issued-report register: a chain file changed under its index; reading every file again',
        );
        current = emptyIndex();
        for (const again of writers) await readAppended(current, again);
        break;
      }
    } catch (error) {
      // What was added before the error is not recorded as read: start again next time.
      stale = true;
      throw error;
    }
    index = current;
    return current;
  }

  let latest: Promise<unknown> = Promise.resolve();
  let waiting: Promise<Index> | undefined;
  /**
   * The index as of a refresh that started after the call: one refresh runs at a time, and all
   * the calls that come while one runs share the next.
   */
  function upToDate(): Promise<Index> {
    if (!waiting) {
      waiting = latest
        .catch(() => undefined)
        .then(() => {
          waiting = undefined;
          return refresh();
        });
      latest = waiting;
    }
    return waiting;
  }

  /**
   * The reports at `places`, read from their files, each kept only if it still matches its hash,
   * its place and `fits`; undefined where it does not.
   */
  async function load(
    places: readonly Placed[],
    fits: (record: StoredReport) => boolean,
  ): Promise<(StoredReport | undefined)[]> {
    const found: (StoredReport | undefined)[] = places.map(() => undefined);
    const byWriter = new Map<string, number[]>();
    places.forEach((place, i) => {
      const list = byWriter.get(place.writer);
      if (list) list.push(i);
      else byWriter.set(place.writer, [i]);
    });
    for (const [writer, indexes] of byWriter) {
      let file: FileHandle;
      try {
        file = await open(chainPath(dir, writer), 'r');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw error;
      }
      try {
        for (const i of indexes) {
          const place = places[i]!;
          const bytes = Buffer.alloc(place.length);
          const { bytesRead } = await file.read(bytes, 0, place.length, place.offset);
          hooks?.read?.({ writer, bytes: bytesRead, purpose: 'record' });
          if (bytesRead !== place.length || bytes[place.length - 1] !== NEWLINE) continue;
          const record = parseReportLine(bytes.subarray(0, place.length - 1));
          if (typeof record === 'string' || record.number !== place.number || record.issuedAt !== place.issuedAt)
            continue;
          if (fits(record)) found[i] = record;
        }
      } finally {
        await file.close();
      }
    }
    return found;
  }

  /** The reports `pick` places in the index, as read from their files. */
  async function lookUp(
    pick: (index: Index) => readonly Placed[],
    fits: (record: StoredReport) => boolean,
  ): Promise<StoredReport[]> {
    let found = await load(pick(await upToDate()), fits);
    if (found.includes(undefined)) {
      // A file no longer holds what was read from it: read every file again, and look again.
      stale = true;
      found = await load(pick(await upToDate()), fits);
    }
    return found.filter((record) => record !== undefined);
  }

  const one = (placed: Placed | undefined): Placed[] => (placed ? [placed] : []);
  return {
    append: (report) => queue.append(report),
    byNumber: async (number) =>
      (
        await lookUp(
          (index) => one(index.byNumber.get(number)),
          (record) => record.number === number,
        )
      )[0],
    byDocument: async (sha) =>
      (
        await lookUp(
          (index) => one(index.byDocument.get(sha)),
          (record) => record.documentSha256 === sha,
        )
      )[0],
    sameScope(report) {
      const scope = scopeKey(report);
      return lookUp(
        (index) => {
          const same = index.byScope.get(scope) ?? [];
          const itself: Placed[] = [];
          const newest = new Map<string, number>();
          for (let i = placeInIssueOrder(same, report); i < same.length; i++) {
            const placed = same[i]!;
            if (placed.number === report.number) itself.push(placed);
            else newest.set(placed.caller, i);
          }
          return [...itself, ...[...newest.values()].sort((a, b) => a - b).map((i) => same[i]!)];
        },
        (record) => scopeKey(record) === scope,
      );
    },
    async close() {
      await queue.close();
      closed = true;
      const writer = await opening?.catch(() => undefined);
      await writer?.close();
    },
  };
}

export const REPORTS_TABLE = 'issued_reports';

/**
 * A row's caller, as callerOf: the issuer (client and tier) and the view. Issue order is by time,
 * then by number byte by byte (COLLATE "C"), as the files store orders them.
 */
const CALLER = `coalesce((record->'issuer')::text, '') || ' ' || coalesce(record->>'viewSha256', '')`;

/** The row of a number, or the first issued of a document. */
const FIRST_ISSUED = (column: 'number' | 'document_sha256') =>
  `SELECT record FROM ${REPORTS_TABLE} WHERE ${column} = $1 ORDER BY issued_at, number COLLATE "C" LIMIT 1`;

/**
 * The report of scope $1 issued at $2 as number $3, and of the later reports in its scope the
 * newest of each caller: the callers are walked on the index (one probe each, a caller's newest
 * read from the end of its run), so that a verification reads as many rows as the scope has
 * callers, however many reports they were issued.
 */
const SAME_SCOPE = `
WITH RECURSIVE callers (caller) AS (
  (SELECT ${CALLER} FROM ${REPORTS_TABLE} WHERE scope = $1 ORDER BY 1 LIMIT 1)
  UNION ALL
  SELECT (SELECT ${CALLER} FROM ${REPORTS_TABLE} WHERE scope = $1 AND ${CALLER} > callers.caller ORDER BY 1 LIMIT 1)
  FROM callers
  WHERE callers.caller IS NOT NULL
)
SELECT record FROM (
  SELECT newest.* FROM callers CROSS JOIN LATERAL (
    SELECT record, issued_at, number FROM ${REPORTS_TABLE}
    WHERE scope = $1 AND ${CALLER} = callers.caller
    ORDER BY issued_at DESC, number COLLATE "C" DESC
    LIMIT 1
  ) newest
  WHERE (newest.issued_at, newest.number COLLATE "C") > ($2::timestamptz, $3 COLLATE "C")
  UNION ALL
  SELECT record, issued_at, number FROM ${REPORTS_TABLE} WHERE number = $3 AND scope = $1
) found
ORDER BY issued_at, number COLLATE "C"`;

export const reportsTable: LogTable<StoredReport> = {
  table: REPORTS_TABLE,
  name: 'issued-report register',
  columns: [
    { name: 'writer', type: 'text NOT NULL' },
    { name: 'seq', type: 'bigint NOT NULL' },
    { name: 'number', type: 'text NOT NULL UNIQUE' },
    { name: 'document_sha256', type: 'text NOT NULL' },
    { name: 'scope', type: 'text NOT NULL' },
    { name: 'issued_at', type: 'timestamptz NOT NULL' },
    { name: 'record', type: 'jsonb NOT NULL', cast: 'jsonb' },
  ],
  chains: { column: 'writer' },
  seqColumn: 'seq',
  indexes: [
    `CREATE INDEX ${REPORTS_TABLE}_document ON ${REPORTS_TABLE} (document_sha256)`,
    `CREATE INDEX ${REPORTS_TABLE}_scope ON ${REPORTS_TABLE} (scope, issued_at)`,
  ],
  addedIndexes: [
    `CREATE INDEX IF NOT EXISTS ${REPORTS_TABLE}_scope_caller ON ${REPORTS_TABLE} ` +
      `(scope, (${CALLER}), issued_at, number COLLATE "C")`,
  ],
  // Serializes replicas creating the table at the same time; any constant shared by them will do.
  ddlLock: 4_004_007,
  values: (record) => [
    record.writer,
    record.seq,
    record.number,
    record.documentSha256,
    sha256(scopeKey(record)),
    record.issuedAt,
    canonicalJson(record),
  ],
  fromRow: (row) => row['record'],
};

/**
 * The PostgreSQL store: the table `issued_reports` beside the query register, one chain per
 * writer (the register's writer id, one per replica), append-only by trigger like the register.
 */
function postgresStore(
  options: { url: string; poolSize: number; writer: string; timeoutMs: number },
  logger: Logger,
  hooks: IssuedReportsHooks | undefined,
): ReportStore {
  let opening: Promise<TableChain<IssuedReport, StoredReport>> | undefined;
  let closed = false;
  const writer = writerName(`${REPORTS_CHAIN}-${options.writer}`);
  function chain(): Promise<TableChain<IssuedReport, StoredReport>> {
    if (closed) return Promise.reject(new Error('issued-report register closed'));
    opening ??= openTableChain({
      url: options.url,
      poolSize: options.poolSize,
      timeoutMs: options.timeoutMs,
      spec: reportsTable,
      format: reportFormat,
      writer,
      name: 'issued-report register',
      applicationName: 'credit-gateway-reports',
      logger,
      forkHint: 'give each replica its own REGISTER_WRITER_ID',
      accept: (read) => {
        if (read.tailProblem !== null)
          throw new Error(`Issued-report register ${read.where}: ${describeTail(read.tailProblem, { withSeq: true })}`);
      },
    }).catch((error: unknown) => {
      opening = undefined;
      throw error;
    });
    return opening;
  }
  const queue = appendQueue(chain, logger);
  async function select(
    purpose: 'byNumber' | 'byDocument' | 'sameScope',
    sql: string,
    values: unknown[],
  ): Promise<StoredReport[]> {
    const { pool } = await chain();
    const { rows } = await pool.query<{ record: unknown }>(sql, values);
    hooks?.query?.({ purpose, text: sql, values, rows: rows.length });
    return rows.map((row) => {
      const record = reportFormat.parse(row.record, null);
      if (typeof record === 'string') throw new Error(`issued-report register: unreadable row (${record})`);
      return record;
    });
  }
  return {
    append: (report) => queue.append(report),
    byNumber: async (number) => (await select('byNumber', FIRST_ISSUED('number'), [number]))[0],
    byDocument: async (sha) => (await select('byDocument', FIRST_ISSUED('document_sha256'), [sha]))[0],
    sameScope: (report) => select('sameScope', SAME_SCOPE, [sha256(scopeKey(report)), report.issuedAt, report.number]),
    async close() {
      await queue.close();
      closed = true;
      const table = await opening?.catch(() => undefined);
      await table?.close();
    },
  };
}

/** Issues and verifies reports, on the files in REPORT_DIR or on PostgreSQL beside the register. */
export function createIssuedReports(options: IssuedReportsOptions): IssuedReports {
  const keyId = keyIdOf(options.signingKey);
  // Every key a report may have been signed with, by its id: the current one and those rotated out.
  const verifyingKeys = new Map<string, KeyObject>(
    [...(options.earlierKeys ?? []), createPublicKey(options.signingKey)].map((key) => [keyIdOf(key), key]),
  );
  const store = options.postgres
    ? postgresStore(options.postgres, options.logger, options.hooks)
    : fileStore(options.dir, options.logger, options.hooks);

  function signatureValid(record: StoredReport): boolean {
    const publicKey = verifyingKeys.get(record.keyId);
    if (!publicKey) return false;
    try {
      return verify(
        null,
        Buffer.from(canonicalJson(signedPart(record))),
        publicKey,
        Buffer.from(record.signature, 'base64url'),
      );
    } catch {
      return false;
    }
  }

  async function verdictOf(record: StoredReport): Promise<Verdict> {
    if (!signatureValid(record)) return { authentic: false, reason: 'SIGNATURE_INVALID' };
    const all = await store.sameScope(record);
    const at = all.findIndex((other) => other.number === record.number);
    const newer = at < 0 ? [] : all.slice(at + 1).filter((other) => sameCaller(other, record));
    const sameView = newer.filter((other) => record.viewSha256 && other.viewSha256 === record.viewSha256).at(-1);
    const signed = signedPart(record);
    return {
      authentic: true,
      report: {
        number: record.number,
        issuedAt: record.issuedAt,
        issuer: record.issuer,
        subject: { code: record.subject, name: record.subjectName ?? null },
        sections: record.sections,
        from: record.from,
        to: record.to,
        special: record.special,
        format: record.format,
        document: { sha256: record.documentSha256, fingerprint: fingerprintOf(record.documentSha256) },
        signature: {
          algorithm: 'Ed25519',
          keyId: record.keyId,
          valid: true,
          payload: canonicalJson(signed),
          value: record.signature,
        },
        superseded: newer.length > 0,
        supersededAt: newer.at(-1)?.issuedAt ?? null,
        recordsChangedSince: sameView ? sameView.dataSha256 !== record.dataSha256 : null,
      },
    };
  }

  return {
    async issue(input) {
      const { verificationCode, ...rest } = input;
      const signed: SignedReport = { ...rest, codeSha256: sha256(verificationCode), keyId };
      const signature = sign(null, Buffer.from(canonicalJson(signed)), options.signingKey).toString('base64url');
      return store.append({ ...signed, signature });
    },
    async verifyCode(number, code) {
      const record = await store.byNumber(number.trim().toUpperCase());
      const given = Buffer.from(sha256(code.trim().toUpperCase()), 'hex');
      const expected = Buffer.from(record?.codeSha256 ?? sha256(`no report ${number}`), 'hex');
      if (!record || !timingSafeEqual(given, expected)) return { authentic: false, reason: 'NO_SUCH_REPORT' };
      return verdictOf(record);
    },
    async verifyDocument(bytes) {
      const record = await store.byDocument(sha256(bytes));
      if (!record) {
        const claimed = claimedNumber(bytes);
        return { authentic: false, reason: 'DOCUMENT_NOT_ISSUED', ...(claimed ? { claimedNumber: claimed } : {}) };
      }
      return verdictOf(record);
    },
    close: () => store.close(),
  };
}

/** The report number a document names (the PDF's keywords, the HTML's meta), if it names one. */
function claimedNumber(bytes: Buffer): string | undefined {
  const text = bytes.toString('latin1');
  const match = /report-number[:"]\s*(?:content=")?(CGR-\d{8}-[0-9A-Z]{10})/.exec(text);
  return match?.[1];
}

/** Refused when the register cannot take a report: no report is handed out unregistered. */
export function reportRegisterUnavailable(): CreditGatewayError {
  return new CreditGatewayError(
    'REGISTER_UNAVAILABLE',
    'The issued-report register cannot record this report, so it is not issued; try again later',
  );
}
