import { EMPTY_CHAIN, follows, tailProblem, type ChainLink, type LogFormat, type TailProblem } from './chain.js';

/** Where a record is: its line in a chain file, or its seq in a table. */
export interface RecordAt {
  line?: number;
  seq?: number;
}

/** A chain as read at start, for its user to accept or refuse before anything is appended. */
export interface ChainRead {
  /** The chain file, or the table and writer, for messages. */
  where: string;
  /** Readable records. */
  records: number;
  /** The first ten lines or rows that hold no readable record, and how many there are in all. */
  unreadable: (RecordAt & { reason: string })[];
  unreadableCount: number;
  /** Readable records that do not follow the one stored before them. */
  unlinked: number;
  /** Where the last record is; null for an empty chain. */
  last: RecordAt | null;
  /** Why the last record cannot be continued from, or null. */
  tailProblem: TailProblem | null;
}

/** Reads a chain's records in storage order into a ChainRead, and where the next record goes. */
export class ChainReader<Stored> {
  readonly read: ChainRead;
  /** The last readable record's place: what the next record links to. */
  tail: ChainLink = EMPTY_CHAIN;
  private last: Stored | string | null = null;
  private previous: Stored | string | null = null;

  constructor(
    private readonly format: LogFormat<unknown, Stored>,
    private readonly writer: string,
    where: string,
  ) {
    this.read = { where, records: 0, unreadable: [], unreadableCount: 0, unlinked: 0, last: null, tailProblem: null };
  }

  /**
   * Takes the next record, or why it is unreadable. `linked` is false for a record whose
   * predecessor was not read (the first of a chain's last two), so its link is not judged.
   */
  add(record: Stored | string, at: RecordAt, linked = true): void {
    const { read, format } = this;
    this.previous = this.last;
    this.last = record;
    read.last = at;
    if (typeof record === 'string') {
      if (read.unreadable.length < 10) read.unreadable.push({ ...at, reason: record });
      read.unreadableCount++;
      return;
    }
    read.records++;
    const link = format.link(record);
    const { previous } = this;
    if (linked && (typeof previous === 'string' || !follows(link, previous === null ? null : format.link(previous)))) {
      read.unlinked++;
    }
    this.tail = { seq: link.seq, hash: link.hash };
  }

  /** What was read, with the judgement on its last record. */
  finish(): ChainRead {
    if (this.last !== null) this.read.tailProblem = tailProblem(this.format, this.writer, this.last, this.previous);
    return this.read;
  }
}

/** Called with what was read before anything is written; throws to refuse the start. */
export type AcceptChain = (read: ChainRead) => void;

/** Test and metrics hooks: what the log does, observed from inside. */
export interface LogHooks {
  /**
   * Called once per group commit with its record count, just before the batch is made durable:
   * after the file write and before fdatasync, or before the INSERT. A throw fails the batch.
   */
  commit?(records: number): void | Promise<void>;
}

/**
 * One writer's chain, open for appending: the part of the log both backends share. It takes one
 * append at a time (each seals from the tail the one before left): its users queue appends
 * through a CommitQueue, which also writes the appends that come meanwhile as one batch.
 */
export interface ChainWriter<Input, Stored> {
  readonly kind: 'file' | 'postgres';
  readonly writer: string;
  /** The last durable record's place and hash. */
  readonly tail: ChainLink;
  /**
   * Seals `inputs` one after another from the tail and makes them durable together (one
   * fdatasync, or one INSERT committed with synchronous_commit on); resolves with them as stored.
   * A failure rejects the whole batch; the next call first finds out what became durable anyway.
   */
  append(inputs: readonly Input[]): Promise<Stored[]>;
  /**
   * After a failed append: the records durable after all (a COMMIT whose answer was lost),
   * linked after the tail, which moves past them; a file cuts the failed write off instead. An
   * empty list when nothing failed.
   */
  recover(): Promise<Stored[]>;
  close(): Promise<void>;
}
