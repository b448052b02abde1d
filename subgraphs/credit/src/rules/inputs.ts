import type { SourceName } from '@credit-gateway/common';
import type { CreditRecordKind, SourceSystem } from '../__generated__/types.js';
import type { EnterpriseInputs, SectionReading } from '../models.js';

/** What a decision was made on: the departments it rests on, read or not, and how old the reads are. */
export interface DecisionInputsModel {
  complete: boolean;
  missingSources: SourceSystem[];
  readSources: SourceSystem[];
  /** The oldest `readAt` of the sections used; null when none was read or none said. */
  asOf: string | null;
}

export const SOURCE_SYSTEMS: readonly SourceSystem[] = ['MARKET', 'TAX', 'COURTS', 'SOCIAL_SECURITY', 'PROCUREMENT'];

/** The spelling SOURCE_* and DECISION_INCOMPLETE errors use in `extensions.source`. */
export const SOURCE_NAMES: Readonly<Record<SourceSystem, SourceName>> = {
  MARKET: 'market',
  TAX: 'tax',
  COURTS: 'courts',
  SOCIAL_SECURITY: 'social-security',
  PROCUREMENT: 'procurement',
};

const SECTION_OF = {
  MARKET: 'marketRegulation',
  TAX: 'tax',
  COURTS: 'courts',
  SOCIAL_SECURITY: 'socialSecurity',
  PROCUREMENT: 'procurement',
} as const satisfies Record<SourceSystem, keyof EnterpriseInputs>;

/**
 * The department each kind of record comes from: what a missing department could be hiding. Null
 * for records the platform keeps itself (broken commitments, in the credit store).
 */
export const RECORD_KIND_SOURCE: Readonly<Record<CreditRecordKind, SourceSystem | null>> = {
  ADMINISTRATIVE_PENALTY: 'MARKET',
  ABNORMAL_OPERATIONS: 'MARKET',
  SERIOUS_ILLEGAL_LIST: 'MARKET',
  CONTRACT_HONOUR: 'MARKET',
  MAJOR_TAX_VIOLATION: 'TAX',
  TAX_ARREARS: 'TAX',
  TAX_A_GRADE: 'TAX',
  DISHONEST_JUDGMENT_DEBTOR: 'COURTS',
  CONSUMPTION_RESTRICTION: 'COURTS',
  WAGE_ARREARS: 'SOCIAL_SECURITY',
  PROCUREMENT_DISHONESTY: 'PROCUREMENT',
  BROKEN_COMMITMENT: null,
};

/** Whether a section was read: null (the field failed) and absent (the fetch failed) both mean no. */
function wasRead(section: SectionReading | null | undefined): section is SectionReading {
  return section !== null && section !== undefined;
}

function older(a: string | null, b: string | undefined): string | null {
  if (b === undefined || Number.isNaN(Date.parse(b))) return a;
  if (a === null) return b;
  return Date.parse(b) < Date.parse(a) ? b : a;
}

function inputsOf(entries: readonly [SourceSystem, SectionReading | null | undefined][]): DecisionInputsModel {
  const missingSources: SourceSystem[] = [];
  const readSources: SourceSystem[] = [];
  let asOf: string | null = null;
  for (const [source, section] of entries) {
    if (!wasRead(section)) {
      if (!missingSources.includes(source)) missingSources.push(source);
      continue;
    }
    if (!readSources.includes(source)) readSources.push(source);
    asOf = older(asOf, section.readAt);
  }
  const read = readSources.filter((source) => !missingSources.includes(source));
  return { complete: missingSources.length === 0, missingSources, readSources: read, asOf };
}

/** The enterprise's own sections: what its records, lists, measures, green channel and grade rest on. */
export function enterpriseInputs(
  inputs: EnterpriseInputs,
  sources: readonly SourceSystem[] = SOURCE_SYSTEMS,
): DecisionInputsModel {
  return inputsOf(sources.map((source) => [source, inputs[SECTION_OF[source]]]));
}

/**
 * What the legal representative's records (落实到人) rest on: market regulation says who the
 * representative is, the courts hold the person's records. Without the first the second is not
 * asked; a representative without a resident ID number has no court records to read.
 */
export function representativeInputs(inputs: EnterpriseInputs): DecisionInputsModel {
  const market = inputs.marketRegulation;
  const person = market?.registration?.legalRepresentative?.person;
  if (!wasRead(market) || !person) return inputsOf([['MARKET', market]]);
  return inputsOf([
    ['MARKET', market],
    ['COURTS', person.courts],
  ]);
}

/** One decision over several: missing anywhere is missing; the oldest read is the age. */
export function combineInputs(all: readonly DecisionInputsModel[]): DecisionInputsModel {
  const missingSources = SOURCE_SYSTEMS.filter((s) => all.some((i) => i.missingSources.includes(s)));
  const readSources = SOURCE_SYSTEMS.filter(
    (s) => !missingSources.includes(s) && all.some((i) => i.readSources.includes(s)),
  );
  const asOf = all.reduce<string | null>((oldest, i) => older(oldest, i.asOf ?? undefined), null);
  return { complete: missingSources.length === 0, missingSources, readSources, asOf };
}

/** The same inputs, as far as a decision resting on only some departments is concerned. */
export function restrictInputs(inputs: DecisionInputsModel, sources: Iterable<SourceSystem>): DecisionInputsModel {
  const relevant = new Set(sources);
  const missingSources = inputs.missingSources.filter((s) => relevant.has(s));
  return {
    complete: missingSources.length === 0,
    missingSources,
    readSources: inputs.readSources.filter((s) => relevant.has(s)),
    asOf: inputs.asOf,
  };
}
