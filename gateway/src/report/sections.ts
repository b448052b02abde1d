/**
 * The sections of a credit report (信用报告), after the national public credit information report
 * standard (公共信用信息报告标准, 2022), and the one GraphQL query that reads them. A 专项信用报告
 * holds only some sections, and only the dated records of its period.
 */

export const REPORT_SECTIONS = [
  'BASIC',
  'LICENCES',
  'PENALTIES',
  'LISTS',
  'COURTS',
  'TAX',
  'COMMITMENTS',
  'EVALUATION',
  'OBJECTIONS',
  'SOURCES',
] as const;

export type ReportSection = (typeof REPORT_SECTIONS)[number];

export const SECTION_TITLES: Readonly<Record<ReportSection, string>> = {
  BASIC: '基础登记信息',
  LICENCES: '行政许可信息',
  PENALTIES: '行政处罚信息',
  LISTS: '守信激励、重点关注和严重失信主体名单',
  COURTS: '司法信息',
  TAX: '纳税信用信息',
  COMMITMENTS: '信用承诺信息',
  EVALUATION: '公共信用综合评价',
  OBJECTIONS: '异议和信用修复信息',
  SOURCES: '数据来源及截至时间',
};

export function isReportSection(value: string): value is ReportSection {
  return (REPORT_SECTIONS as readonly string[]).includes(value);
}

const PROVENANCE = 'provenance { source system recordId asOf }';
const DECISION_INPUTS = 'complete missingSources readSources asOf';
const CREDIT_RECORD = `id kind severity summary decidedOn publishedOn publishedUntil state objectionId repairedOn ${PROVENANCE}`;

/**
 * Each section's selection on `Enterprise`; SOURCES is always read, the report's footing. COURTS
 * also reads the legal representative's own debtor records (落实到人), which only the tiers allowed
 * to read them keep: for the others the field is left out and the section says it is withheld.
 */
const SELECTIONS: Readonly<Record<ReportSection, string>> = {
  BASIC: `
    codeInfo { registrationAuthority organizationCategory divisionCode organizationCode }
    marketRegulation {
      known readAt
      registration {
        name legacyRegistrationNumber type kind status statusText registeredCapital { amount currency }
        establishedOn businessTermFrom businessTermTo address businessScope registrationAuthority
        legalRepresentative { name person { idNumber } }
        ${PROVENANCE}
      }
    }`,
  LICENCES: `marketRegulation { licences { decisionNumber name content validFrom validTo authority ${PROVENANCE} } }`,
  PENALTIES: `marketRegulation {
      penalties { decisionNumber violationType content authority decidedOn publishedOn ${PROVENANCE} }
    }`,
  LISTS: `
    creditLists { list name since kind { id name class } records { ${CREDIT_RECORD} } }
    marketRegulation {
      abnormalOperations { reason listedOn listingAuthority removalReason removedOn removalAuthority ${PROVENANCE} }
      seriousIllegalListings { reason listedOn listingAuthority removalReason removedOn ${PROVENANCE} }
    }
    socialSecurity { wageArrearsListings { reason authority listedOn removedOn amountOwed ${PROVENANCE} } }
    procurement {
      banned
      seriousDishonestyRecords { circumstance penaltyBasis penaltyResult authority recordedOn banEndsOn active ${PROVENANCE} }
    }`,
  COURTS: `courts {
      known readAt
      dishonestDebtorRecords {
        caseNumber name legalRepresentative enforcingCourt province basisDocumentNumber basisIssuer filedOn
        obligation performance performedPart unperformedPart dishonestBehaviour publishedOn status removedOn ${PROVENANCE}
      }
      consumptionRestrictions {
        caseNumber court issuedOn restrictedSubjectName role restrictedItems status liftedOn
        boundPersons { name role person { idNumber } }
        ${PROVENANCE}
      }
    }
    legalRepresentativeDebtorRecords { ${CREDIT_RECORD} }`,
  TAX: `tax {
      known readAt
      publishedGrades { year grade ${PROVENANCE} }
      creditGrades { year grade published ${PROVENANCE} }
      majorViolations {
        caseNumber caseNature mainFacts legalBasisAndHandling authority publishedOn publicityEndsOn
        responsibleFinanceOfficer { name person { idNumber } }
        ${PROVENANCE}
      }
      arrearsNotices { taxType period amount authority announcedOn ${PROVENANCE} }
    }`,
  COMMITMENTS: `commitments { id kind { id name } matter content department madeOn dueOn state overdue resolvedOn recordId }`,
  EVALUATION: `evaluation {
      grade score model
      groups { group weight points factors { name points recordId } }
      inputs { ${DECISION_INPUTS} }
    }`,
  OBJECTIONS: `
    objections { id recordId department reason status filedAt dueOn overdue decidedAt resolution }
    repairs { id recordId recordKind department status appliedAt dueOn decidedAt repairedOn reason }`,
  SOURCES: `
    creditAssessment { ${DECISION_INPUTS} }
    marketRegulation { known readAt }
    tax { known readAt }
    courts { known readAt }
    socialSecurity { known readAt }
    procurement { known readAt }`,
};

/** The operation name every report is registered under (查询使用登记). */
export const REPORT_OPERATION = 'CreditReport';

/**
 * The report's query for these sections, before the caller's tier is applied: one `enterprise`
 * read, each section's selection merged in by GraphQL's own field merging. The name is always
 * read: the report is titled with it.
 */
export function reportQuery(sections: readonly ReportSection[]): string {
  const chosen = new Set<ReportSection>([...sections, 'SOURCES']);
  const body = REPORT_SECTIONS.filter((section) => chosen.has(section))
    .map((section) => SELECTIONS[section])
    .join('\n');
  return `query ${REPORT_OPERATION}($code: CreditCode!) {
  enterprise(code: $code) {
    code
    marketRegulation { registration { name } }
    ${body}
  }
}`;
}
