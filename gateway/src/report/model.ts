/**
 * What a credit report says, built from the GraphQL answer alone: every value printed is a value
 * the answer holds (masked stays masked, withheld stays absent), and every error the answer carries
 * at a section's path is said on that section (no consent, not readable at this tier, a department
 * that could not be read, a decision made on incomplete inputs). The PDF and the HTML render this.
 */
import { isEnumType, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import type { ReportScope } from './scope.js';
import { SECTION_TITLES, type ReportSection } from './sections.js';

export type Field = readonly [label: string, value: string];

export interface Block {
  heading?: string;
  fields: Field[];
}

export interface SectionModel {
  id: ReportSection;
  title: string;
  blocks: Block[];
  /** What the section could not hold, or on what it was decided. */
  notes: string[];
  /**
   * What the section says when it lists no record: 无记录 only when nothing was withheld from it,
   * every department it draws on was read and the period left nothing out; otherwise why not.
   */
  empty: string;
}

export interface ReportHeader {
  number: string;
  verificationCode: string;
  issuedAt: string;
  verifyUrl: string;
  issuer: { client: string | null; tier: string };
  purpose: string | null;
}

export interface ReportModel {
  header: ReportHeader;
  subject: { code: string; name: string | null };
  scope: ReportScope;
  /** Said at the top of the report: what it was made without. */
  notices: string[];
  sections: SectionModel[];
}

type Data = Record<string, unknown>;

const SOURCES: Record<string, string> = {
  MARKET: '市场监管',
  TAX: '税务',
  COURTS: '法院',
  SOCIAL_SECURITY: '人力社保',
  PROCUREMENT: '政府采购',
};

/** The product's own words for values whose enum the schema does not describe in Chinese. */
const WORDS: Record<string, string> = {
  RED: '守信激励',
  WATCH: '重点关注',
  BLACK: '严重失信',
  ACTIVE: '公示中',
  UNDER_OBJECTION: '异议处理中',
  EXPIRED: '公示期满',
  REPAIRED: '已修复',
  REVOKED: '已撤销',
  REMOVED: '已移出',
  MINOR: '轻微',
  GENERAL: '一般',
  SERIOUS: '严重',
  COMMENDABLE: '良好',
  MADE: '已作出',
  KEPT: '守诺',
  BROKEN: '失诺',
  RECEIVED: '已受理',
  VERIFYING: '核查中',
  CORRECTED: '已更正',
  UPHELD: '维持',
  APPLIED: '已申请',
  ACCEPTED: '已受理',
  GRANTED: '准予修复',
  REFUSED: '不予修复',
  BASIC_INFORMATION: '基础信息',
  BUSINESS_BEHAVIOUR: '经营行为',
  PERFORMANCE_HISTORY: '履约记录',
  REGULATORY_INFORMATION: '监管信息',
  GROWTH_POTENTIAL: '发展潜力',
  ADMINISTRATIVE_PENALTY: '行政处罚',
  ABNORMAL_OPERATIONS: '经营异常名录',
  SERIOUS_ILLEGAL_LIST: '严重违法失信名单',
  DISHONEST_JUDGMENT_DEBTOR: '失信被执行人',
  CONSUMPTION_RESTRICTION: '限制消费令',
  MAJOR_TAX_VIOLATION: '重大税收违法失信主体',
  TAX_ARREARS: '欠税公告',
  WAGE_ARREARS: '拖欠农民工工资失信',
  PROCUREMENT_DISHONESTY: '政府采购严重违法失信',
  TAX_A_GRADE: '纳税信用A级',
  CONTRACT_HONOUR: '守合同重信用',
  BROKEN_COMMITMENT: '信用承诺失信',
};

/** Enum values the schema describes in Chinese, e.g. `MARKET_REGULATION` → `工商 / 市场监管`. */
const SCHEMA_WORDS = new Map<string, string>();

const HAN = /[\u4e00-\u9fff]/;

/** The Chinese of an enum value's description: all of it, or what is in its parentheses. */
function chineseOf(description: string): string | undefined {
  const text = description.trim();
  if (!HAN.test(text)) return undefined;
  if (!/[A-Za-z]/.test(text)) return text;
  const bracketed = /[(（]([^()（）]*[\u4e00-\u9fff][^()（）]*)[)）]/.exec(text)?.[1];
  if (bracketed) return bracketed.trim();
  const leading = /^([^A-Za-z(（]*[\u4e00-\u9fff][^A-Za-z(（]*)/.exec(text)?.[1];
  return leading?.trim() || undefined;
}

/**
 * Learns the Chinese words of the schema's enum values, once per schema. A value named alike in
 * two enums with different words is left to WORDS, or printed as it is.
 */
export function learnEnumWords(schema: GraphQLSchema): void {
  const seen = new Map<string, string | null>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isEnumType(type) || type.name.startsWith('__')) continue;
    for (const value of type.getValues()) {
      const chinese = value.description ? chineseOf(value.description) : undefined;
      if (!chinese) continue;
      const known = seen.get(value.name);
      seen.set(value.name, known === undefined || known === chinese ? chinese : null);
    }
  }
  SCHEMA_WORDS.clear();
  for (const [name, chinese] of seen)
    if (chinese !== null && WORDS[name] === undefined) SCHEMA_WORDS.set(name, chinese);
}

const SECTION_ROOTS: Readonly<Record<ReportSection, readonly string[]>> = {
  BASIC: ['enterprise.codeInfo', 'enterprise.marketRegulation.registration'],
  LICENCES: ['enterprise.marketRegulation.licences'],
  PENALTIES: ['enterprise.marketRegulation.penalties'],
  LISTS: [
    'enterprise.creditLists',
    'enterprise.marketRegulation.abnormalOperations',
    'enterprise.marketRegulation.seriousIllegalListings',
    'enterprise.socialSecurity',
    'enterprise.procurement',
  ],
  COURTS: ['enterprise.courts', 'enterprise.legalRepresentativeDebtorRecords'],
  TAX: ['enterprise.tax'],
  COMMITMENTS: ['enterprise.commitments'],
  EVALUATION: ['enterprise.evaluation'],
  OBJECTIONS: ['enterprise.objections', 'enterprise.repairs'],
  SOURCES: ['enterprise.creditAssessment'],
};

const ERROR_WORDS: Record<string, string> = {
  CONSENT_REQUIRED: '未获主体授权，不予显示',
  UNAUTHORIZED_FIELD_OR_TYPE: '查询级别无权查看，不予显示',
  DECISION_INCOMPLETE: '部分部门数据缺失，结论基于不完整的数据作出，不作有利于主体的推定',
  SOURCE_UNAVAILABLE: '来源部门系统暂不可用，未能读取',
  SOURCE_TIMEOUT: '来源部门系统超时，未能读取',
  SOURCE_BAD_RESPONSE: '来源部门系统应答异常，未能读取',
};

export function word(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'boolean') return value ? '是' : '否';
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return value.map((item) => word(item)).join('、') || '—';
  if (typeof value !== 'string') return JSON.stringify(value);
  return WORDS[value] ?? SCHEMA_WORDS.get(value) ?? SOURCES[value] ?? value;
}

function source(value: unknown): string {
  return typeof value === 'string' ? (SOURCES[value] ?? value) : '—';
}

function record(value: unknown): Data | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Data) : null;
}

function list(value: unknown): Data[] {
  return Array.isArray(value) ? value.map((item) => record(item)).filter((item): item is Data => item !== null) : [];
}

function at(data: Data | null, path: string): unknown {
  let value: unknown = data;
  for (const key of path.split('.')) value = record(value)?.[key];
  return value;
}

function provenance(item: Data): Field[] {
  const from = record(item['provenance']);
  if (!from) return [];
  return [
    [
      '来源',
      `${source(from['source'])}（${word(from['system'])}，记录 ${word(from['recordId'])}，更新于 ${word(from['asOf'])}）`,
    ],
  ];
}

/** A date's day (YYYY-MM-DD), or undefined when the value is no date. */
function dayOf(value: unknown): string | undefined {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value) ? value.slice(0, 10) : undefined;
}

/**
 * Whether a record in force from `start` to `end` (inclusive days) overlaps the report's period.
 * An unknown start counts as always begun and an unknown or absent end as still in force: a
 * record whose dates cannot be told is shown rather than left out.
 */
function overlaps(scope: Pick<ReportScope, 'from' | 'to'>, start: unknown, end: unknown): boolean {
  const began = dayOf(start);
  const ended = dayOf(end);
  return (
    (scope.to === null || began === undefined || began <= scope.to) &&
    (scope.from === null || ended === undefined || ended >= scope.from)
  );
}

/** When a record began and ended; an end of null is a record still in force. */
type Span = (item: Data) => readonly [start: unknown, end: unknown];

/** A point-in-time event (a decision, an announcement): its own day only. */
const on =
  (key: string): Span =>
  (item) => [item[key], item[key]];

/** A record in force from one date until another, open while the end is absent. */
const between =
  (start: string, end: string): Span =>
  (item) => [item[start], item[end]];

/** The earlier of two dates, or the one that is a date. */
function earlier(a: unknown, b: unknown): unknown {
  const x = dayOf(a);
  const y = dayOf(b);
  return x === undefined ? b : y === undefined ? a : x <= y ? a : b;
}

/** The latest of the ends, or null (still in force) when any is open or unknown. */
function latestEnd(ends: readonly unknown[]): string | null {
  let latest: string | null = null;
  for (const end of ends) {
    const day = dayOf(end);
    if (day === undefined) return null;
    if (latest === null || day > latest) latest = day;
  }
  return latest;
}

/** A credit record ends when it is repaired, or when its publicity period does; null: still in force. */
const creditRecordSpan: Span = (item) => [item['decidedOn'], dayOf(item['repairedOn']) ?? item['publishedUntil']];

/**
 * Each record kind's span, from the schema's own start and end fields: a list membership, a
 * restriction or a ban in force during the period belongs to it however long ago it began.
 */
const SPANS = {
  licence: between('validFrom', 'validTo'),
  penalty: on('decidedOn'),
  // A membership lasts while any of the records that put the subject there is in force.
  membership: (item) => {
    const records = list(item['records']);
    return [item['since'], records.length === 0 ? null : latestEnd(records.map((entry) => creditRecordSpan(entry)[1]))];
  },
  listing: between('listedOn', 'removedOn'),
  procurementBan: (item) => [item['recordedOn'], item['active'] === true ? null : item['banEndsOn']],
  // Listed from the filing of the case or its publication, whichever the court dates first.
  debtor: (item) => [
    earlier(item['filedOn'], item['publishedOn']),
    item['status'] === 'LISTED' ? null : item['removedOn'],
  ],
  restriction: (item) => [item['issuedOn'], item['status'] === 'ACTIVE' ? null : item['liftedOn']],
  creditRecord: creditRecordSpan,
  majorTaxViolation: between('publishedOn', 'publicityEndsOn'),
  // The schema gives no date the arrears were paid: an announced arrears is taken as still owed.
  arrears: (item) => [item['announcedOn'], null],
  commitment: between('madeOn', 'resolvedOn'),
  objection: between('filedAt', 'decidedAt'),
  repair: between('appliedAt', 'decidedAt'),
} satisfies Record<string, Span>;

function yearInPeriod(scope: ReportScope, year: unknown): boolean {
  if (typeof year !== 'number') return true;
  return (
    (scope.from === null || year >= Number(scope.from.slice(0, 4))) &&
    (scope.to === null || year <= Number(scope.to.slice(0, 4)))
  );
}

/** What a section builder reads the period through; it counts the records the period left out. */
class Period {
  omitted = 0;
  constructor(readonly scope: ReportScope) {}

  /** The records whose span overlaps the period. */
  keep(items: Data[], span: Span): Data[] {
    const kept = items.filter((item) => overlaps(this.scope, ...span(item)));
    this.omitted += items.length - kept.length;
    return kept;
  }

  /** The yearly records (tax grades) of the period's years. */
  years(items: Data[]): Data[] {
    const kept = items.filter((item) => yearInPeriod(this.scope, item['year']));
    this.omitted += items.length - kept.length;
    return kept;
  }
}

/** A record's source in brief: department and record id. */
function origin(item: Data): string {
  const from = record(item['provenance']);
  return from ? `（${source(from['source'])} 记录 ${word(from['recordId'])}，更新于 ${word(from['asOf'])}）` : '';
}

function money(value: unknown): string {
  const amount = record(value);
  if (amount) return `${word(amount['amount'])} ${word(amount['currency'])}`;
  return word(value);
}

function person(item: Data | null): Field[] {
  if (!item) return [];
  const id = at(item, 'person.idNumber');
  return [['姓名', word(item['name'])], ...(id === undefined ? [] : ([['证件号码', word(id)]] as Field[]))];
}

/** The sections' contents, each from the answer's data only. */
const BUILDERS: Readonly<Record<ReportSection, (enterprise: Data, period: Period) => Block[]>> = {
  BASIC(enterprise) {
    const code = record(enterprise['codeInfo']);
    const registration = record(at(enterprise, 'marketRegulation.registration'));
    const blocks: Block[] = [];
    if (registration) {
      const representative = record(registration['legalRepresentative']);
      blocks.push({
        heading: '登记信息',
        fields: [
          ['名称', word(registration['name'])],
          ['统一社会信用代码', word(enterprise['code'])],
          ['原注册号', word(registration['legacyRegistrationNumber'])],
          ['类型', word(registration['type'])],
          ['登记状态', word(registration['statusText'])],
          ['注册资本', money(registration['registeredCapital'])],
          ['成立日期', word(registration['establishedOn'])],
          ['营业期限', `${word(registration['businessTermFrom'])} 至 ${word(registration['businessTermTo'])}`],
          ['住所', word(registration['address'])],
          ['经营范围', word(registration['businessScope'])],
          ['登记机关', word(registration['registrationAuthority'])],
          ...person(representative).map(([label, value]): Field => [`法定代表人${label}`, value]),
          ...provenance(registration),
        ],
      });
    }
    if (code) {
      blocks.push({
        heading: '代码信息',
        fields: [
          ['登记管理部门', word(code['registrationAuthority'])],
          ['机构类别', word(code['organizationCategory'])],
          ['行政区划', word(code['divisionCode'])],
          ['组织机构代码', word(code['organizationCode'])],
        ],
      });
    }
    return blocks;
  },
  LICENCES(enterprise, period) {
    return period.keep(list(at(enterprise, 'marketRegulation.licences')), SPANS.licence).map((item) => ({
      heading: word(item['name']),
      fields: [
        ['许可决定书文号', word(item['decisionNumber'])],
        ['许可内容', word(item['content'])],
        ['有效期', `${word(item['validFrom'])} 至 ${word(item['validTo'])}`],
        ['许可机关', word(item['authority'])],
        ...provenance(item),
      ],
    }));
  },
  PENALTIES(enterprise, period) {
    return period.keep(list(at(enterprise, 'marketRegulation.penalties')), SPANS.penalty).map((item) => ({
      heading: word(item['decisionNumber']),
      fields: [
        ['处罚决定书文号', word(item['decisionNumber'])],
        ['违法行为类型', word(item['violationType'])],
        ['处罚内容', word(item['content'])],
        ['处罚机关', word(item['authority'])],
        ['处罚决定日期', word(item['decidedOn'])],
        ['公示日期', word(item['publishedOn'])],
        ...provenance(item),
      ],
    }));
  },
  LISTS(enterprise, period) {
    const blocks: Block[] = period.keep(list(enterprise['creditLists']), SPANS.membership).map((item) => ({
      heading: `${word(item['list'])}：${word(item['name'])}`,
      fields: [
        ['名单类别', word(at(item, 'kind.name'))],
        ['列入日期', word(item['since'])],
        ...list(item['records']).map((entry): Field => [
          '依据记录',
          `${word(entry['summary'])}（${word(entry['severity'])}，${word(entry['state'])}，决定于 ${word(entry['decidedOn'])}，${source(at(entry, 'provenance.source'))} ${word(at(entry, 'provenance.recordId'))}）`,
        ]),
      ],
    }));
    for (const item of period.keep(list(at(enterprise, 'marketRegulation.abnormalOperations')), SPANS.listing))
      blocks.push({
        heading: '经营异常名录',
        fields: [
          ['列入原因', word(item['reason'])],
          ['列入日期', word(item['listedOn'])],
          ['列入机关', word(item['listingAuthority'])],
          ['移出原因', word(item['removalReason'])],
          ['移出日期', word(item['removedOn'])],
          ...provenance(item),
        ],
      });
    for (const item of period.keep(list(at(enterprise, 'marketRegulation.seriousIllegalListings')), SPANS.listing))
      blocks.push({
        heading: '严重违法失信名单（市场监管）',
        fields: [
          ['列入原因', word(item['reason'])],
          ['列入日期', word(item['listedOn'])],
          ['列入机关', word(item['listingAuthority'])],
          ['移出日期', word(item['removedOn'])],
          ...provenance(item),
        ],
      });
    for (const item of period.keep(list(at(enterprise, 'socialSecurity.wageArrearsListings')), SPANS.listing))
      blocks.push({
        heading: '拖欠农民工工资失信联合惩戒对象名单',
        fields: [
          ['列入事由', word(item['reason'])],
          ['拖欠金额', word(item['amountOwed'])],
          ['列入日期', word(item['listedOn'])],
          ['移出日期', word(item['removedOn'])],
          ['认定部门', word(item['authority'])],
          ...provenance(item),
        ],
      });
    for (const item of period.keep(list(at(enterprise, 'procurement.seriousDishonestyRecords')), SPANS.procurementBan))
      blocks.push({
        heading: '政府采购严重违法失信行为记录',
        fields: [
          ['具体情形', word(item['circumstance'])],
          ['处罚依据', word(item['penaltyBasis'])],
          ['处罚结果', word(item['penaltyResult'])],
          ['记录日期', word(item['recordedOn'])],
          ['禁止参加政府采购截止日期', word(item['banEndsOn'])],
          ['执法单位', word(item['authority'])],
          ...provenance(item),
        ],
      });
    return blocks;
  },
  COURTS(enterprise, period) {
    const blocks: Block[] = period
      .keep(list(at(enterprise, 'courts.dishonestDebtorRecords')), SPANS.debtor)
      .map((item) => ({
        heading: `失信被执行人 ${word(item['caseNumber'])}`,
        fields: [
          ['案号', word(item['caseNumber'])],
          ['被执行人', word(item['name'])],
          ['法定代表人或者负责人', word(item['legalRepresentative'])],
          ['执行法院', word(item['enforcingCourt'])],
          ['省份', word(item['province'])],
          ['执行依据文号', word(item['basisDocumentNumber'])],
          ['作出执行依据单位', word(item['basisIssuer'])],
          ['立案日期', word(item['filedOn'])],
          ['生效法律文书确定的义务', word(item['obligation'])],
          ['履行情况', word(item['performance'])],
          ['已履行部分', word(item['performedPart'])],
          ['未履行部分', word(item['unperformedPart'])],
          ['失信被执行人行为具体情形', word(item['dishonestBehaviour'])],
          ['发布日期', word(item['publishedOn'])],
          ['状态', word(item['status'])],
          ['移出日期', word(item['removedOn'])],
          ...provenance(item),
        ],
      }));
    for (const item of period.keep(list(at(enterprise, 'courts.consumptionRestrictions')), SPANS.restriction))
      blocks.push({
        heading: `限制消费令 ${word(item['caseNumber'])}`,
        fields: [
          ['案号', word(item['caseNumber'])],
          ['法院', word(item['court'])],
          ['发布日期', word(item['issuedOn'])],
          ['限制消费对象', word(item['restrictedSubjectName'])],
          ['限制事项', word(item['restrictedItems'])],
          ['状态', word(item['status'])],
          ['解除日期', word(item['liftedOn'])],
          ...list(item['boundPersons']).flatMap((bound) =>
            person(bound).map(([label, value]): Field => [`受约束人员（${word(bound['role'])}）${label}`, value]),
          ),
          ...provenance(item),
        ],
      });
    // 落实到人: the legal representative's own dishonest-debtor records, shown on the enterprise.
    for (const item of period.keep(list(enterprise['legalRepresentativeDebtorRecords']), SPANS.creditRecord))
      blocks.push({
        heading: `法定代表人失信被执行人记录（落实到人）${word(item['id'])}`,
        fields: [
          ['记录类别', word(item['kind'])],
          ['记录摘要', word(item['summary'])],
          ['严重程度', word(item['severity'])],
          ['状态', word(item['state'])],
          ['决定日期', word(item['decidedOn'])],
          ['公示日期', word(item['publishedOn'])],
          ['公示截止日期', word(item['publishedUntil'])],
          ['修复日期', word(item['repairedOn'])],
          ...provenance(item),
        ],
      });
    return blocks;
  },
  TAX(enterprise, period) {
    const blocks: Block[] = [];
    const published = period.years(list(at(enterprise, 'tax.publishedGrades')));
    if (published.length > 0)
      blocks.push({
        heading: '纳税信用A级纳税人（公开）',
        fields: published.map((item): Field => [
          `${word(item['year'])}年度`,
          `${word(item['grade'])}级${origin(item)}`,
        ]),
      });
    const grades = period.years(list(at(enterprise, 'tax.creditGrades')));
    if (grades.length > 0)
      blocks.push({
        heading: '纳税信用等级（授权查询）',
        fields: grades.map((item): Field => [`${word(item['year'])}年度`, `${word(item['grade'])}级${origin(item)}`]),
      });
    for (const item of period.keep(list(at(enterprise, 'tax.majorViolations')), SPANS.majorTaxViolation))
      blocks.push({
        heading: `重大税收违法失信案件 ${word(item['caseNumber'])}`,
        fields: [
          ['案件性质', word(item['caseNature'])],
          ['主要违法事实', word(item['mainFacts'])],
          ['相关法律依据及处理处罚情况', word(item['legalBasisAndHandling'])],
          ['检查机关', word(item['authority'])],
          ['公布日期', word(item['publishedOn'])],
          ['公布截止日期', word(item['publicityEndsOn'])],
          ...person(record(item['responsibleFinanceOfficer'])).map(([label, value]): Field => [
            `负有直接责任的财务负责人${label}`,
            value,
          ]),
          ...provenance(item),
        ],
      });
    for (const item of period.keep(list(at(enterprise, 'tax.arrearsNotices')), SPANS.arrears))
      blocks.push({
        heading: '欠税公告',
        fields: [
          ['税种', word(item['taxType'])],
          ['所属期', word(item['period'])],
          ['欠税金额', word(item['amount'])],
          ['公告机关', word(item['authority'])],
          ['公告日期', word(item['announcedOn'])],
          ...provenance(item),
        ],
      });
    return blocks;
  },
  COMMITMENTS(enterprise, period) {
    return period.keep(list(enterprise['commitments']), SPANS.commitment).map((item) => ({
      heading: `${word(at(item, 'kind.name'))}：${word(item['matter'])}`,
      fields: [
        ['承诺内容', word(item['content'])],
        ['受理部门', source(item['department'])],
        ['作出日期', word(item['madeOn'])],
        ['履行期限', word(item['dueOn'])],
        ['状态', word(item['state'])],
        ['逾期', word(item['overdue'])],
        ['办结日期', word(item['resolvedOn'])],
      ],
    }));
  },
  EVALUATION(enterprise) {
    const evaluation = record(enterprise['evaluation']);
    if (!evaluation) return [];
    const blocks: Block[] = [
      {
        heading: '评价结果',
        fields: [
          ['评价等级', word(evaluation['grade'])],
          ['评价得分', word(evaluation['score'])],
          ['评价模型', word(evaluation['model'])],
          ...inputsFields(record(evaluation['inputs'])),
        ],
      },
    ];
    for (const group of list(evaluation['groups']))
      blocks.push({
        heading: `指标组 ${word(group['group'])}（权重 ${word(group['weight'])}，得分 ${word(group['points'])}）`,
        fields: list(group['factors']).map((factor): Field => [
          word(factor['name']),
          `${word(factor['points'])}${typeof factor['recordId'] === 'string' ? `（依据记录 ${factor['recordId']}）` : ''}`,
        ]),
      });
    return blocks;
  },
  OBJECTIONS(enterprise, period) {
    const blocks: Block[] = period.keep(list(enterprise['objections']), SPANS.objection).map((item) => ({
      heading: `异议 ${word(item['id'])}`,
      fields: [
        ['异议记录', word(item['recordId'])],
        ['核查部门', source(item['department'])],
        ['异议理由', word(item['reason'])],
        ['状态', word(item['status'])],
        ['提出时间', word(item['filedAt'])],
        ['办理时限', word(item['dueOn'])],
        ['办结时间', word(item['decidedAt'])],
        ['处理结果', word(item['resolution'])],
      ],
    }));
    for (const item of period.keep(list(enterprise['repairs']), SPANS.repair))
      blocks.push({
        heading: `信用修复 ${word(item['id'])}`,
        fields: [
          ['修复记录', word(item['recordId'])],
          ['认定部门', source(item['department'])],
          ['状态', word(item['status'])],
          ['申请时间', word(item['appliedAt'])],
          ['办理时限', word(item['dueOn'])],
          ['决定时间', word(item['decidedAt'])],
          ['修复日期', word(item['repairedOn'])],
          ['说明', word(item['reason'])],
        ],
      });
    return blocks;
  },
  SOURCES(enterprise) {
    const fields: Field[] = [];
    for (const [key, name] of [
      ['marketRegulation', '市场监管（国家企业信用信息公示系统）'],
      ['tax', '税务'],
      ['courts', '法院（中国执行信息公开）'],
      ['socialSecurity', '人力社保'],
      ['procurement', '政府采购'],
    ] as const) {
      const section = record(enterprise[key]);
      fields.push([
        name,
        section
          ? `读取于 ${word(section['readAt'])}${section['known'] === false ? '（该部门无此主体记录）' : ''}`
          : '未能读取',
      ]);
    }
    return [
      { heading: '各部门数据截至时间', fields },
      { heading: '判定依据', fields: inputsFields(record(enterprise['creditAssessment'])) },
    ];
  },
};

function inputsFields(inputs: Data | null): Field[] {
  if (!inputs) return [];
  const missing = Array.isArray(inputs['missingSources']) ? inputs['missingSources'] : [];
  return [
    ['数据是否完整', inputs['complete'] === true ? '完整' : `不完整（缺少：${missing.map(source).join('、') || '—'}）`],
    ['已读取部门', Array.isArray(inputs['readSources']) ? inputs['readSources'].map(source).join('、') || '—' : '—'],
    ['最早读取时间', word(inputs['asOf'])],
  ];
}

function pathOf(error: GraphQLFormattedError): string {
  return (error.path ?? []).filter((part) => typeof part === 'string').join('.');
}

/** Codes of what a caller may not see, as opposed to what could not be read. */
const WITHHELD_CODES: ReadonlySet<string> = new Set(['CONSENT_REQUIRED', 'UNAUTHORIZED_FIELD_OR_TYPE']);

export const NO_RECORDS = '无记录';
export const NOT_ALL_SHOWN = '本节部分记录不予显示，不能据此认定主体无此类记录';
export const NOT_ALL_READ = '本节所依据的部门数据未能完整读取，不能据此认定主体无此类记录';
/** Every record of the section lies outside the report's period: never said as 无记录. */
export const NONE_IN_PERIOD = '本节记录均不在报告期间内，期间以外的记录未列入本报告';

/** The notes of the errors at this section's paths, each said once, and the codes they carry. */
function notesFor(
  section: ReportSection,
  errors: readonly GraphQLFormattedError[],
): { notes: string[]; codes: Set<string> } {
  const roots = SECTION_ROOTS[section];
  const notes = new Set<string>();
  const codes = new Set<string>();
  for (const error of errors) {
    const path = pathOf(error);
    // An error at a section's field or below it, or at a parent it hangs from (a whole department).
    const touches = (root: string) => path === root || path.startsWith(`${root}.`) || root.startsWith(`${path}.`);
    if (path === '' || path === 'enterprise' || !roots.some(touches)) continue;
    const given = error.extensions?.['code'];
    const code = typeof given === 'string' ? given : '';
    codes.add(code);
    const sources = error.extensions?.['source'];
    const named = Array.isArray(sources)
      ? `（${sources.map(source).join('、')}）`
      : typeof sources === 'string'
        ? `（${source(sources)}）`
        : '';
    notes.add(`${ERROR_WORDS[code] ?? `未能读取（${code || '错误'}）`}${named}：${path.replace(/^enterprise\./, '')}`);
  }
  return { notes: [...notes], codes };
}

export interface BuildInput {
  header: ReportHeader;
  scope: ReportScope;
  enterprise: Data;
  errors: readonly GraphQLFormattedError[];
  /** Response paths (`enterprise.commitments`) the caller's tier may not read, left out of the query. */
  withheld: readonly string[];
}

export function buildReport({ header, scope, enterprise, errors, withheld }: BuildInput): ReportModel {
  const said: GraphQLFormattedError[] = [
    ...errors,
    ...withheld.map((path) => ({
      message: 'withheld for this tier',
      path: path.split('.'),
      extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE' },
    })),
  ];
  const notices: string[] = [];
  const assessment = record(enterprise['creditAssessment']);
  if (assessment && assessment['complete'] === false) {
    const missing = Array.isArray(assessment['missingSources']) ? assessment['missingSources'] : [];
    notices.push(
      `本报告的名单、措施和评价结论基于不完整的数据作出：未能读取${missing.map(source).join('、')}部门的数据，结论不作有利于主体的推定。`,
    );
  }
  const evaluationInputs = record(at(enterprise, 'evaluation.inputs'));
  if (evaluationInputs && evaluationInputs['complete'] === false && notices.length === 0) {
    notices.push('本报告的综合评价基于不完整的数据作出，评价结果不作有利于主体的推定。');
  }
  const sections = scope.sections.map((id) => {
    const { notes, codes } = notesFor(id, said);
    const incomplete = id === 'EVALUATION' && evaluationInputs?.['complete'] === false;
    if (incomplete) notes.unshift('评价所依据的数据不完整：缺失部门的指标按最不利情形计分。');
    const unread = incomplete || [...codes].some((code) => !WITHHELD_CODES.has(code));
    const period = new Period(scope);
    const blocks = BUILDERS[id](enterprise, period);
    const empty = unread
      ? NOT_ALL_READ
      : codes.size > 0
        ? NOT_ALL_SHOWN
        : period.omitted > 0
          ? NONE_IN_PERIOD
          : NO_RECORDS;
    // A reader of a 专项 report learns that the period, not the subject's record, left some out.
    if (period.omitted > 0 && (blocks.length > 0 || empty !== NONE_IN_PERIOD))
      notes.push(`报告期间以外的 ${period.omitted} 条记录未列入本节`);
    return { id, title: SECTION_TITLES[id], blocks, notes, empty };
  });
  const name = at(enterprise, 'marketRegulation.registration.name');
  return {
    header,
    subject: { code: String(enterprise['code']), name: typeof name === 'string' ? name : null },
    scope,
    notices,
    sections,
  };
}
