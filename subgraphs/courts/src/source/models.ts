import type { ConsumptionRestriction, DishonestDebtorRecord, RestrictionRole } from '../__generated__/types.js';

/** What the other subgraphs and the gateway pass around: just the key. */
export interface EnterpriseRef {
  code: string;
}

export interface PersonRef {
  idNumber: string;
}

export interface BoundPersonModel {
  name: string;
  role: RestrictionRole;
  /** Null where the court holds no resident ID number for them. */
  idNumber: string | null;
}

export type ConsumptionRestrictionModel = Omit<ConsumptionRestriction, 'boundPersons'> & {
  boundPersons: BoundPersonModel[];
};

/** What the courts publish on one subject, translated to the shared schema. */
export interface CourtsRecord {
  dishonestDebtorRecords: DishonestDebtorRecord[];
  consumptionRestrictions: ConsumptionRestrictionModel[];
}

/**
 * A section as the subgraph answers it: the department's record, or, when the department answered
 * but holds nothing on the subject, an empty one with `known: false`. `readAt` is when it was read.
 */
export type CourtsSectionModel = CourtsRecord & { known: boolean; readAt: string };

export function courtsSection(record: CourtsRecord | null, readAt: string): CourtsSectionModel {
  // The courts answer every subject, with empty lists when they hold no case: that is "not known".
  if (record) {
    const known = record.dishonestDebtorRecords.length > 0 || record.consumptionRestrictions.length > 0;
    return { ...record, known, readAt };
  }
  return { dishonestDebtorRecords: [], consumptionRestrictions: [], known: false, readAt };
}

/** A loader key: a company by credit code, or a natural person by resident ID number. */
export type CourtsKey = `ORG:${string}` | `ID:${string}`;

export const companyKey = (code: string): CourtsKey => `ORG:${code}`;
export const personKey = (idNumber: string): CourtsKey => `ID:${idNumber}`;
