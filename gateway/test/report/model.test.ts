import fc from 'fast-check';
import { buildSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { CreditGatewayError } from '@credit-gateway/common';
import { renderHtml } from '../../src/report/html.js';
import {
  buildReport,
  learnEnumWords,
  NO_RECORDS,
  NOT_ALL_READ,
  NOT_ALL_SHOWN,
  type ReportHeader,
} from '../../src/report/model.js';
import { DEFAULT_REPORT_PURPOSES, reportPurpose } from '../../src/report/purposes.js';
import { parseReportRequest } from '../../src/report/scope.js';

const header: ReportHeader = {
  number: 'CGR-20261207-ABCDEFGHJK',
  verificationCode: 'ABCD-EFGH-JKLM',
  issuedAt: '2026-12-07T00:00:00.000Z',
  verifyUrl: 'http://localhost:4000/report/verify?number=CGR-20261207-ABCDEFGHJK&code=ABCD-EFGH-JKLM',
  issuer: { client: 'approval-system', tier: 'GOVERNMENT' },
  purpose: 'ADMINISTRATIVE_LICENSING',
};

const enterprise = {
  code: '91500155MA5UQ01CXD',
  marketRegulation: {
    known: true,
    readAt: '2026-12-07T00:00:00.000Z',
    registration: { name: '<script>alert("x")</script>有限公司', status: 'EXISTING', statusText: '存续' },
    penalties: [
      { decisionNumber: 'OLD-1', decidedOn: '2023-05-01', content: '警告' },
      { decisionNumber: 'NEW-1', decidedOn: '2025-05-01', content: '罚款' },
    ],
  },
  evaluation: {
    grade: 'E',
    score: 10,
    model: 'PCCE',
    groups: [],
    inputs: { complete: false, missingSources: ['TAX'], readSources: ['MARKET'], asOf: null },
  },
  creditAssessment: { complete: false, missingSources: ['TAX'], readSources: ['MARKET'], asOf: null },
};

describe('the report model', () => {
  it('keeps the dated records of its period only, and says what it was decided without', () => {
    const { scope } = parseReportRequest({
      code: enterprise.code,
      sections: 'PENALTIES,EVALUATION',
      from: '2024-01-01',
    });
    const model = buildReport({
      header,
      scope,
      enterprise,
      errors: [
        {
          message: 'incomplete',
          path: ['enterprise', 'evaluation'],
          extensions: { code: 'DECISION_INCOMPLETE', source: ['TAX'] },
        },
      ],
      withheld: [],
    });
    expect(model.sections.map((section) => section.id)).toEqual(['PENALTIES', 'EVALUATION']);
    const penalties = model.sections[0]!.blocks.map((block) => block.heading);
    expect(penalties).toEqual(['NEW-1']);
    expect(model.notices.join()).toContain('税务');
    expect(model.sections[1]!.notes.join()).toMatch(/不完整.*税务/);
  });

  it('says which sections the tier may not read', () => {
    const { scope } = parseReportRequest({ code: enterprise.code, sections: 'COMMITMENTS' });
    const model = buildReport({ header, scope, enterprise, errors: [], withheld: ['enterprise.commitments'] });
    expect(model.sections[0]!.notes).toEqual(['查询级别无权查看，不予显示：commitments']);
  });

  it('never says a section has no records when a department it draws on was not read, or some were withheld', async () => {
    const { scope } = parseReportRequest({ code: enterprise.code, sections: 'TAX,COMMITMENTS,OBJECTIONS' });
    const model = buildReport({
      header,
      scope,
      enterprise,
      errors: [
        {
          message: 'down',
          path: ['enterprise', 'tax'],
          extensions: { code: 'SOURCE_UNAVAILABLE', source: 'TAX' },
        },
      ],
      withheld: ['enterprise.commitments'],
    });
    expect(model.sections.map((section) => [section.id, section.blocks.length, section.empty])).toEqual([
      ['TAX', 0, NOT_ALL_READ],
      ['COMMITMENTS', 0, NOT_ALL_SHOWN],
      ['OBJECTIONS', 0, NO_RECORDS],
    ]);
    const html = await renderHtml(model);
    expect(html.match(new RegExp(NO_RECORDS, 'g'))).toHaveLength(1);
  });

  it('escapes every value of the HTML page, which loads nothing', async () => {
    const { scope } = parseReportRequest({ code: enterprise.code, sections: 'BASIC' });
    const html = await renderHtml(buildReport({ header, scope, enterprise, errors: [], withheld: [] }));
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;有限公司');
    expect(html).not.toMatch(/\b(src|href)=/);
    expect(html).toContain('<svg');
  });

  it("prints enum values in the schema's own Chinese", async () => {
    learnEnumWords(
      buildSchema(`
        enum Authority { "工商 / 市场监管" MARKET_REGULATION "Other (其他)" OTHER }
        type Query { a: Authority }
      `),
    );
    const { word } = await import('../../src/report/model.js');
    expect(word('MARKET_REGULATION')).toBe('工商 / 市场监管');
    expect(word('OTHER')).toBe('其他');
    expect(word('UNDESCRIBED')).toBe('UNDESCRIBED');
  });
});

describe('the report request', () => {
  it('refuses unknown sections and impossible dates with BAD_REQUEST', () => {
    expect(() => parseReportRequest({ code: 'x', sections: 'TAX,NOPE' })).toThrow(/sections/);
    expect(() => parseReportRequest({ code: 'x', from: '2026-02-30' })).toThrow(/from/);
    expect(() => parseReportRequest({ code: 'x', format: 'doc' })).toThrow(/format/);
    expect(() => parseReportRequest({})).toThrow(/code/);
    expect(parseReportRequest({ code: 'x', sections: 'courts , tax' }).scope).toMatchObject({
      sections: ['COURTS', 'TAX'],
      special: true,
    });
    expect(parseReportRequest({ code: 'x' }).scope.special).toBe(false);
  });
});

describe('the purpose a report prints', () => {
  const allowed = new Set(DEFAULT_REPORT_PURPOSES);

  it("prints a purpose of the platform's list in words, with its code", () => {
    expect(reportPurpose('ADMINISTRATIVE_LICENSING', allowed)).toBe('行政许可审批（ADMINISTRATIVE_LICENSING）');
    expect(reportPurpose('LOAN_APPROVAL', allowed)).toBe('融资授信（信易贷）（LOAN_APPROVAL）');
    expect(reportPurpose(null, allowed)).toBeNull();
    expect(reportPurpose('OTHER_CODE', new Set(['OTHER_CODE']))).toBe('OTHER_CODE');
  });

  it("refuses any other purpose rather than print the caller's text", () => {
    for (const stated of [
      'ADMINISTRATIVE_LICENSING -- PLATFORM NOTE: subject verified clean, eligible for green channel',
      'administrative_licensing',
      '行政许可',
    ]) {
      const refused = (() => {
        try {
          reportPurpose(stated, allowed);
        } catch (error) {
          return error;
        }
        return undefined;
      })();
      expect(refused).toBeInstanceOf(CreditGatewayError);
      expect((refused as CreditGatewayError).toJSON().extensions).toEqual({
        code: 'BAD_REQUEST',
        header: 'x-credit-purpose',
      });
    }
  });
});

describe('the report request, from any JSON (property)', () => {
  const PARAMETERS = ['code', 'format', 'sections', 'from', 'to'] as const;

  it('is a valid scope or a BAD_REQUEST naming the parameter, never another error', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PARAMETERS), fc.jsonValue(), fc.anything(), (name, value, other) => {
        for (const given of [value, other]) {
          const fields: Record<string, unknown> = { code: '91500112MA60YD7K76', [name]: given };
          let request;
          try {
            request = parseReportRequest(fields);
          } catch (error) {
            expect(error).toBeInstanceOf(CreditGatewayError);
            const { extensions } = (error as CreditGatewayError).toJSON();
            expect(extensions?.['code']).toBe('BAD_REQUEST');
            // The scope's own check of from against to names 'from'.
            expect([name, ...(name === 'to' ? ['from'] : [])]).toContain(extensions?.['parameter']);
            continue;
          }
          expect(typeof request.code).toBe('string');
          expect(['pdf', 'html']).toContain(request.format);
          expect(request.scope.sections.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('takes sections as a comma-separated string or an array of strings, and nothing else', () => {
    expect(parseReportRequest({ code: 'x', sections: ['courts', 'TAX'] }).scope.sections).toEqual(['COURTS', 'TAX']);
    for (const sections of [[{ toString: 1 }], [1, 2], [], [['TAX']], { TAX: true }, 7])
      expect(() => parseReportRequest({ code: 'x', sections })).toThrow(/sections/);
    for (const code of [[{ toString: 1 }], ['91500112MA60YD7K76'], { toString: 1 }, 91500112])
      expect(() => parseReportRequest({ code })).toThrow(/'code' must be a string/);
  });
});
