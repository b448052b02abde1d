import { open } from 'node:fs/promises';
import pg from 'pg';
import { GENESIS_HASH, type LogFormat } from './chain.js';
import { chainFiles, chainPath, CHAIN_NAME_PATTERN, readChainFile } from './file-chain.js';
import type { LogTable } from './postgres-chain.js';

export type ProblemKind =
  | 'unreadable'
  | 'wrong-writer'
  | 'hash-mismatch'
  | 'prev-hash-mismatch'
  | 'missing'
  | 'out-of-order'
  | 'duplicate'
  | 'head-mismatch'
  | 'truncated'
  | 'chain-missing';

export interface ChainProblem {
  writer: string;
  kind: ProblemKind;
  /** The record concerned, or the first of a range; null for an unreadable line. */
  seq: number | null;
  /** The last of a range of missing or removed records. */
  toSeq?: number;
  /** The line in the chain file, for the file store. */
  line?: number;
  message: string;
}

/** A chain's last record: what an operator records, and later passes back as `--expect-head`. */
export interface ChainHead {
  writer: string;
  seq: number;
  hash: string;
}

export interface ChainReport {
  writer: string;
  /** Readable records. */
  records: number;
  /** The record with the highest seq, or null for an empty chain. */
  head: ChainHead | null;
  /** Bytes after the last complete line of a chain file: a write in progress or cut short by a crash. */
  tornTailBytes: number;
  problems: ChainProblem[];
  /** Problems found beyond the first MAX_PROBLEMS, counted only. */
  moreProblems: number;
}

export interface VerifyReport {
  ok: boolean;
  chains: ChainReport[];
}

const MAX_PROBLEMS = 1_000;
/** Records remembered for links across a reordering. */
const RECENT = 4_096;

/**
 * Checks one writer's chain, record by record in storage order, in bounded memory. It finds
 * edited records (hash mismatch), replaced or removed ones (a prevHash that does not link, a
 * seq gap), reordered and duplicated ones. A removed last record leaves a shorter chain that
 * is intact in itself: only a head recorded earlier (`anchor`) shows it.
 */
export class ChainVerifier<Stored> {
  private records = 0;
  private maxSeq = 0;
  private head: ChainHead | null = null;
  private storedBefore: number | null = null;
  private gaps: { from: number; to: number }[] = [];
  private readonly recent = new Map<number, { hash: string; prevHash: string }>();
  private anchorHash: string | undefined;
  private readonly problems: ChainProblem[] = [];
  private moreProblems = 0;

  constructor(
    readonly writer: string,
    private readonly format: LogFormat<unknown, Stored>,
    private readonly anchor?: ChainHead,
  ) {}

  add(stored: Stored | string, position: { line?: number } = {}): void {
    const { writer } = this;
    if (typeof stored === 'string') {
      const where = position.line === undefined ? 'a record' : `line ${position.line}`;
      this.report({
        writer,
        kind: 'unreadable',
        seq: null,
        ...position,
        message: `${where} is not a ${this.format.noun} (${stored})`,
      });
      return;
    }
    this.records++;
    const record = this.format.link(stored);
    const { seq } = record;
    const at = { writer, seq, ...position };
    if (record.writer !== undefined && record.writer !== writer) {
      this.report({ ...at, kind: 'wrong-writer', message: `seq ${seq} belongs to writer '${record.writer}'` });
    }
    if (this.format.hashOf(stored) !== record.hash) {
      this.report({
        ...at,
        kind: 'hash-mismatch',
        message: `seq ${seq} does not match its hash: the record was changed after it was written`,
      });
    }
    if (seq > this.maxSeq + 1) {
      this.gaps.push({ from: this.maxSeq + 1, to: seq - 1 });
    } else if (seq <= this.maxSeq) {
      const gap = this.gaps.findIndex((g) => g.from <= seq && seq <= g.to);
      if (gap === -1) {
        this.report({ ...at, kind: 'duplicate', message: `seq ${seq} appears more than once` });
      } else {
        // Not missing after all, only out of place.
        const { from, to } = this.gaps[gap]!;
        const rest = [...(from < seq ? [{ from, to: seq - 1 }] : []), ...(seq < to ? [{ from: seq + 1, to }] : [])];
        this.gaps.splice(gap, 1, ...rest);
        this.report({
          ...at,
          kind: 'out-of-order',
          message: `seq ${seq} is stored after seq ${this.storedBefore}: records were reordered`,
        });
      }
    }
    // Links in both directions, with whichever neighbour was read already.
    const before = seq === 1 ? { hash: GENESIS_HASH } : this.recent.get(seq - 1);
    if (before !== undefined && record.prevHash !== before.hash) this.reportLink(seq, at);
    const after = this.recent.get(seq + 1);
    if (after !== undefined && after.prevHash !== record.hash) this.reportLink(seq + 1, { writer, seq: seq + 1 });
    this.recent.delete(seq);
    this.recent.set(seq, { hash: record.hash, prevHash: record.prevHash });
    if (this.recent.size > RECENT) this.recent.delete(this.recent.keys().next().value!);
    if (seq > this.maxSeq) {
      this.maxSeq = seq;
      this.head = { writer, seq, hash: record.hash };
    }
    if (this.anchor?.seq === seq) this.anchorHash = record.hash;
    this.storedBefore = seq;
  }

  finish(options: { tornTailBytes?: number } = {}): ChainReport {
    const { writer, anchor } = this;
    for (const { from, to } of this.gaps) {
      this.report({
        writer,
        kind: 'missing',
        seq: from,
        ...(to > from ? { toSeq: to } : {}),
        message: `${from === to ? `seq ${from} is` : `seq ${from} to ${to} are`} missing: removed from the chain`,
      });
    }
    if (anchor !== undefined && this.anchorHash === undefined && this.maxSeq < anchor.seq) {
      const removed = anchor.seq - this.maxSeq;
      this.report({
        writer,
        kind: 'truncated',
        seq: this.maxSeq + 1,
        ...(removed > 1 ? { toSeq: anchor.seq } : {}),
        message:
          `the chain ends at seq ${this.maxSeq}, but its head was recorded at seq ${anchor.seq}: ` +
          `the last ${removed === 1 ? 'record was' : `${removed} records were`} removed`,
      });
    }
    if (anchor !== undefined && this.anchorHash !== undefined && this.anchorHash !== anchor.hash) {
      this.report({
        writer,
        kind: 'head-mismatch',
        seq: anchor.seq,
        message:
          `seq ${anchor.seq} has hash ${this.anchorHash}, but its recorded head is ${anchor.hash}: ` +
          `the chain was rewritten from there`,
      });
    }
    const problems = [...this.problems].sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0) || (a.line ?? 0) - (b.line ?? 0));
    return {
      writer,
      records: this.records,
      head: this.head,
      tornTailBytes: options.tornTailBytes ?? 0,
      problems,
      moreProblems: this.moreProblems,
    };
  }

  private reportLink(seq: number, at: { writer: string; seq: number; line?: number }): void {
    this.report({
      ...at,
      kind: 'prev-hash-mismatch',
      message:
        seq === 1
          ? 'seq 1 does not start the chain: its prevHash is not the genesis hash'
          : `seq ${seq} does not link to seq ${seq - 1}: seq ${seq - 1} was replaced, or seq ${seq} was changed`,
    });
  }

  private report(problem: ChainProblem): void {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(problem);
    else this.moreProblems++;
  }
}

/** A chain with a recorded head but no records at all: it was removed whole. */
function missingChain(head: ChainHead): ChainReport {
  return {
    writer: head.writer,
    records: 0,
    head: null,
    tornTailBytes: 0,
    problems: [
      {
        writer: head.writer,
        kind: 'chain-missing',
        seq: 1,
        toSeq: head.seq,
        message: `there is no chain for writer '${head.writer}', whose head was recorded at seq ${head.seq}: it was removed`,
      },
    ],
    moreProblems: 0,
  };
}

function finishReport(chains: ChainReport[], expectHeads: readonly ChainHead[]): VerifyReport {
  for (const head of expectHeads) {
    if (!chains.some((chain) => chain.writer === head.writer)) chains.push(missingChain(head));
  }
  chains.sort((a, b) => (a.writer < b.writer ? -1 : a.writer > b.writer ? 1 : 0));
  return { ok: chains.every((chain) => chain.problems.length === 0), chains };
}

function anchorFor(writer: string, expectHeads: readonly ChainHead[]): ChainHead | undefined {
  return expectHeads.find((head) => head.writer === writer);
}

/** Verifies every `<writer>.jsonl` chain in a directory, line by line in file order. */
export async function verifyChainFiles<Stored>(
  dir: string,
  format: LogFormat<unknown, Stored>,
  expectHeads: readonly ChainHead[] = [],
): Promise<VerifyReport> {
  const chains: ChainReport[] = [];
  for (const writer of await chainFiles(dir)) {
    const verifier = new ChainVerifier(writer, format, anchorFor(writer, expectHeads));
    const file = await open(chainPath(dir, writer), 'r');
    try {
      const { torn } = await readChainFile(file, format, (record, { line }) => verifier.add(record, { line }));
      chains.push(verifier.finish({ tornTailBytes: torn }));
    } finally {
      await file.close();
    }
  }
  return finishReport(chains, expectHeads);
}

const PAGE = 5_000;

/** Verifies every chain in a log's PostgreSQL table, page by page in (writer, seq) order. */
export async function verifyTableChains<Stored>(
  url: string,
  spec: LogTable<Stored>,
  format: LogFormat<unknown, Stored>,
  options: { expectHeads?: readonly ChainHead[]; applicationName: string },
): Promise<VerifyReport> {
  const expectHeads = options.expectHeads ?? [];
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: 10_000,
    application_name: options.applicationName,
  });
  await client.connect();
  try {
    const { table, seqColumn: seq } = spec;
    const { rows: found } = await client.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [
      table,
    ]);
    if (!found[0]!.exists) throw new Error(`There is no ${table} table in the search path`);
    const writerOf = (row: Record<string, unknown>) =>
      'column' in spec.chains ? String(row[spec.chains.column]) : spec.chains.name;
    const order = 'column' in spec.chains ? `${spec.chains.column}, ${seq}` : seq;
    const chains: ChainReport[] = [];
    let verifier: ChainVerifier<Stored> | null = null;
    let previous: Stored | null = null;
    let after: unknown[] | null = null;
    for (;;) {
      const page: pg.QueryResult<Record<string, unknown>> = await client.query<Record<string, unknown>>(
        after === null
          ? `SELECT * FROM ${table} ORDER BY ${order} LIMIT ${PAGE}`
          : `SELECT * FROM ${table} WHERE (${order}) > (${after.map((_, i) => `$${i + 1}`).join(', ')})
             ORDER BY ${order} LIMIT ${PAGE}`,
        after ?? [],
      );
      for (const row of page.rows) {
        const writer = writerOf(row);
        if (verifier === null || verifier.writer !== writer) {
          if (verifier !== null) chains.push(verifier.finish());
          verifier = new ChainVerifier(writer, format, anchorFor(writer, expectHeads));
          previous = null;
        }
        const record = format.parse(spec.fromRow(row), previous);
        if (typeof record !== 'string') previous = record;
        verifier.add(record);
      }
      const last = page.rows.at(-1);
      if (page.rows.length < PAGE || last === undefined) break;
      after = 'column' in spec.chains ? [last[spec.chains.column], last[seq]] : [last[seq]];
    }
    if (verifier !== null) chains.push(verifier.finish());
    return finishReport(chains, expectHeads);
  } finally {
    await client.end();
  }
}

/** `writer:seq:hash`, as the report prints a head. */
export function formatHead(head: ChainHead): string {
  return `${head.writer}:${head.seq}:${head.hash}`;
}

export function parseHead(value: string): ChainHead | null {
  const match = /^([^:]+):([1-9][0-9]*):([0-9a-f]{64})$/.exec(value);
  if (!match || !CHAIN_NAME_PATTERN.test(match[1]!)) return null;
  const seq = Number(match[2]);
  return Number.isSafeInteger(seq) ? { writer: match[1]!, seq, hash: match[3]! } : null;
}

/**
 * The report as a command prints it: a line per chain with its head, then each problem, then
 * the verdict on the whole log (`subject`: "register").
 */
export function formatReport(report: VerifyReport, subject: string): string {
  const lines: string[] = [];
  let problems = 0;
  let records = 0;
  for (const chain of report.chains) {
    const count = chain.problems.length + chain.moreProblems;
    problems += count;
    records += chain.records;
    lines.push(
      `chain ${chain.writer}: ${chain.records} records, ${count === 0 ? 'intact' : `${count} problem${count === 1 ? '' : 's'}`}`,
    );
    if (chain.head !== null) lines.push(`  head ${formatHead(chain.head)}`);
    for (const problem of chain.problems) {
      const where = problem.line === undefined ? '' : ` (line ${problem.line})`;
      lines.push(`  ${problem.kind}${where}: ${problem.message}`);
    }
    if (chain.moreProblems > 0) lines.push(`  … and ${chain.moreProblems} more problems`);
    if (chain.tornTailBytes > 0) {
      lines.push(
        `  note: ${chain.tornTailBytes} bytes after the last complete line (a write in progress, or cut short ` +
          `by a crash) are not part of the chain`,
      );
    }
  }
  const chains = `${report.chains.length} chain${report.chains.length === 1 ? '' : 's'}, ${records} records`;
  lines.push(
    report.ok
      ? `${subject} intact: ${chains}`
      : `${subject} DAMAGED: ${problems} problem${problems === 1 ? '' : 's'} in ${chains}`,
  );
  lines.push(
    'A removed last record leaves no trace in the chain itself: keep the heads above, and pass them ' +
      'to the next verify as --expect-head writer:seq:hash.',
  );
  return `${lines.join('\n')}\n`;
}
