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
 * that part of the files instead. Memory is at worst about 100 bytes per entry (a distinct
 * subject in every entry), so about 50 MB at the default 500,000.
 */
export class SubjectIndex {
  /** Ordinal of the oldest record still indexed; ordinals grow by one per indexed record. */
  private base = 0;
  private locations: RecordLocation[] = [];
  private counts: number[] = [];
  private readonly bySubject = new Map<string, number[]>();
  private entries = 0;
  /** Per file: records starting before this offset are no longer indexed. */
  private readonly forgottenBefore: number[] = [];
  /** Latest `time` among forgotten records: a look-up whose answers are all newer needs no scan. */
  private forgottenMaxTime = -Infinity;

  constructor(private readonly maxEntries: number) {}

  add(location: RecordLocation, subjects: readonly string[]): void {
    const distinct = [...new Set(subjects)];
    if (distinct.length === 0) return;
    const ordinal = this.base + this.locations.length;
    this.locations.push(location);
    this.counts.push(distinct.length);
    for (const subject of distinct) {
      const ordinals = this.bySubject.get(subject);
      if (ordinals) ordinals.push(ordinal);
      else this.bySubject.set(subject, [ordinal]);
    }
    this.entries += distinct.length;
    if (this.entries > this.maxEntries) this.forgetOldest();
  }

  /** Indexed records of `subject` older than `before`, and whether older forgotten ones may exist. */
  lookup(subject: string, before: number): { locations: RecordLocation[]; forgottenMaxTime: number } {
    const ordinals = this.bySubject.get(subject) ?? [];
    const locations: RecordLocation[] = [];
    for (const ordinal of ordinals) {
      const location = this.locations[ordinal - this.base]!;
      if (location.time < before) locations.push(location);
    }
    return { locations, forgottenMaxTime: this.forgottenMaxTime };
  }

  /** Bytes of `file` to scan for forgotten records: [0, this). */
  scanLimit(file: number): number {
    return this.forgottenBefore[file] ?? 0;
  }

  get size(): { records: number; entries: number; subjects: number } {
    return { records: this.locations.length, entries: this.entries, subjects: this.bySubject.size };
  }

  private forgetOldest(): void {
    const target = Math.floor(this.maxEntries / 2);
    let forgotten = 0;
    while (forgotten < this.locations.length && this.entries > target) {
      const location = this.locations[forgotten]!;
      this.entries -= this.counts[forgotten]!;
      this.forgottenBefore[location.file] = Math.max(
        this.forgottenBefore[location.file] ?? 0,
        location.offset + location.length,
      );
      this.forgottenMaxTime = Math.max(this.forgottenMaxTime, location.time);
      forgotten++;
    }
    const newBase = this.base + forgotten;
    this.locations = this.locations.slice(forgotten);
    this.counts = this.counts.slice(forgotten);
    this.base = newBase;
    for (const [subject, ordinals] of this.bySubject) {
      // Ordinals are appended in order, so the forgotten ones are a prefix.
      let keep = 0;
      while (keep < ordinals.length && ordinals[keep]! < newBase) keep++;
      if (keep === ordinals.length) this.bySubject.delete(subject);
      else if (keep > 0) this.bySubject.set(subject, ordinals.slice(keep));
    }
  }
}
