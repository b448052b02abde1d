import fc from 'fast-check';
import { silentLogger } from '@credit-gateway/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommitmentState } from '../src/__generated__/types.js';
import { assess } from '../src/rules/assess.js';
import { brokenCommitmentRecords, parseCommitmentPolicy, type CommitmentModel } from '../src/rules/commitments.js';
import { CreditDataError, EVALUATION_GRADES, readDataFile } from '../src/rules/data.js';
import { evaluate } from '../src/rules/evaluation.js';
import { greenChannel } from '../src/rules/green-channel.js';
import { parseListKinds } from '../src/rules/list-kinds.js';
import { applicableMeasures } from '../src/rules/measures.js';
import { loadCreditPolicy } from '../src/rules/policy.js';
import { publicationTimeliness, withPublicationTimeliness } from '../src/rules/publication.js';
import { NO_OVERLAYS } from '../src/rules/records.js';
import { parseSupervisionPolicy, supervisionFor } from '../src/rules/supervision.js';
import { openCreditStore, type CommitmentBook } from '../src/store/index.js';
import type { Caller } from '../src/store/caller.js';
import { tempDir } from './store-support.js';
import { cleanSme, market } from './support/enterprises.js';
import type { CreditStore } from '../src/models.js';

const policy = loadCreditPolicy();
const TODAY = '2026-11-02';
const SME = '91500155MA5UQ01CXD';

function problemsOf(parse: () => unknown): string[] {
  try {
    parse();
  } catch (error) {
    if (error instanceof CreditDataError) return [...error.problems];
    throw error;
  }
  return [];
}

function brokenOn(resolvedOn: string, id = 'COM-1'): CommitmentModel {
  return {
    id,
    code: SME,
    kind: policy.commitments.kinds[0]!,
    matter: '食品经营许可',
    content: '承诺',
    department: 'MARKET',
    madeOn: resolvedOn,
    dueOn: resolvedOn,
    state: 'BROKEN',
    resolvedOn,
    recordId: `MARKET:${id}`,
    history: [{ state: 'BROKEN', at: `${resolvedOn}T02:00:00.000Z`, by: 'market-office', note: '未履行' }],
  };
}

describe('broken commitments (信用承诺失信)', () => {
  it('become a general record published for their own period, and put an exemplary subject on the watch list', () => {
    const [record] = brokenCommitmentRecords([brokenOn('2026-10-15')], policy.publicity, TODAY);
    expect(record).toMatchObject({
      id: 'MARKET:COM-1',
      kind: 'BROKEN_COMMITMENT',
      severity: 'GENERAL',
      decidedOn: '2026-10-15',
      publishedUntil: '2027-10-15',
      state: 'ACTIVE',
      provenance: { source: 'MARKET', recordId: 'COM-1' },
    });
    const assessment = assess(cleanSme(), policy, { ...NO_OVERLAYS, commitments: [brokenOn('2026-10-15')] }, TODAY);
    expect(assessment.memberships.map((m) => [m.list, m.name])).toEqual([
      ['RED', '纳税信用A级纳税人名单'],
      ['RED', '守合同重信用企业'],
      ['WATCH', '信用承诺失信名单'],
    ]);
    const measures = applicableMeasures(policy.catalog, assessment.memberships, 'ADMINISTRATIVE_LICENSING');
    expect(measures.map((m) => m.measure.id)).toEqual([
      'NO-COMMITMENT-APPROVAL',
      'GREEN-CHANNEL',
      'WATCH-INTERVIEW',
      'WATCH-KEY-SUPERVISION',
    ]);
  });

  it('close the green channel for the years the data says, even for an exemplary subject, then no more', () => {
    const decide = (resolvedOn: string) => {
      const commitments = [brokenOn(resolvedOn)];
      const assessment = assess(cleanSme(), policy, { ...NO_OVERLAYS, commitments }, TODAY);
      return greenChannel(policy.catalog, {
        ...assessment,
        registration: cleanSme().marketRegulation!.registration,
        today: TODAY,
        missingSources: [],
        commitments: { all: commitments, closesForYears: policy.commitments.closesGreenChannelForYears },
      });
    };
    expect(decide('2024-01-10')).toEqual({
      eligible: false,
      reason: 'Closed: credit commitment broken within the last 3 years (since 2023-11-02): COM-1',
    });
    expect(decide('2023-06-01').eligible).toBe(true);
  });

  it('lower the performance history of the evaluation while published', () => {
    const points = (commitments: CommitmentModel[]) => {
      const { records } = assess(cleanSme(), policy, { ...NO_OVERLAYS, commitments }, TODAY);
      const evaluation = evaluate(policy.evaluation, {
        registration: cleanSme().marketRegulation!.registration,
        spotChecks: cleanSme().marketRegulation!.spotChecks,
        records,
        today: TODAY,
        missingSources: [],
      });
      return evaluation.groups.find((g) => g.group === 'PERFORMANCE_HISTORY')!.points;
    };
    expect(points([brokenOn('2026-10-15')])).toBe(points([]) - 20);
  });

  it('leave kept and open commitments off the record', () => {
    for (const state of ['MADE', 'KEPT'] as const) {
      const commitment = { ...brokenOn('2026-10-15'), state };
      expect(brokenCommitmentRecords([commitment], policy.publicity, TODAY)).toEqual([]);
    }
  });
});

describe('the commitment book', () => {
  let store: CreditStore;
  let remove: () => Promise<void>;
  const market: Caller = { tier: 'GOVERNMENT', client: 'market-office', consents: {}, department: 'MARKET' };
  const tax: Caller = { tier: 'GOVERNMENT', client: 'tax-office', consents: {}, department: 'TAX' };

  beforeAll(async () => {
    const temp = await tempDir();
    remove = temp.remove;
    store = await openCreditStore({ dir: temp.dir }, silentLogger());
  });
  afterAll(async () => {
    await store?.close();
    await remove?.();
  });

  it('ends any history of resolutions in at most one state, the first accepted, with the history to show it', async () => {
    const book: CommitmentBook = store.commitments;
    const step = fc.record({
      by: fc.constantFrom(market, tax),
      state: fc.constantFrom<CommitmentState>('KEPT', 'BROKEN', 'MADE'),
      note: fc.option(fc.constantFrom('已补齐', '未补齐'), { nil: null }),
      key: fc.constantFrom('a', 'b', 'c'),
    });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 8 }), async (steps) => {
        run += 1;
        const made = await book.make(
          market,
          { code: SME, kind: 'NOTIFICATION_APPROVAL', matter: '事项', content: '承诺', idempotencyKey: `prop-${run}` },
          new Date('2026-11-02T02:00:00.000Z'),
        );
        let first: CommitmentState | null = null;
        for (const s of steps) {
          try {
            const after = await book.resolve(
              s.by,
              { id: made.id, state: s.state, note: s.note, idempotencyKey: `${run}-${s.key}` },
              new Date('2026-11-03T02:00:00.000Z'),
            );
            first ??= after.state;
          } catch {
            // Refused: another department, a second resolution, a bad step. The state must not move.
          }
        }
        const final = book.get(made.id)!;
        expect(final.state).toBe(first ?? 'MADE');
        expect(final.history.map((h) => h.state)).toEqual(first === null ? ['MADE'] : ['MADE', first]);
        expect(final.recordId).toBe(final.state === 'BROKEN' ? `MARKET:${made.id}` : null);
      }),
      { numRuns: 40 },
    );
  });
});

describe('the watch list (重点关注)', () => {
  it('takes general and serious penalties still published, never minor ones', () => {
    const withPenalty = (content: string) => {
      const sme = cleanSme();
      const penalty = {
        decisionNumber: 'P-1',
        violationType: '广告违法',
        content,
        decidedOn: '2026-09-01',
        publishedOn: '2026-09-03',
        provenance: market('P-1'),
      };
      const inputs = { ...sme, marketRegulation: { ...sme.marketRegulation!, penalties: [penalty] } };
      return assess(inputs, policy, NO_OVERLAYS, TODAY).memberships.filter((m) => m.list === 'WATCH');
    };
    expect(withPenalty('罚款50000元').map((m) => [m.name, m.kind.id, m.records.map((r) => r.severity)])).toEqual([
      ['一般失信行政处罚对象', 'WATCH', ['GENERAL']],
    ]);
    expect(withPenalty('警告')).toEqual([]);
  });
});

describe('graded supervision (分级分类监管)', () => {
  const supervision = policy.supervision;
  const complete = { complete: true, missingSources: [], readSources: [], asOf: null };
  const incomplete = { complete: false, missingSources: ['TAX' as const], readSources: [], asOf: null };

  it('follows the grade, and takes the strictest grade while the evaluation is incomplete', () => {
    expect(supervisionFor(supervision, 'A', complete)).toMatchObject({ grade: 'A', randomCheckShare: 0.02 });
    expect(supervisionFor(supervision, 'A', incomplete)).toMatchObject({
      grade: 'E',
      evaluatedGrade: 'A',
      randomCheckShare: 1,
      inspectionsPerYear: 4,
    });
  });

  it('is never laxer with inputs missing than with them read, whatever the grades', () => {
    fc.assert(
      fc.property(fc.constantFrom(...EVALUATION_GRADES), fc.constantFrom(...EVALUATION_GRADES), (known, missing) => {
        const read = supervisionFor(supervision, known, complete);
        const unread = supervisionFor(supervision, missing, incomplete);
        expect(unread.randomCheckShare).toBeGreaterThanOrEqual(read.randomCheckShare);
        expect(unread.inspectionsPerYear).toBeGreaterThanOrEqual(read.inspectionsPerYear);
      }),
    );
  });

  it('refuses a file that supervises a worse grade less, or misses a grade', () => {
    const data = readDataFile(new URL('../data/supervision.json', import.meta.url).pathname) as any;
    data.grades.D.randomCheckShare = 0.01;
    delete data.grades.B;
    expect(problemsOf(() => parseSupervisionPolicy(data))).toEqual([
      "$.grades: 'B' is missing",
      '$.grades.D: must be supervised at least as much as C (share and inspections per year)',
    ]);
  });
});

describe('list kinds and commitment kinds as data', () => {
  it('refuses list kinds without one the public schema names, or with a red kind that punishes', () => {
    const data = readDataFile(new URL('../data/list-kinds.json', import.meta.url).pathname) as any;
    data.kinds = data.kinds.filter((k: any) => k.id !== 'WATCH');
    data.kinds[0].incentive = false;
    data.kinds.push({ id: 'yellow', name: '黄名单', class: 'WATCH', rank: 1, incentive: false, basis: '某规划' });
    expect(problemsOf(() => parseListKinds(data))).toEqual([
      '$.kinds[0].incentive: a RED kind must be an incentive',
      '$.kinds[2].id: must be written A-Z, 0-9 and _ (at most 40)',
      "$.kinds: 'WATCH' is missing: the public schema's CreditListKind names it",
    ]);
  });

  it('adds a list kind by data alone', () => {
    const data = readDataFile(new URL('../data/list-kinds.json', import.meta.url).pathname) as any;
    data.kinds.push({
      id: 'SEVERE_WATCH',
      name: '严重警示名单',
      class: 'WATCH',
      rank: 2,
      incentive: false,
      basis: '某规划',
    });
    expect(parseListKinds(data).get('SEVERE_WATCH')).toMatchObject({ class: 'WATCH', rank: 2 });
  });

  it('refuses commitment kinds without a due date in working days', () => {
    const data = readDataFile(new URL('../data/commitments.json', import.meta.url).pathname) as any;
    data.kinds[1].dueWorkingDays = 0;
    data.kinds.push({ ...data.kinds[0] });
    expect(problemsOf(() => parseCommitmentPolicy(data))).toEqual([
      '$.kinds[1].dueWorkingDays: must be a number from 1 to 250',
      "$.kinds[3].id: 'NOTIFICATION_APPROVAL' is defined twice",
    ]);
  });
});

describe('publication timeliness (公示及时性)', () => {
  const penalty = (id: string, decidedOn: string, publishedOn: string | null) => ({
    id,
    kind: 'ADMINISTRATIVE_PENALTY' as const,
    severity: 'MINOR' as const,
    summary: 'x',
    decidedOn,
    publishedOn,
    publishedUntil: null,
    state: 'EXPIRED' as const,
    objectionId: null,
    repairedOn: null,
    provenance: { source: 'MARKET' as const, system: 'GSXT', recordId: id, asOf: '2026-01-01T00:00:00Z' },
  });

  it('counts working days from the decision, across holidays, and says nothing without a publication date', () => {
    const judged = (decidedOn: string, publishedOn: string | null) =>
      withPublicationTimeliness(penalty('MARKET:P', decidedOn, publishedOn), policy.publication, policy.calendar);
    // Decided Monday 2025-09-29: National Day (10-01 to 10-08, Saturday 10-11 worked) pushes seven working days to 10-15.
    expect(judged('2025-09-29', '2025-10-15')).toMatchObject({ publicationDueOn: '2025-10-15', publishedInTime: true });
    expect(judged('2025-09-29', '2025-10-16')).toMatchObject({ publishedInTime: false });
    expect(judged('2025-09-29', null)).toMatchObject({ publicationDueOn: '2025-10-15', publishedInTime: null });
  });

  it('counts the late ones per department, each record once', () => {
    const late = withPublicationTimeliness(
      penalty('MARKET:L', '2025-03-03', '2025-03-20'),
      policy.publication,
      policy.calendar,
    );
    const inTime = withPublicationTimeliness(
      penalty('MARKET:T', '2025-03-03', '2025-03-04'),
      policy.publication,
      policy.calendar,
    );
    expect(publicationTimeliness([late, inTime, late])).toEqual([
      { department: 'MARKET', decisions: 2, late: 1, lateRecords: [late] },
    ]);
  });
});
