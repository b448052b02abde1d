import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { demoCode, type DemoKey } from '@credit-gateway/sources';
import { startStack, type As, type Stack } from './support/stack.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});
afterEach(async () => {
  await stack.clearFaults();
});

const ANALYST: As = { tier: 'ANALYST', client: 'analyst-workbench', purpose: null };

const SUBJECTS: readonly DemoKey[] = [
  'clean-sme',
  'partial-debtor',
  'major-tax-violator',
  'serious-illegal',
  'wage-arrears',
  'individual-business',
  'deregistered',
  'procurement-ban-ended',
];

const STATISTICS = /* GraphQL */ `
  query Statistics($codes: [CreditCode!]!) {
    creditStatistics(codes: $codes) {
      statistics {
        subjects
        incompleteSubjects
        byGrade {
          grade
          subjects
        }
        inputsBySource {
          source
          read
          missing
        }
      }
    }
  }
`;

const PROFILES = /* GraphQL */ `
  query Grades($codes: [CreditCode!]!) {
    enterprises(codes: $codes) {
      code
      evaluation {
        grade
      }
      creditAssessment {
        readSources
        missingSources
      }
    }
  }
`;

/** The same counts, made from each subject's own profile as the gateway answers it. */
function tallies(profiles: { evaluation: { grade: string }; creditAssessment: Record<string, string[]> }[]) {
  const byGrade = ['A', 'B', 'C', 'D', 'E'].map((grade) => ({
    grade,
    subjects: profiles.filter((p) => p.evaluation.grade === grade).length,
  }));
  const inputsBySource = ['MARKET', 'TAX', 'COURTS', 'SOCIAL_SECURITY', 'PROCUREMENT']
    .map((source) => ({
      source,
      read: profiles.filter((p) => p.creditAssessment['readSources']!.includes(source)).length,
      missing: profiles.filter((p) => p.creditAssessment['missingSources']!.includes(source)).length,
    }))
    .filter((row) => row.read + row.missing > 0);
  return { byGrade, inputsBySource };
}

describe('creditStatistics: grade distribution and inputs by source', () => {
  it('counts each subject once at the grade its own evaluation gives, every grade listed', async () => {
    const codes = SUBJECTS.map((key) => demoCode(key));
    // A code given twice is one subject.
    const { body } = await stack.query(STATISTICS, { codes: [...codes, codes[0]!] }, ANALYST);
    expect(body.errors).toBeUndefined();
    const { statistics } = body.data.creditStatistics;
    const profiles = await stack.query(PROFILES, { codes }, ANALYST);
    expect(profiles.body.errors).toBeUndefined();
    const expected = tallies(profiles.body.data.enterprises);

    expect(statistics.subjects).toBe(codes.length);
    expect(statistics.byGrade).toEqual(expected.byGrade);
    expect(statistics.byGrade.reduce((total: number, row: any) => total + row.subjects, 0)).toBe(codes.length);
    // The demo set is not all of one grade: the distribution says something.
    expect(statistics.byGrade.filter((row: any) => row.subjects > 0).length).toBeGreaterThan(1);
    expect(statistics.inputsBySource).toEqual(expected.inputsBySource);
    expect(statistics.inputsBySource).toEqual(
      ['MARKET', 'TAX', 'COURTS', 'SOCIAL_SECURITY', 'PROCUREMENT'].map((source) => ({
        source,
        read: codes.length,
        missing: 0,
      })),
    );
  });

  it('counts a department that could not be read as missing for every subject, and grades fail-closed', async () => {
    const codes = SUBJECTS.map((key) => demoCode(key));
    await stack.setFaults('courts', { errorRate: 1 });
    const { body } = await stack.query(STATISTICS, { codes }, ANALYST);
    const { statistics } = body.data.creditStatistics;
    expect(body.errors?.map((e: any) => e.extensions.code)).toContain('DECISION_INCOMPLETE');
    expect(statistics.incompleteSubjects).toBe(codes.length);
    expect(statistics.inputsBySource.find((row: any) => row.source === 'COURTS')).toEqual({
      source: 'COURTS',
      read: 0,
      missing: codes.length,
    });
    expect(statistics.inputsBySource.find((row: any) => row.source === 'TAX')).toEqual({
      source: 'TAX',
      read: codes.length,
      missing: 0,
    });
    const profiles = await stack.query(PROFILES, { codes }, ANALYST);
    expect(statistics.byGrade).toEqual(tallies(profiles.body.data.enterprises).byGrade);
    // Without the courts no subject is graded A: the worst case the missing records could produce.
    expect(statistics.byGrade.find((row: any) => row.grade === 'A').subjects).toBe(0);
  });

  it('is refused to a tier that may not read statistics, with its code', async () => {
    const { body } = await stack.query(STATISTICS, { codes: [demoCode('clean-sme')] }, { tier: 'PUBLIC' });
    expect(body.data).toEqual({ creditStatistics: null });
    expect(body.errors?.map((e: any) => [e.extensions.code, e.path])).toEqual([
      ['UNAUTHORIZED_FIELD_OR_TYPE', ['creditStatistics']],
    ]);
  });
});
