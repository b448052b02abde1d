import type {
  AbnormalOperationListing,
  AdministrativeLicence,
  AdministrativePenalty,
  Honour,
  Registration,
  SeriousIllegalListing,
  SpotCheck,
} from '../__generated__/types.js';

/** What the other subgraphs and the gateway pass around: just the key. */
export interface EnterpriseRef {
  code: string;
}

/** A set of codes asked about together, e.g. for statistics. */
export interface SubjectSetRef {
  codes: string[];
}

export interface PersonRef {
  idNumber: string;
}

export interface LegalRepresentativeModel {
  name: string;
  /** Null where the register holds no resident ID number (a passport, say). */
  idNumber: string | null;
}

export type RegistrationModel = Omit<Registration, 'legalRepresentative'> & {
  legalRepresentative: LegalRepresentativeModel | null;
};

/** One subject's GSXT record, translated to the shared schema. */
export interface MarketRecord {
  registration: RegistrationModel;
  licences: AdministrativeLicence[];
  penalties: AdministrativePenalty[];
  abnormalOperations: AbnormalOperationListing[];
  seriousIllegalListings: SeriousIllegalListing[];
  spotChecks: SpotCheck[];
  honours: Honour[];
}

/**
 * A section as the subgraph answers it: the department's record, or, when the department answered
 * but holds nothing on the subject, an empty one with `known: false`. `readAt` is when it was read.
 */
export type MarketSectionModel = Omit<MarketRecord, 'registration'> & {
  registration: RegistrationModel | null;
  known: boolean;
  readAt: string;
};

export function marketSection(record: MarketRecord | null, readAt: string): MarketSectionModel {
  if (record) return { ...record, known: true, readAt };
  return {
    registration: null,
    licences: [],
    penalties: [],
    abnormalOperations: [],
    seriousIllegalListings: [],
    spotChecks: [],
    honours: [],
    known: false,
    readAt,
  };
}
