/**
 * A Credit-Easy (信易贷) lender reads an SME's portrait with the SME's consent, as an AUTHORIZED
 * caller stating LOAN_APPROVAL. The consent covers every group the portrait reads: without
 * TAX_CREDIT the tax grades would come back null with CONSENT_REQUIRED, so any error is refused.
 *
 *   CREDIT_TOKEN=$(npm run -s auth -- token --tier AUTHORIZED --client xinyidai-bank) \
 *   CREDIT_CONSENT=$(npm run -s auth -- consent --subject 91500155MA5UQ01CXD --grantee xinyidai-bank \
 *     --purpose LOAN_APPROVAL --groups TAX_CREDIT,TAX_PAYMENTS,SOCIAL_SECURITY,PROCUREMENT_CONTRACTS) \
 *     node clients/examples/dist/credit-easy.js
 */
import { createCreditClient, CreditEasyPortraitDocument, type CreditClientOptions } from '@credit-gateway/clients';
import { gatewayUrl, required, runAsProgram } from './env.js';

export interface Portrait {
  name: string;
  latestTaxGrade: { year: number; grade: string } | null;
  taxPaidLast12Months: number;
  insuredHeadcount: number | null;
  contributionsFullyPaid: boolean;
  procurementContracts: number;
  activeDebtorRecords: number;
}

export async function portrait(
  options: Pick<CreditClientOptions, 'url' | 'token' | 'fetch'>,
  code: string,
  consent: string,
): Promise<Portrait> {
  const client = createCreditClient({ ...options, purpose: 'LOAN_APPROVAL', consents: [consent] });
  // request(): a field left null for want of consent is an error, not a silent gap in the portrait.
  const { enterprise } = await client.request(CreditEasyPortraitDocument, { code });
  if (!enterprise?.marketRegulation?.registration) throw new Error(`${code} is not registered`);
  const grades = [...(enterprise.tax?.creditGrades ?? [])].sort((a, b) => b.year - a.year);
  const contributions = enterprise.socialSecurity?.contributions ?? [];
  return {
    name: enterprise.marketRegulation.registration.name,
    latestTaxGrade: grades[0] ? { year: grades[0].year, grade: grades[0].grade } : null,
    taxPaidLast12Months: (enterprise.tax?.payments ?? []).reduce((sum, payment) => sum + payment.amount, 0),
    insuredHeadcount: enterprise.socialSecurity?.insuredHeadcount ?? null,
    contributionsFullyPaid: contributions.every((month) => month.amountPaid >= month.amountDue),
    procurementContracts: enterprise.procurement?.contracts?.length ?? 0,
    activeDebtorRecords: (enterprise.courts?.dishonestDebtorRecords ?? []).filter((r) => r.status === 'LISTED').length,
  };
}

await runAsProgram(import.meta.url, () =>
  portrait(
    { url: gatewayUrl(), token: required('CREDIT_TOKEN') },
    process.argv[2] ?? '91500155MA5UQ01CXD',
    required('CREDIT_CONSENT'),
  ),
);
