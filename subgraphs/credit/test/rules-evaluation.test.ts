import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { EnterpriseInputs } from '../src/models.js';
import { assess } from '../src/rules/assess.js';
import { CreditDataError } from '../src/rules/data.js';
import { DEFAULT_EVALUATION_FILE, evaluate, parseEvaluationModel, wholeYearsBetween } from '../src/rules/evaluation.js';
import { loadCreditPolicy } from '../src/rules/policy.js';
import { NO_OVERLAYS } from '../src/rules/records.js';
import {
  abnormalRemoved,
  cleanSme,
  farmerCoop,
  majorTaxViolator,
  partialDebtor,
  seriousIllegal,
  wageArrears,
} from './support/enterprises.js';

const policy = loadCreditPolicy();
const TODAY = '2026-11-02';

function evaluation(inputs: EnterpriseInputs) {
  const { records } = assess(inputs, policy, NO_OVERLAYS, TODAY);
  return evaluate(policy.evaluation, {
    registration: inputs.marketRegulation?.registration ?? null,
    spotChecks: inputs.marketRegulation?.spotChecks ?? [],
    records,
    today: TODAY,
  });
}

describe('the comprehensive evaluation', () => {
  it('grades the red-list SME A, with every factor that produced it', () => {
    expect(evaluation(cleanSme())).toEqual({
      grade: 'A',
      score: 97,
      model: 'PCCE-2026.1',
      groups: [
        {
          group: 'BASIC_INFORMATION',
          weight: 0.15,
          points: 100,
          factors: [
            { name: '基础信息 (basic information): base points', points: 60, recordId: null },
            { name: '登记状态 (registration status): EXISTING', points: 30, recordId: null },
            { name: '成立年限 (years since establishment): 10 years', points: 10, recordId: null },
          ],
        },
        {
          group: 'BUSINESS_BEHAVIOUR',
          weight: 0.2,
          points: 85,
          factors: [
            { name: '经营行为 (business behaviour): base points', points: 80, recordId: null },
            { name: '双随机抽查 (random spot check): 2025-06-17 未发现问题', points: 5, recordId: null },
          ],
        },
        {
          group: 'PERFORMANCE_HISTORY',
          weight: 0.3,
          points: 100,
          factors: [{ name: '履约记录 (performance history): base points', points: 100, recordId: null }],
        },
        {
          group: 'REGULATORY_INFORMATION',
          weight: 0.25,
          points: 100,
          factors: [{ name: '监管信息 (regulatory information): base points', points: 100, recordId: null }],
        },
        {
          group: 'GROWTH_POTENTIAL',
          weight: 0.1,
          points: 100,
          factors: [
            { name: '发展潜力 (growth potential): base points', points: 50, recordId: null },
            {
              name: '纳税信用A级 (A-grade taxpayer): 纳税信用A级 (A-grade taxpayer), 2025',
              points: 10,
              recordId: 'TAX:91500155MA5UQ01CXD-2025',
            },
            {
              name: '纳税信用A级 (A-grade taxpayer): 纳税信用A级 (A-grade taxpayer), 2024',
              points: 10,
              recordId: 'TAX:91500155MA5UQ01CXD-2024',
            },
            {
              name: '纳税信用A级 (A-grade taxpayer): 纳税信用A级 (A-grade taxpayer), 2023',
              points: 10,
              recordId: 'TAX:91500155MA5UQ01CXD-2023',
            },
            {
              name: '守合同重信用 (contract-abiding honour): 守合同重信用企业 (2025)',
              points: 10,
              recordId: 'MARKET:HON500155000302',
            },
            {
              name: '守合同重信用 (contract-abiding honour): 守合同重信用企业 (2024)',
              points: 10,
              recordId: 'MARKET:HON500155000301',
            },
          ],
        },
      ],
    });
  });

  it.each([
    ['farmer cooperative without records', farmerCoop, 'B', 91],
    ['abnormal listing removed', abnormalRemoved, 'B', 90],
    ['wage-arrears employer', wageArrears, 'C', 73],
    ['major tax violator', majorTaxViolator, 'D', 67.5],
    ['dishonest debtor under a procurement ban', partialDebtor, 'D', 61],
    ['revoked, on the serious illegal list', seriousIllegal, 'E', 56.5],
  ] as const)('grades the %s %s (%d)', (_, inputs, grade, score) => {
    const result = evaluation(inputs());
    expect([result.grade, result.score]).toEqual([grade, score]);
  });

  it('is explainable: each group’s factors add up to its points, and the weighted points to the score', () => {
    for (const inputs of [cleanSme(), partialDebtor(), seriousIllegal(), majorTaxViolator()]) {
      const result = evaluation(inputs);
      for (const group of result.groups) {
        expect(group.factors.reduce((sum, f) => sum + f.points, 0)).toBeCloseTo(group.points, 9);
      }
      expect(result.groups.reduce((sum, g) => sum + g.weight * g.points, 0)).toBeCloseTo(result.score, 2);
    }
  });

  it('bounds a group at 0 and shows the bound as a factor', () => {
    const performance = evaluation(partialDebtor()).groups.find((g) => g.group === 'PERFORMANCE_HISTORY')!;
    expect(performance).toEqual({
      group: 'PERFORMANCE_HISTORY',
      weight: 0.3,
      points: 0,
      factors: [
        { name: '履约记录 (performance history): base points', points: 100, recordId: null },
        {
          name: '失信被执行人 (dishonest judgment debtor): 失信被执行人 (dishonest judgment debtor), case (2023)渝0112执1234号',
          points: -60,
          recordId: 'COURTS:1503212086',
        },
        {
          name: '限制消费令 (consumption restriction): 限制消费令 (consumption restriction order), case (2023)渝0112执1234号',
          points: -30,
          recordId: 'COURTS:5001122023000001234',
        },
        {
          name: '政府采购严重违法失信 (procurement dishonesty): 政府采购严重违法失信行为记录 (procurement dishonesty), banned until 2027-06-30',
          points: -40,
          recordId: 'PROCUREMENT:YZSX500112202500042',
        },
        { name: '履约记录 (performance history): bounded to 0–100', points: 30, recordId: null },
      ],
    });
  });

  it('says so when registration data is missing', () => {
    const basic = evaluation({ code: cleanSme().code }).groups[0]!;
    expect(basic.factors).toEqual([
      { name: '基础信息 (basic information): base points', points: 60, recordId: null },
      { name: '登记状态 (registration status): no registration data', points: 0, recordId: null },
      { name: '成立年限 (years since establishment): no registration data', points: 0, recordId: null },
    ]);
  });

  it('counts whole years', () => {
    expect(wholeYearsBetween('2016-05-18', '2026-05-17')).toBe(9);
    expect(wholeYearsBetween('2016-05-18', '2026-05-18')).toBe(10);
  });
});

describe('evaluation model validation', () => {
  it('rejects a broken model with every problem at once', () => {
    const data = JSON.parse(readFileSync(DEFAULT_EVALUATION_FILE, 'utf8')) as Record<string, any>;
    data['grades'] = [
      { grade: 'A', minScore: 90 },
      { grade: 'B', minScore: 95 },
      { grade: 'C', minScore: 70 },
      { grade: 'E', minScore: 10 },
    ];
    data['groups'][0]['weight'] = 0.5;
    data['groups'][1]['factors'][0]['rule'] = 'LUCK';
    data['groups'][2]['factors'][0]['kinds'] = ['BANKRUPTCY'];
    data['groups'][3]['group'] = 'PERFORMANCE_HISTORY';
    delete data['groups'][4]['factors'][0]['pointsEach'];
    let problems: readonly string[] = [];
    try {
      parseEvaluationModel(data, 'bad-model.json');
    } catch (error) {
      expect(error).toBeInstanceOf(CreditDataError);
      problems = (error as CreditDataError).problems;
    }
    expect(problems).toEqual([
      "$.grades[1].minScore: must be below A's 90: grades go from best to worst",
      "$.grades: 'D' is missing",
      '$.grades: the worst grade must start at 0 so that every score has a grade',
      '$.groups[1].factors[0].rule: must be one of REGISTRATION_STATUS, YEARS_ESTABLISHED, SPOT_CHECKS, RECORDS, got "LUCK"',
      '$.groups[2].factors[0].kinds[0]: must be one of ADMINISTRATIVE_PENALTY, ABNORMAL_OPERATIONS, SERIOUS_ILLEGAL_LIST, DISHONEST_JUDGMENT_DEBTOR, CONSUMPTION_RESTRICTION, MAJOR_TAX_VIOLATION, TAX_ARREARS, WAGE_ARREARS, PROCUREMENT_DISHONESTY, TAX_A_GRADE, CONTRACT_HONOUR, BROKEN_COMMITMENT, got "BANKRUPTCY"',
      "$.groups[3].group: 'PERFORMANCE_HISTORY' is defined twice",
      "$.groups[4].factors[0]: 'pointsEach' is missing",
      '$.groups[4].factors[0].pointsEach: must be a number from -100 to 100',
      "$.groups: 'REGULATORY_INFORMATION' is missing",
      '$.groups: weights must add up to 1, they add up to 1.35',
    ]);
  });
});
