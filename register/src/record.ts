import { createHash } from 'node:crypto';
import { isTier, type Tier } from '@credit-gateway/common';
import {
  canonicalJson,
  CHAIN_NAME_PATTERN,
  HASH_PATTERN,
  sealedHash,
  type ChainLink,
  type LogFormat,
} from '@credit-gateway/common/durable-log';

export { canonicalJson, GENESIS_HASH } from '@credit-gateway/common/durable-log';

/** How a registered request ended. */
export const QUERY_OUTCOMES = ['OK', 'PARTIAL', 'DENIED', 'REJECTED', 'ERROR'] as const;

export type QueryOutcome = (typeof QUERY_OUTCOMES)[number];

/** What the gateway registers of one request (查询使用登记), before the register seals it into its chain. */
export interface QueryRecordInput {
  /** When the request was made: an ISO 8601 time as `Date#toISOString` writes it. */
  time: string;
  requestId: string;
  /** The token's `sub`, or null without a token. */
  caller: string | null;
  /** The token's `client_id`, or null. */
  client: string | null;
  tier: Tier;
  /** The stated purpose (查询事由), or null. */
  purpose: string | null;
  operationName: string | null;
  /** SHA-256, in hex, of the document text. */
  operationHash: string;
  /** Credit codes and pseudonymized person keys the request touched, stored as given. */
  subjects: readonly string[];
  /** `Type.field` coordinates returned, and denied. */
  fieldsReturned: readonly string[];
  fieldsDenied: readonly string[];
  outcome: QueryOutcome;
  /** `extensions.code` of the errors in the response. */
  errorCodes?: readonly string[];
}

/** A record as the register keeps it: the input, sealed into its writer's hash chain. */
export interface StoredQueryRecord {
  /** The gateway process that wrote it; each writer keeps its own chain. */
  writer: string;
  /** Place in the writer's chain: 1, 2, 3… with no gaps. */
  seq: number;
  /** The previous record's `hash`, or GENESIS_HASH for seq 1. */
  prevHash: string;
  /** SHA-256, in hex, of the canonical serialization of every other field. */
  hash: string;
  time: string;
  requestId: string;
  caller: string | null;
  client: string | null;
  tier: Tier;
  purpose: string | null;
  operationName: string | null;
  operationHash: string;
  subjects: string[];
  fieldsReturned: string[];
  fieldsDenied: string[];
  outcome: QueryOutcome;
  errorCodes: string[];
}

/** Writer ids name files and chains: letters, digits, `.`, `_` and `-`, not starting with a dot. */
export const WRITER_ID_PATTERN = CHAIN_NAME_PATTERN;

/** The hash a stored record must carry: over every field except `hash` itself. */
export function recordHash(record: Omit<StoredQueryRecord, 'hash'> & { hash?: string }): string {
  return sealedHash(record);
}

/** Seals an input as the record after `prev` in `writer`'s chain. */
export function sealRecord(input: QueryRecordInput, writer: string, prev: ChainLink): StoredQueryRecord {
  // Only the known fields, copied: nothing else reaches the register, and later changes to the
  // caller's arrays cannot change what was hashed.
  const unsealed: Omit<StoredQueryRecord, 'hash'> = {
    writer,
    seq: prev.seq + 1,
    prevHash: prev.hash,
    time: input.time,
    requestId: input.requestId,
    caller: input.caller,
    client: input.client,
    tier: input.tier,
    purpose: input.purpose,
    operationName: input.operationName,
    operationHash: input.operationHash,
    subjects: [...input.subjects],
    fieldsReturned: [...input.fieldsReturned],
    fieldsDenied: [...input.fieldsDenied],
    outcome: input.outcome,
    errorCodes: [...(input.errorCodes ?? [])],
  };
  return { ...unsealed, hash: recordHash(unsealed) };
}

/** Longest caller-supplied text a record keeps whole; longer text is cut and marked. */
export const MAX_RECORD_TEXT = 128;

/**
 * The input with every caller-supplied text bounded (request id, caller, client, purpose,
 * operation name): a 450 KB operation name must not be fsynced into every record. Text longer
 * than MAX_RECORD_TEXT keeps its first characters and ends with a marker naming its full length
 * and SHA-256, so two long names that differ still differ in the register, and the original can
 * be matched against it. Subjects, coordinates and codes are the gateway's own, already bounded.
 */
export function boundedInput(input: QueryRecordInput): QueryRecordInput {
  const fields = ['requestId', 'caller', 'client', 'purpose', 'operationName'] as const;
  if (fields.every((name) => typeof input[name] !== 'string' || input[name].length <= MAX_RECORD_TEXT)) return input;
  const bounded: QueryRecordInput = { ...input };
  for (const name of fields) {
    const value = input[name];
    if (typeof value === 'string' && value.length > MAX_RECORD_TEXT) bounded[name] = boundedText(value);
  }
  return bounded;
}

/** `<first 48 characters>…[<length> chars, sha256:<first 16 hex>]`: at most 128 characters. */
export function boundedText(value: string): string {
  if (value.length <= MAX_RECORD_TEXT) return value;
  let keep = 48;
  // Never split a surrogate pair: half a character cannot be stored.
  const last = value.charCodeAt(keep - 1);
  if (last >= 0xd800 && last <= 0xdbff) keep--;
  const digest = createHash('sha256').update(value).digest('hex').slice(0, 16);
  return `${value.slice(0, keep)}…[${value.length} chars, sha256:${digest}]`;
}

/**
 * Why an input cannot be registered, or null when it can. Both backends must give back exactly
 * what was hashed, so strings PostgreSQL cannot store as given (NUL, unpaired surrogates) are
 * refused rather than silently altered.
 */
export function inputProblem(input: QueryRecordInput): string | null {
  const value = input as unknown as Record<string, unknown>;
  const text = (name: string, nullable: boolean): string | null => {
    const item = value[name];
    if (item === null && nullable) return null;
    if (typeof item !== 'string') return `${name} must be a string${nullable ? ' or null' : ''}`;
    return storableString(item) ? null : `${name} holds a character that cannot be stored`;
  };
  const list = (name: string, optional = false): string | null => {
    const item = value[name];
    if (item === undefined && optional) return null;
    if (!Array.isArray(item)) return `${name} must be an array of strings`;
    for (const entry of item as unknown[]) {
      if (typeof entry !== 'string') return `${name} must be an array of strings`;
      if (!storableString(entry)) return `${name} holds a character that cannot be stored`;
    }
    return null;
  };
  if (typeof input.time !== 'string' || !isIsoTime(input.time)) {
    return 'time must be an ISO 8601 time as Date#toISOString writes it';
  }
  if (!isTier(input.tier)) return 'tier must be one of the tiers';
  if (!(QUERY_OUTCOMES as readonly unknown[]).includes(input.outcome)) return 'outcome must be one of the outcomes';
  if (typeof input.operationHash !== 'string' || !HASH_PATTERN.test(input.operationHash)) {
    return 'operationHash must be a SHA-256 in lower-case hex';
  }
  return (
    text('requestId', false) ??
    text('caller', true) ??
    text('client', true) ??
    text('purpose', true) ??
    text('operationName', true) ??
    list('subjects') ??
    list('fieldsReturned') ??
    list('fieldsDenied') ??
    list('errorCodes', true)
  );
}

/** The input as the register stores it, bounded, or the TypeError that refuses it. */
export function registrable(given: QueryRecordInput): QueryRecordInput | TypeError {
  const input = boundedInput(given);
  const problem = inputProblem(input);
  return problem === null ? input : new TypeError(`Query record not registered: ${problem}`);
}

/**
 * Reads a stored record back from JSON or a database row: the record, or why it is not one.
 * Used by start-up and `verify`, so a damaged record is reported, never trusted.
 */
export function parseStoredRecord(value: unknown): StoredQueryRecord | string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'not an object';
  const record = value as Record<string, unknown>;
  if (typeof record['writer'] !== 'string' || !WRITER_ID_PATTERN.test(record['writer'])) return 'bad writer';
  const seq = record['seq'];
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) return 'bad seq';
  for (const name of ['prevHash', 'hash'] as const) {
    const hash = record[name];
    if (typeof hash !== 'string' || !HASH_PATTERN.test(hash)) return `bad ${name}`;
  }
  const problem = inputProblem(record as unknown as QueryRecordInput);
  if (problem !== null) return problem;
  if (!Array.isArray(record['errorCodes'])) return 'errorCodes must be an array of strings';
  const known = new Set([
    'writer',
    'seq',
    'prevHash',
    'hash',
    'time',
    'requestId',
    'caller',
    'client',
    'tier',
    'purpose',
    'operationName',
    'operationHash',
    'subjects',
    'fieldsReturned',
    'fieldsDenied',
    'outcome',
    'errorCodes',
  ]);
  const unknown = Object.keys(record).find((key) => !known.has(key));
  if (unknown !== undefined) return `unknown field ${unknown}`;
  return record as unknown as StoredQueryRecord;
}

export function isIsoTime(value: string): boolean {
  const time = Date.parse(value);
  return Number.isFinite(time) && new Date(time).toISOString() === value;
}

const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function storableString(value: string): boolean {
  return !UNSTORABLE.test(value);
}

/** The register's records in the durable log: one canonical JSON line, or row, per record. */
export const registerFormat: LogFormat<QueryRecordInput, StoredQueryRecord> = {
  noun: 'register record',
  seal: sealRecord,
  link: (record) => record,
  hashOf: recordHash,
  line: canonicalJson,
  parse: parseStoredRecord,
};
