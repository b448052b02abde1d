/**
 * An approval system (审批系统) checks an applicant, then a batch, then the credit rules
 * (应查必查), as a GOVERNMENT caller stating ADMINISTRATIVE_LICENSING.
 *
 *   CREDIT_TOKEN=$(npm run -s auth -- token --tier GOVERNMENT --client approval-system --sub clerk-001) \
 *     node clients/examples/dist/approval-check.js
 */
import {
  ApprovalCheckDocument,
  ApprovalRulesDocument,
  BatchCheckDocument,
  createCreditClient,
  type CreditClientOptions,
} from '@credit-gateway/clients';
import { gatewayUrl, required, runAsProgram } from './env.js';

export interface ApprovalDecision {
  code: string;
  name: string | null;
  /** Why the applicant may not simply be approved: each list and restriction found. */
  concerns: string[];
  measuresInForce: string[];
  greenChannel: boolean;
}

export async function checkApplicant(
  options: Pick<CreditClientOptions, 'url' | 'token' | 'fetch'>,
  code: string,
): Promise<ApprovalDecision> {
  const client = createCreditClient({ ...options, purpose: 'ADMINISTRATIVE_LICENSING' });
  const { enterprise } = await client.request(ApprovalCheckDocument, { code });
  if (!enterprise)
    return { code, name: null, concerns: ['registered nowhere'], measuresInForce: [], greenChannel: false };
  const concerns = [
    ...(enterprise.courts?.dishonestDebtorRecords ?? [])
      .filter((record) => record.status === 'LISTED')
      .map((record) => `dishonest judgment debtor ${record.caseNumber}`),
    ...(enterprise.procurement?.banned ? ['banned from government procurement'] : []),
    ...(enterprise.marketRegulation?.seriousIllegalListings ?? [])
      .filter((listing) => listing.removedOn === null)
      .map((listing) => `serious illegal and dishonest list since ${listing.listedOn}`),
    ...(enterprise.tax?.majorViolations ?? []).map((violation) => `major tax violation: ${violation.caseNature}`),
  ];
  const rules = await client.request(ApprovalRulesDocument, { code, context: 'ADMINISTRATIVE_LICENSING' });
  return {
    code: enterprise.code,
    name: enterprise.marketRegulation?.registration?.name ?? null,
    concerns,
    measuresInForce: (rules.enterprise?.measures ?? [])
      .filter((applied) => applied.status === 'IN_FORCE')
      .map((applied) => applied.measure.id),
    greenChannel: rules.enterprise?.greenChannel.eligible ?? false,
  };
}

/** A batch (批量查): in input order, null for a code no department has registered. */
export async function checkBatch(
  options: Pick<CreditClientOptions, 'url' | 'token' | 'fetch'>,
  codes: string[],
): Promise<{ code: string; registered: boolean; activeDebtor: boolean; banned: boolean }[]> {
  const client = createCreditClient({ ...options, purpose: 'ADMINISTRATIVE_LICENSING' });
  const { enterprises } = await client.request(BatchCheckDocument, { codes });
  return enterprises.map((enterprise, i) => ({
    code: codes[i]!,
    registered: enterprise !== null,
    activeDebtor: (enterprise?.courts?.dishonestDebtorRecords ?? []).some((record) => record.status === 'LISTED'),
    banned: enterprise?.procurement?.banned ?? false,
  }));
}

await runAsProgram(import.meta.url, async () => {
  const options = { url: gatewayUrl(), token: required('CREDIT_TOKEN') };
  return {
    applicant: await checkApplicant(options, process.argv[2] ?? '91500112MA60YD7K76'),
    batch: await checkBatch(options, ['91500112MA60YD7K76', '91500155MA5UQ01CXD', '91350100MA2XH3FN5G']),
  };
});
