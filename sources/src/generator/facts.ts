/** The facts of a registered subject that every department's records build on. */

export type SubjectKind =
  'ENTERPRISE' | 'INDIVIDUAL_BUSINESS' | 'FARMER_COOPERATIVE' | 'SOCIAL_ORGANIZATION' | 'PUBLIC_INSTITUTION' | 'OTHER';

/** Registration status as GSXT states it. */
export type RegistrationStatus = '存续' | '在业' | '吊销' | '注销';

export interface PersonFacts {
  name: string;
  idNumber: string;
}

/** What the registration authority knows of a subject; every department's records build on it. */
export interface SubjectFacts {
  code: string;
  kind: SubjectKind;
  divisionCode: string;
  province: string;
  name: string;
  industry: string;
  legalRepresentative: PersonFacts;
  establishedOn: string;
  status: RegistrationStatus;
  /** Date of revocation or deregistration. */
  statusChangedOn: string | null;
  /** Pre-2015 registration number (注册号), 15 digits, for subjects registered before the credit code. */
  legacyRegistrationNumber: string | null;
  registeredCapitalWan: number;
  employees: number;
}
