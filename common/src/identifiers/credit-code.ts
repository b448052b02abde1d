/**
 * Unified social credit code (统一社会信用代码), GB 32100-2015, with the embedded
 * organization code (组织机构代码), GB 11714, at positions 9–17.
 */

/** The 31 characters a credit code may use: no I, O, S, V or Z. A character's value is its index. */
export const CREDIT_CODE_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

const CREDIT_CODE_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;
const ORGANIZATION_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2] as const;

export type CreditCodeProblem =
  | { kind: 'length'; length: number }
  | { kind: 'character'; position: number; character: string }
  | { kind: 'organization-code-check'; position: 17; expected: string; actual: string }
  | { kind: 'check'; position: 18; expected: string; actual: string };

/** Trims, folds full-width characters (NFKC) and upper-cases, as clerks type codes in many ways. */
export function normalizeCreditCode(input: string): string {
  return input.normalize('NFKC').trim().toUpperCase();
}

function charValue(character: string): number {
  return CREDIT_CODE_CHARSET.indexOf(character);
}

/** GB 11714 value of a body character: 0–9 as digits, A=10 … Z=35. */
function organizationCharValue(character: string): number {
  const code = character.charCodeAt(0);
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 65 && code <= 90) return code - 55;
  return -1;
}

/** The check character (position 18) for the first 17 characters of a credit code. */
export function creditCodeCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += charValue(first17.charAt(i)) * CREDIT_CODE_WEIGHTS[i]!;
  const value = (31 - (sum % 31)) % 31;
  return CREDIT_CODE_CHARSET.charAt(value);
}

/** The GB 11714 check character for an 8-character organization code body: 10 is X, 11 is 0. */
export function organizationCodeCheckChar(body: string): string {
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += organizationCharValue(body.charAt(i)) * ORGANIZATION_CODE_WEIGHTS[i]!;
  const value = 11 - (sum % 11);
  if (value === 10) return 'X';
  if (value === 11) return '0';
  return String(value);
}

/** Returns the first problem found in an already normalized code, or null when it is valid. */
export function findCreditCodeProblem(code: string): CreditCodeProblem | null {
  if (code.length !== 18) return { kind: 'length', length: [...code].length };
  // Position 18 is judged by the check below, so that a wrong check character names the right one.
  for (let i = 0; i < 17; i++) {
    const character = code.charAt(i);
    if (charValue(character) < 0) return { kind: 'character', position: i + 1, character };
  }
  const organizationCheck = organizationCodeCheckChar(code.slice(8, 16));
  if (code.charAt(16) !== organizationCheck) {
    return { kind: 'organization-code-check', position: 17, expected: organizationCheck, actual: code.charAt(16) };
  }
  const check = creditCodeCheckChar(code.slice(0, 17));
  if (code.charAt(17) !== check) return { kind: 'check', position: 18, expected: check, actual: code.charAt(17) };
  return null;
}

export function describeCreditCodeProblem(problem: CreditCodeProblem): string {
  switch (problem.kind) {
    case 'length':
      return `a unified social credit code has 18 characters, got ${problem.length}`;
    case 'character':
      return `illegal character '${problem.character}' at position ${problem.position}: allowed are 0-9 and A-Y except I, O, S, V, Z`;
    case 'organization-code-check':
      return `organization code check character at position 17 should be '${problem.expected}', got '${problem.actual}'`;
    case 'check':
      return `check character at position 18 should be '${problem.expected}', got '${problem.actual}'`;
  }
}

export function isValidCreditCode(code: string): boolean {
  return findCreditCodeProblem(code) === null;
}

/** Builds a full, valid code from its first 8 characters and an 8-character organization code body. */
export function buildCreditCode(prefix8: string, organizationBody: string): string {
  const illegal = [...prefix8, ...organizationBody].find((c) => charValue(c) < 0);
  if (illegal !== undefined || prefix8.length !== 8 || organizationBody.length !== 8) {
    throw new RangeError(`cannot build a credit code from '${prefix8}' and '${organizationBody}'`);
  }
  const first17 = prefix8 + organizationBody + organizationCodeCheckChar(organizationBody);
  return first17 + creditCodeCheckChar(first17);
}

const REGISTRATION_AUTHORITIES = {
  '1': 'INSTITUTIONAL_ESTABLISHMENT', // 机构编制
  '2': 'FOREIGN_AFFAIRS', // 外交
  '3': 'JUSTICE', // 司法行政
  '4': 'CULTURE', // 文化
  '5': 'CIVIL_AFFAIRS', // 民政
  '6': 'TOURISM', // 旅游
  '7': 'RELIGIOUS_AFFAIRS', // 宗教
  '8': 'TRADE_UNION', // 工会
  '9': 'MARKET_REGULATION', // 工商 / 市场监管
  A: 'CENTRAL_MILITARY_COMMISSION', // 中央军委改革和编制办公室
  N: 'AGRICULTURE', // 农业
  Y: 'OTHER', // 其他
} as const satisfies Record<string, string>;

export type RegistrationAuthority = (typeof REGISTRATION_AUTHORITIES)[keyof typeof REGISTRATION_AUTHORITIES];

const ORGANIZATION_CATEGORIES = {
  '1': { '1': 'GOVERNMENT_AGENCY', '2': 'PUBLIC_INSTITUTION', '3': 'MASS_ORGANIZATION', '9': 'OTHER' },
  '5': { '1': 'SOCIAL_ASSOCIATION', '2': 'PRIVATE_NON_ENTERPRISE_UNIT', '3': 'FOUNDATION', '9': 'OTHER' },
  '9': { '1': 'ENTERPRISE', '2': 'INDIVIDUAL_BUSINESS', '3': 'FARMER_COOPERATIVE' },
  N: { '1': 'RURAL_COLLECTIVE_ECONOMIC_ORGANIZATION', '9': 'OTHER' },
} as const satisfies Record<string, Record<string, string>>;

type CategoryTable = typeof ORGANIZATION_CATEGORIES;
export type OrganizationCategory = {
  [A in keyof CategoryTable]: CategoryTable[A][keyof CategoryTable[A]];
}[keyof CategoryTable];

export interface CreditCodeParts {
  registrationAuthority: RegistrationAuthority | null;
  organizationCategory: OrganizationCategory | null;
  divisionCode: string;
  organizationCode: string;
}

/** Splits a valid code into the parts GB 32100 defines; unknown authority or category codes give null. */
export function creditCodeParts(code: string): CreditCodeParts {
  const authority = code.charAt(0);
  const categories: Readonly<Record<string, OrganizationCategory>> | undefined = (
    ORGANIZATION_CATEGORIES as Readonly<Record<string, Readonly<Record<string, OrganizationCategory>>>>
  )[authority];
  return {
    registrationAuthority:
      (REGISTRATION_AUTHORITIES as Readonly<Record<string, RegistrationAuthority>>)[authority] ?? null,
    organizationCategory: categories?.[code.charAt(1)] ?? null,
    divisionCode: code.slice(2, 8),
    organizationCode: code.slice(8, 17),
  };
}

/** Normalizes an organization code as legacy systems write it (`MA5U1234-5`, lower case) to 9 characters. */
export function normalizeOrganizationCode(input: string): string {
  return input.normalize('NFKC').trim().toUpperCase().replace(/-/g, '');
}
