import { findIdNumberProblem, normalizeIdNumber, normalizeOrganizationCode } from '@credit-gateway/common';
import type { StandInResponse, StandInRoute } from '../sim/server.js';
import { COURTS_DEMO_COMPANIES, COURTS_DEMO_PEOPLE } from './demo.js';
import { chinaMidnight, hyphenatedOrganizationCode, type CourtsHistory, type ZxgkBoundPerson } from './format.js';
import { companyCourtHistory, isGeneratedCompanyDebtor, personCourtHistory } from './records.js';
import type { CourtsRegistry } from './registry.js';

/** What happened to a case: the debtor listed or removed, a restriction order issued or lifted. */
export type ZxldChangeType = 'LISTED' | 'REMOVED' | 'ISSUED' | 'LIFTED';

/** The debtor as the linkage log names it: a company by both its codes, or a person by ID number. */
export interface ZxldSubject {
  name: string;
  /** Organization code with its hyphen (`MA60YD7K-7`); companies only. */
  orgCode?: string;
  /** The unified social credit code the courts hold for the company. */
  uscc?: string;
  /** Resident ID number; people only. */
  idNumber?: string;
}

/** One entry of the enforcement linkage change log (执行联动变更记录), as the interface sends it. */
export interface ZxldChange {
  /** Position in the log: 1, 2, 3, … with no gaps, in time order. */
  seq: number;
  /** `YYYY-MM-DD HH:mm:ss`, China Standard Time, as the courts write update times. */
  time: string;
  type: ZxldChangeType;
  /** 案号, half-width parentheses. */
  caseCode: string;
  subject: ZxldSubject;
  /** Items of the case's order in force after the change (`1,2,…,9`); empty when none. */
  restrictedItems: string;
  /** The people the case's order names (关联人员); on a LIFTED change, the people it released. */
  boundPersons: ZxgkBoundPerson[];
  /** Whether the debtor is on the dishonest debtor list for this case after the change. */
  listed: boolean;
}

/** The interface answers at most this many changes per request. */
export const ZXLD_PAGE_LIMIT = 1000;
const DEFAULT_PAGE = 100;

const ORDER_OF_TYPES: Readonly<Record<ZxldChangeType, number>> = { LISTED: 0, ISSUED: 1, LIFTED: 2, REMOVED: 3 };

interface CaseState {
  subject: ZxldSubject;
  caseCode: string;
  listed: boolean;
  restrictedItems: string;
  boundPersons: ZxgkBoundPerson[];
}

interface RawEvent {
  at: number;
  type: ZxldChangeType;
  caseKey: string;
  subject: ZxldSubject;
  caseCode: string;
  /** For ISSUED: the order's items and bound people. */
  order?: { restrictedItems: string; boundPersons: ZxgkBoundPerson[] };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Epoch milliseconds → `YYYY-MM-DD HH:mm:ss` in China Standard Time. */
export function chinaLocalTime(millis: number): string {
  const local = new Date(millis + 8 * 3_600_000);
  return (
    `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())} ` +
    `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`
  );
}

/** `2023-06-05 16:20:00` (China Standard Time) → epoch milliseconds. */
function fromChinaLocal(text: string): number {
  return Date.parse(`${text.replace(' ', 'T')}+08:00`);
}

/** `20230605` → `2023-06-05`. */
function isoDate(compact: string): string {
  return `${compact.slice(0, 4)}-${compact.slice(4, 6)}-${compact.slice(6, 8)}`;
}

/** Case numbers are written with full-width parentheses on orders; the log writes them half-width. */
export function halfWidthCaseCode(text: string): string {
  return text.normalize('NFKC').replace(/\s+/g, '');
}

const subjectKey = (subject: ZxldSubject) => subject.uscc ?? subject.idNumber ?? subject.name;

/** The changes one subject's court history implies, each case's listing and order separately. */
function historyEvents(history: CourtsHistory, subject: ZxldSubject): RawEvent[] {
  const events: RawEvent[] = [];
  const key = subjectKey(subject);
  for (const record of history.sxbzxr) {
    const caseCode = halfWidthCaseCode(record.caseCode);
    const caseKey = `${key}|${caseCode}`;
    events.push({ at: record.publishDate, type: 'LISTED', caseKey, subject, caseCode });
    if (record.revokeState !== '0' && record.revokeDate !== null) {
      events.push({ at: record.revokeDate, type: 'REMOVED', caseKey, subject, caseCode });
    }
  }
  for (const order of history.xzxfl) {
    const caseCode = halfWidthCaseCode(order.ah);
    const caseKey = `${key}|${caseCode}`;
    const issuedOn = isoDate(order.fbrq);
    const updated = fromChinaLocal(order.gxsj);
    // The update time is the issue time until the order is lifted; a lifted order's issue time of
    // day is lost, so it is placed at the start of office hours.
    const issued = order.gxsj.startsWith(issuedOn) ? updated : chinaMidnight(issuedOn) + 9 * 3_600_000;
    events.push({
      at: issued,
      type: 'ISSUED',
      caseKey,
      subject,
      caseCode,
      order: { restrictedItems: order.xzsx, boundPersons: order.glry },
    });
    if (order.zt === '已解除' && order.jcrq !== '') {
      const liftedOn = isoDate(order.jcrq);
      const lifted = order.gxsj.startsWith(liftedOn) ? updated : chinaMidnight(liftedOn) + 9 * 3_600_000;
      events.push({ at: lifted, type: 'LIFTED', caseKey, subject, caseCode });
    }
  }
  return events;
}

/**
 * Every change the courts' records imply for the population they index: the companies they can
 * match (demo companies included) and the people they hold records on (demo people included).
 * Ordered by time, then subject, case and kind of change, so the log is the same on every run.
 */
function initialLinkageEvents(registry: CourtsRegistry): RawEvent[] {
  const events: RawEvent[] = [];
  for (const [organizationCode, code] of registry.companies) {
    if (!COURTS_DEMO_COMPANIES.has(code) && !isGeneratedCompanyDebtor(code)) continue;
    const history = companyCourtHistory(code);
    const name = history.sxbzxr[0]?.iname ?? history.xzxfl[0]?.xfrmc;
    if (name === undefined) continue;
    const orgCode = `${organizationCode.slice(0, 8)}-${organizationCode.slice(8)}`;
    events.push(...historyEvents(history, { name, orgCode, uscc: code }));
  }
  const people = new Set([...COURTS_DEMO_PEOPLE.keys(), ...registry.names.keys()]);
  for (const idNumber of people) {
    const history = personCourtHistory(idNumber, registry.names.get(idNumber));
    const name = history.sxbzxr[0]?.iname ?? history.xzxfl[0]?.xfrmc;
    if (name === undefined) continue;
    events.push(...historyEvents(history, { name, idNumber }));
  }
  return events.sort(
    (a, b) => a.at - b.at || compare(a.caseKey, b.caseKey) || ORDER_OF_TYPES[a.type] - ORDER_OF_TYPES[b.type],
  );
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A request to append a change, as the control endpoint takes it. */
export interface ZxldAppend {
  type: ZxldChangeType;
  caseCode: string;
  /** Needed for a case the log does not know yet, or to tell apart cases sharing a number. */
  subject?: ZxldSubject;
  /** For ISSUED: the order's items, `1,…,9`. */
  restrictedItems?: string;
  /** For ISSUED: the people the order binds. */
  boundPersons?: ZxgkBoundPerson[];
}

export interface LinkageLog {
  /** Changes with seq > afterSeq and time at or after `since` (epoch ms), oldest first. */
  page(since: number, afterSeq: number, limit: number): ZxldChange[];
  lastSeq(): number;
  /** Appends a change at the current time; a string says why it was refused. */
  append(request: ZxldAppend): ZxldChange | string;
}

/**
 * The courts' enforcement linkage change log (执行联动): append-only, numbered without gaps, in time
 * order. It starts with the changes the records imply and grows through `append`.
 */
export function createLinkageLog(registry: CourtsRegistry, options: { now?: () => number } = {}): LinkageLog {
  const now = options.now ?? Date.now;
  const changes: ZxldChange[] = [];
  /** Epoch milliseconds of each change, parallel to `changes`, for searching by time. */
  const times: number[] = [];
  const cases = new Map<string, CaseState>();

  function record(event: RawEvent): ZxldChange {
    let state = cases.get(event.caseKey);
    if (!state) {
      state = {
        subject: event.subject,
        caseCode: event.caseCode,
        listed: false,
        restrictedItems: '',
        boundPersons: [],
      };
      cases.set(event.caseKey, state);
    }
    if (event.type === 'LISTED') state.listed = true;
    if (event.type === 'REMOVED') state.listed = false;
    if (event.type === 'ISSUED' && event.order) {
      state.restrictedItems = event.order.restrictedItems;
      state.boundPersons = event.order.boundPersons;
    }
    if (event.type === 'LIFTED') state.restrictedItems = '';
    const change: ZxldChange = {
      seq: changes.length + 1,
      time: chinaLocalTime(event.at),
      type: event.type,
      caseCode: state.caseCode,
      subject: { ...state.subject },
      restrictedItems: state.restrictedItems,
      boundPersons: state.boundPersons.map((person) => ({ ...person })),
      listed: state.listed,
    };
    changes.push(change);
    times.push(event.at);
    return change;
  }

  for (const event of initialLinkageEvents(registry)) record(event);

  /** First index whose time is at or after `since`. */
  function firstAtOrAfter(since: number): number {
    let low = 0;
    let high = times.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (times[middle]! < since) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  return {
    page(since, afterSeq, limit) {
      const start = Math.max(firstAtOrAfter(since), Math.min(afterSeq, changes.length));
      return changes.slice(start, start + limit);
    },
    lastSeq: () => changes.length,
    append(request) {
      const found = findCase(cases, request);
      if (typeof found === 'string') return found;
      const refusal = refuseTransition(found.state, request);
      if (refusal) return refusal;
      // Whole seconds, never earlier than the last change: the log stays in time order.
      const at = Math.max(Math.floor(now() / 1000) * 1000, times[times.length - 1] ?? 0);
      return record({
        at,
        type: request.type,
        caseKey: found.caseKey,
        subject: found.state?.subject ?? request.subject!,
        caseCode: found.state?.caseCode ?? halfWidthCaseCode(request.caseCode),
        order:
          request.type === 'ISSUED'
            ? { restrictedItems: request.restrictedItems ?? '', boundPersons: request.boundPersons ?? [] }
            : undefined,
      });
    },
  };
}

function findCase(
  cases: ReadonlyMap<string, CaseState>,
  request: ZxldAppend,
): { caseKey: string; state: CaseState | undefined } | string {
  const caseCode = halfWidthCaseCode(request.caseCode);
  if (request.subject) {
    const caseKey = `${subjectKey(request.subject)}|${caseCode}`;
    return { caseKey, state: cases.get(caseKey) };
  }
  const matching = [...cases].filter(([, state]) => state.caseCode === caseCode);
  if (matching.length === 0) return `案号${caseCode}不存在: 新案件须提供subject`;
  if (matching.length > 1) return `案号${caseCode}对应多个被执行人: 须提供subject`;
  const [caseKey, state] = matching[0]!;
  return { caseKey, state };
}

function refuseTransition(state: CaseState | undefined, request: ZxldAppend): string | null {
  const listed = state?.listed ?? false;
  const restricted = (state?.restrictedItems ?? '') !== '';
  switch (request.type) {
    case 'LISTED':
      return listed ? '该案件被执行人已在失信名单中' : null;
    case 'REMOVED':
      return listed ? null : '该案件被执行人不在失信名单中';
    case 'ISSUED':
      if (restricted) return '该案件已有有效的限制消费令';
      return /^[1-9](,[1-9])*$/.test(request.restrictedItems ?? '') ? null : '限制消费事项须为1至9, 逗号分隔';
    case 'LIFTED':
      return restricted ? null : '该案件没有有效的限制消费令';
  }
}

const failure = (status: number, message: string): { response: StandInResponse; keys: number } => ({
  response: { status, body: { result: 'fail', message } },
  keys: 0,
});

function wholeNumber(value: string | null, fallback: number): number | null {
  if (value === null || value === '') return fallback;
  return /^\d{1,15}$/.test(value) ? Number(value) : null;
}

/**
 * GET /zxgk/api/zxld/changes?since=<ISO time>&afterSeq=<n>&limit=<m> → {"result": "success",
 * "message": "查询成功", "changes": [...], "lastSeq": n}: the changes after `afterSeq` at or after
 * `since`, oldest first, at most `limit` (1–1000, default 100).
 */
export function linkageChangesRoute(log: LinkageLog): StandInRoute {
  return {
    method: 'GET',
    path: '/zxgk/api/zxld/changes',
    handle: ({ query }) => {
      const sinceText = query.get('since');
      const since = sinceText === null || sinceText === '' ? 0 : Date.parse(sinceText);
      if (Number.isNaN(since)) return failure(400, '参数错误: since');
      const afterSeq = wholeNumber(query.get('afterSeq'), 0);
      if (afterSeq === null) return failure(400, '参数错误: afterSeq');
      const limit = wholeNumber(query.get('limit'), DEFAULT_PAGE);
      if (limit === null || limit < 1 || limit > ZXLD_PAGE_LIMIT) {
        return failure(400, `参数错误: limit 须为1至${ZXLD_PAGE_LIMIT}`);
      }
      const changes = log.page(since, afterSeq, limit);
      return {
        response: {
          status: 200,
          body: { result: 'success', message: '查询成功', changes, lastSeq: log.lastSeq() },
        },
        keys: 0,
      };
    },
  };
}

function readAppend(body: unknown): ZxldAppend | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'body must be a JSON object';
  const { type, caseCode, subject, restrictedItems, boundPersons } = body as Record<string, unknown>;
  if (type !== 'LISTED' && type !== 'REMOVED' && type !== 'ISSUED' && type !== 'LIFTED') {
    return 'type must be LISTED, REMOVED, ISSUED or LIFTED';
  }
  if (typeof caseCode !== 'string' || caseCode.trim() === '') return 'caseCode must be a case number';
  const request: ZxldAppend = { type, caseCode };
  if (subject !== undefined) {
    const read = readSubject(subject);
    if (typeof read === 'string') return read;
    request.subject = read;
  }
  if (restrictedItems !== undefined) {
    if (typeof restrictedItems !== 'string') return 'restrictedItems must be a string like 1,2,9';
    request.restrictedItems = restrictedItems;
  }
  if (boundPersons !== undefined) {
    if (!Array.isArray(boundPersons) || !boundPersons.every(isBoundPerson)) {
      return 'boundPersons must be a list of {xm, zjhm, sf}';
    }
    request.boundPersons = boundPersons;
  }
  return request;
}

function readSubject(value: unknown): ZxldSubject | string {
  if (typeof value !== 'object' || value === null) return 'subject must be an object';
  const { name, orgCode, uscc, idNumber } = value as Record<string, unknown>;
  if (typeof name !== 'string' || name === '') return 'subject.name is required';
  if (uscc !== undefined && (typeof uscc !== 'string' || !/^[0-9A-Z]{18}$/.test(uscc))) {
    return 'subject.uscc must be an 18-character credit code';
  }
  if (typeof uscc === 'string' && typeof orgCode === 'string') {
    if (normalizeOrganizationCode(orgCode) !== uscc.slice(8, 17)) return 'subject.orgCode must be part of its uscc';
    return { name, orgCode, uscc };
  }
  if (typeof uscc === 'string') return { name, orgCode: hyphenatedOrganizationCode(uscc), uscc };
  if (typeof idNumber === 'string' && findIdNumberProblem(normalizeIdNumber(idNumber)) === null) {
    return { name, idNumber: normalizeIdNumber(idNumber) };
  }
  return 'subject needs a uscc (company) or a valid idNumber (person)';
}

function isBoundPerson(value: unknown): value is ZxgkBoundPerson {
  if (typeof value !== 'object' || value === null) return false;
  const { xm, zjhm, sf } = value as Record<string, unknown>;
  return (
    typeof xm === 'string' &&
    typeof zjhm === 'string' &&
    (sf === '法定代表人' || sf === '主要负责人' || sf === '实际控制人')
  );
}

/**
 * POST /_sim/linkage/changes {"type": "REMOVED", "caseCode": "(2023)渝0112执1234号"} appends a change
 * at the current time, so a test can change the log while a client walks it. 201 with the change,
 * or 400 with the reason (an unknown case, or a change that does not follow from its state).
 */
export function linkageAppendRoute(log: LinkageLog): StandInRoute {
  return {
    method: 'POST',
    path: '/_sim/linkage/changes',
    handle: ({ body }) => {
      const request = readAppend(body);
      if (typeof request === 'string') return failure(400, request);
      const change = log.append(request);
      if (typeof change === 'string') return failure(400, change);
      return { response: { status: 201, body: change }, keys: 0 };
    },
  };
}
