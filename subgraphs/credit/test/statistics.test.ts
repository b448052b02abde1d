import { describe, expect, it } from 'vitest';
import { gradeDistribution, inputsBySource } from '../src/rules/statistics.js';

const GRADES = ['A', 'B', 'C', 'D', 'E'] as const;

describe('gradeDistribution', () => {
  it('lists every grade in the model order, none left out, each code counted once', () => {
    expect(
      gradeDistribution(GRADES, [
        { code: 'X1', grade: 'B' },
        { code: 'X2', grade: 'E' },
        { code: 'X3', grade: 'B' },
        { code: 'X1', grade: 'B' },
      ]),
    ).toEqual([
      { grade: 'A', subjects: 0 },
      { grade: 'B', subjects: 2 },
      { grade: 'C', subjects: 0 },
      { grade: 'D', subjects: 0 },
      { grade: 'E', subjects: 1 },
    ]);
  });

  it('is all zeros over no subjects', () => {
    expect(gradeDistribution(GRADES, []).every((row) => row.subjects === 0)).toBe(true);
  });
});

describe('inputsBySource', () => {
  it('counts per department the subjects read and missing, in SourceSystem order, each code once', () => {
    expect(
      inputsBySource([
        { code: 'X1', inputs: { readSources: ['MARKET', 'COURTS'], missingSources: ['TAX'] } },
        { code: 'X2', inputs: { readSources: ['TAX', 'MARKET'], missingSources: ['COURTS'] } },
        { code: 'X1', inputs: { readSources: ['MARKET', 'COURTS'], missingSources: ['TAX'] } },
      ]),
    ).toEqual([
      { source: 'MARKET', read: 2, missing: 0 },
      { source: 'TAX', read: 1, missing: 1 },
      { source: 'COURTS', read: 1, missing: 1 },
    ]);
  });

  it('leaves out departments no rule rested on', () => {
    expect(inputsBySource([])).toEqual([]);
  });
});
