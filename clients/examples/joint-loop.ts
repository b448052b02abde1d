/**
 * The joint reward-and-punishment loop (联合奖惩闭环) for a tax blacklisting, as the README's
 * showcase runs it with curl: the tax bureau initiates the case (认定), the finance department
 * acknowledges it and applies the procurement ban (响应, 反馈), the development and reform
 * commission finds project approval not applicable, an approval system checks with a receipt and
 * reports what it applied, and the analysts read the rates (跟踪问效). Every token is GOVERNMENT
 * naming its department, but the analysts'.
 *
 *   TAX_TOKEN=$(npm run -s auth -- token --tier GOVERNMENT --client dongguan-tax-bureau --department TAX) \
 *   MOF_TOKEN=$(npm run -s auth -- token --tier GOVERNMENT --client procurement-platform --department MOF) \
 *   NDRC_TOKEN=$(npm run -s auth -- token --tier GOVERNMENT --client project-approval --department NDRC) \
 *   ANALYST_TOKEN=$(npm run -s auth -- token --tier ANALYST --client analyst-workbench) \
 *     node clients/examples/dist/joint-loop.js
 */
import {
  AcknowledgeCaseDocument,
  CheckWithReceiptDocument,
  createCreditClient,
  InitiateCaseDocument,
  LoopStatisticsDocument,
  ReportApplicationDocument,
  ReportExecutionDocument,
  type CreditClientOptions,
} from '@credit-gateway/clients';
import { chinaDate, gatewayUrl, required, runAsProgram } from './env.js';

export interface LoopTokens {
  tax: string;
  mof: string;
  ndrc: string;
  analyst: string;
}

export const TAX_LIST = '重大税收违法失信主体名单';

export async function runLoop(
  options: Pick<CreditClientOptions, 'url' | 'fetch'>,
  tokens: LoopTokens,
  code = '91441900MA4UW2DQ7T',
  run = 'demo',
) {
  const as = (token: string, purpose?: string) =>
    createCreditClient({ ...options, token, ...(purpose ? { purpose } : {}) });
  const tax = as(tokens.tax, 'JOINT_PUNISHMENT');
  const mof = as(tokens.mof, 'JOINT_PUNISHMENT');
  const ndrc = as(tokens.ndrc, 'JOINT_PUNISHMENT');
  const approval = as(tokens.ndrc, 'PROJECT_APPROVAL');
  const analyst = as(tokens.analyst);
  const actedOn = chinaDate();

  // 1. 认定: the tax bureau initiates the case for its list. A retry after a lost answer is safe:
  //    the idempotency key gives back the same case.
  const { initiateCase } = await tax.request(InitiateCaseDocument, {
    input: { code, listName: TAX_LIST, idempotencyKey: `${run}-tax-1` },
  });
  // 2. 响应 and 反馈.
  await mof.request(AcknowledgeCaseDocument, { input: { caseId: initiateCase.id, idempotencyKey: `${run}-ack-1` } });
  await mof.request(ReportExecutionDocument, {
    input: {
      caseId: initiateCase.id,
      measureId: 'PROCUREMENT-BAN',
      outcome: 'APPLIED',
      actedOn,
      idempotencyKey: `${run}-mof-1`,
    },
  });
  const { reportExecution } = await ndrc.request(ReportExecutionDocument, {
    input: {
      caseId: initiateCase.id,
      measureId: 'PROJECT-APPROVAL-LIMIT',
      outcome: 'NOT_APPLICABLE',
      reason: '无在审项目',
      actedOn,
      idempotencyKey: `${run}-ndrc-1`,
    },
  });
  // 应查必查 with a receipt, then what was applied to the application.
  const { enterprise } = await approval.request(CheckWithReceiptDocument, {
    code,
    input: {
      matter: '企业投资项目核准',
      context: 'PROJECT_APPROVAL',
      applicationId: `${run}-XM-2026-001`,
      idempotencyKey: `${run}-chk-1`,
    },
  });
  const receipt = enterprise!.approvalCheck;
  const { reportApplication } = await approval.request(ReportApplicationDocument, {
    input: {
      receiptId: receipt.id,
      applied: receipt.measuresInForce.map((measure) => measure.id),
      idempotencyKey: `${run}-app-1`,
    },
  });
  // 3. 跟踪问效.
  const { loopStatistics } = await analyst.request(LoopStatisticsDocument);
  return {
    caseId: initiateCase.id,
    departments: initiateCase.departments.map((department) => department.department.id),
    tasks: reportExecution.tasks
      .filter((task) => task.status !== 'PENDING')
      .map((task) => ({ measure: task.measure.id, department: task.department.id, status: task.status })),
    receipt: { id: receipt.id, complete: receipt.complete, measuresInForce: receipt.measuresInForce.map((m) => m.id) },
    applied: reportApplication.application?.applied.map((measure) => measure.id) ?? [],
    rates: loopStatistics.departments
      .filter((row) => ['MOF', 'NDRC'].includes(row.department.id))
      .map((row) => ({
        department: row.department.id,
        responseRate: row.responseRate,
        feedbackRate: row.feedbackRate,
        enforcementRate: row.enforcementRate,
      })),
  };
}

await runAsProgram(import.meta.url, () =>
  runLoop(
    { url: gatewayUrl() },
    {
      tax: required('TAX_TOKEN'),
      mof: required('MOF_TOKEN'),
      ndrc: required('NDRC_TOKEN'),
      analyst: required('ANALYST_TOKEN'),
    },
  ),
);
