import type { ChainLink, TailProblem } from './chain.js';

/** A chain as read at start, for its user to accept or refuse before anything is appended. */
export interface ChainRead {
  /** The chain file, or the table and writer, for messages. */
  where: string;
  /** Readable records. */
  records: number;
  /** The first ten lines or rows that hold no readable record, and how many there are in all. */
  unreadable: { line?: number; reason: string }[];
  unreadableCount: number;
  /** Readable records that do not follow the one stored before them. */
  unlinked: number;
  /** Where the last record is: its line in a file, its seq in a table; null for an empty chain. */
  last: { line?: number; seq?: number } | null;
  /** Why the last record cannot be continued from, or null. */
  tailProblem: TailProblem | null;
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

/** One writer's chain, open for appending: the part of the log both backends share. */
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
