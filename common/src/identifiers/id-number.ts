/** Resident ID number (公民身份号码), GB 11643-1999, check character by ISO 7064 MOD 11-2. */

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const ID_CHECK_CHARS = '10X98765432';

export type IdNumberProblem =
  | { kind: 'length'; length: number }
  | { kind: 'character'; position: number; character: string }
  | { kind: 'birth-date' }
  | { kind: 'check'; position: 18; expected: string; actual: string };

export function normalizeIdNumber(input: string): string {
  const trimmed = input.normalize('NFKC').trim().toUpperCase();
  return /^\d{15}$/.test(trimmed) ? upgradeFirstGenerationIdNumber(trimmed) : trimmed;
}

/** First-generation 15-digit numbers omit the century (always 19xx) and the check character. */
export function upgradeFirstGenerationIdNumber(id15: string): string {
  const first17 = `${id15.slice(0, 6)}19${id15.slice(6)}`;
  return first17 + idNumberCheckChar(first17);
}

export function idNumberCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17.charAt(i)) * ID_WEIGHTS[i]!;
  return ID_CHECK_CHARS.charAt(sum % 11);
}

function isRealDate(yyyymmdd: string): boolean {
  const year = Number(yyyymmdd.slice(0, 4));
  const month = Number(yyyymmdd.slice(4, 6));
  const day = Number(yyyymmdd.slice(6, 8));
  if (year < 1900 || month < 1 || month > 12 || day < 1) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCDate() === day && date.getTime() <= Date.now();
}

export function findIdNumberProblem(id: string): IdNumberProblem | null {
  if (id.length !== 18) return { kind: 'length', length: [...id].length };
  for (let i = 0; i < 17; i++) {
    const character = id.charAt(i);
    if (character < '0' || character > '9') return { kind: 'character', position: i + 1, character };
  }
  const last = id.charAt(17);
  if (!/[0-9X]/.test(last)) return { kind: 'character', position: 18, character: last };
  if (!isRealDate(id.slice(6, 14))) return { kind: 'birth-date' };
  const expected = idNumberCheckChar(id.slice(0, 17));
  if (last !== expected) return { kind: 'check', position: 18, expected, actual: last };
  return null;
}

export function describeIdNumberProblem(problem: IdNumberProblem): string {
  switch (problem.kind) {
    case 'length':
      return `a resident ID number has 18 characters, got ${problem.length}`;
    case 'character':
      return `illegal character '${problem.character}' at position ${problem.position}: positions 1-17 are digits, 18 is a digit or X`;
    case 'birth-date':
      // The value is part of a personal identifier, so it is not repeated.
      return 'positions 7-14 must be a real past birth date';
    case 'check':
      return `check character at position 18 should be '${problem.expected}', got '${problem.actual}'`;
  }
}

export function buildIdNumber(area6: string, birthYyyymmdd: string, sequence3: string): string {
  const first17 = area6 + birthYyyymmdd + sequence3;
  return first17 + idNumberCheckChar(first17);
}

/** Public debtor lists hide the birth month and day, positions 11–14: `3423011964****3224`. */
export function maskIdNumber(id: string): string {
  return id.length === 18 ? `${id.slice(0, 10)}****${id.slice(14)}` : id;
}

export interface IdNumberParts {
  divisionCode: string;
  birthDate: string;
  gender: 'MALE' | 'FEMALE';
}

export function idNumberParts(id: string): IdNumberParts {
  return {
    divisionCode: id.slice(0, 6),
    birthDate: `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`,
    gender: Number(id.charAt(16)) % 2 === 1 ? 'MALE' : 'FEMALE',
  };
}
