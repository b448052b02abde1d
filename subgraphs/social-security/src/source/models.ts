import type { Provenance } from '@credit-gateway/common';
import type {
  ContributionStatus,
  LabourSecurityGrade,
  MonthlyContribution,
  WageArrearsListing,
} from '../__generated__/types.js';

/** What the other subgraphs and the gateway pass around: just the key. */
export interface EnterpriseRef {
  code: string;
}

/** One employer's social insurance unit, translated from the front-end database's rows. */
export interface SocialSecurityRecord {
  unitNumber: string;
  insuredHeadcount: number;
  contributionStatus: ContributionStatus;
  /** Every period the front-end database holds, newest first; `contributions(months)` slices it. */
  history: MonthlyContribution[];
  /** Arrears over every period held, in yuan. */
  arrears: number;
  labourSecurityGrade: LabourSecurityGrade | null;
  wageArrearsListings: WageArrearsListing[];
  provenance: Provenance;
}

/**
 * A section as the subgraph answers it: the department's record, or, when the department answered
 * but holds nothing on the subject, an empty one with `known: false`. `readAt` is when it was read.
 */
export type SocialSecuritySectionModel =
  | (SocialSecurityRecord & { known: true; readAt: string })
  | {
      known: false;
      readAt: string;
      unitNumber: null;
      insuredHeadcount: null;
      contributionStatus: null;
      history: MonthlyContribution[];
      arrears: null;
      labourSecurityGrade: null;
      wageArrearsListings: WageArrearsListing[];
      provenance: null;
    };

export function socialSecuritySection(record: SocialSecurityRecord | null, readAt: string): SocialSecuritySectionModel {
  if (record) return { ...record, known: true, readAt };
  return {
    known: false,
    readAt,
    unitNumber: null,
    insuredHeadcount: null,
    contributionStatus: null,
    history: [],
    arrears: null,
    labourSecurityGrade: null,
    wageArrearsListings: [],
    provenance: null,
  };
}
