import {
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
} from '@credit-gateway/common';
import type { ProcurementContract } from '../__generated__/resolvers-types.js';
import type { DishonestyRecordModel, ProcurementRecord } from './models.js';

export interface CcgpSourceOptions {
  baseUrl: string;
  timeoutMs: number;
  /** Most look-ups in flight at once. */
  concurrency: number;
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
 * Reads the service's answer for one code: the record, null when it knows nothing of the code,
 * or a SourceError when it failed or sent something that cannot be read.
 */
export function readSupplierResponse(code: string, body: unknown): ProcurementRecord | null {
  let envelope: Record<string, unknown>;
  try {
    envelope = asRecord(body, 'response');
  } catch (error) {
    throw badResponse('procurement', String(error));
  }
  if (envelope['success'] === false) {
    // The service reports its own failures inside a 200 as well.
    throw new SourceError('SOURCE_UNAVAILABLE', 'procurement', {
      cause: new Error(`${String(envelope['errorCode'])}: ${String(envelope['errorMsg'])}`),
    });
  }
  if (envelope['success'] !== true || !('data' in envelope))
    throw badResponse('procurement', 'response: expected success and data');
  if (envelope['data'] === null) return null;
  try {
    const data = FieldReader.of(envelope['data'], 'response.data');
    const answered = data.string('tyshxydm');
    if (answered !== code) throw new LegacyFormatError(`response.data.tyshxydm: asked for one code, got another`);
    return translateSupplier(data);
  } catch (error) {
    throw badResponse('procurement', String(error));
  }
}

/**
 * The adapter to the government procurement credit service. The service looks up one supplier
 * per request, so a batch becomes one request per distinct code, at most `concurrency` at a time;
 * a failed look-up fails only its own code.
 */
export function createCcgpSource(options: CcgpSourceOptions) {
  async function lookupOne(code: string): Promise<ProcurementRecord | null | SourceError> {
    try {
      const body = await callSource(
        'procurement',
        `${options.baseUrl}/ccgp/api/credit/supplier?tyshxydm=${encodeURIComponent(code)}`,
        {
          timeoutMs: options.timeoutMs,
        },
      );
      return readSupplierResponse(code, body);
    } catch (error) {
      if (error instanceof SourceError) return error;
      throw error;
    }
  }

  return {
    async lookup(codes: readonly string[]): Promise<ProcurementLookup> {
      const distinct = [...new Set(codes)];
      const results = await mapWithConcurrency(distinct, options.concurrency, lookupOne);
      const found: ProcurementLookup = new Map();
      distinct.forEach((code, index) => found.set(code, results[index] ?? null));
      return found;
    },
  };
}

export type CcgpSource = ReturnType<typeof createCcgpSource>;
