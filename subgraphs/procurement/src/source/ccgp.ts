import {
  asArray,
  asRecord,
  badResponse,
  callSource,
  chinaLocalToIso,
  FieldReader,
  legacyDate,
  LegacyFormatError,
  mapWithConcurrency,
  provenance,
  SourceError,
  type SourceCallMetrics,
} from '@credit-gateway/common';
import type { ProcurementContract } from '../__generated__/types.js';
import type { DishonestyRecordModel, ProcurementRecord } from './models.js';

/** How the adapter asks: one bulk request per batch, or one request per code where the service has only that. */
export type SourceLookup = 'batch' | 'single';

export const SOURCE_LOOKUPS: readonly SourceLookup[] = ['batch', 'single'];

export interface CcgpSourceOptions {
  baseUrl: string;
  timeoutMs: number;
  lookup: SourceLookup;
  /** Most single look-ups in flight at once. */
  concurrency: number;
  /** Where each call's latency and outcome are counted. */
  metrics?: SourceCallMetrics;
}

/** A result per code: the translated record, null when the service does not know the code, or the error. */
export type ProcurementLookup = Map<string, ProcurementRecord | null | SourceError>;

const newestFirst =
  <T>(key: (item: T) => string) =>
  (a: T, b: T) =>
    key(b).localeCompare(key(a));

/**
 * A date the service writes as text (`2023-10-20`, `2026年10月19日`, `20210615`). A JSON number is
 * refused rather than read: `20210615` would otherwise pass for epoch milliseconds in 1970.
 */
function textDate(raw: FieldReader, key: string): string {
  return legacyDate(raw.string(key)) ?? raw.fail(key, 'a date');
}

/**
 * 合同金额 in yuan as the service writes it: `1260000.00`, `4,739,800.00` (contracts migrated from
 * the old platform), with or without 元, or in 万元. Returns yuan rounded to the fen, or null.
 */
export function contractAmount(text: string): number | null {
  const compact = text.replace(/[\s,，]/g, '').replace(/^(?:人民币|¥|￥)/, '');
  const match = /^(\d+(?:\.\d+)?)(万元|万|元)?$/.exec(compact);
  if (!match) return null;
  const amount = Number(match[1]) * (match[2]?.startsWith('万') ? 10_000 : 1);
  return Math.round(amount * 100) / 100;
}

/** Translates the `data` of one supplier into the shared schema; throws LegacyFormatError when malformed. */
export function translateSupplier(raw: FieldReader): ProcurementRecord {
  const asOf = chinaLocalToIso(raw.string('gxsj')) ?? raw.fail('gxsj', 'YYYY-MM-DD HH:mm:ss');
  const source = (id: string) => provenance('procurement', id, asOf);
  const seriousDishonestyRecords = raw
    .list('yzcjl')
    .map((r): DishonestyRecordModel => {
      const recordedOn = textDate(r, 'jlrq');
      const banEndsOn = textDate(r, 'jzrq');
      // A ban runs from the record date; an end before it is a data-entry error, not a lifted ban.
      if (banEndsOn < recordedOn) r.fail('jzrq', `a date on or after jlrq ${recordedOn}`);
      return {
        name: r.string('qymc'),
        address: r.string('qydz'),
        circumstance: r.string('jtqx'),
        penaltyBasis: r.string('cfyj'),
        penaltyResult: r.string('cfjg'),
        recordedOn,
        authority: r.string('zfdw'),
        banEndsOn,
        provenance: source(r.string('jlbh')),
      };
    })
    .sort(newestFirst((r) => r.recordedOn));
  const contracts = raw
    .list('htxx')
    .map((c): ProcurementContract => ({
      contractNumber: c.string('htbh'),
      projectName: c.string('xmmc'),
      purchaser: c.string('cgr'),
      amount: contractAmount(c.string('htje')) ?? c.fail('htje', 'an amount in yuan'),
      signedOn: textDate(c, 'qdrq'),
      provenance: source(c.string('htbh')),
    }))
    .sort(newestFirst((c) => c.signedOn));
  return { seriousDishonestyRecords, contracts };
}

/**
 * The `data` of the service's envelope. Throws a SourceError when the service reports a failure,
 * which it also does inside a 200, or when the envelope cannot be read.
 */
function envelopeData(body: unknown): unknown {
  let envelope: Record<string, unknown>;
  try {
    envelope = asRecord(body, 'response');
  } catch (error) {
    throw badResponse('procurement', String(error));
  }
  if (envelope['success'] === false) {
    throw new SourceError('SOURCE_UNAVAILABLE', 'procurement', {
      cause: new Error(`${String(envelope['errorCode'])}: ${String(envelope['errorMsg'])}`),
    });
  }
  if (envelope['success'] !== true || !('data' in envelope))
    throw badResponse('procurement', 'response: expected success and data');
  return envelope['data'];
}

/**
 * Reads the service's answer for one code: the record, null when it knows nothing of the code,
 * or a SourceError when it failed or sent something that cannot be read.
 */
export function readSupplierResponse(code: string, body: unknown): ProcurementRecord | null {
  const found = envelopeData(body);
  if (found === null) return null;
  try {
    const data = FieldReader.of(found, 'response.data');
    const answered = data.string('tyshxydm');
    if (answered !== code) throw new LegacyFormatError(`response.data.tyshxydm: asked for one code, got another`);
    return translateSupplier(data);
  } catch (error) {
    throw badResponse('procurement', String(error));
  }
}

/**
 * Reads the service's answer to a bulk look-up: a record per code it knows. A record that cannot be
 * translated fails only its own code; an answer that cannot be attributed throws a SourceError.
 */
export function readSuppliersResponse(body: unknown): ProcurementLookup {
  const found: ProcurementLookup = new Map();
  let items: FieldReader[];
  try {
    items = asArray(envelopeData(body), 'response.data').map((item, index) =>
      FieldReader.of(item, `response.data[${index}]`),
    );
  } catch (error) {
    if (error instanceof SourceError) throw error;
    throw badResponse('procurement', String(error));
  }
  for (const item of items) {
    let code: string;
    try {
      code = item.string('tyshxydm');
    } catch (error) {
      // A record that names no code could be anyone's, so none of the answer can be trusted.
      throw badResponse('procurement', String(error));
    }
    try {
      found.set(code, translateSupplier(item));
    } catch (error) {
      found.set(code, badResponse('procurement', String(error)));
    }
  }
  return found;
}

/** Eighteen characters of the credit code charset: the shape the service accepts. */
const CODE_SHAPE = /^[0-9A-HJ-NPQRTUWXY]{18}$/;

/**
 * The adapter to the government procurement credit service. With `lookup: 'batch'` a batch is one
 * bulk request; with `lookup: 'single'`, for a service that has only the single-record look-up, it
 * is one request per distinct code, at most `concurrency` at a time. Either way results come back
 * per code: a failed request fails the codes it asked for, an unreadable record only its own.
 */
export function createCcgpSource(options: CcgpSourceOptions) {
  async function lookupOne(code: string): Promise<ProcurementRecord | null | SourceError> {
    try {
      const body = await callSource(
        'procurement',
        `${options.baseUrl}/ccgp/api/credit/supplier?tyshxydm=${encodeURIComponent(code)}`,
        { timeoutMs: options.timeoutMs, metrics: options.metrics },
      );
      return readSupplierResponse(code, body);
    } catch (error) {
      if (error instanceof SourceError) return error;
      throw error;
    }
  }

  async function lookupSingly(codes: readonly string[]): Promise<ProcurementLookup> {
    const results = await mapWithConcurrency(codes, options.concurrency, lookupOne);
    const found: ProcurementLookup = new Map();
    codes.forEach((code, index) => found.set(code, results[index] ?? null));
    return found;
  }

  async function lookupInBulk(codes: readonly string[]): Promise<ProcurementLookup> {
    const found: ProcurementLookup = new Map();
    // The service refuses a whole bulk request over one malformed code. Such a code is not sent and
    // fails as its single look-up would (HTTP 400), so one bad key does not sink its batch.
    const asked = codes.filter((code) => {
      if (CODE_SHAPE.test(code)) return true;
      found.set(code, badResponse('procurement', 'not of the shape the service accepts'));
      return false;
    });
    if (asked.length === 0) return found;
    let answered: ProcurementLookup;
    try {
      const body = await callSource('procurement', `${options.baseUrl}/ccgp/api/credit/supplier/batch`, {
        body: { tyshxydmList: asked },
        timeoutMs: options.timeoutMs,
        metrics: options.metrics,
      });
      answered = readSuppliersResponse(body);
    } catch (error) {
      if (!(error instanceof SourceError)) throw error;
      for (const code of asked) found.set(code, error);
      return found;
    }
    // A code the service leaves out is one it knows nothing of.
    for (const code of asked) found.set(code, answered.get(code) ?? null);
    return found;
  }

  return {
    async lookup(codes: readonly string[]): Promise<ProcurementLookup> {
      const distinct = [...new Set(codes)];
      return options.lookup === 'batch' ? lookupInBulk(distinct) : lookupSingly(distinct);
    },
  };
}

export type CcgpSource = ReturnType<typeof createCcgpSource>;
