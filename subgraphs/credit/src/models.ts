import type {
  AppliedMeasureStatus,
  CommitmentKind,
  CreditCommitment,
  CreditListKind,
  CreditRecordKind,
  CreditRecordState,
  DebtorRestrictionChange,
  DecisionContext,
  EnforcementFeedback,
  ListingStatus,
  MeasureKind,
  Objection,
  ObjectionStatus,
  CreditRepair,
  Provenance,
  RegistrationStatus,
  RestrictionStatus,
  Severity,
  SourceSystem,
  SubjectKind,
  TaxCreditGradeLevel,
} from './__generated__/types.js';
import type { ListKindModel } from './rules/list-kinds.js';

// ---- What the rules read: the department data the gateway sends through @requires ----
// (the fragment RuleInputs in schema/credit.graphql selects it; the types below follow it).
// A section is null or absent when its department could not be read (the gateway passes a failed
// required field as null, and leaves it out when the whole fetch failed): the rules treat both as
// "could not be read". A department that answered but holds nothing sends `known: false`.

/** What every department section carries besides its records. */
export interface SectionReading {
  /** False: the department answered and holds no record of the subject. */
  known?: boolean;
  /** When the platform read the section from the department; older when served from cache. */
  readAt?: string;
}

/** Provenance as the departments send it; `system` is derived from `source`. */
export interface ProvenanceInput {
  source: SourceSystem;
  recordId: string;
  asOf: string;
}

export interface DebtorRecordInput {
  caseNumber: string;
  status: ListingStatus;
  publishedOn: string;
  removedOn: string | null;
  provenance: ProvenanceInput;
}

export interface ConsumptionRestrictionInput {
  caseNumber: string;
  status: RestrictionStatus;
  issuedOn: string;
  liftedOn: string | null;
  provenance: ProvenanceInput;
}

export interface RepresentativeInput {
  name: string;
  person: {
    idNumber: string;
    courts?: ({ dishonestDebtorRecords: DebtorRecordInput[] } & SectionReading) | null;
  } | null;
}

export interface RegistrationInput {
  name: string;
  kind: SubjectKind;
  status: RegistrationStatus;
  establishedOn: string;
  legalRepresentative: RepresentativeInput | null;
}

export interface PenaltyInput {
  decisionNumber: string;
  violationType: string;
  content: string;
  decidedOn: string;
  publishedOn: string;
  provenance: ProvenanceInput;
}

export interface ListingInput {
  reason: string;
  listedOn: string;
  removedOn: string | null;
  provenance: ProvenanceInput;
}

export interface SpotCheckInput {
  result: string;
  inspectedOn: string;
}

export interface HonourInput {
  name: string;
  year: number;
  provenance: ProvenanceInput;
}

export interface MarketInputs extends SectionReading {
  /** Null when market regulation does not know the subject. */
  registration: RegistrationInput | null;
  penalties: PenaltyInput[];
  abnormalOperations: ListingInput[];
  seriousIllegalListings: ListingInput[];
  spotChecks: SpotCheckInput[];
  honours: HonourInput[];
}

export interface TaxInputs extends SectionReading {
  publishedGrades: { year: number; grade: TaxCreditGradeLevel; provenance: ProvenanceInput }[];
  majorViolations: {
    caseNature: string;
    publishedOn: string;
    publicityEndsOn: string;
    /** 负有直接责任的财务负责人, when the case names one with an ID number. */
    responsibleFinanceOfficer?: { person?: { idNumber: string } | null } | null;
    provenance: ProvenanceInput;
  }[];
  arrearsNotices: { amount: number; announcedOn: string; provenance: ProvenanceInput }[];
}

export interface CourtsInputs extends SectionReading {
  dishonestDebtorRecords: DebtorRecordInput[];
  consumptionRestrictions: ConsumptionRestrictionInput[];
}

export interface SocialSecurityInputs extends SectionReading {
  wageArrearsListings: {
    listedOn: string;
    removedOn: string | null;
    amountOwed: number;
    provenance: ProvenanceInput;
  }[];
}

export interface ProcurementInputs extends SectionReading {
  seriousDishonestyRecords: { recordedOn: string; banEndsOn: string; active: boolean; provenance: ProvenanceInput }[];
}

/** An Enterprise as the credit subgraph receives it: its key and the department data it requires. */
export interface EnterpriseInputs {
  code: string;
  marketRegulation?: MarketInputs | null;
  tax?: TaxInputs | null;
  courts?: CourtsInputs | null;
  socialSecurity?: SocialSecurityInputs | null;
  procurement?: ProcurementInputs | null;
}

export interface PersonRef {
  idNumber: string;
}

// ---- What the rules produce ----

/** A record the rules act on: one department record, with its severity, publicity period and state. */
export interface CreditRecordModel {
  /** `${source}:${recordId}`: the department and its own record id. */
  id: string;
  kind: CreditRecordKind;
  severity: Severity;
  summary: string;
  decidedOn: string;
  publishedUntil: string | null;
  state: CreditRecordState;
  objectionId: string | null;
  repairedOn: string | null;
  provenance: Provenance;
  /** When the department published it, where its system says (penalties). */
  publishedOn?: string | null;
  /** The last day to publish it in time, where the publication deadline covers its kind. */
  publicationDueOn?: string | null;
  /** Whether it was published in time; null where not covered or no publication date is known. */
  publishedInTime?: boolean | null;
}

export interface ListMembershipModel {
  /** The class of the list's kind. */
  list: CreditListKind;
  /** The list's kind, as data. */
  kind: ListKindModel;
  name: string;
  code: string;
  since: string;
  records: CreditRecordModel[];
}

/** One entry of the measures catalog (data/measures.json). */
export interface MeasureModel {
  id: string;
  name: string;
  kind: MeasureKind;
  /** The class of `listKind`. */
  list: CreditListKind;
  listKind: ListKindModel;
  targetLists: readonly string[];
  legalBasis: string;
  initiatingDepartment: string;
  implementingDepartment: string;
  /** The implementing departments by registry id (data/departments.json): the loop pushes to them. */
  implementingDepartments: readonly string[];
  contexts: readonly DecisionContext[];
  /** Whether it also binds an enterprise's legal representative (落实到人). */
  reachesRepresentative: boolean;
}

/** A catalog measure applied to a subject: the entry itself, never a free-standing name. */
export interface AppliedMeasureModel {
  measure: MeasureModel;
  status: AppliedMeasureStatus;
  because: CreditRecordModel[];
  objectionId: string | null;
}

/** A kind of credit commitment (信用承诺类别), as data (data/commitments.json). */
export type CommitmentKindModel = Omit<CommitmentKind, '__typename'>;

/** A credit commitment as the platform holds it; `overdue` is judged on the day it is read. */
export type CommitmentModel = Omit<CreditCommitment, '__typename' | 'overdue' | 'kind'> & {
  kind: CommitmentKindModel;
};

// ---- What the durable store adds to department records ----

/** Repairs and objections on a subject's records, keyed by credit record id. */
export interface Overlays {
  repairs: ReadonlyMap<string, { repairedOn: string }>;
  /** The latest objection to each record. */
  objections: ReadonlyMap<string, { id: string; status: ObjectionStatus }>;
  /** The subject's credit commitments (信用承诺); broken ones become records. */
  commitments?: readonly CommitmentModel[];
}

/**
 * The durable store as the rules see it. The store adds its own members to this interface
 * (declaration merging) where it defines them.
 */
export interface CreditStore {
  overlaysFor(code: string): Promise<Overlays>;
}

/**
 * The courts' enforcement linkage interface as the feed reads it. The feed adds its calls to this
 * interface (declaration merging) where it defines them.
 */
export interface LinkageClient {
  readonly baseUrl: string;
}

// ---- Objections, repairs and the court linkage feed ----

export type ObjectionModel = Objection;

/**
 * A repair as the store keeps it; `overdue` and `decidedWithinTarget` depend on the day it is read
 * and are resolved then.
 */
export type CreditRepairModel = Omit<CreditRepair, 'overdue' | 'decidedWithinTarget'>;

export type EnforcementFeedbackModel = EnforcementFeedback;

export interface RestrictionInForceModel {
  measure: MeasureModel;
  legalBasis: string;
}

export type DebtorRestrictionChangeModel = Omit<DebtorRestrictionChange, 'restrictions' | 'feedback'> & {
  restrictions: RestrictionInForceModel[];
};

/** A set of subjects with the departments' data of each, as `@requires` hands it over. */
export interface SubjectSetInputs {
  codes: string[];
  subjects?: EnterpriseInputs[];
}
