import type { Provenance } from '@credit-gateway/common';
import type {
  ContributionStatus,
  LabourSecurityGrade,
  MonthlyContribution,
  WageArrearsListing,
} from '../__generated__/resolvers-types.js';

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
