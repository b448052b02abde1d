import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  boundRole,
  buildIdNumber,
  caseNumber,
  idNumberOrNull,
  LegacyFormatError,
  maskIdNumber,
  restrictedItemNumbers,
} from '../src/index.js';

/** A case number's parts: `(2023)渝0112执1234号`. */
const caseParts = fc.record({
  year: fc.integer({ min: 1990, max: 2099 }),
  court: fc.constantFrom('渝0112', '川01', '京0105', '粤03'),
  kind: fc.constantFrom('执', '执恢', '民初', '执保'),
  number: fc.integer({ min: 1, max: 99_999 }),
});

/** The brackets the courts write a case number's year in. */
const brackets = fc.constantFrom(['(', ')'], ['（', '）'], ['〔', '〕'], ['[', ']'], ['【', '】']);

/** Where clerks leave spaces: nowhere, or around any part. */
const space = fc.constantFrom('', ' ', '　', '\t');

describe('case numbers', () => {
  it('are written with half-width parentheses and no spaces', () => {
    expect(caseNumber('（2023）渝0112执1234号')).toBe('(2023)渝0112执1234号');
    expect(caseNumber('〔2023〕渝0112 执1234号')).toBe('(2023)渝0112执1234号');
    expect(caseNumber('【2022】渝0112民初15867号')).toBe('(2022)渝0112民初15867号');
  });

  it('come out the same however the brackets and spaces were written', () => {
    fc.assert(
      fc.property(caseParts, brackets, fc.array(space, { minLength: 5, maxLength: 5 }), (parts, [open, close], s) => {
        const written = `${s[0]}${open}${parts.year}${close}${s[1]}${parts.court}${s[2]}${parts.kind}${s[3]}${parts.number}号${s[4]}`;
        expect(caseNumber(written)).toBe(`(${parts.year})${parts.court}${parts.kind}${parts.number}号`);
      }),
    );
  });

  it('are unchanged once normalized, with no space or other bracket left', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const once = caseNumber(text);
        expect(caseNumber(once)).toBe(once);
        expect(once).not.toMatch(/[\s〔〕[\]【】（）]/);
      }),
    );
  });
});

/** What the courts separate restricted items with. */
const separator = fc.constantFrom(',', '，', '、', ';', ' ', ', ', ' 、');

describe('restricted items', () => {
  it('are read in any separator, ascending, without repeats', () => {
    expect(restrictedItemNumbers('9，1、5 5;2', 'xzsx')).toEqual([1, 2, 5, 9]);
    expect(restrictedItemNumbers('９，1', 'restrictedItems')).toEqual([1, 9]);
    expect(restrictedItemNumbers('1,2,3,4,5,6,7,8,9', 'xzsx')).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('are none when the courts wrote none', () => {
    expect(restrictedItemNumbers('', 'restrictedItems')).toEqual([]);
    expect(restrictedItemNumbers(' , ', 'xzsx')).toEqual([]);
  });

  it('refuse an item the regulation does not number, naming the field', () => {
    expect(() => restrictedItemNumbers('1,10', 'xzsx')).toThrow("xzsx: unknown restricted item '10'");
    expect(() => restrictedItemNumbers('1,0', 'restrictedItems')).toThrow(
      "restrictedItems: unknown restricted item '0'",
    );
    expect(() => restrictedItemNumbers('1,二', 'xzsx')).toThrow(LegacyFormatError);
    expect(() => restrictedItemNumbers('1.5', 'xzsx')).toThrow(LegacyFormatError);
  });

  it('give back exactly the items written, whatever the order, repeats and separators', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 9 }), { maxLength: 20 }),
        fc.array(separator, { minLength: 20, maxLength: 20 }),
        (items, separators) => {
          const written = items.map((item, index) => (index === 0 ? '' : separators[index]) + String(item)).join('');
          expect(restrictedItemNumbers(written, 'xzsx')).toEqual([...new Set(items)].sort((a, b) => a - b));
        },
      ),
    );
  });

  it('refuse any number outside 1 to 9 among them', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 9 }), { maxLength: 5 }),
        fc.oneof(fc.integer({ min: -1_000, max: 0 }), fc.integer({ min: 10, max: 1_000 })),
        (items, bad) => {
          const written = [...items, bad].join(',');
          expect(() => restrictedItemNumbers(written, 'xzsx')).toThrow(LegacyFormatError);
        },
      ),
    );
  });
});

describe('people an order binds', () => {
  it('have the roles the courts name them by', () => {
    expect(boundRole('法定代表人')).toBe('LEGAL_REPRESENTATIVE');
    expect(boundRole(' 主要负责人 ')).toBe('PRINCIPAL');
    expect(boundRole('负责人')).toBe('PRINCIPAL');
    expect(boundRole('实际控制人')).toBe('ACTUAL_CONTROLLER');
    expect(() => boundRole('股东')).toThrow("sf: unknown role '股东'");
  });

  it('keep only readable ID numbers', () => {
    expect(idNumberOrNull(null)).toBeNull();
    expect(idNumberOrNull('5101071982****4517')).toBeNull();
    expect(idNumberOrNull(' 11010519491231002x')).toBe('11010519491231002X');
  });

  it('keep every valid ID number however it was typed, and no masked one', () => {
    const idNumbers = fc
      .record({
        area: fc.constantFrom('110105', '500112', '510107', '440305'),
        birth: fc.date({ min: new Date('1930-01-01'), max: new Date('2008-12-31'), noInvalidDate: true }),
        sequence: fc.integer({ min: 0, max: 999 }),
      })
      .map(({ area, birth, sequence }) =>
        buildIdNumber(area, birth.toISOString().slice(0, 10).replaceAll('-', ''), String(sequence).padStart(3, '0')),
      );
    fc.assert(
      fc.property(idNumbers, space, (idNumber, padding) => {
        expect(idNumberOrNull(`${padding}${idNumber.toLowerCase()}${padding}`)).toBe(idNumber);
        expect(idNumberOrNull(maskIdNumber(idNumber))).toBeNull();
      }),
    );
  });
});
