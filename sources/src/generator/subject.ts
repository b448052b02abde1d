import { buildIdNumber, creditCodeParts } from '@credit-gateway/common';
import { DEMO_SUBJECTS } from '../demo/subjects.js';
import { divisionFor } from './divisions.js';
import {
  cooperativeName,
  enterpriseName,
  individualBusinessName,
  industry,
  personName,
  socialOrganizationName,
} from './names.js';
import type { PersonFacts, RegistrationStatus, SubjectFacts, SubjectKind } from './facts.js';
import { addDays, rngFor } from './prng.js';

export type * from './facts.js';

/**
 * The date the simulated department systems consider "today". Fixed, so that generated histories
 * (listing periods, bans) are the same on every run.
 */
export const SIMULATION_DATE = '2026-11-01';

/** Share of valid codes that no department system has ever registered. */
export const UNREGISTERED_SHARE = 0.03;

function kindOf(code: string): SubjectKind {
  const { organizationCategory } = creditCodeParts(code);
  switch (organizationCategory) {
    case 'ENTERPRISE':
    case 'INDIVIDUAL_BUSINESS':
    case 'FARMER_COOPERATIVE':
      return organizationCategory;
    case 'SOCIAL_ASSOCIATION':
    case 'PRIVATE_NON_ENTERPRISE_UNIT':
    case 'FOUNDATION':
      return 'SOCIAL_ORGANIZATION';
    case 'PUBLIC_INSTITUTION':
    case 'GOVERNMENT_AGENCY':
      return 'PUBLIC_INSTITUTION';
    default:
      return 'OTHER';
  }
}

/** GB 11643 ID number for a generated person born in an area, deterministic in the seed text. */
export function generatedPerson(seed: string, areaCode: string): PersonFacts {
  const rng = rngFor(seed, 'person');
  const birth = rng.date('1958-01-01', '2000-12-31').replaceAll('-', '');
  return { name: personName(rng), idNumber: buildIdNumber(areaCode, birth, rng.digits(3)) };
}

/** ISO 7064 MOD 11,10 check digit of the pre-2015 registration number. */
function mod1110(digits14: string): string {
  let p = 10;
  for (const digit of digits14) {
    let s = (p % 11) + Number(digit);
    s = s % 10 === 0 ? 10 : s % 10;
    p = s * 2;
  }
  return String((11 - (p % 11)) % 10);
}

/** Whether any department system has a record of this (valid) code. */
export function isRegistered(code: string): boolean {
  if (DEMO_SUBJECTS.has(code)) return true;
  return !rngFor(code, 'registry').chance(UNREGISTERED_SHARE);
}

/** The registration facts of a code, or null when no department has registered it. */
export function subjectFacts(code: string): SubjectFacts | null {
  const demo = DEMO_SUBJECTS.get(code);
  if (demo) return demo.facts;
  if (!isRegistered(code)) return null;
  const rng = rngFor(code, 'subject');
  const division = divisionFor(code.slice(2, 8));
  const kind = kindOf(code);
  const legalRepresentative = generatedPerson(code, division.code);
  const establishedOn = rng.date('1996-01-01', '2025-12-31');
  const status = rng.weighted<RegistrationStatus>([
    ['存续', 70],
    ['在业', 18],
    ['吊销', 4],
    ['注销', 8],
  ]);
  const closed = status === '吊销' || status === '注销';
  const industryName = kind === 'FARMER_COOPERATIVE' ? '农业' : industry(rng);
  const name =
    kind === 'INDIVIDUAL_BUSINESS'
      ? individualBusinessName(rng, division.place, legalRepresentative.name)
      : kind === 'FARMER_COOPERATIVE'
        ? cooperativeName(rng, division.place)
        : kind === 'SOCIAL_ORGANIZATION'
          ? socialOrganizationName(rng, division.place)
          : enterpriseName(rng, division.place, industryName);
  const preCreditCode = establishedOn < '2015-10-01' && (kind === 'ENTERPRISE' || kind === 'FARMER_COOPERATIVE');
  const registrationDigits = division.code + rng.digits(8);
  return {
    code,
    kind,
    divisionCode: division.code,
    province: division.province,
    name,
    industry: industryName,
    legalRepresentative,
    establishedOn,
    status,
    statusChangedOn: closed ? rng.date(addDays(establishedOn, 365), '2026-10-01') : null,
    legacyRegistrationNumber: preCreditCode ? registrationDigits + mod1110(registrationDigits) : null,
    registeredCapitalWan:
      kind === 'INDIVIDUAL_BUSINESS'
        ? rng.int(1, 50)
        : rng.weighted([
            [rng.int(10, 500), 70],
            [rng.int(500, 5000), 25],
            [rng.int(5000, 100000), 5],
          ]),
    employees:
      kind === 'INDIVIDUAL_BUSINESS'
        ? rng.int(1, 8)
        : rng.weighted([
            [rng.int(3, 50), 75],
            [rng.int(50, 300), 20],
            [rng.int(300, 3000), 5],
          ]),
  };
}
