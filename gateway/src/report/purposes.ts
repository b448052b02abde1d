/**
 * The purposes a credit report may be issued for (查询目的). A signed report prints its purpose, so
 * the purpose comes from a closed list the platform keeps (REPORT_PURPOSES), never from the
 * caller's free text: a stated purpose outside the list is refused rather than printed.
 */
import { CreditGatewayError } from '@credit-gateway/common';

/** The purposes a report is issued for by default, each with the words the report prints. */
export const PURPOSE_WORDS: Readonly<Record<string, string>> = {
  ADMINISTRATIVE_LICENSING: '行政许可审批',
  GOVERNMENT_PROCUREMENT: '政府采购',
  PUBLIC_BIDDING: '招标投标',
  FISCAL_FUNDS: '财政资金安排',
  HONOURS: '评优评先',
  PROJECT_APPROVAL: '项目审批核准',
  FRANCHISE: '特许经营',
  LAND: '土地供应',
  MARKET_ACCESS: '市场准入',
  REGULATORY_INSPECTION: '日常监管',
  CREDIT_SUPERVISION: '信用监管',
  JOINT_PUNISHMENT: '联合奖惩',
  LOAN_APPROVAL: '融资授信（信易贷）',
  ENFORCEMENT_LINKAGE: '执行联动',
  EXIT_ENTRY: '出入境管理',
  CREDIT_OBJECTION: '异议处理',
  CREDIT_REPAIR: '信用修复',
  STATISTICS: '统计分析',
};

export const DEFAULT_REPORT_PURPOSES: readonly string[] = Object.keys(PURPOSE_WORDS);

/** A purpose's code: what REPORT_PURPOSES may list. */
export const PURPOSE_CODE = /^[A-Z][A-Z0-9_]{0,63}$/;

/**
 * The purpose as the report prints it, `行政许可审批（ADMINISTRATIVE_LICENSING）`, or null when none
 * was stated. Throws BAD_REQUEST for a purpose outside the list: a signed document never carries
 * the caller's own text.
 */
export function reportPurpose(purpose: string | null, allowed: ReadonlySet<string>): string | null {
  if (purpose === null) return null;
  if (!allowed.has(purpose))
    throw new CreditGatewayError(
      'BAD_REQUEST',
      `A credit report is issued for one of the platform's purposes in x-credit-purpose: ${[...allowed].join(', ')}`,
      { extensions: { header: 'x-credit-purpose' } },
    );
  const words = PURPOSE_WORDS[purpose];
  return words === undefined ? purpose : `${words}（${purpose}）`;
}
