import { describe, expect, it } from 'vitest';
import {
  buildCreditCode,
  creditCodeCheckChar,
  creditCodeParts,
  findCreditCodeProblem,
  findIdNumberProblem,
  idNumberParts,
  maskIdNumber,
  normalizeCreditCode,
  normalizeIdNumber,
  normalizeOrganizationCode,
  organizationCodeCheckChar,
  parseCreditCode,
  parseIdNumber,
} from '../src/index.js';

describe('unified social credit code, GB 32100-2015', () => {
  it('computes the check character of the standard worked example, which the standard prints wrong', () => {
    expect(creditCodeCheckChar('91350100M000100Y4')).toBe('3');
    expect(findCreditCodeProblem('91350100M000100Y43')).toBeNull();
    expect(findCreditCodeProblem('91350100M000100Y4Z')).toEqual({
      kind: 'check',
      position: 18,
      expected: '3',
      actual: 'Z',
    });
  });

  it('checks the embedded GB 11714 organization code', () => {
    expect(organizationCodeCheckChar('D2143569')).toBe('X');
    expect(findCreditCodeProblem('91350100M000100Y53')).toMatchObject({
      kind: 'organization-code-check',
      position: 17,
      expected: '4',
    });
  });

  it('names the length and the first illegal character', () => {
    expect(findCreditCodeProblem('913501')).toEqual({ kind: 'length', length: 6 });
    expect(findCreditCodeProblem('9135010OM000100Y43')).toEqual({ kind: 'character', position: 8, character: 'O' });
    for (const letter of 'IOSVZ') expect(findCreditCodeProblem(`9135010${letter}M000100Y43`)?.kind).toBe('character');
  });

  it('builds only codes from legal characters', () => {
    const code = buildCreditCode('91500155', 'MA5UQ01C');
    expect(code).toBe('91500155MA5UQ01CXD');
    expect(findCreditCodeProblem(code)).toBeNull();
    expect(() => buildCreditCode('91330106', 'MA27XZ9P')).toThrow(RangeError);
  });

  it('normalizes what clerks type: spaces, lower case, full-width characters', () => {
    expect(normalizeCreditCode(' ９１５００１５５ma5uq01cxd\t')).toBe('91500155MA5UQ01CXD');
    expect(normalizeOrganizationCode('ma5uq01c-x')).toBe('MA5UQ01CX');
  });

  it('accepts an allow-listed code that fails its check characters, and nothing else', () => {
    const policy = { allowList: new Set(['91350100M000147283']) };
    expect(parseCreditCode('91350100m000147283', policy)).toBe('91350100M000147283');
    expect(() => parseCreditCode('91350100M000147284', policy)).toThrowError(/position 18 should be '7'/);
    // A wrong length is never legal, allow-listed or not.
    expect(() => parseCreditCode('9135010', { allowList: new Set(['9135010']) })).toThrowError(/18 characters/);
  });

  it('decodes the registration authority, category and division', () => {
    expect(creditCodeParts('51310115MJ4963N29F')).toEqual({
      registrationAuthority: 'CIVIL_AFFAIRS',
      organizationCategory: 'SOCIAL_ASSOCIATION',
      divisionCode: '310115',
      organizationCode: 'MJ4963N29',
    });
    expect(creditCodeParts('92342301MA2TK8Y55A').organizationCategory).toBe('INDIVIDUAL_BUSINESS');
  });
});

describe('resident ID number, GB 11643', () => {
  it('validates the standard example and masks positions 11-14', () => {
    expect(findIdNumberProblem('11010519491231002X')).toBeNull();
    expect(maskIdNumber('342301196405173226')).toBe('3423011964****3226');
    expect(idNumberParts('11010519491231002X')).toEqual({
      divisionCode: '110105',
      birthDate: '1949-12-31',
      gender: 'FEMALE',
    });
  });

  it('refuses impossible dates and wrong check characters without repeating the number', () => {
    expect(findIdNumberProblem('110105194902301234')).toEqual({ kind: 'birth-date' });
    expect(() => parseIdNumber('110105194912310021')).toThrowError(
      "check character at position 18 should be 'X', got '1'",
    );
  });

  it('upgrades a first-generation 15-digit number', () => {
    expect(normalizeIdNumber('110105491231002')).toBe('11010519491231002X');
  });
});
