import type { MajorTaxViolation, TaxArrearsNotice, TaxCreditGrade, TaxPayment } from '../__generated__/types.js';

/** What the other subgraphs and the gateway pass around: just the key. */
export interface EnterpriseRef {
  code: string;
}

export interface PersonRef {
  idNumber: string;
}

export interface ResponsiblePersonModel {
  name: string;
  /** Null where the tax system holds no valid resident ID number (a passport, a masked number). */
  idNumber: string | null;
}

export type MajorTaxViolationModel = Omit<MajorTaxViolation, 'responsibleFinanceOfficer'> & {
  responsibleFinanceOfficer: ResponsiblePersonModel | null;
};

/** One subject's tax record, translated to the shared schema. */
export interface TaxRecord {
  /** The number the tax system keys the subject by: its credit code or its old 15-character number. */
  taxpayerNumber: string;
  creditGrades: TaxCreditGrade[];
  majorViolations: MajorTaxViolationModel[];
  arrearsNotices: TaxArrearsNotice[];
  payments: TaxPayment[];
}

/**
 * A section as the subgraph answers it: the department's record, or, when the department answered
 * but holds nothing on the subject, an empty one with `known: false`. `readAt` is when it was read.
 */
export type TaxSectionModel = Omit<TaxRecord, 'taxpayerNumber'> & {
  taxpayerNumber: string | null;
  known: boolean;
  readAt: string;
};

export function taxSection(record: TaxRecord | null, readAt: string): TaxSectionModel {
  if (record) return { ...record, known: true, readAt };
  return {
    taxpayerNumber: null,
    creditGrades: [],
    majorViolations: [],
    arrearsNotices: [],
    payments: [],
    known: false,
    readAt,
  };
}
