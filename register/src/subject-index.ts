/** Where one record's line is: which chain file, and its bytes there. */
export interface RecordLocation {
  file: number;
  offset: number;
  length: number;
  /** Epoch milliseconds of the record's `time`, and its seq: enough to order without reading it. */
  time: number;
  seq: number;
}

/**
 * The file store's in-memory index from subject to records, bounded: it holds at most
 * `maxEntries` (subject, record) pairs, for the newest records. When it grows past that, the
 * oldest records are forgotten until it is down to half, and a look-up that may need them scans
 * that part of the files instead. An entry costs about 150 bytes at worst (every entry a subject
 * of its own) and about 30 when subjects recur: at most about 40 MB at the default 250,000.
 */
export class SubjectIndex {
  /** Ordinal of the oldest record still indexed; ordinals grow by one per indexed record. */
  private base = 0;
  /** One column per RecordLocation field, plus each record's entry count: no object per record. */
  private columns: Record<keyof RecordLocation | 'count', number[]> = emptyColumns();
  /** Subject → ordinals, oldest first; a single ordinal is kept bare, as most subjects have one. */
  private readonly bySubject = new Map<string, number | number[]>();
  private entries = 0;
  /** Per file: records starting before this offset are no longer indexed. */
  private readonly forgottenBefore: number[] = [];
  /** Latest `time` among forgotten records: a look-up whose answers are all newer needs no scan. */
  private forgottenMaxTime = -Infinity;

  constructor(private readonly maxEntries: number) {}

  add(location: RecordLocation, subjects: readonly string[]): void {
    const distinct = [...new Set(subjects)];
    if (distinct.length === 0) return;
    const ordinal = this.base + this.columns.seq.length;
    for (const field of FIELDS) this.columns[field].push(location[field]);
    this.columns.count.push(distinct.length);
    for (const subject of distinct) {
      const ordinals = this.bySubject.get(subject);
      if (ordinals === undefined) this.bySubject.set(subject, ordinal);
      else if (typeof ordinals === 'number') this.bySubject.set(subject, [ordinals, ordinal]);
      else ordinals.push(ordinal);
    }
    this.entries += distinct.length;
    if (this.entries > this.maxEntries) this.forgetOldest();
  }

  /** Indexed records of `subject` older than `before`, and the latest time among forgotten records. */
  lookup(subject: string, before: number): { locations: RecordLocation[]; forgottenMaxTime: number } {
    const ordinals = this.bySubject.get(subject) ?? [];
    const locations: RecordLocation[] = [];
    for (const ordinal of typeof ordinals === 'number' ? [ordinals] : ordinals) {
      const location = this.location(ordinal - this.base);
      if (location.time < before) locations.push(location);
    }
    return { locations, forgottenMaxTime: this.forgottenMaxTime };
  }

  /** Bytes of `file` to scan for forgotten records: [0, this). */
  scanLimit(file: number): number {
    return this.forgottenBefore[file] ?? 0;
  }

  get size(): { records: number; entries: number; subjects: number } {
    return { records: this.columns.seq.length, entries: this.entries, subjects: this.bySubject.size };
  }

  private location(i: number): RecordLocation {
    const { file, offset, length, time, seq } = this.columns;
    return { file: file[i]!, offset: offset[i]!, length: length[i]!, time: time[i]!, seq: seq[i]! };
  }

  private forgetOldest(): void {
    const target = Math.floor(this.maxEntries / 2);
    let forgotten = 0;
    while (forgotten < this.columns.seq.length && this.entries > target) {
      const location = this.location(forgotten);
      this.entries -= this.columns.count[forgotten]!;
      this.forgottenBefore[location.file] = Math.max(
        this.forgottenBefore[location.file] ?? 0,
        location.offset + location.length,
      );
      this.forgottenMaxTime = Math.max(this.forgottenMaxTime, location.time);
      forgotten++;
    }
    const newBase = this.base + forgotten;
    const columns = emptyColumns();
    for (const field of [...FIELDS, 'count'] as const) columns[field] = this.columns[field].slice(forgotten);
    this.columns = columns;
    this.base = newBase;
    for (const [subject, ordinals] of this.bySubject) {
      if (typeof ordinals === 'number') {
        if (ordinals < newBase) this.bySubject.delete(subject);
        continue;
      }
      // Ordinals are appended in order, so the forgotten ones are a prefix.
      let keep = 0;
      while (keep < ordinals.length && ordinals[keep]! < newBase) keep++;
      if (keep === ordinals.length) this.bySubject.delete(subject);
      else if (keep > 0) this.bySubject.set(subject, ordinals.slice(keep));
    }
  }
}

const FIELDS = ['file', 'offset', 'length', 'time', 'seq'] as const;

function emptyColumns(): Record<keyof RecordLocation | 'count', number[]> {
  return { file: [], offset: [], length: [], time: [], seq: [], count: [] };
}
