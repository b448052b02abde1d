import { epochToChinaDate } from './provenance.js';

/** A department record did not have the shape its adapter translates. */
export class LegacyFormatError extends Error {
  override name = 'LegacyFormatError';
}

export function asRecord(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new LegacyFormatError(`${where}: expected an object`);
  }
  return value as Record<string, unknown>;
}

export function asArray(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) throw new LegacyFormatError(`${where}: expected an array`);
  return value;
}

/**
 * Dates as department systems write them: `2024-03-15`, `2024/03/15`, `20240315`,
 * `2024年03月15日`, `2024-03-15 10:22:01`, or epoch milliseconds. Returns YYYY-MM-DD.
 */
export function legacyDate(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return epochToChinaDate(value);
  if (typeof value !== 'string') return null;
  const match = /^(\d{4})[-/年]?(\d{1,2})[-/月]?(\d{1,2})日?(?:[ T].*)?$/.exec(value.trim());
  if (!match) return null;
  const date = `${match[1]}-${match[2]!.padStart(2, '0')}-${match[3]!.padStart(2, '0')}`;
  return Number.isNaN(Date.parse(date)) ? null : date;
}

/** Typed reads of one legacy record; each failure names the field, for the logs. */
export class FieldReader {
  constructor(
    private readonly record: Record<string, unknown>,
    private readonly where: string,
  ) {}

  static of(value: unknown, where: string): FieldReader {
    return new FieldReader(asRecord(value, where), where);
  }

  fail(key: string, expected: string): never {
    throw new LegacyFormatError(`${this.where}.${key}: expected ${expected}`);
  }

  string(key: string): string {
    const value = this.record[key];
    if (typeof value !== 'string' || value.trim() === '') this.fail(key, 'a non-empty string');
    return value.trim();
  }

  optionalString(key: string): string | null {
    const value = this.record[key];
    if (value === undefined || value === null || value === '') return null;
    if (typeof value !== 'string') this.fail(key, 'a string');
    return value.trim();
  }

  number(key: string): number {
    const value = this.record[key];
    const parsed = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof parsed !== 'number' || !Number.isFinite(parsed)) this.fail(key, 'a number');
    return parsed;
  }

  optionalNumber(key: string): number | null {
    const value = this.record[key];
    if (value === undefined || value === null || value === '') return null;
    return this.number(key);
  }

  date(key: string): string {
    return legacyDate(this.record[key]) ?? this.fail(key, 'a date');
  }

  optionalDate(key: string): string | null {
    const value = this.record[key];
    if (value === undefined || value === null || value === '') return null;
    return this.date(key);
  }

  /** A list of sub-records; a missing list is empty, as legacy systems omit empty lists. */
  list(key: string): FieldReader[] {
    const value = this.record[key];
    if (value === undefined || value === null) return [];
    return asArray(value, `${this.where}.${key}`).map((item, index) =>
      FieldReader.of(item, `${this.where}.${key}[${index}]`),
    );
  }
}
