import { createHash } from 'node:crypto';

/** What the first record of a chain links to. */
export const GENESIS_HASH = '0'.repeat(64);

/** A SHA-256 in lower-case hex, as every hash in a chain is written. */
export const HASH_PATTERN = /^[0-9a-f]{64}$/;

/** Where a chain ends: its last record's place and hash; `{ seq: 0, hash: GENESIS_HASH }` when empty. */
export interface ChainLink {
  seq: number;
  hash: string;
}

export const EMPTY_CHAIN: ChainLink = Object.freeze({ seq: 0, hash: GENESIS_HASH });

/** A stored record's place in its chain, as its format reads it. */
export interface RecordLink extends ChainLink {
  /** The hash of the record before it, or GENESIS_HASH for seq 1. */
  prevHash: string;
  /** The chain the record says it belongs to, for formats that write it into each record. */
  writer?: string;
}

/**
 * What the log needs to know of the records a user keeps in it. A record is sealed into its
 * chain with its place (`seq`, 1, 2, 3… with no gaps), the previous record's hash, and its own:
 * a SHA-256 over everything but that hash, so that a changed record no longer matches, and a
 * removed, replaced or reordered one no longer links.
 */
export interface LogFormat<Input, Stored> {
  /** What a record is called in reports, e.g. "register record". */
  readonly noun: string;
  /** `input` as the record after `prev` in `writer`'s chain, its hash computed. */
  seal(input: Input, writer: string, prev: ChainLink): Stored;
  link(record: Stored): RecordLink;
  /** The hash `record` must carry, computed from its content. */
  hashOf(record: Stored): string;
  /** The line that stores it in a chain file, without its newline. */
  line(record: Stored): string;
  /**
   * A record read back (a parsed JSON line, or a row as the table gives it), or why it is not
   * one. `previous` is the readable record stored just before it in the same chain, or null.
   */
  parse(value: unknown, previous: Stored | null): Stored | string;
}

/**
 * JSON with every object's keys sorted and no whitespace: the same record always serializes to
 * the same bytes, whichever backend stored it and in whatever key order it was read back.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** SHA-256 (hex) of the canonical serialization of `record` without its `hash` field. */
export function sealedHash(record: object & { hash?: unknown }): string {
  const { hash: _hash, ...sealed } = record;
  return createHash('sha256').update(canonicalJson(sealed)).digest('hex');
}

/** Seals `inputs` one after another after `tail` in `writer`'s chain: the records, and the new tail. */
export function sealAfter<Input, Stored>(
  format: LogFormat<Input, Stored>,
  writer: string,
  tail: ChainLink,
  inputs: readonly Input[],
): { records: Stored[]; tail: ChainLink } {
  const records: Stored[] = [];
  let prev = tail;
  for (const input of inputs) {
    const record = format.seal(input, writer, prev);
    records.push(record);
    const { seq, hash } = format.link(record);
    prev = { seq, hash };
  }
  return { records, tail: prev };
}

/** Whether `record` is the one after `previous` (null: it should start the chain). */
export function follows(record: RecordLink, previous: ChainLink | null): boolean {
  const before = previous ?? EMPTY_CHAIN;
  return record.seq === before.seq + 1 && record.prevHash === before.hash;
}

/** Why a chain's last record cannot be continued from. */
export type TailProblem =
  | { kind: 'unreadable'; reason: string }
  | { kind: 'wrong-writer'; writer: string }
  | { kind: 'hash-mismatch'; seq: number }
  | { kind: 'unlinked'; seq: number };

/**
 * Checks the last record of `writer`'s chain before anything is linked to it: it must be
 * readable, be the writer's, match its hash and follow the record before it (`previous`; null
 * when it is the only one, a string when that one is unreadable). A crash cannot leave any of
 * these: appending would bury the damage under records that link to it.
 */
export function tailProblem<Stored>(
  format: LogFormat<unknown, Stored>,
  writer: string,
  last: Stored | string,
  previous: Stored | string | null,
): TailProblem | null {
  if (typeof last === 'string') return { kind: 'unreadable', reason: last };
  const link = format.link(last);
  if (link.writer !== undefined && link.writer !== writer) return { kind: 'wrong-writer', writer: link.writer };
  if (format.hashOf(last) !== link.hash) return { kind: 'hash-mismatch', seq: link.seq };
  const linked = typeof previous !== 'string' && follows(link, previous === null ? null : format.link(previous));
  return linked ? null : { kind: 'unlinked', seq: link.seq };
}

/** The problem in words; `withSeq` names the record's seq where the context does not. */
export function describeTail(problem: TailProblem, options: { withSeq: boolean }): string {
  const record = (seq: number) => (options.withSeq ? `the last record (seq ${seq})` : 'the last record');
  switch (problem.kind) {
    case 'unreadable':
      return `the last record is unreadable (${problem.reason})`;
    case 'wrong-writer':
      return `the last record belongs to writer '${problem.writer}'`;
    case 'hash-mismatch':
      return `${record(problem.seq)} does not match its hash`;
    case 'unlinked':
      return `${record(problem.seq)} does not follow the one before it`;
  }
}
