/**
 * Values the fuzzer puts in variables and literals: valid identifiers of registered subjects, and
 * every kind of invalid one (wrong length, illegal or lookalike characters, full-width, wrong
 * check character, impossible birth dates, huge strings, wrong types, deep nesting). Hostile
 * strings and JSON come from fast-check, sampled once per run from the run's seed.
 */
import fc from 'fast-check';
import {
  buildIdNumber,
  CREDIT_CODE_CHARSET,
  creditCodeCheckChar,
  idNumberCheckChar,
  maskIdNumber,
} from '@credit-gateway/common';
import { DEMO_PEOPLE, DEMO_SUBJECTS, population } from '@credit-gateway/sources';
import type { Rng } from './rng.js';

export interface ValuePools {
  validCodes: string[];
  validIdNumbers: string[];
  hostileStrings: string[];
  hostileJson: unknown[];
}

export function valuePools(seed: number): ValuePools {
  const validCodes = [...population(300)];
  const validIdNumbers: string[] = Object.values(DEMO_PEOPLE).map((person) => person.idNumber);
  for (let year = 1950; year < 2005; year += 3)
    validIdNumbers.push(buildIdNumber('500112', `${year}0${(year % 9) + 1}1${year % 10}`, String(100 + (year % 900))));
  const hostileStrings = fc.sample(
    fc.oneof(
      fc.string({ unit: 'binary', maxLength: 64 }),
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      fc.string({ unit: fc.constantFrom(...'<>"\'&;{}$\\`%\u0000\u202e\u200b'), maxLength: 30 }),
      fc.constantFrom(
        '<script>alert(1)</script>',
        '"; DROP TABLE objections; --',
        '{{7*7}}',
        '${jndi:ldap://127.0.0.1/a}',
        '../../etc/passwd',
        '\u0000',
        '\ud800',
        'null',
        '',
      ),
    ),
    { seed, numRuns: 400 },
  );
  const hostileJson = fc.sample(fc.jsonValue({ maxDepth: 4 }), { seed: seed + 1, numRuns: 200 });
  return {
    validCodes: [...new Set([...DEMO_SUBJECTS.keys(), ...validCodes])],
    validIdNumbers,
    hostileStrings,
    hostileJson,
  };
}

const FULL_WIDTH_OFFSET = 0xfee0;
const LOOKALIKES: Record<string, string> = {
  A: 'А',
  B: 'В',
  C: 'С',
  E: 'Е',
  H: 'Н',
  K: 'К',
  M: 'М',
  P: 'Р',
  T: 'Т',
  X: 'Х',
  '0': 'О',
  '1': 'l',
};

function replaceAt(text: string, index: number, char: string): string {
  return text.slice(0, index) + char + text.slice(index + 1);
}

/** A credit code variant that must be refused, or, for the forgiving folds, accepted. */
export function codeVariant(rng: Rng, pools: ValuePools): unknown {
  const code = rng.pick(pools.validCodes);
  const at = rng.int(0, 17);
  return rng.weighted<() => unknown>([
    [3, () => code],
    [2, () => code.slice(0, rng.int(0, 17))],
    [1, () => code + rng.pick(['0', 'A', ' ', '\n', '1234567890'])],
    [2, () => replaceAt(code, at, rng.pick([...'IOZSV']))],
    [1, () => code.toLowerCase()],
    [2, () => [...code].map((c) => String.fromCharCode(c.charCodeAt(0) + FULL_WIDTH_OFFSET)).join('')],
    [2, () => [...code].map((c) => LOOKALIKES[c] ?? c).join('')],
    [1, () => `\u200b${code}`],
    [1, () => ` ${code} `],
    [
      2,
      () =>
        code.slice(0, 17) +
        rng.pick([...CREDIT_CODE_CHARSET].filter((c) => c !== creditCodeCheckChar(code.slice(0, 17)))),
    ],
    [1, () => '91350100M000100Y4Z'],
    [1, () => 'A'.repeat(rng.pick([18, 1_000, 100_000]))],
    [1, () => '9'.repeat(rng.pick([1_000_000, 200_000]))],
    [1, () => rng.pick(pools.hostileStrings)],
    [1, () => rng.pick([18, 0, -1, 1e308, true, null, [], {}, [code], { code }])],
    [1, () => rng.pick(pools.hostileJson)],
  ])();
}

/** An ID number variant: valid, masked, wrong check, impossible dates, 15 digits, garbage. */
export function idNumberVariant(rng: Rng, pools: ValuePools): unknown {
  const id = rng.pick(pools.validIdNumbers);
  const first17 = id.slice(0, 17);
  return rng.weighted<() => unknown>([
    [3, () => id],
    [2, () => first17 + rng.pick([...'0123456789X'].filter((c) => c !== idNumberCheckChar(first17)))],
    [1, () => maskIdNumber(id)],
    [1, () => id.toLowerCase().replace('X', 'x')],
    [
      2,
      () => {
        const bad = `${id.slice(0, 6)}${rng.pick(['20230230', '19991301', '00000000', '99991231', '19490229'])}${id.slice(14, 17)}`;
        return bad + idNumberCheckChar(bad);
      },
    ],
    [1, () => id.slice(0, 6) + id.slice(8, 17)],
    [1, () => [...id].map((c) => String.fromCharCode(c.charCodeAt(0) + FULL_WIDTH_OFFSET)).join('')],
    [1, () => id.slice(0, rng.int(0, 17))],
    [1, () => '1'.repeat(rng.pick([1_000, 500_000]))],
    [1, () => rng.pick(pools.hostileStrings)],
    [1, () => rng.pick([11010519491231002, null, [], { id }, false])],
  ])();
}

/** A list of codes: empty, some, more than any batch limit, nested, or with hostile members. */
export function codeList(rng: Rng, pools: ValuePools): unknown {
  return rng.weighted<() => unknown>([
    [3, () => Array.from({ length: rng.int(1, 8) }, () => rng.pick(pools.validCodes))],
    [2, () => Array.from({ length: rng.int(1, 6) }, () => codeVariant(rng, pools))],
    [1, () => []],
    [
      1,
      () =>
        Array.from(
          { length: rng.pick([499, 500, 501, 2_000, 20_000]) },
          (_, i) => pools.validCodes[i % pools.validCodes.length],
        ),
    ],
    [1, () => rng.pick(pools.validCodes)],
    [1, () => deepList(rng.pick([50, 500, 1_000]), rng.pick(pools.validCodes))],
  ])();
}

/** `[[[...value...]]]`, `depth` levels: a hostile input for input coercion. */
export function deepList(depth: number, value: unknown): unknown {
  let result = value;
  for (let i = 0; i < depth; i++) result = [result];
  return result;
}

/** `{a:{a:{...}}}`, `depth` levels. */
export function deepObject(depth: number): unknown {
  let result: unknown = 1;
  for (let i = 0; i < depth; i++) result = { a: result };
  return result;
}

/** JSON text for `deepList`, built as text: JSON.stringify of a 100,000-deep list overflows the stack. */
export function deepListText(depth: number, inner: string): string {
  return `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`;
}

/** A random string from the hostile pool, or one of a chosen size. */
export function hostileString(rng: Rng, pools: ValuePools): string {
  return rng.weighted<() => string>([
    [5, () => rng.pick(pools.hostileStrings)],
    [1, () => '<img src=x onerror=alert(1)>'.repeat(rng.int(1, 50))],
    [1, () => 'x'.repeat(rng.pick([10_000, 100_000, 900_000]))],
    [1, () => '执行反馈'.repeat(rng.int(1, 5_000))],
  ])();
}
