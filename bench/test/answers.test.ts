import { describe, expect, it } from 'vitest';
import { answersDiffer, volatilePaths } from '../src/answers.js';

const ours = {
  enterprise: {
    code: '91110000100000000A',
    tax: { readAt: '2026-01-01T00:00:00.001Z', creditGrades: [{ year: 2025, grade: 'A' }] },
  },
};

describe('comparing answers', () => {
  it('finds the leaves that moved between two readings, array positions aside', () => {
    const later = structuredClone(ours);
    later.enterprise.tax.readAt = '2026-01-01T00:00:01.500Z';
    expect(volatilePaths(ours, later)).toEqual(['$.enterprise.tax.readAt']);
    expect(volatilePaths(ours, structuredClone(ours))).toEqual([]);
  });

  it('takes equal data in any key order as equal, leaving the volatile leaves out', () => {
    const theirs = {
      enterprise: {
        tax: { creditGrades: [{ grade: 'A', year: 2025 }], readAt: '2026-01-01T00:00:09.000Z' },
        code: '91110000100000000A',
      },
    };
    expect(answersDiffer(ours, theirs, new Set(['$.enterprise.tax.readAt']))).toBeUndefined();
    expect(answersDiffer(ours, theirs, new Set())).toMatch(/^\$\.enterprise\.tax\.readAt: ours/);
  });

  it('reports a changed, a missing, an extra and a null leaf', () => {
    const none = new Set<string>();
    const changed = structuredClone(ours);
    changed.enterprise.tax.creditGrades[0]!.grade = 'B';
    expect(answersDiffer(ours, changed, none)).toBe('$.enterprise.tax.creditGrades[0].grade: ours "A", theirs "B"');
    const shorter = structuredClone(ours);
    shorter.enterprise.tax.creditGrades = [];
    expect(answersDiffer(ours, shorter, none)).toBe('$.enterprise.tax.creditGrades.length: ours 1, theirs 0');
    const extra = { enterprise: { ...ours.enterprise, courts: null } };
    expect(answersDiffer(ours, extra, none)).toBe('$.enterprise.courts only in theirs (null)');
    expect(answersDiffer(ours, { enterprise: null }, none)).toBe(
      '$.enterprise.code missing (ours: "91110000100000000A")',
    );
    expect(answersDiffer(ours, undefined, none)).toBeDefined();
  });
});
