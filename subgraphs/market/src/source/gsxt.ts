import {
  badResponse,
  callSource,
  chinaLocalToIso,
  FieldReader,
  LegacyFormatError,
  provenance,
  SourceError,
  type SourceCallMetrics,
} from '@credit-gateway/common';
import type { RegistrationStatus, SubjectKind } from '../__generated__/types.js';
import type { MarketRecord, RegistrationModel } from './models.js';

export interface GsxtSourceOptions {
  baseUrl: string;
  timeoutMs: number;
  /** Where each call's latency and outcome are counted. */
  metrics?: SourceCallMetrics;
}

/** A record per code: the translated record, null when GSXT does not know the code, or the error. */
export type MarketLookup = Map<string, MarketRecord | SourceError>;

/** GSXT `regState_CN` texts, which carry extra words after the status itself. */
function status(text: string): RegistrationStatus {
  if (text.startsWith('存续')) return 'EXISTING';
  if (text.startsWith('在业') || text.startsWith('在营') || text.startsWith('开业')) return 'OPERATING';
  if (text.startsWith('吊销')) return 'REVOKED';
  if (text.startsWith('注销')) return 'DEREGISTERED';
  throw new LegacyFormatError(`unknown regState_CN '${text}'`);
}

const STATUS_TEXT: Record<RegistrationStatus, string> = {
  EXISTING: '存续',
  OPERATING: '在业',
  REVOKED: '吊销',
  DEREGISTERED: '注销',
};

function kind(entityType: string): SubjectKind {
  if (entityType.includes('个体')) return 'INDIVIDUAL_BUSINESS';
  if (entityType.includes('合作社')) return 'FARMER_COOPERATIVE';
  if (/社会团体|民办非企业|基金会|社会服务机构/.test(entityType)) return 'SOCIAL_ORGANIZATION';
  if (/事业单位|机关/.test(entityType)) return 'PUBLIC_INSTITUTION';
  if (/公司|企业|合伙|独资/.test(entityType)) return 'ENTERPRISE';
  return 'OTHER';
}

const CURRENCIES: Record<string, string> = { 人民币: 'CNY', 美元: 'USD', 港元: 'HKD', 欧元: 'EUR', 日元: 'JPY' };

const newestFirst =
  <T>(key: (item: T) => string) =>
  (a: T, b: T) =>
    key(b).localeCompare(key(a));

/** Translates one GSXT entity into the shared schema; throws LegacyFormatError on a malformed record. */
export function translateEntity(raw: FieldReader): { code: string; record: MarketRecord } {
  const code = raw.string('uniscId');
  const asOf = chinaLocalToIso(raw.string('updateTime')) ?? raw.fail('updateTime', 'YYYY-MM-DD HH:mm:ss');
  const source = (id: string) => provenance('market', id, asOf);
  const state = status(raw.string('regState_CN'));
  const capital = raw.optionalNumber('regCap');
  const currency = raw.optionalString('regCapCur_CN') ?? '人民币';
  const representative = raw.optionalString('lerep');
  const registration: RegistrationModel = {
    name: raw.string('entName'),
    legacyRegistrationNumber: raw.optionalString('regNo'),
    legalRepresentative: representative
      ? {
          name: representative,
          // Only a resident ID card number identifies a Person; passports and others do not.
          idNumber: raw.optionalString('lerepCerType')?.includes('居民身份证')
            ? raw.optionalString('lerepCerNo')
            : null,
        }
      : null,
    type: raw.string('entType_CN'),
    kind: kind(raw.string('entType_CN')),
    status: state,
    statusText: STATUS_TEXT[state],
    statusChangedOn: raw.optionalDate(state === 'REVOKED' ? 'revDate' : 'canDate'),
    // GSXT states capital in 万元 (10,000 units).
    registeredCapital:
      capital === null
        ? null
        : { amount: Math.round(capital * 10_000 * 100) / 100, currency: CURRENCIES[currency] ?? currency },
    establishedOn: raw.date('estDate'),
    businessTermFrom: raw.optionalDate('opFrom'),
    businessTermTo: raw.optionalDate('opTo'),
    address: raw.string('dom'),
    businessScope: raw.string('opScope'),
    registrationAuthority: raw.string('regOrg_CN'),
    provenance: source(raw.string('pripid')),
  };
  const record: MarketRecord = {
    registration,
    licences: raw
      .list('licenceInfo')
      .map((l) => ({
        decisionNumber: l.string('licNo'),
        name: l.string('licName_CN'),
        content: l.string('licContent'),
        validFrom: l.date('valFrom'),
        validTo: l.optionalDate('valTo'),
        authority: l.string('licAnth'),
        provenance: source(l.string('licId')),
      }))
      .sort(newestFirst((l) => l.validFrom)),
    penalties: raw
      .list('punishInfo')
      .map((p) => ({
        decisionNumber: p.string('penDecNo'),
        violationType: p.string('illegActType'),
        content: p.string('penContent'),
        authority: p.string('penAuth_CN'),
        decidedOn: p.date('penDecIssDate'),
        publishedOn: p.date('publicDate'),
        provenance: source(p.string('caseId')),
      }))
      .sort(newestFirst((p) => p.decidedOn)),
    abnormalOperations: raw
      .list('abnormalInfo')
      .map((a) => ({
        reason: a.string('speCause_CN'),
        listedOn: a.date('abntime'),
        listingAuthority: a.string('decOrg_CN'),
        removalReason: a.optionalString('remExcpRes_CN'),
        removedOn: a.optionalDate('remDate'),
        removalAuthority: a.optionalString('reDecOrg_CN'),
        provenance: source(a.string('busExcList')),
      }))
      .sort(newestFirst((a) => a.listedOn)),
    seriousIllegalListings: raw
      .list('illInfo')
      .map((i) => ({
        reason: i.string('serILLRea_CN'),
        listedOn: i.date('abntime'),
        listingAuthority: i.string('decOrg_CN'),
        removalReason: i.optionalString('remExcpRes_CN'),
        removedOn: i.optionalDate('remDate'),
        provenance: source(i.string('illId')),
      }))
      .sort(newestFirst((i) => i.listedOn)),
    spotChecks: raw
      .list('spotCheckInfo')
      .map((s) => ({
        inspectionType: s.string('insType') === '1' ? '定向抽查' : '不定向抽查',
        inspectedOn: s.date('insDate'),
        result: s.string('insRes_CN'),
        authority: s.string('insAuth'),
        provenance: source(s.string('insId')),
      }))
      .sort(newestFirst((s) => s.inspectedOn)),
    honours: raw
      .list('honorInfo')
      .map((h) => ({
        name: h.string('honorName'),
        year: h.number('honorYear'),
        awardedBy: h.string('honorOrg'),
        provenance: source(h.string('honorId')),
      }))
      .sort((a, b) => b.year - a.year),
  };
  return { code, record };
}

/**
 * The adapter to GSXT's data-exchange interface: one batch query for any number of codes, and a
 * translation of its legacy keys into the shared schema.
 */
export function createGsxtSource(options: GsxtSourceOptions) {
  return {
    async lookup(codes: readonly string[]): Promise<MarketLookup> {
      const body = await callSource('market', `${options.baseUrl}/gsxt/api/v1/entinfo/batchQuery`, {
        body: { uniscIdList: codes },
        timeoutMs: options.timeoutMs,
        metrics: options.metrics,
      });
      let items: FieldReader[];
      try {
        const envelope = FieldReader.of(body, 'response');
        if (envelope.string('status') !== '0')
          throw new LegacyFormatError(`status ${envelope.optionalString('status')}`);
        items = envelope.list('data');
      } catch (error) {
        throw badResponse('market', String(error));
      }
      const found: MarketLookup = new Map();
      for (const [index, item] of items.entries()) {
        try {
          const { code, record } = translateEntity(item);
          found.set(code, record);
        } catch (error) {
          // One malformed record fails its own subject, not the whole batch.
          let code: string | null = null;
          try {
            code = item.optionalString('uniscId');
          } catch {
            // handled below: a record without a readable code cannot be attributed
          }
          if (code === null) throw badResponse('market', `data[${index}]: ${String(error)}`);
          found.set(code, new SourceError('SOURCE_BAD_RESPONSE', 'market', { cause: error }));
        }
      }
      return found;
    },
  };
}

export type GsxtSource = ReturnType<typeof createGsxtSource>;
