import {
  asArray,
  asRecord,
  badResponse,
  boundRole,
  callSource,
  caseNumber,
  chinaLocalToIso,
  FieldReader,
  findCreditCodeProblem,
  findIdNumberProblem,
  idNumberOrNull,
  LegacyFormatError,
  normalizeCreditCode,
  normalizeIdNumber,
  normalizeOrganizationCode,
  restrictedItemNumbers,
  type BoundRole,
  type SourceCallMetrics,
} from '@credit-gateway/common';

/** What happened to a case: the debtor listed or removed, a restriction order issued or lifted. */
export type LinkageChangeType = 'LISTED' | 'REMOVED' | 'ISSUED' | 'LIFTED';

export const LINKAGE_CHANGE_TYPES: readonly LinkageChangeType[] = ['LISTED', 'REMOVED', 'ISSUED', 'LIFTED'];

export interface LinkageBoundPerson {
  name: string;
  role: BoundRole;
  /** Null where the court holds no readable ID number. */
  idNumber: string | null;
}

/** One change of the courts' linkage log, translated from the courts' format. */
export interface LinkageChange {
  /** Position in the courts' log: 1, 2, 3, … in time order. */
  seq: number;
  /** ISO 8601 with the China offset: `2023-08-21T10:15:00+08:00`. */
  changedAt: string;
  type: LinkageChangeType;
  /** Normalized case number: `(2023)渝0112执1234号`. */
  caseNumber: string;
  debtor: {
    name: string;
    /** A company's credit code, when the courts hold it. */
    code: string | null;
    /** A person's ID number. */
    idNumber: string | null;
  };
  /** Whether the debtor is on the dishonest debtor list for this case after the change. */
  listed: boolean;
  /** Items 1–9 of the case's order in force after the change, ascending; empty when none. */
  restrictedItems: number[];
  boundPersons: LinkageBoundPerson[];
}

export interface LinkagePage {
  changes: LinkageChange[];
  /** The last sequence number in the courts' log when it answered. */
  lastSeq: number;
}

export interface LinkageRequest {
  /** Changes at or after this time (ISO 8601). */
  since: string;
  /** Changes after this sequence number. */
  afterSeq: number;
  /** At most this many; the courts answer up to LINKAGE_PAGE_LIMIT. */
  limit: number;
}

/** The courts' linkage interface answers at most this many changes per request. */
export const LINKAGE_PAGE_LIMIT = 1000;

declare module '../models.js' {
  interface LinkageClient {
    /** One page of the courts' linkage change log, oldest first. */
    changes(request: LinkageRequest): Promise<LinkagePage>;
  }
}

export interface LinkageSourceOptions {
  /** Base URL of the courts' enforcement linkage interface. */
  baseUrl: string;
  timeoutMs: number;
  /** Where each call's latency and outcome are counted. */
  metrics?: SourceCallMetrics;
}

/**
 * The debtor: a company by the credit code the courts hold (its organization code must be the
 * one embedded in it), or a person by ID number.
 */
function debtorOf(subject: FieldReader): LinkageChange['debtor'] {
  const name = subject.string('name');
  const uscc = subject.optionalString('uscc');
  const orgCode = subject.optionalString('orgCode');
  if (uscc !== null) {
    const code = normalizeCreditCode(uscc);
    const problem = findCreditCodeProblem(code);
    // Pilot-era codes fail their check characters yet are legal; a wrong length or character never is.
    if (problem !== null && problem.kind !== 'check' && problem.kind !== 'organization-code-check') {
      subject.fail('uscc', 'a credit code');
    }
    if (orgCode !== null && normalizeOrganizationCode(orgCode) !== code.slice(8, 17)) {
      subject.fail('orgCode', 'the organization code embedded in uscc');
    }
    return { name, code, idNumber: null };
  }
  if (orgCode !== null) return { name, code: null, idNumber: null };
  const idNumber = normalizeIdNumber(subject.string('idNumber'));
  // The value is a personal identifier, so it stays out of the message.
  if (findIdNumberProblem(idNumber) !== null) subject.fail('idNumber', 'a resident ID number');
  return { name, code: null, idNumber };
}

function changeType(raw: FieldReader): LinkageChangeType {
  const type = raw.string('type');
  return (LINKAGE_CHANGE_TYPES as readonly string[]).includes(type)
    ? (type as LinkageChangeType)
    : raw.fail('type', LINKAGE_CHANGE_TYPES.join(', '));
}

function positiveInteger(raw: FieldReader, key: string): number {
  const value = raw.number(key);
  return Number.isSafeInteger(value) && value >= 0 ? value : raw.fail(key, 'a whole number');
}

/** Translates one change of the log; throws LegacyFormatError. */
export function translateChange(value: unknown, where: string): LinkageChange {
  const record = asRecord(value, where);
  const raw = new FieldReader(record, where);
  const listed = record['listed'];
  return {
    seq: positiveInteger(raw, 'seq'),
    changedAt: chinaLocalToIso(raw.string('time')) ?? raw.fail('time', 'YYYY-MM-DD HH:mm:ss'),
    type: changeType(raw),
    caseNumber: caseNumber(raw.string('caseCode')),
    debtor: debtorOf(FieldReader.of(record['subject'], `${where}.subject`)),
    listed: typeof listed === 'boolean' ? listed : raw.fail('listed', 'true or false'),
    restrictedItems: restrictedItemNumbers(raw.optionalString('restrictedItems') ?? '', 'restrictedItems'),
    boundPersons: raw.list('boundPersons').map((person) => ({
      name: person.string('xm'),
      role: boundRole(person.string('sf')),
      idNumber: idNumberOrNull(person.optionalString('zjhm')),
    })),
  };
}

/**
 * Reads the courts' answer. A change that cannot be read fails the whole page: skipping it would
 * leave a gap in the feed that no client could notice.
 */
export function translatePage(body: unknown): LinkagePage {
  try {
    const envelope = FieldReader.of(body, 'response');
    if (envelope.string('result') !== 'success') {
      throw new LegacyFormatError(`result ${envelope.optionalString('result')}`);
    }
    const changes = asArray(asRecord(body, 'response')['changes'] ?? [], 'response.changes').map((item, index) =>
      translateChange(item, `response.changes[${index}]`),
    );
    changes.forEach((change, index) => {
      const previous = changes[index - 1];
      if (previous !== undefined && change.seq <= previous.seq) {
        throw new LegacyFormatError(`changes[${index}].seq: expected ascending sequence numbers`);
      }
    });
    return { changes, lastSeq: positiveInteger(envelope, 'lastSeq') };
  } catch (error) {
    throw badResponse('courts', String(error));
  }
}

/**
 * The adapter to the courts' enforcement linkage change log (执行联动):
 * GET /zxgk/api/zxld/changes?since=&afterSeq=&limit=. Failures are SourceErrors naming the courts.
 */
export function createLinkageSource(options: LinkageSourceOptions) {
  return {
    baseUrl: options.baseUrl,
    async changes(request: LinkageRequest): Promise<LinkagePage> {
      const query = new URLSearchParams({
        since: request.since,
        afterSeq: String(request.afterSeq),
        limit: String(Math.min(request.limit, LINKAGE_PAGE_LIMIT)),
      });
      const body = await callSource('courts', `${options.baseUrl}/zxgk/api/zxld/changes?${query.toString()}`, {
        timeoutMs: options.timeoutMs,
        metrics: options.metrics,
      });
      return translatePage(body);
    },
  };
}

export type LinkageSource = ReturnType<typeof createLinkageSource>;
