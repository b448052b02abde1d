import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { buildSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { CreditGatewayError, EnvReader } from '@credit-gateway/common';
import { readReportConfig } from '../../src/report/config.js';
import { renderHtml } from '../../src/report/html.js';
import {
  buildReport,
  learnEnumWords,
  NO_RECORDS,
  NONE_IN_PERIOD,
  NOT_ALL_READ,
  NOT_ALL_SHOWN,
  type ReportHeader,
  type SectionModel,
} from '../../src/report/model.js';
import { DEFAULT_REPORT_PURPOSES, reportPurpose } from '../../src/report/purposes.js';
import { parseReportRequest, type ReportScope } from '../../src/report/scope.js';

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

/** Everything a section prints, headings and values, in one string. */
function printed(section: SectionModel): string {
  return section.blocks.map((block) => [block.heading ?? '', ...block.fields.flat()].join('|')).join('\n');
}

function sectionOf(sections: readonly SectionModel[], id: string): SectionModel {
  const found = sections.find((section) => section.id === id);
  if (!found) throw new Error(`no section ${id}`);
  return found;
}

const scope2026: ReportScope = {
  sections: ['LISTS', 'COURTS'],
  from: '2026-01-01',
  to: '2026-12-31',
  special: true,
};

describe('a 专项 report period', () => {
  const inForce = {
    code: '91500112MA60YD7K76',
    creditLists: [
      {
        list: 'BLACK',
        name: '失信被执行人名单',
        since: '2023-08-21',
        kind: { name: '严重失信主体名单' },
        records: [{ summary: 'debtor', decidedOn: '2023-08-21', publishedUntil: null, state: 'ACTIVE' }],
      },
      {
        list: 'WATCH',
        name: 'EXPIRED-LIST',
        since: '2022-01-01',
        kind: { name: '重点关注名单' },
        records: [{ summary: 'old', decidedOn: '2022-01-01', publishedUntil: '2022-12-31', state: 'EXPIRED' }],
      },
    ],
    marketRegulation: {
      abnormalOperations: [
        { reason: 'STILL-LISTED', listedOn: '2024-03-01', removedOn: null },
        { reason: 'REMOVED-BEFORE', listedOn: '2024-03-01', removedOn: '2025-12-31' },
        { reason: 'REMOVED-DURING', listedOn: '2024-03-01', removedOn: '2026-01-01' },
        { reason: 'LISTED-AFTER', listedOn: '2027-01-01', removedOn: null },
      ],
      seriousIllegalListings: [{ reason: 'UNDATED' }],
    },
    procurement: {
      seriousDishonestyRecords: [
        { circumstance: 'BAN-IN-FORCE', recordedOn: '2025-07-01', banEndsOn: '2028-06-30', active: true },
        { circumstance: 'BAN-ENDED', recordedOn: '2022-07-01', banEndsOn: '2025-06-30', active: false },
      ],
    },
    courts: {
      dishonestDebtorRecords: [
        { caseNumber: '(2023)渝0112执1号', filedOn: '2023-06-05', publishedOn: '2023-08-21', status: 'LISTED' },
        {
          caseNumber: '(2020)渝0112执9号',
          filedOn: '2020-01-01',
          publishedOn: '2020-02-01',
          status: 'REMOVED',
          removedOn: '2021-01-01',
        },
      ],
      consumptionRestrictions: [
        { caseNumber: '(2023)渝0112执2号', issuedOn: '2023-06-05', status: 'ACTIVE', liftedOn: null },
      ],
    },
    legalRepresentativeDebtorRecords: [
      { id: 'COURTS:REP-1', summary: '法定代表人为失信被执行人', decidedOn: '2024-05-01', state: 'ACTIVE' },
    ],
  };

  it('holds the list memberships, restrictions and records in force during the period, whenever they began', () => {
    const model = buildReport({ header, scope: scope2026, enterprise: inForce, errors: [], withheld: [] });
    const lists = sectionOf(model.sections, 'LISTS');
    const courts = sectionOf(model.sections, 'COURTS');
    const listed = printed(lists);
    for (const kept of ['失信被执行人名单', 'STILL-LISTED', 'REMOVED-DURING', 'UNDATED', 'BAN-IN-FORCE'])
      expect(listed).toContain(kept);
    for (const left of ['EXPIRED-LIST', 'REMOVED-BEFORE', 'LISTED-AFTER', 'BAN-ENDED'])
      expect(listed).not.toContain(left);
    expect(lists.notes).toEqual(['报告期间以外的 4 条记录未列入本节']);
    const judged = printed(courts);
    expect(judged).toContain('(2023)渝0112执1号');
    expect(judged).toContain('(2023)渝0112执2号');
    expect(judged).not.toContain('(2020)渝0112执9号');
    expect(courts.notes).toEqual(['报告期间以外的 1 条记录未列入本节']);
  });

  it("shows the legal representative's own debtor records on the court section (落实到人)", () => {
    const model = buildReport({ header, scope: scope2026, enterprise: inForce, errors: [], withheld: [] });
    const courts = sectionOf(model.sections, 'COURTS');
    expect(courts.blocks.map((block) => block.heading)).toContain('法定代表人失信被执行人记录（落实到人）COURTS:REP-1');
    const withheld = buildReport({
      header,
      scope: scope2026,
      enterprise: { ...inForce, legalRepresentativeDebtorRecords: undefined },
      errors: [],
      withheld: ['enterprise.legalRepresentativeDebtorRecords'],
    });
    expect(sectionOf(withheld.sections, 'COURTS').notes).toContain(
      '查询级别无权查看，不予显示：legalRepresentativeDebtorRecords',
    );
  });

  it('never says 无记录 for a section whose records the period left out', async () => {
    const scope: ReportScope = { ...scope2026, from: '2030-01-01', to: '2030-12-31' };
    const enterprise = {
      code: inForce.code,
      marketRegulation: { abnormalOperations: [{ reason: 'GONE', listedOn: '2024-03-01', removedOn: '2025-01-01' }] },
      courts: { dishonestDebtorRecords: [], consumptionRestrictions: [] },
    };
    const model = buildReport({ header, scope, enterprise, errors: [], withheld: [] });
    expect(model.sections.map((section) => [section.id, section.blocks.length, section.empty])).toEqual([
      ['LISTS', 0, NONE_IN_PERIOD],
      ['COURTS', 0, NO_RECORDS],
    ]);
    const html = await renderHtml(model);
    expect(html.match(new RegExp(NO_RECORDS, 'g'))).toHaveLength(1);
  });
});

/** Days as numbers from 2020-01-01, as the report's YYYY-MM-DD. */
const DAY0 = Date.UTC(2020, 0, 1);
const iso = (day: number) => new Date(DAY0 + day * 86_400_000).toISOString().slice(0, 10);

/** A record in force from `start` to `end`: undefined start is unknown, null end still in force. */
interface Interval {
  start: number | undefined;
  end: number | null;
}

type Kind = 'abnormal' | 'serious' | 'wage' | 'procurement' | 'membership' | 'debtor' | 'restriction';

/** The record of this kind with this interval, in the schema's own fields, carrying `id` where it prints. */
function recordOf(kind: Kind, id: string, { start, end }: Interval, spare: number): Record<string, unknown> {
  const begun = start === undefined ? undefined : iso(start);
  const ended = end === null ? null : iso(end);
  switch (kind) {
    case 'abnormal':
    case 'serious':
    case 'wage':
      return { reason: id, listedOn: begun, removedOn: ended };
    case 'procurement':
      // An active ban is in force whatever its end date says.
      return { circumstance: id, recordedOn: begun, banEndsOn: ended ?? iso(spare), active: ended === null };
    case 'membership':
      return {
        list: 'BLACK',
        name: id,
        since: begun,
        records: [
          { summary: 'r', decidedOn: begun, publishedUntil: ended, state: ended === null ? 'ACTIVE' : 'EXPIRED' },
        ],
      };
    case 'debtor':
      return {
        caseNumber: id,
        filedOn: begun,
        // Published after filing: the record began when it was filed.
        publishedOn: start === undefined ? undefined : iso(start + (spare % 40)),
        status: ended === null ? 'LISTED' : 'REMOVED',
        removedOn: ended,
      };
    case 'restriction':
      return { caseNumber: id, issuedOn: begun, status: ended === null ? 'ACTIVE' : 'LIFTED', liftedOn: ended };
  }
}

const PLACES: Record<Kind, [section: 'LISTS' | 'COURTS', path: string]> = {
  abnormal: ['LISTS', 'marketRegulation.abnormalOperations'],
  serious: ['LISTS', 'marketRegulation.seriousIllegalListings'],
  wage: ['LISTS', 'socialSecurity.wageArrearsListings'],
  procurement: ['LISTS', 'procurement.seriousDishonestyRecords'],
  membership: ['LISTS', 'creditLists'],
  debtor: ['COURTS', 'courts.dishonestDebtorRecords'],
  restriction: ['COURTS', 'courts.consumptionRestrictions'],
};

const interval: fc.Arbitrary<Interval> = fc
  .record({
    start: fc.option(fc.integer({ min: 0, max: 3000 }), { nil: undefined }),
    length: fc.option(fc.integer({ min: 0, max: 1500 }), { nil: null }),
  })
  .map(({ start, length }) => ({ start, end: length === null ? null : (start ?? 0) + length }));

const period = fc
  .tuple(
    fc.option(fc.integer({ min: 0, max: 4000 }), { nil: null }),
    fc.option(fc.integer({ min: 0, max: 800 }), { nil: null }),
  )
  .map(([from, length]) => ({ from, to: from === null ? length : length === null ? null : from + length }));

describe('the period filter (property)', () => {
  it('shows every record whose interval overlaps the period, and says no records only when none does', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            kind: fc.constantFrom(...(Object.keys(PLACES) as Kind[])),
            interval,
            spare: fc.integer({ min: 0, max: 3000 }),
          }),
          { maxLength: 12 },
        ),
        period,
        (records, { from, to }) => {
          const enterprise: Record<string, any> = {
            code: '91500112MA60YD7K76',
            marketRegulation: { abnormalOperations: [], seriousIllegalListings: [] },
            socialSecurity: { wageArrearsListings: [] },
            procurement: { seriousDishonestyRecords: [] },
            creditLists: [],
            courts: { dishonestDebtorRecords: [], consumptionRestrictions: [] },
          };
          const expected = {
            LISTS: { shown: [] as string[], left: [] as string[] },
            COURTS: { shown: [] as string[], left: [] as string[] },
          };
          records.forEach(({ kind, interval: { start, end }, spare }, index) => {
            const id = `REC-${kind}-${index}-END`;
            const [section, path] = PLACES[kind];
            const [head, tail] = path.includes('.') ? path.split('.') : [undefined, path];
            (head === undefined ? enterprise : enterprise[head])[tail!].push(recordOf(kind, id, { start, end }, spare));
            // Overlaps: began (or may have) by the period's end, and not ended before its start.
            const began = start === undefined || to === null || start <= to;
            const lasted = end === null || from === null || end >= from;
            expected[section][began && lasted ? 'shown' : 'left'].push(id);
          });
          const scope: ReportScope = {
            sections: ['LISTS', 'COURTS'],
            from: from === null ? null : iso(from),
            to: to === null ? null : iso(to),
            special: true,
          };
          const model = buildReport({ header, scope, enterprise, errors: [], withheld: [] });
          for (const id of ['LISTS', 'COURTS'] as const) {
            const section = sectionOf(model.sections, id);
            const text = printed(section);
            for (const shown of expected[id].shown) expect(text).toContain(shown);
            for (const left of expected[id].left) expect(text).not.toContain(left);
            expect(section.blocks.length === 0).toBe(expected[id].shown.length === 0);
            if (section.blocks.length === 0 && section.empty === NO_RECORDS) expect(expected[id].left).toEqual([]);
          }
        },
      ),
      { numRuns: 300 },
    );
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

  it('takes the list from REPORT_PURPOSES, refusing a value that is no purpose code', () => {
    const key = generateKeyPairSync('ed25519').privateKey;
    expect(readReportConfig(new EnvReader({}), key).purposes).toEqual(allowed);
    expect([...readReportConfig(new EnvReader({ REPORT_PURPOSES: 'LOAN_APPROVAL, AUDIT' }), key).purposes]).toEqual([
      'LOAN_APPROVAL',
      'AUDIT',
    ]);
    const reader = new EnvReader({ REPORT_PURPOSES: 'LOAN_APPROVAL,verified clean' });
    readReportConfig(reader, key);
    expect(() => reader.done()).toThrow(/REPORT_PURPOSES holds 'verified clean'/);
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
