import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '@credit-gateway/common';
import { createIssuedReports, newReportNumber, newVerificationCode, sha256 } from '../../src/report/issued.js';

describe('the issued-report register on files', () => {
  it('finds each report by number and by document, and sees every newer report as soon as it is issued', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'issued-'));
    const { privateKey } = generateKeyPairSync('ed25519');
    const issued = createIssuedReports({ dir, signingKey: privateKey, logger: silentLogger() });
    try {
      const issue = async (subject: string, document: string) => {
        const issuedAt = new Date().toISOString();
        const number = newReportNumber(issuedAt);
        const verificationCode = newVerificationCode();
        await issued.issue({
          number,
          verificationCode,
          issuedAt,
          subject,
          sections: ['BASIC'],
          from: null,
          to: null,
          special: true,
          format: 'html',
          issuer: { client: 'approval-system', tier: 'GOVERNMENT' },
          requestId: number,
          documentSha256: sha256(document),
          dataSha256: sha256(`data of ${subject}`),
        });
        return { number, verificationCode };
      };
      const first = await issue('91500155MA5UQ01CXD', 'first');
      const other = await issue('91510107MA6CJ4R13B', 'other');
      expect(await issued.verifyCode(first.number, first.verificationCode)).toMatchObject({
        authentic: true,
        report: { number: first.number, superseded: false, recordsChangedSince: null },
      });
      expect(await issued.verifyCode(first.number, other.verificationCode)).toEqual({
        authentic: false,
        reason: 'NO_SUCH_REPORT',
      });
      // Issued after the lookups above: they must not answer from what they saw then.
      const second = await issue('91500155MA5UQ01CXD', 'second');
      expect(await issued.verifyCode(first.number, first.verificationCode)).toMatchObject({
        authentic: true,
        report: { superseded: true, recordsChangedSince: false },
      });
      expect(await issued.verifyDocument(Buffer.from('second'))).toMatchObject({
        authentic: true,
        report: { number: second.number, superseded: false },
      });
      expect(await issued.verifyDocument(Buffer.from('other'))).toMatchObject({
        report: { number: other.number, superseded: false },
      });
      expect(await issued.verifyDocument(Buffer.from('never issued'))).toEqual({
        authentic: false,
        reason: 'DOCUMENT_NOT_ISSUED',
      });
    } finally {
      await issued.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
