/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type AcknowledgeCaseInput = {
  caseId: string | number;
  idempotencyKey: string;
};

export type AppliedMeasureStatus =
  | 'IN_FORCE'
  | 'SUSPENDED';

export type ApprovalCheckInput = {
  /** The application's own id in the approval system, at most 200 characters. */
  applicationId?: string | null | undefined;
  context: DecisionContext;
  idempotencyKey: string;
  /** The matter (事项): its code or name in the approval system, at most 200 characters. */
  matter: string;
};

/** Contribution status (缴费状态). */
export type ContributionStatus =
  /** 已注销 */
  | 'CLOSED'
  /** 欠缴 */
  | 'IN_ARREARS'
  /** 正常缴费 */
  | 'NORMAL'
  /** 暂停缴费 */
  | 'SUSPENDED';

/**
 * The class of a list kind: red, watch or black. List kinds themselves are data
 * (data/list-kinds.json, see `ListKind`); each names the class it belongs to, so a new kind needs no
 * schema change.
 */
export type CreditListKind =
  /** 严重失信主体名单 (blacklist) */
  | 'BLACK'
  /** 守信激励对象名单 (red list) */
  | 'RED'
  /** 重点关注名单 (watch list): lesser dishonesty, between red and black */
  | 'WATCH';

/** Kinds of records the rules act on. */
export type CreditRecordKind =
  | 'ABNORMAL_OPERATIONS'
  | 'ADMINISTRATIVE_PENALTY'
  /** A credit commitment the subject broke (信用承诺失信), recorded by the department that accepted it. */
  | 'BROKEN_COMMITMENT'
  | 'CONSUMPTION_RESTRICTION'
  | 'CONTRACT_HONOUR'
  | 'DISHONEST_JUDGMENT_DEBTOR'
  | 'MAJOR_TAX_VIOLATION'
  | 'PROCUREMENT_DISHONESTY'
  | 'SERIOUS_ILLEGAL_LIST'
  | 'TAX_ARREARS'
  | 'TAX_A_GRADE'
  | 'WAGE_ARREARS';

/** Where a record stands. */
export type CreditRecordState =
  /** In its publicity period: triggers measures. */
  | 'ACTIVE'
  /** Past its publicity period: no longer published, no longer triggers measures. */
  | 'EXPIRED'
  /** Lifted or removed by the department itself. */
  | 'REMOVED'
  /** Repaired (已修复): no longer published, no longer triggers measures. */
  | 'REPAIRED'
  /** Revoked after an objection (已撤销). */
  | 'REVOKED'
  /** Under an open objection: measures resting on it are suspended (暂不执行). */
  | 'UNDER_OBJECTION';

/** Decision contexts a measure applies in (适用领域). */
export type DecisionContext =
  | 'ADMINISTRATIVE_LICENSING'
  /** Exit from the country (出境): the exit and entry administration's decision (限制出境) */
  | 'EXIT_ENTRY'
  | 'FINANCING'
  | 'FISCAL_FUNDS'
  /** Infrastructure and public utility franchises (特许经营) */
  | 'FRANCHISE'
  | 'GOVERNMENT_PROCUREMENT'
  | 'HIGH_CONSUMPTION'
  | 'HONOURS'
  /** Government supply of land use rights (土地供应) */
  | 'LAND'
  | 'MARKET_ACCESS'
  /** Investment project approval and ratification (项目审批核准) */
  | 'PROJECT_APPROVAL'
  | 'PUBLIC_BIDDING'
  | 'REGULATORY_INSPECTION';

export type EnforcementFeedbackInput = {
  actedOn: string;
  /** What the department did (执行情况). */
  action: string;
  changeId: string | number;
  idempotencyKey: string;
  measureId: string | number;
};

export type EvaluationGrade =
  | 'A'
  | 'B'
  | 'C'
  | 'D'
  | 'E';

export type ExecutionOutcome =
  | 'APPLIED'
  | 'NOT_APPLICABLE';

export type ExecutionStatus =
  | 'APPLIED'
  | 'NOT_APPLICABLE'
  /** Not reported by the feedback deadline. */
  | 'OVERDUE'
  | 'PENDING';

export type IndicatorGroup =
  | 'BASIC_INFORMATION'
  | 'BUSINESS_BEHAVIOUR'
  | 'GROWTH_POTENTIAL'
  | 'PERFORMANCE_HISTORY'
  | 'REGULATORY_INFORMATION';

export type InitiateCaseInput = {
  code: string;
  idempotencyKey: string;
  /** The list, by its name in the catalog (e.g. 重大税收违法失信主体名单). */
  listName: string;
};

/** Whether a record is on a list (名单状态). */
export type ListingStatus =
  /** 在列 */
  | 'LISTED'
  /** 已移出 */
  | 'REMOVED';

export type MeasureKind =
  /** 依法必须联合执行 */
  | 'MANDATORY'
  /** 参照执行, as circumstances warrant */
  | 'RECOMMENDED';

/** Organization category (机构类别). */
export type OrganizationCategory =
  /** 企业 */
  | 'ENTERPRISE'
  /** 农民专业合作社 */
  | 'FARMER_COOPERATIVE'
  /** 基金会 */
  | 'FOUNDATION'
  /** 机关 */
  | 'GOVERNMENT_AGENCY'
  /** 个体工商户 */
  | 'INDIVIDUAL_BUSINESS'
  /** 群众团体 */
  | 'MASS_ORGANIZATION'
  /** 其他 */
  | 'OTHER'
  /** 民办非企业单位 */
  | 'PRIVATE_NON_ENTERPRISE_UNIT'
  /** 事业单位 */
  | 'PUBLIC_INSTITUTION'
  /** 农村集体经济组织 */
  | 'RURAL_COLLECTIVE_ECONOMIC_ORGANIZATION'
  /** 社会团体 */
  | 'SOCIAL_ASSOCIATION';

/** Performance of the obligation (履行情况). */
export type PerformanceStatus =
  /** 全部未履行 */
  | 'NOT_PERFORMED'
  /** 部分履行 */
  | 'PARTIALLY_PERFORMED';

/** Registration authority (登记管理部门). */
export type RegistrationAuthority =
  /** 农业 */
  | 'AGRICULTURE'
  /** 中央军委改革和编制办公室 */
  | 'CENTRAL_MILITARY_COMMISSION'
  /** 民政 */
  | 'CIVIL_AFFAIRS'
  /** 文化 */
  | 'CULTURE'
  /** 外交 */
  | 'FOREIGN_AFFAIRS'
  /** 机构编制 */
  | 'INSTITUTIONAL_ESTABLISHMENT'
  /** 司法行政 */
  | 'JUSTICE'
  /** 工商 / 市场监管 */
  | 'MARKET_REGULATION'
  /** 其他 */
  | 'OTHER'
  /** 宗教 */
  | 'RELIGIOUS_AFFAIRS'
  /** 旅游 */
  | 'TOURISM'
  /** 工会 */
  | 'TRADE_UNION';

/** Registration status (登记状态). */
export type RegistrationStatus =
  /** 注销 */
  | 'DEREGISTERED'
  /** 存续 */
  | 'EXISTING'
  /** 在业 */
  | 'OPERATING'
  /** 吊销 */
  | 'REVOKED';

export type ReportApplicationInput = {
  /** The measures applied to the application; each must be on the receipt. */
  applied: Array<string | number>;
  idempotencyKey: string;
  /** Required when a measure in force was not applied. */
  reason?: string | null | undefined;
  receiptId: string | number;
};

export type ReportExecutionInput = {
  actedOn: string;
  /** What the department did (执行情况). */
  action?: string | null | undefined;
  caseId: string | number;
  idempotencyKey: string;
  measureId: string | number;
  outcome: ExecutionOutcome;
  /** Required for NOT_APPLICABLE: why the measure did not apply. */
  reason?: string | null | undefined;
};

export type ResponseStatus =
  | 'ACKNOWLEDGED'
  /** Not acknowledged by the response deadline. */
  | 'OVERDUE'
  | 'PENDING';

/** The nine restricted items of a consumption restriction order (限制消费事项). */
export type RestrictedItem =
  /** 乘坐交通工具时，选择飞机、列车软卧、轮船二等以上舱位 */
  | 'FLIGHTS_SOFT_SLEEPERS_SHIPS'
  /** 租赁高档写字楼、宾馆、公寓等场所办公 */
  | 'HIGH_GRADE_OFFICES'
  /** 支付高额保费购买保险理财产品 */
  | 'HIGH_PREMIUM_INSURANCE'
  /** 乘坐G字头动车组列车全部座位、其他动车组列车一等以上座位 */
  | 'HIGH_SPEED_TRAIN_FIRST_CLASS'
  /** 购买非经营必需车辆 */
  | 'NON_ESSENTIAL_VEHICLES'
  /** 子女就读高收费私立学校 */
  | 'PRIVATE_SCHOOL_FEES'
  /** 购买不动产或者新建、扩建、高档装修房屋 */
  | 'REAL_ESTATE'
  /** 在星级以上宾馆、酒店、夜总会、高尔夫球场等场所进行高消费 */
  | 'STAR_HOTELS_NIGHTCLUBS_GOLF'
  /** 旅游、度假 */
  | 'TRAVEL_HOLIDAYS';

/** How a consumption restriction binds someone (约束身份). */
export type RestrictionRole =
  /** 实际控制人 */
  | 'ACTUAL_CONTROLLER'
  /** 法定代表人 */
  | 'LEGAL_REPRESENTATIVE'
  /** 主要负责人 */
  | 'PRINCIPAL'
  /** 被限制消费人本人 */
  | 'SUBJECT';

/** Whether a restriction is in force (限制状态). */
export type RestrictionStatus =
  /** 有效 */
  | 'ACTIVE'
  /** 已解除 */
  | 'LIFTED';

/** The department systems the platform joins (数据来源部门). */
export type SourceSystem =
  /** Courts (法院) */
  | 'COURTS'
  /** Market regulation (市场监管) */
  | 'MARKET'
  /** Government procurement (政府采购) */
  | 'PROCUREMENT'
  /** Human resources and social security (人力社保) */
  | 'SOCIAL_SECURITY'
  /** Tax (税务) */
  | 'TAX';

/** Kind of subject (主体类别). */
export type SubjectKind =
  /** 企业 */
  | 'ENTERPRISE'
  /** 农民专业合作社 */
  | 'FARMER_COOPERATIVE'
  /** 个体工商户 */
  | 'INDIVIDUAL_BUSINESS'
  /** 其他 */
  | 'OTHER'
  /** 事业单位 / 机关 */
  | 'PUBLIC_INSTITUTION'
  /** 社会组织 */
  | 'SOCIAL_ORGANIZATION';

/** Taxpayer credit grade (纳税信用级别). */
export type TaxCreditGradeLevel =
  /** 90 points or more */
  | 'A'
  /** 70 to under 90 points */
  | 'B'
  /** 40 to under 70 points */
  | 'C'
  /** Under 40 points, or assigned directly */
  | 'D'
  /** New taxpayer, or no income with 70 points or more */
  | 'M';

export type UncheckedApplicationInput = {
  /** The application's own id in the approval system, at most 200 characters. */
  applicationId: string;
  code: string;
  context: DecisionContext;
  idempotencyKey: string;
  /** The matter (事项), at most 200 characters. */
  matter: string;
  /** Why it was decided without a check. */
  reason: string;
};

export type ExploreQueryVariables = Exact<{
  code: string;
}>;


export type ExploreQuery = { enterprise: { codeInfo: { registrationAuthority: RegistrationAuthority | null, organizationCategory: OrganizationCategory | null, divisionCode: string, organizationCode: string }, marketRegulation: { registration: { name: string, kind: SubjectKind, provenance: { source: SourceSystem, system: string, recordId: string, asOf: string } } | null, penalties: Array<{ decisionNumber: string, violationType: string, decidedOn: string, provenance: { source: SourceSystem, recordId: string } }> } | null } | null };

export type CreditStatisticsQueryVariables = Exact<{
  codes: Array<string> | string;
}>;


export type CreditStatisticsQuery = { creditStatistics: { statistics: { byDivision: Array<{ key: string, subjects: number, blackListed: number, redListed: number, measures: number }> } } };

export type RepairTimelinessQueryVariables = Exact<{
  from?: string | null | undefined;
  to?: string | null | undefined;
}>;


export type RepairTimelinessQuery = { repairTimeliness: Array<{ department: SourceSystem, applications: number, decided: number, decidedWithinTarget: number, late: number, overdue: number, medianWorkingDays: number | null }> };

export type ApprovalCheckQueryVariables = Exact<{
  code: string;
}>;


export type ApprovalCheckQuery = { enterprise: { code: string, marketRegulation: { registration: { name: string, status: RegistrationStatus } | null, abnormalOperations: Array<{ listedOn: string, removedOn: string | null }>, seriousIllegalListings: Array<{ listedOn: string, removedOn: string | null }> } | null, tax: { creditGrades: Array<{ year: number, grade: TaxCreditGradeLevel }> | null, majorViolations: Array<{ caseNature: string, publicityEndsOn: string }> } | null, courts: { dishonestDebtorRecords: Array<{ caseNumber: string, status: ListingStatus }> } | null, socialSecurity: { wageArrearsListings: Array<{ listedOn: string, removedOn: string | null }> } | null, procurement: { banned: boolean } | null } | null };

export type BatchCheckQueryVariables = Exact<{
  codes: Array<string> | string;
}>;


export type BatchCheckQuery = { enterprises: Array<{ code: string, courts: { dishonestDebtorRecords: Array<{ status: ListingStatus }> } | null, procurement: { banned: boolean } | null } | null> };

export type ApprovalRulesQueryVariables = Exact<{
  code: string;
  context: DecisionContext;
}>;


export type ApprovalRulesQuery = { enterprise: { creditLists: Array<{ list: CreditListKind, name: string, since: string, records: Array<{ id: string, kind: CreditRecordKind, state: CreditRecordState, provenance: { source: SourceSystem, recordId: string, asOf: string } }> }>, measures: Array<{ status: AppliedMeasureStatus, objectionId: string | null, measure: { id: string, name: string, kind: MeasureKind, legalBasis: string, implementingDepartment: string }, because: Array<{ id: string, kind: CreditRecordKind }> }>, greenChannel: { eligible: boolean, reason: string } } | null };

export type DebtorRestrictionsQueryVariables = Exact<{
  code: string;
  person: string;
}>;


export type DebtorRestrictionsQuery = { enterprise: { courts: { dishonestDebtorRecords: Array<{ caseNumber: string, enforcingCourt: string, performance: PerformanceStatus, performedPart: string | null, unperformedPart: string | null, status: ListingStatus }>, consumptionRestrictions: Array<{ caseNumber: string, court: string, issuedOn: string, status: RestrictionStatus, restrictedItems: Array<RestrictedItem>, boundPersons: Array<{ name: string, role: RestrictionRole, person: { idNumber: string } | null }> }> } | null } | null, person: { courts: { consumptionRestrictions: Array<{ caseNumber: string, role: RestrictionRole, restrictedItems: Array<RestrictedItem>, status: RestrictionStatus }> } | null } | null };

export type WalkQueryVariables = Exact<{
  since: string;
  after?: string | null | undefined;
  first?: number | null | undefined;
}>;


export type WalkQuery = { debtorRestrictions: { edges: Array<{ cursor: string, node: { id: string, changedAt: string, change: string, caseNumber: string, debtorName: string, debtorCode: string | null, debtorIdNumber: string | null, listed: boolean, restrictions: Array<{ legalBasis: string, measure: { id: string, name: string } }>, boundPersons: Array<{ name: string, role: string, idNumber: string | null }>, feedback: Array<{ department: string, action: string, actedOn: string }> } }>, pageInfo: { endCursor: string | null, hasNextPage: boolean } } };

export type ReportEnforcementFeedbackMutationVariables = Exact<{
  input: EnforcementFeedbackInput;
}>;


export type ReportEnforcementFeedbackMutation = { reportEnforcementFeedback: { id: string, changeId: string, measureId: string, department: string, action: string, actedOn: string, reportedAt: string } };

export type CreditEasyPortraitQueryVariables = Exact<{
  code: string;
}>;


export type CreditEasyPortraitQuery = { enterprise: { marketRegulation: { registration: { name: string, establishedOn: string, registeredCapital: { amount: number, currency: string } | null } | null } | null, tax: { creditGrades: Array<{ year: number, grade: TaxCreditGradeLevel, score: number | null }> | null, payments: Array<{ period: string, taxType: string, amount: number }> | null } | null, socialSecurity: { insuredHeadcount: number | null, contributionStatus: ContributionStatus | null, contributions: Array<{ period: string, amountDue: number, amountPaid: number }> | null } | null, procurement: { contracts: Array<{ signedOn: string, purchaser: string, amount: number }> | null } | null, courts: { dishonestDebtorRecords: Array<{ caseNumber: string, status: ListingStatus }> } | null } | null };

export type CreditEasyCheckQueryVariables = Exact<{
  code: string;
}>;


export type CreditEasyCheckQuery = { enterprise: { evaluation: { grade: EvaluationGrade, score: number, groups: Array<{ group: IndicatorGroup, weight: number, points: number, factors: Array<{ name: string, points: number }> }> }, creditLists: Array<{ list: CreditListKind, name: string }>, tax: { payments: Array<{ period: string, taxType: string, amount: number }> | null } | null, socialSecurity: { insuredHeadcount: number | null, contributions: Array<{ period: string, amountPaid: number }> | null } | null } | null };

export type CasePartsFragment = { id: string, code: string, list: CreditListKind, listName: string, recordIds: Array<string>, initiatedBy: string, openedAt: string, responseDue: string, feedbackDue: string, overdue: boolean, departments: Array<{ pushedAt: string | null, acknowledgedAt: string | null, response: ResponseStatus, department: { id: string, name: string } }>, tasks: Array<{ status: ExecutionStatus, reason: string | null, actedOn: string | null, due: string, measure: { id: string, name: string }, department: { id: string } }> };

export type InitiateCaseMutationVariables = Exact<{
  input: InitiateCaseInput;
}>;


export type InitiateCaseMutation = { initiateCase: { id: string, code: string, list: CreditListKind, listName: string, recordIds: Array<string>, initiatedBy: string, openedAt: string, responseDue: string, feedbackDue: string, overdue: boolean, departments: Array<{ pushedAt: string | null, acknowledgedAt: string | null, response: ResponseStatus, department: { id: string, name: string } }>, tasks: Array<{ status: ExecutionStatus, reason: string | null, actedOn: string | null, due: string, measure: { id: string, name: string }, department: { id: string } }> } };

export type AcknowledgeCaseMutationVariables = Exact<{
  input: AcknowledgeCaseInput;
}>;


export type AcknowledgeCaseMutation = { acknowledgeCase: { id: string, code: string, list: CreditListKind, listName: string, recordIds: Array<string>, initiatedBy: string, openedAt: string, responseDue: string, feedbackDue: string, overdue: boolean, departments: Array<{ pushedAt: string | null, acknowledgedAt: string | null, response: ResponseStatus, department: { id: string, name: string } }>, tasks: Array<{ status: ExecutionStatus, reason: string | null, actedOn: string | null, due: string, measure: { id: string, name: string }, department: { id: string } }> } };

export type ReportExecutionMutationVariables = Exact<{
  input: ReportExecutionInput;
}>;


export type ReportExecutionMutation = { reportExecution: { id: string, code: string, list: CreditListKind, listName: string, recordIds: Array<string>, initiatedBy: string, openedAt: string, responseDue: string, feedbackDue: string, overdue: boolean, departments: Array<{ pushedAt: string | null, acknowledgedAt: string | null, response: ResponseStatus, department: { id: string, name: string } }>, tasks: Array<{ status: ExecutionStatus, reason: string | null, actedOn: string | null, due: string, measure: { id: string, name: string }, department: { id: string } }> } };

export type JointCasesQueryVariables = Exact<{
  department?: string | number | null | undefined;
  first?: number | null | undefined;
}>;


export type JointCasesQuery = { jointCases: Array<{ id: string, code: string, list: CreditListKind, listName: string, recordIds: Array<string>, initiatedBy: string, openedAt: string, responseDue: string, feedbackDue: string, overdue: boolean, departments: Array<{ pushedAt: string | null, acknowledgedAt: string | null, response: ResponseStatus, department: { id: string, name: string } }>, tasks: Array<{ status: ExecutionStatus, reason: string | null, actedOn: string | null, due: string, measure: { id: string, name: string }, department: { id: string } }> }> };

export type JointCaseQueryVariables = Exact<{
  id: string | number;
}>;


export type JointCaseQuery = { jointCase: { id: string, code: string, list: CreditListKind, listName: string, recordIds: Array<string>, initiatedBy: string, openedAt: string, responseDue: string, feedbackDue: string, overdue: boolean, departments: Array<{ pushedAt: string | null, acknowledgedAt: string | null, response: ResponseStatus, department: { id: string, name: string } }>, tasks: Array<{ status: ExecutionStatus, reason: string | null, actedOn: string | null, due: string, measure: { id: string, name: string }, department: { id: string } }> } | null };

export type CheckWithReceiptQueryVariables = Exact<{
  code: string;
  input: ApprovalCheckInput;
}>;


export type CheckWithReceiptQuery = { enterprise: { approvalCheck: { id: string, code: string, matter: string, context: DecisionContext, applicationId: string | null, checkedBy: string, checkedAt: string, complete: boolean, missingSources: Array<SourceSystem>, measuresInForce: Array<{ id: string, name: string, legalBasis: string }> } } | null };

export type ReportApplicationMutationVariables = Exact<{
  input: ReportApplicationInput;
}>;


export type ReportApplicationMutation = { reportApplication: { id: string, application: { reason: string | null, reportedAt: string, applied: Array<{ id: string }> } | null } };

export type ReportUncheckedApplicationMutationVariables = Exact<{
  input: UncheckedApplicationInput;
}>;


export type ReportUncheckedApplicationMutation = { reportUncheckedApplication: { id: string, code: string, matter: string, context: DecisionContext, applicationId: string, reason: string, reportedBy: string, reportedAt: string } };

export type LoopStatisticsQueryVariables = Exact<{ [key: string]: never; }>;


export type LoopStatisticsQuery = { loopStatistics: { departments: Array<{ pushed: number, acknowledged: number, responseRate: number | null, required: number, reported: number, feedbackRate: number | null, enforced: number, enforcementRate: number | null, overdue: number, department: { id: string, name: string } }>, overdueCases: Array<{ id: string, code: string, listName: string, feedbackDue: string }>, checks: Array<{ matter: string, department: string, checks: number, incompleteChecks: number, uncheckedApplications: number, checkRate: number | null, reported: number, reportRate: number | null, measuresInForce: number, measuresEnforced: number, enforcementRate: number | null }> } };

export const CasePartsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"CaseParts"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"JointCase"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"list"}},{"kind":"Field","name":{"kind":"Name","value":"listName"}},{"kind":"Field","name":{"kind":"Name","value":"recordIds"}},{"kind":"Field","name":{"kind":"Name","value":"initiatedBy"}},{"kind":"Field","name":{"kind":"Name","value":"openedAt"}},{"kind":"Field","name":{"kind":"Name","value":"responseDue"}},{"kind":"Field","name":{"kind":"Name","value":"feedbackDue"}},{"kind":"Field","name":{"kind":"Name","value":"overdue"}},{"kind":"Field","name":{"kind":"Name","value":"departments"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"department"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"pushedAt"}},{"kind":"Field","name":{"kind":"Name","value":"acknowledgedAt"}},{"kind":"Field","name":{"kind":"Name","value":"response"}}]}},{"kind":"Field","name":{"kind":"Name","value":"tasks"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"measure"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"department"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"actedOn"}},{"kind":"Field","name":{"kind":"Name","value":"due"}}]}}]}}]} as unknown as DocumentNode<CasePartsFragment, unknown>;
export const ExploreDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Explore"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"code"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreditCode"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"enterprise"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"code"},"value":{"kind":"Variable","name":{"kind":"Name","value":"code"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"codeInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"registrationAuthority"}},{"kind":"Field","name":{"kind":"Name","value":"organizationCategory"}},{"kind":"Field","name":{"kind":"Name","value":"divisionCode"}},{"kind":"Field","name":{"kind":"Name","value":"organizationCode"}}]}},{"kind":"Field","name":{"kind":"Name","value":"marketRegulation"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"registration"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"provenance"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"source"}},{"kind":"Field","name":{"kind":"Name","value":"system"}},{"kind":"Field","name":{"kind":"Name","value":"recordId"}},{"kind":"Field","name":{"kind":"Name","value":"asOf"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"penalties"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"decisionNumber"}},{"kind":"Field","name":{"kind":"Name","value":"violationType"}},{"kind":"Field","name":{"kind":"Name","value":"decidedOn"}},{"kind":"Field","name":{"kind":"Name","value":"provenance"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"source"}},{"kind":"Field","name":{"kind":"Name","value":"recordId"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<ExploreQuery, ExploreQueryVariables>;
export const CreditStatisticsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"CreditStatistics"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"codes"}},"type":{"kind":"NonNullType","type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreditCode"}}}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"creditStatistics"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"codes"},"value":{"kind":"Variable","name":{"kind":"Name","value":"codes"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"statistics"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"byDivision"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"key"}},{"kind":"Field","name":{"kind":"Name","value":"subjects"}},{"kind":"Field","name":{"kind":"Name","value":"blackListed"}},{"kind":"Field","name":{"kind":"Name","value":"redListed"}},{"kind":"Field","name":{"kind":"Name","value":"measures"}}]}}]}}]}}]}}]} as unknown as DocumentNode<CreditStatisticsQuery, CreditStatisticsQueryVariables>;
export const RepairTimelinessDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"RepairTimeliness"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"from"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Date"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"to"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Date"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"repairTimeliness"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"from"},"value":{"kind":"Variable","name":{"kind":"Name","value":"from"}}},{"kind":"Argument","name":{"kind":"Name","value":"to"},"value":{"kind":"Variable","name":{"kind":"Name","value":"to"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"department"}},{"kind":"Field","name":{"kind":"Name","value":"applications"}},{"kind":"Field","name":{"kind":"Name","value":"decided"}},{"kind":"Field","name":{"kind":"Name","value":"decidedWithinTarget"}},{"kind":"Field","name":{"kind":"Name","value":"late"}},{"kind":"Field","name":{"kind":"Name","value":"overdue"}},{"kind":"Field","name":{"kind":"Name","value":"medianWorkingDays"}}]}}]}}]} as unknown as DocumentNode<RepairTimelinessQuery, RepairTimelinessQueryVariables>;
export const ApprovalCheckDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ApprovalCheck"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"code"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreditCode"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"enterprise"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"code"},"value":{"kind":"Variable","name":{"kind":"Name","value":"code"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"marketRegulation"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"registration"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}},{"kind":"Field","name":{"kind":"Name","value":"abnormalOperations"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"listedOn"}},{"kind":"Field","name":{"kind":"Name","value":"removedOn"}}]}},{"kind":"Field","name":{"kind":"Name","value":"seriousIllegalListings"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"listedOn"}},{"kind":"Field","name":{"kind":"Name","value":"removedOn"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"tax"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"creditGrades"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"year"}},{"kind":"Field","name":{"kind":"Name","value":"grade"}}]}},{"kind":"Field","name":{"kind":"Name","value":"majorViolations"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"caseNature"}},{"kind":"Field","name":{"kind":"Name","value":"publicityEndsOn"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"courts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"dishonestDebtorRecords"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"caseNumber"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"socialSecurity"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"wageArrearsListings"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"listedOn"}},{"kind":"Field","name":{"kind":"Name","value":"removedOn"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"procurement"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"banned"}}]}}]}}]}}]} as unknown as DocumentNode<ApprovalCheckQuery, ApprovalCheckQueryVariables>;
export const BatchCheckDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"BatchCheck"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"codes"}},"type":{"kind":"NonNullType","type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreditCode"}}}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"enterprises"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"codes"},"value":{"kind":"Variable","name":{"kind":"Name","value":"codes"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"courts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"dishonestDebtorRecords"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"procurement"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"banned"}}]}}]}}]}}]} as unknown as DocumentNode<BatchCheckQuery, BatchCheckQueryVariables>;
export const ApprovalRulesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ApprovalRules"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"code"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreditCode"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"context"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DecisionContext"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"enterprise"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"code"},"value":{"kind":"Variable","name":{"kind":"Name","value":"code"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"creditLists"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"list"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"since"}},{"kind":"Field","name":{"kind":"Name","value":"records"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"provenance"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"source"}},{"kind":"Field","name":{"kind":"Name","value":"recordId"}},{"kind":"Field","name":{"kind":"Name","value":"asOf"}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"measures"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"context"},"value":{"kind":"Variable","name":{"kind":"Name","value":"context"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"measure"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"legalBasis"}},{"kind":"Field","name":{"kind":"Name","value":"implementingDepartment"}}]}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"because"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}}]}},{"kind":"Field","name":{"kind":"Name","value":"objectionId"}}]}},{"kind":"Field","name":{"kind":"Name","value":"greenChannel"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"eligible"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}}]}}]}}]}}]} as unknown as DocumentNode<ApprovalRulesQuery, ApprovalRulesQueryVariables>;
export const DebtorRestrictionsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"DebtorRestrictions"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"code"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreditCode"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"person"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"IdNumber"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"enterprise"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"code"},"value":{"kind":"Variable","name":{"kind":"Name","value":"code"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"courts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"dishonestDebtorRecords"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"caseNumber"}},{"kind":"Field","name":{"kind":"Name","value":"enforcingCourt"}},{"kind":"Field","name":{"kind":"Name","value":"performance"}},{"kind":"Field","name":{"kind":"Name","value":"performedPart"}},{"kind":"Field","name":{"kind":"Name","value":"unperformedPart"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}},{"kind":"Field","name":{"kind":"Name","value":"consumptionRestrictions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"caseNumber"}},{"kind":"Field","name":{"kind":"Name","value":"court"}},{"kind":"Field","name":{"kind":"Name","value":"issuedOn"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"restrictedItems"}},{"kind":"Field","name":{"kind":"Name","value":"boundPersons"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"person"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"idNumber"}}]}}]}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"person"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"idNumber"},"value":{"kind":"Variable","name":{"kind":"Name","value":"person"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"courts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"consumptionRestrictions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"caseNumber"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"restrictedItems"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]}}]}}]} as unknown as DocumentNode<DebtorRestrictionsQuery, DebtorRestrictionsQueryVariables>;
export const WalkDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Walk"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"since"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DateTime"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}},"defaultValue":{"kind":"IntValue","value":"100"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"debtorRestrictions"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"changedSince"},"value":{"kind":"Variable","name":{"kind":"Name","value":"since"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"changedAt"}},{"kind":"Field","name":{"kind":"Name","value":"change"}},{"kind":"Field","name":{"kind":"Name","value":"caseNumber"}},{"kind":"Field","name":{"kind":"Name","value":"debtorName"}},{"kind":"Field","name":{"kind":"Name","value":"debtorCode"}},{"kind":"Field","name":{"kind":"Name","value":"debtorIdNumber"}},{"kind":"Field","name":{"kind":"Name","value":"listed"}},{"kind":"Field","name":{"kind":"Name","value":"restrictions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"measure"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"legalBasis"}}]}},{"kind":"Field","name":{"kind":"Name","value":"boundPersons"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"idNumber"}}]}},{"kind":"Field","name":{"kind":"Name","value":"feedback"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"department"}},{"kind":"Field","name":{"kind":"Name","value":"action"}},{"kind":"Field","name":{"kind":"Name","value":"actedOn"}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"endCursor"}},{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}}]}}]}}]}}]} as unknown as DocumentNode<WalkQuery, WalkQueryVariables>;
export const ReportEnforcementFeedbackDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ReportEnforcementFeedback"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"EnforcementFeedbackInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reportEnforcementFeedback"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"changeId"}},{"kind":"Field","name":{"kind":"Name","value":"measureId"}},{"kind":"Field","name":{"kind":"Name","value":"department"}},{"kind":"Field","name":{"kind":"Name","value":"action"}},{"kind":"Field","name":{"kind":"Name","value":"actedOn"}},{"kind":"Field","name":{"kind":"Name","value":"reportedAt"}}]}}]}}]} as unknown as DocumentNode<ReportEnforcementFeedbackMutation, ReportEnforcementFeedbackMutationVariables>;
export const CreditEasyPortraitDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"CreditEasyPortrait"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"code"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreditCode"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"enterprise"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"code"},"value":{"kind":"Variable","name":{"kind":"Name","value":"code"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"marketRegulation"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"registration"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"establishedOn"}},{"kind":"Field","name":{"kind":"Name","value":"registeredCapital"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"tax"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"creditGrades"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"year"}},{"kind":"Field","name":{"kind":"Name","value":"grade"}},{"kind":"Field","name":{"kind":"Name","value":"score"}}]}},{"kind":"Field","name":{"kind":"Name","value":"payments"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"period"}},{"kind":"Field","name":{"kind":"Name","value":"taxType"}},{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"socialSecurity"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"insuredHeadcount"}},{"kind":"Field","name":{"kind":"Name","value":"contributionStatus"}},{"kind":"Field","name":{"kind":"Name","value":"contributions"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"months"},"value":{"kind":"IntValue","value":"12"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"period"}},{"kind":"Field","name":{"kind":"Name","value":"amountDue"}},{"kind":"Field","name":{"kind":"Name","value":"amountPaid"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"procurement"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"contracts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"signedOn"}},{"kind":"Field","name":{"kind":"Name","value":"purchaser"}},{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"courts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"dishonestDebtorRecords"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"caseNumber"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]}}]}}]} as unknown as DocumentNode<CreditEasyPortraitQuery, CreditEasyPortraitQueryVariables>;
export const CreditEasyCheckDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"CreditEasyCheck"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"code"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreditCode"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"enterprise"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"code"},"value":{"kind":"Variable","name":{"kind":"Name","value":"code"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"evaluation"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"grade"}},{"kind":"Field","name":{"kind":"Name","value":"score"}},{"kind":"Field","name":{"kind":"Name","value":"groups"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"group"}},{"kind":"Field","name":{"kind":"Name","value":"weight"}},{"kind":"Field","name":{"kind":"Name","value":"points"}},{"kind":"Field","name":{"kind":"Name","value":"factors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"points"}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"creditLists"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"list"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"tax"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"payments"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"period"}},{"kind":"Field","name":{"kind":"Name","value":"taxType"}},{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"socialSecurity"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"insuredHeadcount"}},{"kind":"Field","name":{"kind":"Name","value":"contributions"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"months"},"value":{"kind":"IntValue","value":"6"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"period"}},{"kind":"Field","name":{"kind":"Name","value":"amountPaid"}}]}}]}}]}}]}}]} as unknown as DocumentNode<CreditEasyCheckQuery, CreditEasyCheckQueryVariables>;
export const InitiateCaseDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"InitiateCase"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"InitiateCaseInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"initiateCase"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"CaseParts"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"CaseParts"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"JointCase"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"list"}},{"kind":"Field","name":{"kind":"Name","value":"listName"}},{"kind":"Field","name":{"kind":"Name","value":"recordIds"}},{"kind":"Field","name":{"kind":"Name","value":"initiatedBy"}},{"kind":"Field","name":{"kind":"Name","value":"openedAt"}},{"kind":"Field","name":{"kind":"Name","value":"responseDue"}},{"kind":"Field","name":{"kind":"Name","value":"feedbackDue"}},{"kind":"Field","name":{"kind":"Name","value":"overdue"}},{"kind":"Field","name":{"kind":"Name","value":"departments"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"department"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"pushedAt"}},{"kind":"Field","name":{"kind":"Name","value":"acknowledgedAt"}},{"kind":"Field","name":{"kind":"Name","value":"response"}}]}},{"kind":"Field","name":{"kind":"Name","value":"tasks"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"measure"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"department"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"actedOn"}},{"kind":"Field","name":{"kind":"Name","value":"due"}}]}}]}}]} as unknown as DocumentNode<InitiateCaseMutation, InitiateCaseMutationVariables>;
export const AcknowledgeCaseDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"AcknowledgeCase"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"AcknowledgeCaseInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"acknowledgeCase"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"CaseParts"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"CaseParts"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"JointCase"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"list"}},{"kind":"Field","name":{"kind":"Name","value":"listName"}},{"kind":"Field","name":{"kind":"Name","value":"recordIds"}},{"kind":"Field","name":{"kind":"Name","value":"initiatedBy"}},{"kind":"Field","name":{"kind":"Name","value":"openedAt"}},{"kind":"Field","name":{"kind":"Name","value":"responseDue"}},{"kind":"Field","name":{"kind":"Name","value":"feedbackDue"}},{"kind":"Field","name":{"kind":"Name","value":"overdue"}},{"kind":"Field","name":{"kind":"Name","value":"departments"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"department"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"pushedAt"}},{"kind":"Field","name":{"kind":"Name","value":"acknowledgedAt"}},{"kind":"Field","name":{"kind":"Name","value":"response"}}]}},{"kind":"Field","name":{"kind":"Name","value":"tasks"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"measure"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"department"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"actedOn"}},{"kind":"Field","name":{"kind":"Name","value":"due"}}]}}]}}]} as unknown as DocumentNode<AcknowledgeCaseMutation, AcknowledgeCaseMutationVariables>;
export const ReportExecutionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ReportExecution"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ReportExecutionInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reportExecution"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"CaseParts"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"CaseParts"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"JointCase"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"list"}},{"kind":"Field","name":{"kind":"Name","value":"listName"}},{"kind":"Field","name":{"kind":"Name","value":"recordIds"}},{"kind":"Field","name":{"kind":"Name","value":"initiatedBy"}},{"kind":"Field","name":{"kind":"Name","value":"openedAt"}},{"kind":"Field","name":{"kind":"Name","value":"responseDue"}},{"kind":"Field","name":{"kind":"Name","value":"feedbackDue"}},{"kind":"Field","name":{"kind":"Name","value":"overdue"}},{"kind":"Field","name":{"kind":"Name","value":"departments"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"department"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"pushedAt"}},{"kind":"Field","name":{"kind":"Name","value":"acknowledgedAt"}},{"kind":"Field","name":{"kind":"Name","value":"response"}}]}},{"kind":"Field","name":{"kind":"Name","value":"tasks"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"measure"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"department"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"actedOn"}},{"kind":"Field","name":{"kind":"Name","value":"due"}}]}}]}}]} as unknown as DocumentNode<ReportExecutionMutation, ReportExecutionMutationVariables>;
export const JointCasesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"JointCases"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"department"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}},"defaultValue":{"kind":"IntValue","value":"50"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"jointCases"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"department"},"value":{"kind":"Variable","name":{"kind":"Name","value":"department"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"CaseParts"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"CaseParts"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"JointCase"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"list"}},{"kind":"Field","name":{"kind":"Name","value":"listName"}},{"kind":"Field","name":{"kind":"Name","value":"recordIds"}},{"kind":"Field","name":{"kind":"Name","value":"initiatedBy"}},{"kind":"Field","name":{"kind":"Name","value":"openedAt"}},{"kind":"Field","name":{"kind":"Name","value":"responseDue"}},{"kind":"Field","name":{"kind":"Name","value":"feedbackDue"}},{"kind":"Field","name":{"kind":"Name","value":"overdue"}},{"kind":"Field","name":{"kind":"Name","value":"departments"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"department"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"pushedAt"}},{"kind":"Field","name":{"kind":"Name","value":"acknowledgedAt"}},{"kind":"Field","name":{"kind":"Name","value":"response"}}]}},{"kind":"Field","name":{"kind":"Name","value":"tasks"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"measure"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"department"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"actedOn"}},{"kind":"Field","name":{"kind":"Name","value":"due"}}]}}]}}]} as unknown as DocumentNode<JointCasesQuery, JointCasesQueryVariables>;
export const JointCaseDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"JointCase"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"jointCase"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"CaseParts"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"CaseParts"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"JointCase"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"list"}},{"kind":"Field","name":{"kind":"Name","value":"listName"}},{"kind":"Field","name":{"kind":"Name","value":"recordIds"}},{"kind":"Field","name":{"kind":"Name","value":"initiatedBy"}},{"kind":"Field","name":{"kind":"Name","value":"openedAt"}},{"kind":"Field","name":{"kind":"Name","value":"responseDue"}},{"kind":"Field","name":{"kind":"Name","value":"feedbackDue"}},{"kind":"Field","name":{"kind":"Name","value":"overdue"}},{"kind":"Field","name":{"kind":"Name","value":"departments"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"department"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"pushedAt"}},{"kind":"Field","name":{"kind":"Name","value":"acknowledgedAt"}},{"kind":"Field","name":{"kind":"Name","value":"response"}}]}},{"kind":"Field","name":{"kind":"Name","value":"tasks"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"measure"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"department"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"actedOn"}},{"kind":"Field","name":{"kind":"Name","value":"due"}}]}}]}}]} as unknown as DocumentNode<JointCaseQuery, JointCaseQueryVariables>;
export const CheckWithReceiptDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"CheckWithReceipt"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"code"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreditCode"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ApprovalCheckInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"enterprise"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"code"},"value":{"kind":"Variable","name":{"kind":"Name","value":"code"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"approvalCheck"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"matter"}},{"kind":"Field","name":{"kind":"Name","value":"context"}},{"kind":"Field","name":{"kind":"Name","value":"applicationId"}},{"kind":"Field","name":{"kind":"Name","value":"checkedBy"}},{"kind":"Field","name":{"kind":"Name","value":"checkedAt"}},{"kind":"Field","name":{"kind":"Name","value":"complete"}},{"kind":"Field","name":{"kind":"Name","value":"missingSources"}},{"kind":"Field","name":{"kind":"Name","value":"measuresInForce"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"legalBasis"}}]}}]}}]}}]}}]} as unknown as DocumentNode<CheckWithReceiptQuery, CheckWithReceiptQueryVariables>;
export const ReportApplicationDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ReportApplication"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ReportApplicationInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reportApplication"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"application"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"applied"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"reportedAt"}}]}}]}}]}}]} as unknown as DocumentNode<ReportApplicationMutation, ReportApplicationMutationVariables>;
export const ReportUncheckedApplicationDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ReportUncheckedApplication"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UncheckedApplicationInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reportUncheckedApplication"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"matter"}},{"kind":"Field","name":{"kind":"Name","value":"context"}},{"kind":"Field","name":{"kind":"Name","value":"applicationId"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"reportedBy"}},{"kind":"Field","name":{"kind":"Name","value":"reportedAt"}}]}}]}}]} as unknown as DocumentNode<ReportUncheckedApplicationMutation, ReportUncheckedApplicationMutationVariables>;
export const LoopStatisticsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"LoopStatistics"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"loopStatistics"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"departments"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"department"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"pushed"}},{"kind":"Field","name":{"kind":"Name","value":"acknowledged"}},{"kind":"Field","name":{"kind":"Name","value":"responseRate"}},{"kind":"Field","name":{"kind":"Name","value":"required"}},{"kind":"Field","name":{"kind":"Name","value":"reported"}},{"kind":"Field","name":{"kind":"Name","value":"feedbackRate"}},{"kind":"Field","name":{"kind":"Name","value":"enforced"}},{"kind":"Field","name":{"kind":"Name","value":"enforcementRate"}},{"kind":"Field","name":{"kind":"Name","value":"overdue"}}]}},{"kind":"Field","name":{"kind":"Name","value":"overdueCases"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"listName"}},{"kind":"Field","name":{"kind":"Name","value":"feedbackDue"}}]}},{"kind":"Field","name":{"kind":"Name","value":"checks"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"matter"}},{"kind":"Field","name":{"kind":"Name","value":"department"}},{"kind":"Field","name":{"kind":"Name","value":"checks"}},{"kind":"Field","name":{"kind":"Name","value":"incompleteChecks"}},{"kind":"Field","name":{"kind":"Name","value":"uncheckedApplications"}},{"kind":"Field","name":{"kind":"Name","value":"checkRate"}},{"kind":"Field","name":{"kind":"Name","value":"reported"}},{"kind":"Field","name":{"kind":"Name","value":"reportRate"}},{"kind":"Field","name":{"kind":"Name","value":"measuresInForce"}},{"kind":"Field","name":{"kind":"Name","value":"measuresEnforced"}},{"kind":"Field","name":{"kind":"Name","value":"enforcementRate"}}]}}]}}]}}]} as unknown as DocumentNode<LoopStatisticsQuery, LoopStatisticsQueryVariables>;