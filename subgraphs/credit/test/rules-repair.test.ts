import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CreditRecordModel, CreditRepairModel } from '../src/models.js';
import { CreditDataError } from '../src/rules/data.js';
import { addMonths, loadPublicityPolicy } from '../src/rules/publicity.js';
import {
  checkRepairConditions,
  loadRepairPolicy,
  minimumPeriodEnds,
  parseRepairPolicy,
  repairableOnPlatform,
} from '../src/rules/repair.js';
import { repairTimeliness, workingDaysBetween } from '../src/rules/repair-timeliness.js';
import { loadHolidayCalendar } from '../src/workdays/index.js';

const policy = loadRepairPolicy();
const publicity = loadPublicityPolicy();
const calendar = loadHolidayCalendar();

function record(overrides: Partial<CreditRecordModel> = {}): CreditRecordModel {
  return {
    id: 'MARKET:PEN-1',
    kind: 'ADMINISTRATIVE_PENALTY',
    severity: 'SERIOUS',
    summary: '行政处罚',
    decidedOn: '2026-05-10',
    publishedUntil: '2029-05-10',
    state: 'ACTIVE',
    objectionId: null,
    repairedOn: null,
    provenance: { source: 'MARKET', system: 'GSXT', recordId: 'PEN-1', asOf: '2026-05-10T00:00:00+08:00' },
    ...overrides,
  };
}

describe('the repair policy (data/repair.json)', () => {
  it('names its regulation, a 3-working-day target, the three conditions, and the courts as never repaired here', () => {
    expect(policy.regulation).toContain('信用信息修复管理办法');
    expect(policy.decisionTargetWorkingDays).toBe(3);
    expect(policy.conditions).toEqual(['MINIMUM_PUBLICITY_SERVED', 'CORRECTION_SHOWN', 'REPAIR_COMMITMENT']);
    expect([...policy.notRepairableOnPlatform.keys()]).toEqual(['COURTS']);
    expect(repairableOnPlatform(policy, record())).toBe(true);
    expect(repairableOnPlatform(policy, record({ provenance: { ...record().provenance, source: 'COURTS' } }))).toBe(
      false,
    );
  });

  it('reports every problem of a bad file at once', () => {
    const bad = {
      regulation: '',
      effectiveFrom: '2026-13-01',
      decisionTargetWorkingDays: 0,
      conditions: [{ id: 'BRIBE_PAID', description: 'x' }],
      auditPurposes: 'all',
      notRepairableOnPlatform: [{ source: 'POLICE', basis: 'x' }],
    };
    let error: unknown;
    try {
      parseRepairPolicy(bad, 'repair.json');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CreditDataError);
    const problems = (error as CreditDataError).problems.join('\n');
    for (const path of [
      '$.effectiveFrom',
      '$.decisionTargetWorkingDays',
      '$.conditions[0].id',
      '$.auditPurposes',
      '$.notRepairableOnPlatform[0].source',
    ])
      expect(problems).toContain(path);
  });
});

describe('repair conditions', () => {
  it('are met only from the end of the minimum period, with the correction and the commitment', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2_000 }),
        fc.constantFrom('MINOR', 'GENERAL', 'SERIOUS') as fc.Arbitrary<CreditRecordModel['severity']>,
        fc.boolean(),
        fc.boolean(),
        (offset, severity, correction, commitment) => {
          const subject = record({ severity });
          const ends = minimumPeriodEnds(subject, publicity);
          const day = new Date(Date.parse(`${subject.decidedOn}T00:00:00Z`) + offset * 86_400_000)
            .toISOString()
            .slice(0, 10);
          const checks = checkRepairConditions(
            policy,
            publicity,
            subject,
            { correction: correction ? '凭证' : null, commitment: commitment ? '承诺' : null },
            day,
          );
          expect(checks.map((c) => c.met)).toEqual([day >= ends, correction, commitment]);
        },
      ),
    );
  });

  it('count the minimum period of the rule set in force when the record was decided', () => {
    // 2026-04 rules: serious 12 months; 2021-07 rules: minor 3 months.
    expect(minimumPeriodEnds(record(), publicity)).toBe(addMonths('2026-05-10', 12));
    expect(minimumPeriodEnds(record({ severity: 'MINOR', decidedOn: '2024-03-11' }), publicity)).toBe('2024-06-11');
  });
});

describe('repair timeliness', () => {
  const repair = (overrides: Partial<CreditRepairModel>): CreditRepairModel => ({
    id: 'REP-1',
    code: '91500112MA60YD7K76',
    recordId: 'MARKET:PEN-1',
    recordKind: 'ADMINISTRATIVE_PENALTY',
    department: 'MARKET',
    status: 'APPLIED',
    basis: '已整改',
    correction: null,
    commitment: null,
    appliedBy: 'window',
    appliedAt: '2026-11-02T02:00:00.000Z',
    acceptedAt: null,
    dueOn: '2026-11-05',
    decidedAt: null,
    reason: null,
    repairedOn: null,
    by: null,
    conditions: [],
    legacy: false,
    ...overrides,
  });

  it('counts working days after the first day up to the second, holidays left out', () => {
    expect(workingDaysBetween('2026-11-02', '2026-11-02', calendar)).toBe(0);
    expect(workingDaysBetween('2026-11-06', '2026-11-09', calendar)).toBe(1);
    expect(workingDaysBetween('2026-09-30', '2026-10-09', calendar)).toBe(2);
  });

  it('gives each department its decisions against the target, late and overdue ones, and the median', () => {
    const rows = repairTimeliness(
      [
        repair({ id: 'a', status: 'GRANTED', decidedAt: '2026-11-04T02:00:00.000Z' }),
        repair({ id: 'b', status: 'REFUSED', decidedAt: '2026-11-10T02:00:00.000Z' }),
        repair({ id: 'c' }),
        repair({ id: 'd', department: 'TAX', dueOn: '2026-11-20' }),
        repair({ id: 'e', legacy: true, status: 'GRANTED', dueOn: null, decidedAt: '2026-11-02T02:00:00.000Z' }),
        repair({ id: 'f', appliedAt: '2026-10-01T02:00:00.000Z' }),
      ],
      { today: '2026-11-12', from: '2026-11-01', to: null, calendar },
    );
    expect(rows).toEqual([
      {
        department: 'MARKET',
        applications: 3,
        decided: 2,
        decidedWithinTarget: 1,
        late: 2,
        overdue: 1,
        medianWorkingDays: 4,
      },
      {
        department: 'TAX',
        applications: 1,
        decided: 0,
        decidedWithinTarget: 0,
        late: 0,
        overdue: 0,
        medianWorkingDays: null,
      },
    ]);
  });
});
