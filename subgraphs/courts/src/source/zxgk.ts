import {
  badResponse,
  boundRole,
  callSource,
  caseNumber,
  chinaLocalToIso,
  epochToChinaDate,
  FieldReader,
  findIdNumberProblem,
  idNumberOrNull,
  LegacyFormatError,
  normalizeCreditCode,
  normalizeIdNumber,
  normalizeOrganizationCode,
  provenance,
  restrictedItemNumbers,
  SourceError,
  type SourceCallMetrics,
} from '@credit-gateway/common';
import type {
  DishonestDebtorRecord,
  PerformanceStatus,
  RestrictedItem,
  RestrictionRole,
  RestrictionStatus,
} from '../__generated__/types.js';
import { personKey, type ConsumptionRestrictionModel, type CourtsKey, type CourtsRecord } from './models.js';

export interface ZxgkSourceOptions {
  baseUrl: string;
  timeoutMs: number;
  /** Where each call's latency and outcome are counted. */
  metrics?: SourceCallMetrics;
}

/** Per key: the translated record, null when the courts cannot match the company, or the error. */
export type CourtsLookup = Map<CourtsKey, CourtsRecord | SourceError | null>;

/** A subject as court records identify it. */
export type CourtSubject = { kind: 'ORG'; organizationCode: string } | { kind: 'ID'; idNumber: string };

/**
 * Reads a court card number: an organization code with or without its hyphen (`MA60YD7K-7`), or a
 * resident ID number, first-generation 15-digit ones included.
 */
export function subjectOfCardNumber(value: string): CourtSubject {
  const organizationCode = normalizeOrganizationCode(value);
  if (/^[0-9A-Z]{9}$/.test(organizationCode)) return { kind: 'ORG', organizationCode };
  const idNumber = normalizeIdNumber(value);
  if (findIdNumberProblem(idNumber) === null) return { kind: 'ID', idNumber };
  // The value may be a personal identifier, so it stays out of the message.
  throw new LegacyFormatError('card number is neither an organization code nor a resident ID number');
}

/** The organization code as the courts' interface expects it: `MA60YD7K-7`. */
export function legacyOrganizationCode(organizationCode: string): string {
  return `${organizationCode.slice(0, 8)}-${organizationCode.slice(8)}`;
}

/** The nine items in the order the regulation numbers them, which is the schema's order too. */
const RESTRICTED_ITEMS: readonly RestrictedItem[] = [
  'FLIGHTS_SOFT_SLEEPERS_SHIPS',
  'STAR_HOTELS_NIGHTCLUBS_GOLF',
  'REAL_ESTATE',
  'HIGH_GRADE_OFFICES',
  'NON_ESSENTIAL_VEHICLES',
  'TRAVEL_HOLIDAYS',
  'PRIVATE_SCHOOL_FEES',
  'HIGH_PREMIUM_INSURANCE',
  'HIGH_SPEED_TRAIN_FIRST_CLASS',
];

/** `xzsx`: the items an order restricts, at least one, by their schema names. */
export function restrictedItems(text: string): RestrictedItem[] {
  const numbers = restrictedItemNumbers(text, 'xzsx');
  if (numbers.length === 0) throw new LegacyFormatError('xzsx: an order restricts at least one item');
  return numbers.map((item) => RESTRICTED_ITEMS[item - 1]!);
}

export function performanceStatus(text: string): PerformanceStatus {
  const compact = text.replace(/\s/g, '');
  if (compact === '全部未履行') return 'NOT_PERFORMED';
  // The site has written partial performance both ways over the years.
  if (compact === '部分履行' || compact === '部分未履行') return 'PARTIALLY_PERFORMED';
  throw new LegacyFormatError(`performance: unknown value '${text}'`);
}

const NOTHING = new Set(['暂无', '无', '-', '/']);

/** `performedPart` and `unperformPart` say `暂无` when there is nothing to say. */
export function performancePart(text: string | null): string | null {
  return text === null || NOTHING.has(text) ? null : text;
}

const PROVINCE_NAMES: Readonly<Record<string, string>> = {
  北京: '北京市',
  天津: '天津市',
  上海: '上海市',
  重庆: '重庆市',
  河北: '河北省',
  山西: '山西省',
  辽宁: '辽宁省',
  吉林: '吉林省',
  黑龙江: '黑龙江省',
  江苏: '江苏省',
  浙江: '浙江省',
  安徽: '安徽省',
  福建: '福建省',
  江西: '江西省',
  山东: '山东省',
  河南: '河南省',
  湖北: '湖北省',
  湖南: '湖南省',
  广东: '广东省',
  海南: '海南省',
  四川: '四川省',
  贵州: '贵州省',
  云南: '云南省',
  陕西: '陕西省',
  甘肃: '甘肃省',
  青海: '青海省',
  台湾: '台湾省',
  内蒙古: '内蒙古自治区',
  广西: '广西壮族自治区',
  西藏: '西藏自治区',
  宁夏: '宁夏回族自治区',
  新疆: '新疆维吾尔自治区',
  兵团: '新疆生产建设兵团',
  香港: '香港特别行政区',
  澳门: '澳门特别行政区',
};

/** `areaName` holds the short name (`重庆`); profiles use the full one, as the other departments do. */
export function provinceName(areaName: string): string {
  const name = areaName.trim();
  return PROVINCE_NAMES[name] ?? name;
}

export function restrictionStatus(text: string): RestrictionStatus {
  const value = text.trim();
  if (value === '有效') return 'ACTIVE';
  if (value === '已解除' || value === '解除') return 'LIFTED';
  return fail(`zt: unknown status '${text}'`);
}

function fail(message: string): never {
  throw new LegacyFormatError(message);
}

/** Epoch milliseconds → ISO 8601 in China Standard Time. */
function epochToChinaIso(millis: number): string {
  return `${new Date(millis + 8 * 3_600_000).toISOString().slice(0, 19)}+08:00`;
}

/** Translates one debtor record (失信被执行人) from the disclosure site's keys; throws LegacyFormatError. */
export function translateDebtor(raw: FieldReader): DishonestDebtorRecord {
  const published = raw.number('publishDate');
  const revoked = raw.optionalNumber('revokeDate');
  // 1 (revoked after performance) and 2 (hidden when the listing period ended) both take it off the list.
  const state = raw.optionalString('revokeState') ?? (revoked === null ? '0' : '1');
  if (state !== '0' && state !== '1' && state !== '2') raw.fail('revokeState', "'0', '1' or '2'");
  const removed = state !== '0';
  return {
    caseNumber: caseNumber(raw.string('caseCode')),
    name: raw.string('iname'),
    legalRepresentative: raw.optionalString('businessEntity'),
    enforcingCourt: raw.string('courtName'),
    province: provinceName(raw.string('areaName')),
    basisDocumentNumber: caseNumber(raw.string('gistId')),
    basisIssuer: raw.string('gistUnit'),
    filedOn: raw.date('regDate'),
    obligation: raw.string('duty'),
    performance: performanceStatus(raw.string('performance')),
    performedPart: performancePart(raw.optionalString('performedPart')),
    unperformedPart: performancePart(raw.optionalString('unperformPart')),
    dishonestBehaviour: raw.string('disruptTypeName'),
    publishedOn: epochToChinaDate(published),
    status: removed ? 'REMOVED' : 'LISTED',
    removedOn: removed && revoked !== null ? epochToChinaDate(revoked) : null,
    provenance: provenance('courts', String(raw.number('id')), epochToChinaIso(Math.max(published, revoked ?? 0))),
  };
}

/** Translates one restriction order (限制消费令) as its restricted subject sees it (role SUBJECT). */
export function translateRestriction(raw: FieldReader): ConsumptionRestrictionModel {
  const status = restrictionStatus(raw.string('zt'));
  return {
    caseNumber: caseNumber(raw.string('ah')),
    court: raw.string('fymc'),
    issuedOn: raw.date('fbrq'),
    restrictedSubjectName: raw.string('xfrmc'),
    role: 'SUBJECT',
    restrictedItems: restrictedItems(raw.string('xzsx')),
    boundPersons: raw.list('glry').map((person) => ({
      name: person.string('xm'),
      role: boundRole(person.string('sf')),
      idNumber: idNumberOrNull(person.optionalString('zjhm')),
    })),
    status,
    liftedOn: status === 'LIFTED' ? raw.optionalDate('jcrq') : null,
    provenance: provenance(
      'courts',
      raw.string('ajbs'),
      chinaLocalToIso(raw.string('gxsj')) ?? raw.fail('gxsj', 'YYYY-MM-DD HH:mm:ss'),
    ),
  };
}

/** Whom an order names: its restricted subject, and the ID number of each bound person (glry order). */
function restrictionSubjects(raw: FieldReader): { subject: CourtSubject; bound: (string | null)[] } {
  return {
    subject: subjectOfCardNumber(raw.string('xfrzjhm')),
    bound: raw.list('glry').map((person) => idNumberOrNull(person.optionalString('zjhm'))),
  };
}

/**
 * A record that cannot be attributed might belong to any subject of the batch; dropping it could
 * show a debtor as clean, so the whole response counts as unreadable.
 */
function attribute<T>(read: () => T, where: string): T {
  try {
    return read();
  } catch (error) {
    throw badResponse('courts', `${where}: ${String(error)}`);
  }
}

/**
 * The courts' reply. Its list of organization codes it could not match (wppzzjgdmList) needs no
 * translation: the courts hold no case against those companies, so their sections are empty.
 */
function parseEnvelope(body: unknown): { debtors: FieldReader[]; orders: FieldReader[] } {
  try {
    const envelope = FieldReader.of(body, 'response');
    if (envelope.string('result') !== 'success')
      throw new LegacyFormatError(`result ${envelope.optionalString('result')}`);
    return { debtors: envelope.list('sxbzxr'), orders: envelope.list('xzxfl') };
  } catch (error) {
    throw badResponse('courts', String(error));
  }
}

const newestFirst =
  <T>(key: (item: T) => string) =>
  (a: T, b: T) =>
    key(b).localeCompare(key(a));

/**
 * The adapter to the courts' enforcement linkage interface. Companies are known there by
 * organization code only and people by ID number; one query asks for both, and the answer is
 * mapped back to the keys asked for.
 */
export function createZxgkSource(options: ZxgkSourceOptions) {
  return {
    async lookup(keys: readonly CourtsKey[]): Promise<CourtsLookup> {
      const results: CourtsLookup = new Map();
      const companies = new Map<string, CourtsKey[]>();
      const people = new Set<string>();
      for (const key of keys) {
        if (key.startsWith('ID:')) {
          people.add(key.slice(3));
          results.set(key, { dishonestDebtorRecords: [], consumptionRestrictions: [] });
          continue;
        }
        // Positions 9–17 of the credit code are the organization code (GB 11714).
        const organizationCode = normalizeCreditCode(key.slice(4)).slice(8, 17);
        if (organizationCode.length !== 9) {
          results.set(key, null);
          continue;
        }
        const sharing = companies.get(organizationCode);
        if (sharing) sharing.push(key);
        else companies.set(organizationCode, [key]);
        results.set(key, { dishonestDebtorRecords: [], consumptionRestrictions: [] });
      }
      if (companies.size === 0 && people.size === 0) return results;

      const body = await callSource('courts', `${options.baseUrl}/zxgk/api/sxbzxr/plcx`, {
        body: { zzjgdmList: [...companies.keys()].map(legacyOrganizationCode), sfzhmList: [...people] },
        timeoutMs: options.timeoutMs,
        metrics: options.metrics,
      });
      const { debtors, orders } = parseEnvelope(body);

      const keysOf = (subject: CourtSubject): CourtsKey[] => {
        if (subject.kind === 'ORG') return companies.get(subject.organizationCode) ?? [];
        return people.has(subject.idNumber) ? [personKey(subject.idNumber)] : [];
      };
      const recordOf = (key: CourtsKey): CourtsRecord | null => {
        const slot = results.get(key);
        return slot instanceof SourceError || slot === undefined ? null : slot;
      };
      // One malformed record fails the subjects it names, not the whole batch.
      const failAll = (targets: readonly CourtsKey[], error: unknown) => {
        for (const key of targets) results.set(key, new SourceError('SOURCE_BAD_RESPONSE', 'courts', { cause: error }));
      };
      const named = new Set<CourtsKey>();

      for (const [index, item] of debtors.entries()) {
        // Records on subjects nobody asked for are not this batch's business.
        const targets = keysOf(attribute(() => subjectOfCardNumber(item.string('cardNum')), `sxbzxr[${index}]`));
        if (targets.length === 0) continue;
        let record: DishonestDebtorRecord;
        try {
          record = translateDebtor(item);
        } catch (error) {
          failAll(targets, error);
          continue;
        }
        for (const key of targets) {
          named.add(key);
          recordOf(key)?.dishonestDebtorRecords.push(record);
        }
      }

      const added = new Set<string>();
      for (const [index, item] of orders.entries()) {
        const { subject, bound } = attribute(() => restrictionSubjects(item), `xzxfl[${index}]`);
        const subjectTargets = keysOf(subject);
        const boundTargets = bound.map((idNumber) => (idNumber === null ? [] : keysOf({ kind: 'ID', idNumber })));
        const targets = [...subjectTargets, ...boundTargets.flat()];
        if (targets.length === 0) continue;
        let order: ConsumptionRestrictionModel;
        try {
          order = translateRestriction(item);
        } catch (error) {
          failAll(targets, error);
          continue;
        }
        const add = (key: CourtsKey, role: RestrictionRole) => {
          // The same order may come twice, or bind one person twice; each subject sees it once.
          const seen = `${key}|${order.provenance.recordId}`;
          if (added.has(seen)) return;
          added.add(seen);
          named.add(key);
          recordOf(key)?.consumptionRestrictions.push(role === 'SUBJECT' ? order : { ...order, role });
        };
        for (const key of subjectTargets) add(key, 'SUBJECT');
        boundTargets.forEach((targetsOfPerson, position) => {
          for (const key of targetsOfPerson) add(key, order.boundPersons[position]!.role);
        });
      }

      for (const slot of results.values()) {
        if (slot === null || slot instanceof SourceError) continue;
        slot.dishonestDebtorRecords.sort(newestFirst((r) => `${r.filedOn}${r.publishedOn}`));
        slot.consumptionRestrictions.sort(newestFirst((r) => r.issuedOn));
      }
      return results;
    },
  };
}

export type ZxgkSource = ReturnType<typeof createZxgkSource>;
