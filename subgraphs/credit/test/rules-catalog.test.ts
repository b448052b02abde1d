import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CONSUMPTION_RESTRICTION_MEASURE_IDS,
  DEFAULT_MEASURES_FILE,
  loadMeasuresCatalog,
  parseMeasuresCatalog,
} from '../src/rules/catalog.js';
import { CreditDataError } from '../src/rules/data.js';

const shipped = () => JSON.parse(readFileSync(DEFAULT_MEASURES_FILE, 'utf8')) as Record<string, any>;

function problemsOf(data: unknown): readonly string[] {
  try {
    parseMeasuresCatalog(data, 'bad-measures.json');
  } catch (error) {
    expect(error).toBeInstanceOf(CreditDataError);
    expect((error as CreditDataError).file).toBe('bad-measures.json');
    return (error as CreditDataError).problems;
  }
  throw new Error('the catalog was accepted');
}

describe('the shipped measures catalog', () => {
  const catalog = loadMeasuresCatalog();

  it('holds at least 20 measures, red and black, mandatory and recommended', () => {
    const measures = catalog.all();
    expect(measures.length).toBeGreaterThanOrEqual(20);
    expect(new Set(measures.map((m) => m.id)).size).toBe(measures.length);
    expect(new Set(measures.map((m) => m.list))).toEqual(new Set(['RED', 'WATCH', 'BLACK']));
    expect(new Set(measures.map((m) => m.kind))).toEqual(new Set(['MANDATORY', 'RECOMMENDED']));
  });

  it('has the nine consumption restrictions of 失信被执行人, in the regulation’s order', () => {
    const restrictions = CONSUMPTION_RESTRICTION_MEASURE_IDS.map((id) => catalog.get(id)!);
    expect(restrictions.map((m) => m.legalBasis)).toEqual(
      ['一', '二', '三', '四', '五', '六', '七', '八', '九'].map(
        (n) => `《最高人民法院关于限制被执行人高消费及有关消费的若干规定》第三条第（${n}）项`,
      ),
    );
    expect(catalog.get('RESTRICT-1')).toEqual({
      id: 'RESTRICT-1',
      name: '限制乘坐飞机、列车软卧、轮船二等以上舱位 (No flights, soft sleepers, or ship berths of class 2 and above)',
      kind: 'MANDATORY',
      list: 'BLACK',
      listKind: expect.objectContaining({ id: 'BLACK', class: 'BLACK', incentive: false }),
      targetLists: ['失信被执行人名单', '限制消费被执行人名单'],
      legalBasis: '《最高人民法院关于限制被执行人高消费及有关消费的若干规定》第三条第（一）项',
      initiatingDepartment: '最高人民法院',
      implementingDepartment: '中国民用航空局、中国国家铁路集团有限公司、交通运输部',
      implementingDepartments: ['CAAC', 'CHINA_RAILWAY', 'MOT'],
      contexts: ['HIGH_CONSUMPTION'],
      reachesRepresentative: false,
    });
    expect(catalog.get('RESTRICT-9')!.name).toContain('G字头动车组');
    for (const measure of restrictions) expect(measure.contexts).toEqual(['HIGH_CONSUMPTION']);
  });

  it('filters by list, context and specific list names', () => {
    expect(catalog.forList({ list: 'RED' }).map((m) => m.id)).toEqual([
      'GREEN-CHANNEL',
      'FEWER-INSPECTIONS',
      'FISCAL-FUNDS-PRIORITY',
      'FINANCING-CONVENIENCE',
      'PROCUREMENT-PREFERENCE',
      'HONOURS-PRIORITY',
    ]);
    expect(catalog.forList({ context: 'GOVERNMENT_PROCUREMENT' }).map((m) => m.id)).toEqual([
      'PROCUREMENT-BAN',
      'WAGE-ARREARS-LIMITS',
      'PROCUREMENT-PREFERENCE',
    ]);
    expect(catalog.forList({ list: 'BLACK', context: 'HONOURS' }).map((m) => m.id)).toEqual([
      'DEBTOR-HONOURS',
      'DISHONESTY-HONOURS',
      'WAGE-ARREARS-LIMITS',
    ]);
    expect(catalog.forList({ names: ['重大税收违法失信主体名单'], context: 'FINANCING' }).map((m) => m.id)).toEqual([
      'FINANCING-SCRUTINY',
    ]);
    expect(catalog.forList({ list: null, context: null })).toHaveLength(catalog.all().length);
  });

  it('maps each record kind to the specific lists it puts a subject on', () => {
    expect(catalog.listsFor('DISHONEST_JUDGMENT_DEBTOR').map((l) => [l.list, l.name])).toEqual([
      ['BLACK', '失信被执行人名单'],
    ]);
    expect(catalog.listsFor('TAX_A_GRADE').map((l) => [l.list, l.name])).toEqual([['RED', '纳税信用A级纳税人名单']]);
    expect(catalog.listsFor('ADMINISTRATIVE_PENALTY').map((l) => [l.list, l.name, l.severities])).toEqual([
      ['WATCH', '一般失信行政处罚对象', ['GENERAL', 'SERIOUS']],
    ]);
    expect(catalog.lists().map((l) => l.name)).toEqual([
      '失信被执行人名单',
      '限制消费被执行人名单',
      '重大税收违法失信主体名单',
      '政府采购严重违法失信行为记录名单',
      '严重违法失信名单',
      '拖欠农民工工资失信联合惩戒对象名单',
      '纳税信用A级纳税人名单',
      '守合同重信用企业',
      '经营异常名录',
      '欠税公告纳税人',
      '一般失信行政处罚对象',
      '信用承诺失信名单',
    ]);
  });

  it('keeps the green channel policy as data', () => {
    expect(catalog.greenChannel).toEqual({
      exemplaryLists: ['纳税信用A级纳税人名单', '守合同重信用企业'],
      cleanYears: 3,
      adverseStates: ['ACTIVE', 'UNDER_OBJECTION', 'EXPIRED', 'REMOVED'],
    });
    expect(catalog.incentivesClosedToBlackListed).toBe(true);
  });
});

describe('catalog validation', () => {
  it('rejects a broken catalog with every problem at once', () => {
    const data = shipped();
    const measures = data['measures'] as Record<string, any>[];
    measures[1]!['id'] = 'RESTRICT-1';
    measures[2]!['kind'] = 'OPTIONAL';
    measures[3]!['contexts'] = ['HIGH_CONSUMPTION', 'SPACE_TRAVEL'];
    measures[4]!['targetLists'] = ['失信被执行人名单', '黑名单'];
    measures[5]!['legalBasis'] = '  ';
    delete measures[6]!['implementingDepartment'];
    measures[7]!['list'] = 'RED';
    measures[8]!['contexts'] = [];
    measures[9]!['remark'] = 'typo';
    data['greenChannel'] = { exemplaryLists: ['失信被执行人名单'], cleanYears: 0, adverseStates: ['LOST'] };
    expect(problemsOf(data)).toEqual([
      "$.measures[1].id: 'RESTRICT-1' is defined twice",
      '$.measures[2].kind: must be one of MANDATORY, RECOMMENDED, got "OPTIONAL"',
      '$.measures[3].contexts[1]: must be one of ADMINISTRATIVE_LICENSING, GOVERNMENT_PROCUREMENT, FINANCING, FISCAL_FUNDS, HONOURS, HIGH_CONSUMPTION, PUBLIC_BIDDING, MARKET_ACCESS, REGULATORY_INSPECTION, EXIT_ENTRY, PROJECT_APPROVAL, FRANCHISE, LAND, got "SPACE_TRAVEL"',
      "$.measures[4].targetLists[1]: '黑名单' is not a list defined in $.lists",
      '$.measures[5].legalBasis: must be a non-empty string',
      "$.measures[6]: 'implementingDepartment' is missing",
      '$.measures[6].implementingDepartment: must be a non-empty string',
      "$.measures[7].targetLists[0]: '失信被执行人名单' is a BLACK list, the measure is for RED: incentives and punishments do not mix",
      "$.measures[7].targetLists[1]: '限制消费被执行人名单' is a BLACK list, the measure is for RED: incentives and punishments do not mix",
      '$.measures[8].contexts: must not be empty',
      "$.measures[9]: 'remark' is not a known field",
      // RESTRICT-2 was renamed; the others were dropped for their own problems.
      "$.measures: 'RESTRICT-2' is missing: the court linkage feed names it",
      "$.measures: 'RESTRICT-3' is missing: the court linkage feed names it",
      "$.measures: 'RESTRICT-6' is missing: the court linkage feed names it",
      "$.measures: 'RESTRICT-7' is missing: the court linkage feed names it",
      "$.measures: 'RESTRICT-9' must apply in the HIGH_CONSUMPTION context",
      '$.greenChannel.cleanYears: must be a number from 1 to 10',
      "$.greenChannel.exemplaryLists[0]: '失信被执行人名单' is not a RED list defined in $.lists",
      '$.greenChannel.adverseStates[0]: must be one of ACTIVE, UNDER_OBJECTION, EXPIRED, REPAIRED, REVOKED, REMOVED, got "LOST"',
    ]);
  });

  it('rejects lists that are unknown, duplicated, or targeted by no measure', () => {
    const data = shipped();
    const lists = data['lists'] as Record<string, any>[];
    lists.push({
      name: '失信被执行人名单',
      list: 'BLACK',
      department: '最高人民法院',
      recordKinds: ['DISHONEST_JUDGMENT_DEBTOR'],
    });
    lists.push({ name: '诚信典型', list: 'GOLD', department: '发展改革委', recordKinds: ['HONOUR'] });
    lists.push({ name: '重点关注名单', list: 'BLACK', department: '市场监管', recordKinds: ['ABNORMAL_OPERATIONS'] });
    expect(problemsOf(data)).toEqual([
      "$.lists[12].name: '失信被执行人名单' is defined twice",
      '$.lists[13].list: must be one of RED, WATCH, BLACK, got "GOLD"',
      '$.lists[13].recordKinds[0]: must be one of ADMINISTRATIVE_PENALTY, ABNORMAL_OPERATIONS, SERIOUS_ILLEGAL_LIST, DISHONEST_JUDGMENT_DEBTOR, CONSUMPTION_RESTRICTION, MAJOR_TAX_VIOLATION, TAX_ARREARS, WAGE_ARREARS, PROCUREMENT_DISHONESTY, TAX_A_GRADE, CONTRACT_HONOUR, BROKEN_COMMITMENT, got "HONOUR"',
      "$.lists: '重点关注名单' is targeted by no measure",
    ]);
  });

  it('rejects a file that is not a catalog', () => {
    expect(problemsOf([])).toEqual([
      '$: must be an object',
      '$.version: must be a non-empty string',
      '$.incentivesClosedToBlackListed: must be true or false',
      '$.lists: must be an array',
      '$.measures: must be an array',
      ...CONSUMPTION_RESTRICTION_MEASURE_IDS.map(
        (id) => `$.measures: '${id}' is missing: the court linkage feed names it`,
      ),
      '$.greenChannel: must be an object',
    ]);
  });

  it('reports an unreadable or malformed file by name', () => {
    expect(() => loadMeasuresCatalog('/nonexistent/measures.json')).toThrow(CreditDataError);
    expect(() => loadMeasuresCatalog('/nonexistent/measures.json')).toThrow(
      /^\/nonexistent\/measures.json is not a usable policy file:\n  - cannot be read: ENOENT/,
    );
  });
});
