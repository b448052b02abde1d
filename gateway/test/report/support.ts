/** What the issued-report register tests issue: one report's record, every field but the signature. */
import { newReportNumber, newVerificationCode, sha256 } from '../../src/report/issued.js';

export const GOVERNMENT = { client: 'approval-system', tier: 'GOVERNMENT' };

export function reportOf(
  subject: string,
  document: string,
  options: {
    issuedAt?: string;
    issuer?: { client: string | null; tier: string };
    data?: string;
    view?: string;
  } = {},
) {
  const issuedAt = options.issuedAt ?? new Date().toISOString();
  const number = newReportNumber(issuedAt);
  return {
    number,
    verificationCode: newVerificationCode(),
    issuedAt,
    subject,
    subjectName: `name of ${subject}`,
    sections: ['BASIC'],
    from: null,
    to: null,
    special: true,
    format: 'html' as const,
    issuer: options.issuer ?? GOVERNMENT,
    requestId: number,
    documentSha256: sha256(document),
    dataSha256: sha256(options.data ?? `data of ${subject}`),
    viewSha256: sha256(options.view ?? 'view'),
  };
}
