/**
 * The issued-report register (报告出具登记): one record per report the gateway issued, signed
 * with Ed25519 over the SHA-256 of the document's bytes and the report's metadata, and kept in the
 * durable log's hash-chained file chain `<REPORT_DIR>/reports.jsonl` (written, fdatasync'ed, then
 * acknowledged; one writing process per directory). A report is handed out only once its record
 * is durable. The verification code is kept as its SHA-256 only.
 */
import cluster from 'node:cluster';
import { open } from 'node:fs/promises';
import { createHash, createPublicKey, randomBytes, sign, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import { CreditGatewayError, type Logger } from '@credit-gateway/common';
import {
  canonicalJson,
  chainFiles,
  chainPath,
  EMPTY_CHAIN,
  follows,
  HASH_PATTERN,
  openFileChain,
  readChainFile,
  sealedHash,
  type ChainLink,
  type ChainWriter,
  type LogFormat,
} from '@credit-gateway/common/durable-log';
import type { ReportFormat } from './scope.js';

export const REPORTS_CHAIN = 'reports';

/** What is signed: everything the verify endpoint may state, and the document's digest. */
export interface SignedReport {
  number: string;
  issuedAt: string;
  /** The subject's unified social credit code; kept to find newer reports, never answered. */
  subject: string;
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
  /** SHA-256 (hex) of the verification code. */
  codeSha256: string;
  keyId: string;
}

export interface IssuedReport extends SignedReport {
  /** Ed25519 over canonicalJson(SignedReport), base64url. */
  signature: string;
}

export interface StoredReport extends IssuedReport {
  seq: number;
  prevHash: string;
  hash: string;
}

const reportFormat: LogFormat<IssuedReport, StoredReport> = {
  noun: 'issued report',
  seal(input, _writer, prev: ChainLink) {
    const unsealed = { ...input, seq: prev.seq + 1, prevHash: prev.hash };
    return { ...unsealed, hash: sealedHash(unsealed) };
  },
  link: (record) => ({ seq: record.seq, hash: record.hash, prevHash: record.prevHash }),
  hashOf: (record) => sealedHash(record),
  line: (record) => canonicalJson(record),
  parse(value, previous) {
    if (value === null || typeof value !== 'object') return 'not a record';
    const record = value as StoredReport;
    if (typeof record.number !== 'string' || typeof record.signature !== 'string') return 'not an issued report';
    if (!HASH_PATTERN.test(record.hash) || sealedHash(record) !== record.hash) return 'hash does not match';
    if (!follows(record, previous ?? (record.seq === 1 ? EMPTY_CHAIN : null))) return 'does not follow';
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
  report?: {
    number: string;
    issuedAt: string;
    issuer: { client: string | null; tier: string };
    sections: string[];
    from: string | null;
    to: string | null;
    special: boolean;
    format: ReportFormat;
    signature: { algorithm: 'Ed25519'; keyId: string; valid: true };
    /** A newer report was issued for the same subject and scope (sections and period). */
    superseded: boolean;
    supersededAt: string | null;
    /**
     * Whether the newer report of the same subject, scope and caller tier was made from different
     * data: the subject's records changed since. Null when no such newer report was issued.
     */
    recordsChangedSince: boolean | null;
  };
}

export interface IssuedReports {
  issue(input: Omit<SignedReport, 'keyId' | 'codeSha256'> & { verificationCode: string }): Promise<StoredReport>;
  verifyCode(number: string, code: string): Promise<Verdict>;
  verifyDocument(bytes: Buffer): Promise<Verdict>;
  close(): Promise<void>;
}

export interface IssuedReportsOptions {
  dir: string;
  signingKey: KeyObject;
  logger: Logger;
}

function scopeKey(report: SignedReport): string {
  return `${report.subject}\n${report.sections.join(',')}\n${report.from ?? ''}\n${report.to ?? ''}`;
}

export function signedPart(report: IssuedReport): SignedReport {
  const { signature: _signature, ...signed } = report as IssuedReport & Partial<StoredReport>;
  const { seq: _seq, prevHash: _prevHash, hash: _hash, ...rest } = signed as SignedReport & Partial<StoredReport>;
  return rest;
}

interface Index {
  byNumber: Map<string, StoredReport>;
  byDocument: Map<string, StoredReport>;
  byScope: Map<string, StoredReport[]>;
}

/**
 * Every issued report in the directory, from every writer's chain: each gateway process writes its
 * own (`reports.jsonl`, or `reports-w<n>.jsonl` for worker n), and a verifier sees them all.
 */
async function readIndex(dir: string): Promise<Index> {
  const index: Index = { byNumber: new Map(), byDocument: new Map(), byScope: new Map() };
  const writers = await chainFiles(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  const records: StoredReport[] = [];
  for (const writer of writers.filter((name) => name === REPORTS_CHAIN || name.startsWith(`${REPORTS_CHAIN}-`))) {
    const file = await open(chainPath(dir, writer), 'r');
    try {
      await readChainFile(file, reportFormat, (record) => {
        if (typeof record !== 'string') records.push(record);
      });
    } finally {
      await file.close();
    }
  }
  records.sort((a, b) => (a.issuedAt < b.issuedAt ? -1 : a.issuedAt > b.issuedAt ? 1 : 0));
  for (const record of records) {
    index.byNumber.set(record.number, record);
    index.byDocument.set(record.documentSha256, record);
    const key = scopeKey(record);
    index.byScope.set(key, [...(index.byScope.get(key) ?? []), record]);
  }
  return index;
}

/** This process's chain: `reports`, or `reports-w<n>` in cluster worker n. */
function writerName(): string {
  return cluster.isWorker && cluster.worker ? `${REPORTS_CHAIN}-w${cluster.worker.id}` : REPORTS_CHAIN;
}

/** The register, opened on first use: a gateway that never issues a report holds no lock on REPORT_DIR. */
export function createIssuedReports(options: IssuedReportsOptions): IssuedReports {
  const publicKey = createPublicKey(options.signingKey);
  const keyId = keyIdOf(options.signingKey);
  let opening: Promise<ChainWriter<IssuedReport, StoredReport>> | undefined;
  let closed = false;

  function chain(): Promise<ChainWriter<IssuedReport, StoredReport>> {
    if (closed) return Promise.reject(new Error('issued-report register closed'));
    opening ??= openFileChain({
      dir: options.dir,
      writer: writerName(),
      format: reportFormat,
      name: 'issued-report register',
      logger: options.logger,
      refuseLock: (refusal) =>
        new Error(
          refusal.held === 'here'
            ? `Issued-report register ${options.dir} is already open in this process`
            : `Issued-report register ${options.dir} is in use by process ${refusal.holder}`,
        ),
      accept: (read) => {
        if (read.unreadableCount > 0)
          throw new Error(`Issued-report register ${read.where}: ${read.unreadableCount} unreadable lines`);
      },
    }).catch((error: unknown) => {
      opening = undefined;
      throw error;
    });
    return opening;
  }

  function signatureValid(record: StoredReport): boolean {
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

  function verdictOf(index: Index, record: StoredReport): Verdict {
    if (record.keyId !== keyId || !signatureValid(record)) return { authentic: false, reason: 'SIGNATURE_INVALID' };
    const all = index.byScope.get(scopeKey(record)) ?? [];
    const newer = all.slice(all.indexOf(record) + 1);
    const latest = newer.filter((other) => other.issuer.tier === record.issuer.tier).at(-1);
    return {
      authentic: true,
      report: {
        number: record.number,
        issuedAt: record.issuedAt,
        issuer: record.issuer,
        sections: record.sections,
        from: record.from,
        to: record.to,
        special: record.special,
        format: record.format,
        signature: { algorithm: 'Ed25519', keyId: record.keyId, valid: true },
        superseded: newer.length > 0,
        supersededAt: newer.at(-1)?.issuedAt ?? null,
        recordsChangedSince: latest ? latest.dataSha256 !== record.dataSha256 : null,
      },
    };
  }

  return {
    async issue(input) {
      const { verificationCode, ...rest } = input;
      const signed: SignedReport = { ...rest, codeSha256: sha256(verificationCode), keyId };
      const signature = sign(null, Buffer.from(canonicalJson(signed)), options.signingKey).toString('base64url');
      const writer = await chain();
      const [stored] = await writer.append([{ ...signed, signature }]);
      return stored!;
    },
    async verifyCode(number, code) {
      const index = await readIndex(options.dir);
      const record = index.byNumber.get(number.trim().toUpperCase());
      const given = Buffer.from(sha256(code.trim().toUpperCase()), 'hex');
      const expected = Buffer.from(record?.codeSha256 ?? sha256(`no report ${number}`), 'hex');
      if (!record || !timingSafeEqual(given, expected)) return { authentic: false, reason: 'NO_SUCH_REPORT' };
      return verdictOf(index, record);
    },
    async verifyDocument(bytes) {
      const index = await readIndex(options.dir);
      const record = index.byDocument.get(sha256(bytes));
      if (!record) {
        const claimed = claimedNumber(bytes);
        return { authentic: false, reason: 'DOCUMENT_NOT_ISSUED', ...(claimed ? { claimedNumber: claimed } : {}) };
      }
      return verdictOf(index, record);
    },
    async close() {
      closed = true;
      const writer = await opening?.catch(() => undefined);
      await writer?.close();
    },
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
