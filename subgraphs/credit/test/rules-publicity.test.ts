import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CreditDataError } from '../src/rules/data.js';
import { loadCreditPolicy, CreditPolicyError } from '../src/rules/policy.js';
import {
  addMonths,
  DEFAULT_PUBLICITY_FILE,
  finesInYuan,
  loadPublicityPolicy,
  parsePublicityPolicy,
  penaltySeverity,
  publicityPeriod,
  ruleSetFor,
} from '../src/rules/publicity.js';

const policy = loadPublicityPolicy();
const shipped = () => JSON.parse(readFileSync(DEFAULT_PUBLICITY_FILE, 'utf8')) as Record<string, any>;

describe('publicity periods', () => {
  it('switch to the rules in force since 2026-04-01 by decision date', () => {
    expect(ruleSetFor(policy, '2026-03-31').id).toBe('2021-07');
    expect(ruleSetFor(policy, '2026-04-01').id).toBe('2026-04');
    // Decisions older than every rule set follow the oldest one.
    expect(ruleSetFor(policy, '2015-01-01').id).toBe('2021-07');
  });

  it('are minor ≤ 3 months, general 3 months to 1 year, serious 1 to 3 years under the 2026 rules', () => {
    expect(publicityPeriod(policy, 'ADMINISTRATIVE_PENALTY', 'MINOR', '2026-05-01')).toEqual({
      minMonths: 0,
      maxMonths: 3,
    });
    expect(publicityPeriod(policy, 'ADMINISTRATIVE_PENALTY', 'GENERAL', '2026-05-01')).toEqual({
      minMonths: 3,
      maxMonths: 12,
    });
    expect(publicityPeriod(policy, 'ADMINISTRATIVE_PENALTY', 'SERIOUS', '2026-05-01')).toEqual({
      minMonths: 12,
      maxMonths: 36,
    });
    expect(publicityPeriod(policy, 'ADMINISTRATIVE_PENALTY', 'GENERAL', '2025-05-01')).toEqual({
      minMonths: 3,
      maxMonths: 36,
    });
    // A kind's own period wins over its severity's.
    expect(publicityPeriod(policy, 'TAX_A_GRADE', 'COMMENDABLE', '2026-12-31')).toEqual({
      minMonths: 0,
      maxMonths: 16,
    });
  });

  it('keep by-kind rules as data', () => {
    expect(policy.kinds['ADMINISTRATIVE_PENALTY']).toEqual({
      severity: 'BY_PENALTY_CONTENT',
      publishedUntil: 'PERIOD',
      periodFrom: 'PUBLISHED_ON',
    });
    expect(policy.kinds['DISHONEST_JUDGMENT_DEBTOR']).toEqual({
      severity: 'SERIOUS',
      publishedUntil: 'DEPARTMENT',
      periodFrom: 'DECIDED_ON',
    });
  });

  it('count whole calendar months, the 31st falling on a shorter month’s last day', () => {
    expect(addMonths('2026-04-03', 12)).toBe('2027-04-03');
    expect(addMonths('2025-11-30', 3)).toBe('2026-02-28');
    expect(addMonths('2024-02-29', 12)).toBe('2025-02-28');
    expect(addMonths('2026-11-02', -36)).toBe('2023-11-02');
  });
});

describe('penalty severity by content', () => {
  const rule = policy.penaltySeverity;
  it.each([
    ['警告', 'MINOR'],
    ['责令改正，罚款人民币10000元', 'MINOR'],
    ['通报批评', 'MINOR'],
    ['罚款人民币20000元', 'GENERAL'],
    ['没收违法所得，罚款人民币50000元', 'GENERAL'],
    ['警告，没收违法所得', 'GENERAL'],
    ['吊销营业执照', 'SERIOUS'],
    ['责令停产停业，罚款人民币30000元', 'SERIOUS'],
    ['处以罚款225.22万元的行政处罚', 'SERIOUS'],
    ['罚款人民币1,000,000元', 'SERIOUS'],
  ] as const)('%s is %s', (content, severity) => {
    expect(penaltySeverity(rule, content)).toBe(severity);
  });

  it('reads fines in yuan and in 万元', () => {
    expect(finesInYuan('没收违法所得，罚款人民币50000元，并处罚款2.5万元')).toEqual([50_000, 25_000]);
    expect(finesInYuan('警告')).toEqual([]);
  });
});

describe('publicity policy validation', () => {
  it('rejects a broken file with every problem at once', () => {
    const data = shipped();
    data['ruleSets'][0]['bySeverity']['GENERAL'] = { minMonths: 12, maxMonths: 3 };
    delete data['ruleSets'][0]['bySeverity']['SERIOUS'];
    data['ruleSets'][1]['effectiveFrom'] = '2026-04-01';
    data['ruleSets'][1]['byKind']['TAX_A_GRADE'] = { minMonths: 0, maxMonths: 'sixteen' };
    delete data['kinds']['WAGE_ARREARS'];
    data['kinds']['TAX_ARREARS']['periodFrom'] = 'PUBLISHED_ON';
    data['kinds']['HONOUR'] = data['kinds']['CONTRACT_HONOUR'];
    data['penaltySeverity']['minor']['fineAtMostYuan'] = 2_000_000;
    let problems: readonly string[] = [];
    try {
      parsePublicityPolicy(data, 'bad-publicity.json');
    } catch (error) {
      expect(error).toBeInstanceOf(CreditDataError);
      problems = (error as CreditDataError).problems;
    }
    expect(problems).toEqual([
      '$.kinds.TAX_ARREARS.periodFrom: only administrative penalties carry a publication date',
      '$.kinds.HONOUR: must be one of ADMINISTRATIVE_PENALTY, ABNORMAL_OPERATIONS, SERIOUS_ILLEGAL_LIST, DISHONEST_JUDGMENT_DEBTOR, CONSUMPTION_RESTRICTION, MAJOR_TAX_VIOLATION, TAX_ARREARS, WAGE_ARREARS, PROCUREMENT_DISHONESTY, TAX_A_GRADE, CONTRACT_HONOUR, BROKEN_COMMITMENT, got "HONOUR"',
      "$.kinds: 'WAGE_ARREARS' is missing",
      '$.ruleSets[0].bySeverity.GENERAL: minMonths is longer than maxMonths',
      '$.ruleSets[1].effectiveFrom: another rule set is also in force from 2026-04-01',
      '$.ruleSets[1].byKind.TAX_A_GRADE.maxMonths: must be a number from 0 to 120',
      '$.ruleSets[0]: no period for ADMINISTRATIVE_PENALTY records of severity SERIOUS',
      // Its own period was unreadable, and COMMENDABLE has no period by severity.
      '$.ruleSets[1]: no period for TAX_A_GRADE records of severity COMMENDABLE',
      '$.penaltySeverity: the minor fine ceiling must be below the serious fine floor',
    ]);
  });
});

describe('loading every policy file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'credit-policy-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads the shipped files', () => {
    const loaded = loadCreditPolicy();
    expect(loaded.catalog.version).toBe('2026-04-01');
    expect(loaded.evaluation.model).toBe('PCCE-2026.1');
    expect(loaded.publicity.ruleSets.map((r) => r.effectiveFrom)).toEqual(['2026-04-01', '2021-07-15']);
  });

  it('reports the problems of every bad file in one error', () => {
    const measures = join(dir, 'measures.json');
    const evaluation = join(dir, 'evaluation.json');
    writeFileSync(measures, '{ not json');
    writeFileSync(evaluation, JSON.stringify({ model: 'x', title: 'y', grades: [], groups: [] }));
    let failure: unknown;
    try {
      loadCreditPolicy({ measuresFile: measures, evaluationModelFile: evaluation });
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(CreditPolicyError);
    const failures = (failure as CreditPolicyError).failures;
    expect(failures.map((f) => f.file)).toEqual([measures, evaluation]);
    expect(failures[0]!.problems[0]).toMatch(/^is not valid JSON: /);
    expect(failures[1]!.problems).toEqual(['$.grades: must not be empty', '$.groups: must not be empty']);
  });
});
