import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type {
  CreditListKind,
  CreditRecordKind,
  CreditRecordState,
  DecisionContext,
  EvaluationGrade,
  IndicatorGroup,
  MeasureKind,
  Severity,
} from '../__generated__/types.js';

/** The data file the product ships with, next to `src/` and `dist/`. */
export function defaultDataFile(name: string): string {
  return fileURLToPath(new URL(`../../data/${name}`, import.meta.url));
}

/** A policy data file that cannot be used, with every problem found in it. */
export class CreditDataError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`${file} is not a usable policy file:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'CreditDataError';
  }
}

/** Reads a JSON data file; an unreadable or malformed file is a CreditDataError. */
export function readDataFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CreditDataError(file, [`cannot be read: ${(error as Error).message}`]);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CreditDataError(file, [`is not valid JSON: ${(error as Error).message}`]);
  }
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Walks a parsed data file and collects every problem with its path, so that an operator fixes a
 * file in one go. Each reader returns undefined for a bad value and records why.
 */
export class DataChecker {
  readonly problems: string[] = [];

  problem(path: string, message: string): void {
    this.problems.push(`${path}: ${message}`);
  }

  object(value: unknown, path: string, keys: { required: readonly string[]; optional?: readonly string[] }) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.problem(path, 'must be an object');
      return undefined;
    }
    const record = value as Record<string, unknown>;
    const known = new Set([...keys.required, ...(keys.optional ?? [])]);
    for (const key of keys.required) if (!(key in record)) this.problem(path, `'${key}' is missing`);
    for (const key of Object.keys(record)) if (!known.has(key)) this.problem(path, `'${key}' is not a known field`);
    return record;
  }

  /** A plain object whose own keys are free (a map from names to values). */
  map(value: unknown, path: string): Record<string, unknown> | undefined {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.problem(path, 'must be an object');
      return undefined;
    }
    return value as Record<string, unknown>;
  }

  array(value: unknown, path: string, options: { nonEmpty?: boolean } = {}): unknown[] | undefined {
    if (!Array.isArray(value)) {
      this.problem(path, 'must be an array');
      return undefined;
    }
    if (options.nonEmpty && value.length === 0) this.problem(path, 'must not be empty');
    return value as unknown[];
  }

  string(value: unknown, path: string): string | undefined {
    if (typeof value !== 'string' || value.trim() === '') {
      this.problem(path, 'must be a non-empty string');
      return undefined;
    }
    return value;
  }

  boolean(value: unknown, path: string): boolean | undefined {
    if (typeof value !== 'boolean') {
      this.problem(path, 'must be true or false');
      return undefined;
    }
    return value;
  }

  date(value: unknown, path: string): string | undefined {
    if (typeof value !== 'string' || !DATE.test(value) || Number.isNaN(Date.parse(value))) {
      this.problem(path, 'must be a date written YYYY-MM-DD');
      return undefined;
    }
    return value;
  }

  number(value: unknown, path: string, range: { min?: number; max?: number; integer?: boolean } = {}) {
    const { min = -Infinity, max = Infinity, integer = false } = range;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      this.problem(path, `must be a number from ${min} to ${max}`);
      return undefined;
    }
    if (integer && !Number.isInteger(value)) {
      this.problem(path, 'must be a whole number');
      return undefined;
    }
    return value;
  }

  oneOf<T extends string>(value: unknown, path: string, allowed: readonly T[]): T | undefined {
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      this.problem(path, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
      return undefined;
    }
    return value as T;
  }

  /** A non-empty list of distinct values, each one of `allowed`. */
  setOf<T extends string>(value: unknown, path: string, allowed: readonly T[]): T[] | undefined {
    const items = this.array(value, path, { nonEmpty: true });
    if (!items) return undefined;
    const result: T[] = [];
    items.forEach((item, index) => {
      const parsed = this.oneOf(item, `${path}[${index}]`, allowed);
      if (parsed === undefined) return;
      if (result.includes(parsed)) this.problem(`${path}[${index}]`, `'${parsed}' is listed twice`);
      else result.push(parsed);
    });
    return result;
  }

  /** A non-empty list of distinct non-empty strings. */
  strings(value: unknown, path: string): string[] | undefined {
    const items = this.array(value, path, { nonEmpty: true });
    if (!items) return undefined;
    const result: string[] = [];
    items.forEach((item, index) => {
      const parsed = this.string(item, `${path}[${index}]`);
      if (parsed === undefined) return;
      if (result.includes(parsed)) this.problem(`${path}[${index}]`, `'${parsed}' is listed twice`);
      else result.push(parsed);
    });
    return result;
  }

  /** Throws one CreditDataError naming every problem found. */
  done(file: string): void {
    if (this.problems.length > 0) throw new CreditDataError(file, this.problems);
  }
}

/** Every value of a schema enum, checked at build time: a value missing here fails the build. */
function enumValues<U extends string>() {
  return <const T extends readonly U[]>(
    values: T & ([U] extends [T[number]] ? unknown : { missing: Exclude<U, T[number]> }),
  ): T => values;
}

// The schema's enums, as the data files may name them.
export const CREDIT_LIST_KINDS = enumValues<CreditListKind>()(['RED', 'WATCH', 'BLACK']);
export const MEASURE_KINDS = enumValues<MeasureKind>()(['MANDATORY', 'RECOMMENDED']);
export const DECISION_CONTEXTS = enumValues<DecisionContext>()([
  'ADMINISTRATIVE_LICENSING',
  'GOVERNMENT_PROCUREMENT',
  'FINANCING',
  'FISCAL_FUNDS',
  'HONOURS',
  'HIGH_CONSUMPTION',
  'PUBLIC_BIDDING',
  'MARKET_ACCESS',
  'REGULATORY_INSPECTION',
  'EXIT_ENTRY',
  'PROJECT_APPROVAL',
  'FRANCHISE',
  'LAND',
]);
export const CREDIT_RECORD_KINDS = enumValues<CreditRecordKind>()([
  'ADMINISTRATIVE_PENALTY',
  'ABNORMAL_OPERATIONS',
  'SERIOUS_ILLEGAL_LIST',
  'DISHONEST_JUDGMENT_DEBTOR',
  'CONSUMPTION_RESTRICTION',
  'MAJOR_TAX_VIOLATION',
  'TAX_ARREARS',
  'WAGE_ARREARS',
  'PROCUREMENT_DISHONESTY',
  'TAX_A_GRADE',
  'CONTRACT_HONOUR',
  'BROKEN_COMMITMENT',
]);
export const CREDIT_RECORD_STATES = enumValues<CreditRecordState>()([
  'ACTIVE',
  'UNDER_OBJECTION',
  'EXPIRED',
  'REPAIRED',
  'REVOKED',
  'REMOVED',
]);
export const SEVERITIES = enumValues<Severity>()(['MINOR', 'GENERAL', 'SERIOUS', 'COMMENDABLE']);
export const INDICATOR_GROUPS = enumValues<IndicatorGroup>()([
  'BASIC_INFORMATION',
  'BUSINESS_BEHAVIOUR',
  'PERFORMANCE_HISTORY',
  'REGULATORY_INFORMATION',
  'GROWTH_POTENTIAL',
]);
export const EVALUATION_GRADES = enumValues<EvaluationGrade>()(['A', 'B', 'C', 'D', 'E']);
