import { creditCodeParts, findIdNumberProblem, idNumberParts } from '@credit-gateway/common';
import { DEMO_PEOPLE, DEMO_SUBJECTS } from '../demo/subjects.js';
import { divisionFor } from '../generator/divisions.js';
import { personName } from '../generator/names.js';
import { addDays, addYears, rngFor, type Rng } from '../generator/prng.js';
import {
  generatedPerson,
  isRegistered,
  SIMULATION_DATE,
  subjectFacts,
  type PersonFacts,
  type SubjectFacts,
} from '../generator/subject.js';
import { COURTS_DEMO_COMPANIES, COURTS_DEMO_PEOPLE } from './demo.js';
import {
  chinaMidnight,
  chineseDate,
  compactDate,
  hyphenatedOrganizationCode,
  type CourtsHistory,
  type ZxgkBoundPerson,
  type ZxgkDebtor,
  type ZxgkRestriction,
} from './format.js';

/** Share of registered subjects that are dishonest judgment debtors, by organization category. */
export const COMPANY_DEBTOR_SHARE = {
  ENTERPRISE: 0.03,
  INDIVIDUAL_BUSINESS: 0.02,
  FARMER_COOPERATIVE: 0.01,
  /** Social organizations, public institutions and the rest. */
  OTHER: 0.003,
} as const;
/** Share of natural persons (any valid ID number) with a personal debtor record. */
export const PERSON_DEBTOR_SHARE = 0.015;
/** Share of records already removed, after performance or the end of the listing period. */
export const REMOVED_SHARE = 0.25;
/** Share of debtor companies whose newest case carries a restriction order binding their officers. */
export const COMPANY_ORDER_SHARE = 0.6;
/** Share of personal debtors with a personal restriction order. */
export const PERSON_ORDER_SHARE = 0.8;
/** The listing period after which a record is hidden (屏蔽) if nothing else happens. */
const LISTING_YEARS = 2;

const empty = (): CourtsHistory => ({ sxbzxr: [], xzxfl: [] });

/** Short province names (as `areaName` writes them) and the abbreviation case numbers carry. */
const PROVINCES: Readonly<Record<string, { short: string; abbr: string }>> = {
  '11': { short: '北京', abbr: '京' },
  '12': { short: '天津', abbr: '津' },
  '13': { short: '河北', abbr: '冀' },
  '14': { short: '山西', abbr: '晋' },
  '15': { short: '内蒙古', abbr: '内' },
  '21': { short: '辽宁', abbr: '辽' },
  '22': { short: '吉林', abbr: '吉' },
  '23': { short: '黑龙江', abbr: '黑' },
  '31': { short: '上海', abbr: '沪' },
  '32': { short: '江苏', abbr: '苏' },
  '33': { short: '浙江', abbr: '浙' },
  '34': { short: '安徽', abbr: '皖' },
  '35': { short: '福建', abbr: '闽' },
  '36': { short: '江西', abbr: '赣' },
  '37': { short: '山东', abbr: '鲁' },
  '41': { short: '河南', abbr: '豫' },
  '42': { short: '湖北', abbr: '鄂' },
  '43': { short: '湖南', abbr: '湘' },
  '44': { short: '广东', abbr: '粤' },
  '45': { short: '广西', abbr: '桂' },
  '46': { short: '海南', abbr: '琼' },
  '50': { short: '重庆', abbr: '渝' },
  '51': { short: '四川', abbr: '川' },
  '52': { short: '贵州', abbr: '黔' },
  '53': { short: '云南', abbr: '云' },
  '54': { short: '西藏', abbr: '藏' },
  '61': { short: '陕西', abbr: '陕' },
  '62': { short: '甘肃', abbr: '甘' },
  '63': { short: '青海', abbr: '青' },
  '64': { short: '宁夏', abbr: '宁' },
  '65': { short: '新疆', abbr: '新' },
};

/**
 * The enforcing court for each division subjects are generated in: [court, court code, city].
 * A basic court's code is its county's division code without the province (渝0112 渝北区).
 */
const COURTS: Readonly<Record<string, readonly [string, string, string]>> = {
  '110105': ['北京市朝阳区人民法院', '0105', '北京'],
  '110108': ['北京市海淀区人民法院', '0108', '北京'],
  '310115': ['上海市浦东新区人民法院', '0115', '上海'],
  '310104': ['上海市徐汇区人民法院', '0104', '上海'],
  '120116': ['天津市滨海新区人民法院', '0116', '天津'],
  '500103': ['重庆市渝中区人民法院', '0103', '重庆'],
  '500112': ['重庆市渝北区人民法院', '0112', '重庆'],
  '500155': ['重庆市梁平区人民法院', '0155', '重庆'],
  '330106': ['杭州市西湖区人民法院', '0106', '杭州'],
  '330212': ['宁波市鄞州区人民法院', '0212', '宁波'],
  '320505': ['苏州市虎丘区人民法院', '0505', '苏州'],
  '320106': ['南京市鼓楼区人民法院', '0106', '南京'],
  '440305': ['深圳市南山区人民法院', '0305', '深圳'],
  '440106': ['广州市天河区人民法院', '0106', '广州'],
  '441900': ['东莞市第一人民法院', '1971', '东莞'],
  '350100': ['福州市中级人民法院', '01', '福州'],
  '350203': ['厦门市思明区人民法院', '0203', '厦门'],
  '370102': ['济南市历下区人民法院', '0102', '济南'],
  '370202': ['青岛市市南区人民法院', '0202', '青岛'],
  '420106': ['武汉市武昌区人民法院', '0106', '武汉'],
  '430104': ['长沙市岳麓区人民法院', '0104', '长沙'],
  '510107': ['成都市武侯区人民法院', '0107', '成都'],
  '610113': ['西安市雁塔区人民法院', '0113', '西安'],
  '410105': ['郑州市金水区人民法院', '0105', '郑州'],
  '340104': ['合肥市蜀山区人民法院', '0104', '合肥'],
  '342301': ['宿州市埇桥区人民法院', '1302', '宿州'],
  '360102': ['南昌市东湖区人民法院', '0102', '南昌'],
  '530102': ['昆明市五华区人民法院', '0102', '昆明'],
  '520102': ['贵阳市南明区人民法院', '0102', '贵阳'],
  '450103': ['南宁市青秀区人民法院', '0103', '南宁'],
  '210102': ['大连市中山区人民法院', '0202', '大连'],
  '220102': ['长春市南关区人民法院', '0102', '长春'],
  '230102': ['哈尔滨市道里区人民法院', '0102', '哈尔滨'],
  '130104': ['石家庄市桥西区人民法院', '0104', '石家庄'],
  '140105': ['太原市小店区人民法院', '0105', '太原'],
  '150102': ['呼和浩特市新城区人民法院', '0102', '呼和浩特'],
  '620102': ['兰州市城关区人民法院', '0102', '兰州'],
  '650102': ['乌鲁木齐市天山区人民法院', '0102', '乌鲁木齐'],
  '460106': ['海口市龙华区人民法院', '0106', '海口'],
  '640104': ['银川市兴庆区人民法院', '0104', '银川'],
};
const COURT_DIVISIONS = Object.keys(COURTS);

interface Court {
  name: string;
  /** `渝0112`, as case numbers carry it. */
  code: string;
  city: string;
  province: string;
}

function courtFor(divisionCode: string, rng: Rng): Court {
  let division = divisionFor(divisionCode).code;
  // People registered in divisions no generated court sits in are sued where they live now.
  if (!COURTS[division]) division = rng.pick(COURT_DIVISIONS);
  const [name, digits, city] = COURTS[division]!;
  const province = PROVINCES[division.slice(0, 2)]!;
  return { name, code: `${province.abbr}${digits}`, city, province: province.short };
}

function timeOfDay(rng: Rng): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(rng.int(8, 18))}:${pad(rng.int(0, 59))}:${pad(rng.int(0, 59))}`;
}

function withinOffice(date: string, rng: Rng): number {
  return chinaMidnight(date) + rng.int(8 * 3600, 18 * 3600) * 1000;
}

const BEHAVIOURS = [
  ['有履行能力而拒不履行生效法律文书确定义务', 70],
  ['违反财产报告制度', 12],
  ['违反限制消费令', 8],
  ['以虚假诉讼、虚假仲裁或者以隐匿、转移财产等方法规避执行', 6],
  ['无正当理由拒不履行执行和解协议', 4],
] as const;

const COMPANY_DUTIES: readonly ((amount: number) => string)[] = [
  (a) => `支付货款${a}元及逾期付款违约金`,
  (a) => `支付工程款${a}元`,
  (a) => `偿还借款本金${a}元及利息`,
  (a) => `支付租金${a}元`,
  (a) => `支付劳动报酬${a}元`,
  (a) => `支付服务费${a}元`,
];

const PERSON_DUTIES: readonly ((amount: number) => string)[] = [
  (a) => `偿还借款本金${a}元及利息`,
  (a) => `偿还借款${a}元`,
  (a) => `支付货款${a}元`,
  (a) => `赔偿损失${a}元`,
  (a) => `承担连带清偿责任${a}元`,
];

const ALL_ITEMS = '1,2,3,4,5,6,7,8,9';

function restrictedItems(rng: Rng): string {
  if (rng.chance(0.85)) return ALL_ITEMS;
  // A partial order always keeps flights and high-speed trains, the items courts never drop.
  const items = [1, 2, 3, 4, 5, 6, 7, 8, 9].filter((item) => item === 1 || item === 9 || rng.chance(0.6));
  return items.join(',');
}

interface Debtor {
  name: string;
  /** As the debtor record writes it. */
  cardNum: string;
  /** As the restriction order writes it. */
  orderCardNum: string;
  /** Where the court records the case against them; the subject's own division. */
  divisionCode: string;
  businessEntity: string;
  /** Companies owe larger sums, and for other things, than people and individual businesses. */
  large: boolean;
}

/** One enforcement case: the debtor record and, when the court issued one, its restriction order. */
function generatedCase(
  debtor: Debtor,
  rng: Rng,
  window: { from: string; to: string },
  order: { glry: ZxgkBoundPerson[] } | null,
): { record: ZxgkDebtor; order: ZxgkRestriction | null } {
  const court = courtFor(debtor.divisionCode, rng);
  const filed = rng.date(window.from, window.to);
  const year = filed.slice(0, 4);
  const judged = addDays(filed, -rng.int(60, 500));
  const byArbitration = rng.chance(0.12);
  const amount = debtor.large ? rng.int(50, 5000) * 1000 : rng.int(20, 800) * 1000;
  const partly = rng.chance(0.3);
  const performed = partly ? Math.round((amount * rng.int(10, 70)) / 100 / 1000) * 1000 : 0;
  const published = addDays(filed, rng.int(20, 180));
  let revokeState: ZxgkDebtor['revokeState'] = '0';
  let revoked: string | null = null;
  if (rng.chance(REMOVED_SHARE)) {
    const periodEnd = addYears(published, LISTING_YEARS);
    if (periodEnd < SIMULATION_DATE && rng.chance(0.35)) {
      revokeState = '2';
      revoked = periodEnd;
    } else {
      revokeState = '1';
      const latest = addYears(published, 3) < SIMULATION_DATE ? addYears(published, 3) : addDays(SIMULATION_DATE, -1);
      revoked = rng.date(addDays(published, 10), latest);
    }
  }
  const caseCode = `(${year})${court.code}执${rng.int(1, 9999)}号`;
  const record: ZxgkDebtor = {
    id: Number(`${rng.int(1, 9)}${rng.digits(9)}`),
    iname: debtor.name,
    caseCode,
    cardNum: debtor.cardNum,
    businessEntity: debtor.businessEntity,
    courtName: court.name,
    areaName: court.province,
    gistId: byArbitration
      ? `(${judged.slice(0, 4)})${court.city}仲字第${rng.int(1, 3000)}号`
      : `(${judged.slice(0, 4)})${court.code}民初${rng.int(1, 20000)}号`,
    gistUnit: byArbitration ? `${court.city}仲裁委员会` : court.name,
    regDate: chineseDate(filed),
    duty: rng.pick(debtor.large ? COMPANY_DUTIES : PERSON_DUTIES)(amount),
    performance: partly ? '部分履行' : '全部未履行',
    performedPart: partly ? `${performed}元` : '暂无',
    unperformPart: partly ? `${amount - performed}元` : '暂无',
    disruptTypeName: rng.weighted(BEHAVIOURS),
    publishDate: withinOffice(published, rng),
    revokeState,
    revokeDate: revoked === null ? null : withinOffice(revoked, rng),
    revokeReason:
      revokeState === '1' ? '被执行人已履行生效法律文书确定的义务' : revokeState === '2' ? '失信期限届满' : null,
  };
  if (!order) return { record, order: null };
  const issued = addDays(filed, rng.int(3, 30));
  const lifted = revokeState === '1' ? revoked : null;
  return {
    record,
    order: {
      ajbs: `${debtor.divisionCode}${year}${rng.digits(10)}`,
      // Orders write case numbers with full-width parentheses, as the documents themselves do.
      ah: caseCode.replace('(', '（').replace(')', '）'),
      fymc: court.name,
      fbrq: compactDate(issued),
      xfrmc: debtor.name,
      xfrzjhm: debtor.orderCardNum,
      xzsx: restrictedItems(rng),
      glry: order.glry,
      zt: lifted === null ? '有效' : '已解除',
      jcrq: lifted === null ? '' : compactDate(lifted),
      gxsj: `${lifted ?? issued} ${timeOfDay(rng)}`,
    },
  };
}

const newestFirst = (a: ZxgkDebtor, b: ZxgkDebtor) => b.publishDate - a.publishDate;

/** The demo people and demo subjects' officers; generation never adds records to them. */
const DEMO_PERSON_IDS: ReadonlySet<string> = new Set([
  ...[...DEMO_SUBJECTS.values()].map((s) => s.facts.legalRepresentative.idNumber),
  ...Object.values(DEMO_PEOPLE).map((p) => p.idNumber),
]);

function companyDebtorShare(code: string): number {
  const category = creditCodeParts(code).organizationCategory;
  switch (category) {
    case 'ENTERPRISE':
    case 'INDIVIDUAL_BUSINESS':
    case 'FARMER_COOPERATIVE':
      return COMPANY_DEBTOR_SHARE[category];
    default:
      return COMPANY_DEBTOR_SHARE.OTHER;
  }
}

/**
 * Whether generation makes this company a debtor. It reads only the code, not the registration
 * facts, so that the start-up index can ask it of every code of a large population.
 */
export function isGeneratedCompanyDebtor(code: string): boolean {
  if (DEMO_SUBJECTS.has(code) || !isRegistered(code)) return false;
  return rngFor(code, 'courts').chance(companyDebtorShare(code));
}

/** The courts' records on a registered company, as it is identified by its credit code. */
export function companyCourtHistory(code: string): CourtsHistory {
  const demo = COURTS_DEMO_COMPANIES.get(code);
  if (demo) return demo;
  if (DEMO_SUBJECTS.has(code)) return empty();
  const facts = subjectFacts(code);
  if (!facts) return empty();
  const rng = rngFor(code, 'courts');
  if (!rng.chance(companyDebtorShare(code))) return empty();
  const from = addDays(facts.establishedOn, 180) > '2014-01-01' ? addDays(facts.establishedOn, 180) : '2014-01-01';
  const latest = addDays(SIMULATION_DATE, -200);
  const to = facts.statusChangedOn !== null && facts.statusChangedOn < latest ? facts.statusChangedOn : latest;
  if (from > to) return empty();
  const debtor: Debtor = {
    name: facts.name,
    // Older records carry the organization code without its hyphen.
    cardNum: rng.chance(0.1) ? creditCodeParts(code).organizationCode : hyphenatedOrganizationCode(code),
    orderCardNum: hyphenatedOrganizationCode(code),
    divisionCode: facts.divisionCode,
    businessEntity: facts.legalRepresentative.name,
    large: facts.kind !== 'INDIVIDUAL_BUSINESS',
  };
  const count = rng.chance(0.3) ? 2 : 1;
  const cases = Array.from({ length: count }, (_, index) =>
    generatedCase(
      debtor,
      rng,
      { from, to },
      index === count - 1 && rng.chance(COMPANY_ORDER_SHARE) ? { glry: boundPeople(facts, rng) } : null,
    ),
  );
  return {
    sxbzxr: cases.map((c) => c.record).sort(newestFirst),
    xzxfl: cases.flatMap((c) => (c.order ? [c.order] : [])),
  };
}

/** Who a company's order binds: its legal representative (or principal), sometimes an actual controller. */
function boundPeople(facts: SubjectFacts, rng: Rng): ZxgkBoundPerson[] {
  const representative = facts.legalRepresentative;
  const people: ZxgkBoundPerson[] = [
    {
      xm: representative.name,
      zjhm: representative.idNumber,
      sf: facts.kind === 'ENTERPRISE' ? '法定代表人' : '主要负责人',
    },
  ];
  if (facts.kind === 'ENTERPRISE' && rng.chance(0.15)) {
    const controller: PersonFacts = generatedPerson(`${facts.code}|actual-controller`, facts.divisionCode);
    people.push({ xm: controller.name, zjhm: controller.idNumber, sf: '实际控制人' });
  }
  return people;
}

/** Whether generation makes this ID number a personal debtor (the first draw of its stream). */
export function isGeneratedPersonalDebtor(idNumber: string): boolean {
  if (DEMO_PERSON_IDS.has(idNumber) || COURTS_DEMO_PEOPLE.has(idNumber)) return false;
  return rngFor(idNumber, 'courts-person').chance(PERSON_DEBTOR_SHARE);
}

/**
 * The courts' own records on a natural person: debtor records and orders naming them as the
 * restricted subject. `knownName` is the name the court holds from other records, if any.
 */
export function personCourtHistory(idNumber: string, knownName?: string): CourtsHistory {
  const demo = COURTS_DEMO_PEOPLE.get(idNumber);
  if (demo) return demo;
  if (DEMO_PERSON_IDS.has(idNumber) || findIdNumberProblem(idNumber) !== null) return empty();
  const rng = rngFor(idNumber, 'courts-person');
  if (!rng.chance(PERSON_DEBTOR_SHARE)) return empty();
  const { birthDate, divisionCode } = idNumberParts(idNumber);
  const adult = addYears(birthDate, 22);
  const from = adult > '2014-01-01' ? adult : '2014-01-01';
  const to = addDays(SIMULATION_DATE, -200);
  if (from > to) return empty();
  const name = knownName ?? personName(rngFor(idNumber, 'courts-name'));
  const debtor: Debtor = {
    name,
    // Records entered before 2004 may still carry the first-generation 15-digit number.
    cardNum: birthDate < '1965-01-01' && rng.chance(0.3) ? idNumber.slice(0, 6) + idNumber.slice(8, 17) : idNumber,
    orderCardNum: idNumber,
    divisionCode,
    businessEntity: '',
    large: false,
  };
  const count = rng.chance(0.15) ? 2 : 1;
  const cases = Array.from({ length: count }, (_, index) =>
    generatedCase(
      debtor,
      rng,
      { from, to },
      index === count - 1 && rng.chance(PERSON_ORDER_SHARE) ? { glry: [] } : null,
    ),
  );
  return {
    sxbzxr: cases.map((c) => c.record).sort(newestFirst),
    xzxfl: cases.flatMap((c) => (c.order ? [c.order] : [])),
  };
}
