import type { SubjectFacts } from '../generator/facts.js';

/**
 * Curated demo subjects with scripted histories. Their base registration facts live here; each
 * department stand-in adds its own records for them in `<department>/demo.ts`.
 */
export interface DemoSubject {
  key: DemoKey;
  /** The case it demonstrates, as README lists it. */
  scenario: string;
  facts: SubjectFacts;
}

export type DemoKey =
  | 'clean-sme'
  | 'partial-debtor'
  | 'procurement-ban-ended'
  | 'abnormal-removed'
  | 'wage-arrears'
  | 'rep-is-debtor'
  | 'deregistered'
  | 'individual-business'
  | 'social-org'
  | 'legacy-check-fail'
  | 'major-tax-violator'
  | 'serious-illegal'
  | 'legacy-registration'
  | 'farmer-coop';

/** Demo people: legal representatives and officers whose own records matter. */
export const DEMO_PEOPLE = {
  cleanSmeRepresentative: { name: '李清泉', idNumber: '500155197904120357' },
  partialDebtorRepresentative: { name: '周德明', idNumber: '500112197508226133' },
  debtorRepresentative: { name: '王建国', idNumber: '510107198203154517' },
  taxFinanceOfficer: { name: '陈海燕', idNumber: '441900198809072243' },
} as const;

type FactsInput = Omit<SubjectFacts, 'code' | 'statusChangedOn' | 'legacyRegistrationNumber'> &
  Partial<Pick<SubjectFacts, 'statusChangedOn' | 'legacyRegistrationNumber'>>;

function demo(key: DemoKey, code: string, scenario: string, facts: FactsInput): DemoSubject {
  return {
    key,
    scenario,
    facts: { statusChangedOn: null, legacyRegistrationNumber: null, ...facts, code },
  };
}

const SUBJECTS: readonly DemoSubject[] = [
  demo(
    'clean-sme',
    '91500155MA5UQ01CXD',
    'Clean A-grade SME on the red list (A taxpayer three years running, 守合同重信用)',
    {
      kind: 'ENTERPRISE',
      divisionCode: '500155',
      province: '重庆市',
      name: '重庆清泉精密机械有限公司',
      industry: '机械制造',
      legalRepresentative: DEMO_PEOPLE.cleanSmeRepresentative,
      establishedOn: '2016-05-18',
      status: '存续',
      registeredCapitalWan: 800,
      employees: 46,
    },
  ),
  demo(
    'partial-debtor',
    '91500112MA60YD7K76',
    'Dishonest judgment debtor with partial performance, under a consumption restriction order',
    {
      kind: 'ENTERPRISE',
      divisionCode: '500112',
      province: '重庆市',
      name: '重庆渝东建筑工程有限公司',
      industry: '建筑工程',
      legalRepresentative: DEMO_PEOPLE.partialDebtorRepresentative,
      establishedOn: '2018-09-03',
      status: '存续',
      registeredCapitalWan: 2000,
      employees: 120,
    },
  ),
  demo(
    'procurement-ban-ended',
    '91350100MA2XH3FN5G',
    'Procurement-banned supplier whose three-year ban ended recently',
    {
      kind: 'ENTERPRISE',
      divisionCode: '350100',
      province: '福建省',
      name: '福州闽海信息技术有限公司',
      industry: '信息技术',
      legalRepresentative: { name: '林志远', idNumber: '350102198011233219' },
      establishedOn: '2017-02-14',
      status: '存续',
      registeredCapitalWan: 500,
      employees: 38,
    },
  ),
  demo('abnormal-removed', '91330106MA27XW9P6R', 'Listed as abnormal for a missing annual report, later removed', {
    kind: 'ENTERPRISE',
    divisionCode: '330106',
    province: '浙江省',
    name: '杭州西子贸易有限公司',
    industry: '贸易',
    legalRepresentative: { name: '沈嘉怡', idNumber: '33010619900218452X' },
    establishedOn: '2019-11-22',
    status: '存续',
    registeredCapitalWan: 100,
    employees: 9,
  }),
  demo(
    'wage-arrears',
    '91440305MA5G8WL211',
    'Wage-arrears employer on the joint-punishment list, behind on contributions',
    {
      kind: 'ENTERPRISE',
      divisionCode: '440305',
      province: '广东省',
      name: '深圳南山鑫达建材有限公司',
      industry: '建材',
      legalRepresentative: { name: '黄勇', idNumber: '440305197612030414' },
      establishedOn: '2015-12-09',
      status: '存续',
      registeredCapitalWan: 1000,
      employees: 210,
    },
  ),
  demo('rep-is-debtor', '91510107MA6CJ4R13B', 'Company whose legal representative is personally a dishonest debtor', {
    kind: 'ENTERPRISE',
    divisionCode: '510107',
    province: '四川省',
    name: '成都锦程餐饮管理有限公司',
    industry: '餐饮管理',
    legalRepresentative: DEMO_PEOPLE.debtorRepresentative,
    establishedOn: '2020-06-30',
    status: '存续',
    registeredCapitalWan: 300,
    employees: 25,
  }),
  demo('deregistered', '91110105MA01HT6E2P', 'Deregistered company (注销)', {
    kind: 'ENTERPRISE',
    divisionCode: '110105',
    province: '北京市',
    name: '北京朝阳恒泰商贸有限公司',
    industry: '商贸',
    legalRepresentative: { name: '赵明', idNumber: '110105198507215617' },
    establishedOn: '2016-03-08',
    status: '注销',
    statusChangedOn: '2024-06-28',
    registeredCapitalWan: 50,
    employees: 0,
  }),
  demo('individual-business', '92342301MA2TK8Y55A', 'Individual business (个体工商户, code 92…)', {
    kind: 'INDIVIDUAL_BUSINESS',
    divisionCode: '342301',
    province: '安徽省',
    name: '宿州市埇桥区张秀英便利店',
    industry: '零售',
    legalRepresentative: { name: '张秀英', idNumber: '342301196405173226' },
    establishedOn: '2017-08-01',
    status: '在业',
    registeredCapitalWan: 5,
    employees: 2,
  }),
  demo('social-org', '51310115MJ4963N29F', 'Social organization registered by civil affairs (社会团体, code 5…)', {
    kind: 'SOCIAL_ORGANIZATION',
    divisionCode: '310115',
    province: '上海市',
    name: '上海市浦东新区软件行业协会',
    industry: '行业协会',
    legalRepresentative: { name: '钱思远', idNumber: '310115197211050038' },
    establishedOn: '2002-04-16',
    status: '存续',
    registeredCapitalWan: 10,
    employees: 12,
  }),
  demo(
    'legacy-check-fail',
    '91350100M000147283',
    'Legally issued pilot-era code that fails the check character (allow-listed)',
    {
      kind: 'ENTERPRISE',
      divisionCode: '350100',
      province: '福建省',
      name: '福州榕城港务有限公司',
      industry: '物流',
      legalRepresentative: { name: '郑海峰', idNumber: '350102196809124418' },
      establishedOn: '2001-07-19',
      status: '存续',
      legacyRegistrationNumber: '350100100012345',
      registeredCapitalWan: 12000,
      employees: 640,
    },
  ),
  demo(
    'major-tax-violator',
    '91441900MA4UW2DQ7T',
    'Major tax violation dishonest subject, graded D, with its responsible finance officer',
    {
      kind: 'ENTERPRISE',
      divisionCode: '441900',
      province: '广东省',
      name: '东莞宏达电子有限公司',
      industry: '电子',
      legalRepresentative: { name: '刘强', idNumber: '441900197105280015' },
      establishedOn: '2016-01-12',
      status: '存续',
      registeredCapitalWan: 600,
      employees: 85,
    },
  ),
  demo(
    'serious-illegal',
    '91120116MA05LQ3B65',
    'Revoked licence and on the serious illegal and dishonest list (严重违法失信名单)',
    {
      kind: 'ENTERPRISE',
      divisionCode: '120116',
      province: '天津市',
      name: '天津乾坤物流有限公司',
      industry: '物流',
      legalRepresentative: { name: '孙磊', idNumber: '120116198104060033' },
      establishedOn: '2016-10-10',
      status: '吊销',
      statusChangedOn: '2022-08-15',
      registeredCapitalWan: 200,
      employees: 0,
    },
  ),
  demo(
    'legacy-registration',
    '91320505608263159P',
    'Pre-2015 company still carrying its 15-digit registration number and old taxpayer number',
    {
      kind: 'ENTERPRISE',
      divisionCode: '320505',
      province: '江苏省',
      name: '苏州金诚机械制造有限公司',
      industry: '机械制造',
      legalRepresentative: { name: '徐建华', idNumber: '320505196702113618' },
      establishedOn: '2008-04-25',
      status: '存续',
      legacyRegistrationNumber: '320500000084126',
      registeredCapitalWan: 3000,
      employees: 310,
    },
  ),
  demo('farmer-coop', '93500155MA5YB7A93C', 'Farmer cooperative (农民专业合作社, code 93…)', {
    kind: 'FARMER_COOPERATIVE',
    divisionCode: '500155',
    province: '重庆市',
    name: '重庆梁平益民蔬菜种植专业合作社',
    industry: '农业',
    legalRepresentative: { name: '蒋春梅', idNumber: '500155198312060228' },
    establishedOn: '2019-03-21',
    status: '存续',
    registeredCapitalWan: 60,
    employees: 14,
  }),
];

export const DEMO_SUBJECTS: ReadonlyMap<string, DemoSubject> = new Map(SUBJECTS.map((s) => [s.facts.code, s]));

const BY_KEY = new Map(SUBJECTS.map((s) => [s.key, s]));

/** The demo subject for a key; departments script their records against these. */
export function demoSubject(key: DemoKey): DemoSubject {
  return BY_KEY.get(key)!;
}

export function demoCode(key: DemoKey): string {
  return demoSubject(key).facts.code;
}
