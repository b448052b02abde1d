import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IMPLEMENTING_DEPARTMENTS, silentLogger } from '@credit-gateway/common';
import { caseIdOf, pushedDepartments, tasksOf, type CaseMeasure, type CaseState } from '../src/loop/cases.js';
import { parseLoopPolicy } from '../src/loop/policy.js';
import { caseMeasuresFor } from '../src/loop/service.js';
import { departmentRates, matterRates, rate } from '../src/loop/statistics.js';
import type { CreditStore } from '../src/models.js';
import { loadCreditPolicy } from '../src/rules/policy.js';
import { loadDepartmentRegistry, parseDepartmentRegistry } from '../src/rules/departments.js';
import { parseMeasuresCatalog } from '../src/rules/catalog.js';
import { CreditDataError } from '../src/rules/data.js';
import { DEFAULT_MEASURES_FILE } from '../src/rules/catalog.js';
import { openCreditStore } from '../src/store/index.js';
import { readFileSync } from 'node:fs';
import { tempDir } from './store-support.js';

const policy = loadCreditPolicy();
const TAX_LIST = '重大税收违法失信主体名单';
const CODE = '91441900MA4UW2DQ7T';
/** Monday 7 December 2026, 10:00 in China. */
const OPENED = new Date('2026-12-07T02:00:00.000Z');

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof CreditDataError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('the departments registry', () => {
  it('names every implementing department of every measure, and each on the closed list tokens carry', () => {
    const registry = loadDepartmentRegistry();
    for (const measure of policy.catalog.all()) {
      expect(measure.implementingDepartments.length).toBeGreaterThan(0);
      for (const id of measure.implementingDepartments) expect(registry.has(id), `${measure.id}: ${id}`).toBe(true);
    }
    for (const id of IMPLEMENTING_DEPARTMENTS) expect(registry.get(id)?.role).toBe('IMPLEMENTING');
    expect(registry.get('TAX')).toEqual({ id: 'TAX', name: '税务机关', role: 'SOURCE' });
  });

  it('refuses ids that are malformed, unknown to tokens, duplicated, or a source that owns nothing', () => {
    const problems = problemsOf(() =>
      parseDepartmentRegistry({
        version: 'x',
        departments: [
          { id: 'caac', name: '民航', role: 'IMPLEMENTING' },
          { id: 'FINANCE', name: '财政', role: 'IMPLEMENTING' },
          { id: 'CAAC', name: '民航', role: 'IMPLEMENTING' },
          { id: 'CAAC', name: '民航', role: 'IMPLEMENTING' },
          { id: 'NDRC', name: '发改', role: 'SOURCE' },
        ],
      }),
    );
    expect(problems).toEqual([
      "$.departments[0].id: 'caac' must be upper-case letters, digits and underscores",
      "$.departments[1].id: 'FINANCE' is not on the closed list of departments a token may name",
      "$.departments[3].id: 'CAAC' is defined twice",
      "$.departments[4].role: 'NDRC' owns no records",
    ]);
  });

  it('makes the catalog refuse an implementing department the registry lacks', () => {
    const data = JSON.parse(readFileSync(DEFAULT_MEASURES_FILE, 'utf8'));
    data.measures[0].implementingDepartments = ['CAAC', 'MOON_AGENCY', 'not an id'];
    const problems = problemsOf(() =>
      parseMeasuresCatalog(data, 'm.json', undefined, { has: (id) => id !== 'MOON_AGENCY' }),
    );
    expect(problems).toEqual([
      "$.measures[0].implementingDepartments[1]: 'MOON_AGENCY' is not in the departments registry",
      "$.measures[0].implementingDepartments[2]: 'not an id' is not a department id",
    ]);
  });
});

describe('the loop policy', () => {
  it('holds the working-day deadlines with their seed', () => {
    expect(policy.loop).toMatchObject({ responseWorkingDays: 3, feedbackWorkingDays: 10, openOnLists: ['BLACK'] });
    expect(policy.loop.seed).toContain('重庆 专栏9');
  });

  it('refuses deadlines out of range or a feedback deadline before the response one', () => {
    expect(
      problemsOf(() =>
        parseLoopPolicy({ seed: 's', responseWorkingDays: 5, feedbackWorkingDays: 2, openOnLists: ['GREY'] }),
      ),
    ).toEqual([
      '$.feedbackWorkingDays: must not be shorter than responseWorkingDays',
      '$.openOnLists[0]: must be one of RED, WATCH, BLACK, got "GREY"',
    ]);
  });
});

describe('the new measures', () => {
  it('restricts exit for debtors and their representatives, and project approval, franchise and land', () => {
    const exit = policy.catalog.get('EXIT-BAN')!;
    expect(exit).toMatchObject({
      contexts: ['EXIT_ENTRY'],
      reachesRepresentative: true,
      targetLists: ['失信被执行人名单'],
    });
    expect(exit.legalBasis).toContain('出境入境管理法');
    expect(policy.catalog.forList({ context: 'PROJECT_APPROVAL' }).map((m) => m.id)).toEqual([
      'PROJECT-APPROVAL-LIMIT',
    ]);
    expect(policy.catalog.forList({ context: 'FRANCHISE' }).map((m) => m.id)).toEqual(['FRANCHISE-BAN']);
    expect(policy.catalog.forList({ context: 'LAND' }).map((m) => m.id)).toEqual(['LAND-SUPPLY-LIMIT']);
    for (const id of ['PROJECT-APPROVAL-LIMIT', 'FRANCHISE-BAN', 'LAND-SUPPLY-LIMIT']) {
      expect(policy.catalog.get(id)!.legalBasis).toMatch(/《.+》/);
    }
    // Only the exit restriction binds the person.
    expect(
      policy.catalog
        .all()
        .filter((m) => m.reachesRepresentative)
        .map((m) => m.id),
    ).toEqual(['EXIT-BAN']);
  });

  it('gives a tax blacklisting case the list’s measures, each with its implementers', () => {
    const measures = caseMeasuresFor(policy.catalog, TAX_LIST);
    expect(measures.map((m) => m.measureId)).toEqual(
      expect.arrayContaining(['PROCUREMENT-BAN', 'TAX-STRICT-MANAGEMENT', 'PROJECT-APPROVAL-LIMIT', 'FRANCHISE-BAN']),
    );
    expect(measures.find((m) => m.measureId === 'TAX-STRICT-MANAGEMENT')!.implementingDepartments).toEqual(['TAX']);
    expect(
      caseMeasuresFor(policy.catalog, '纳税信用A级纳税人名单').every((m) => m.measureId !== 'PROCUREMENT-BAN'),
    ).toBe(true);
  });
});

const measureArb: fc.Arbitrary<CaseMeasure> = fc.record({
  measureId: fc.constantFrom(...policy.catalog.all().map((m) => m.id)),
  implementingDepartments: fc.uniqueArray(fc.constantFrom(...IMPLEMENTING_DEPARTMENTS), { minLength: 1, maxLength: 4 }),
});

const caseArb: fc.Arbitrary<CaseState> = fc
  .record({
    measures: fc.uniqueArray(measureArb, { minLength: 1, maxLength: 6, selector: (m) => m.measureId }),
    pushed: fc.boolean(),
    acknowledgedShare: fc.double({ min: 0, max: 1, noNaN: true }),
    reportedShare: fc.double({ min: 0, max: 1, noNaN: true }),
    late: fc.boolean(),
    notApplicable: fc.boolean(),
  })
  .map(({ measures, pushed, acknowledgedShare, reportedShare, late, notApplicable }) => {
    const caseId = caseIdOf(CODE, TAX_LIST, ['TAX:1']);
    const state: CaseState = {
      opened: {
        type: 'CASE_OPENED',
        caseId,
        code: CODE,
        list: 'BLACK',
        listName: TAX_LIST,
        recordIds: ['TAX:1'],
        initiatedBy: 'TAX',
        openedAt: OPENED.toISOString(),
        openedOn: '2026-12-07',
        responseDue: '2026-12-10',
        feedbackDue: '2026-12-21',
        measures,
      },
      initiatedBy: 'TAX',
      pushedAt: pushed ? OPENED.toISOString() : null,
      acknowledged: new Map(),
      reports: new Map(),
      withdrawn: null,
    };
    const departments = pushedDepartments(measures);
    departments
      .slice(0, Math.round(departments.length * acknowledgedShare))
      .forEach((d) => state.acknowledged.set(d, OPENED.toISOString()));
    const tasks = measures.flatMap((m) => m.implementingDepartments.map((d) => [m.measureId, d] as const));
    tasks.slice(0, Math.round(tasks.length * reportedShare)).forEach(([measureId, department]) =>
      state.reports.set(`${measureId}\n${department}`, {
        type: 'EXECUTION_REPORTED',
        caseId,
        measureId,
        department,
        outcome: notApplicable ? 'NOT_APPLICABLE' : 'APPLIED',
        reason: notApplicable ? '不适用' : null,
        action: null,
        actedOn: '2026-12-08',
        at: late ? '2026-12-30T02:00:00.000Z' : '2026-12-08T02:00:00.000Z',
        idempotencyKey: `${measureId}/${department}`,
      }),
    );
    return state;
  });

describe('the analysts’ rates (property)', () => {
  it('are always in [0, 1], and never count more acknowledged or reported than was due', () => {
    fc.assert(
      fc.property(fc.array(caseArb, { maxLength: 8 }), fc.constantFrom('2026-12-08', '2026-12-31'), (cases, today) => {
        for (const row of departmentRates(cases, today)) {
          for (const r of [row.responseRate, row.feedbackRate, row.enforcementRate]) {
            if (r !== null) expect(r >= 0 && r <= 1).toBe(true);
          }
          expect(row.acknowledged).toBeLessThanOrEqual(row.pushed);
          expect(row.enforced).toBeLessThanOrEqual(row.reported);
          expect(row.reported).toBeLessThanOrEqual(row.required);
        }
      }),
    );
  });

  it('push every case to its implementers and no one else, once each', () => {
    fc.assert(
      fc.property(fc.array(measureArb, { minLength: 1, maxLength: 6 }), (measures) => {
        const pushed = pushedDepartments(measures);
        expect(new Set(pushed).size).toBe(pushed.length);
        for (const department of pushed) {
          expect(measures.some((m) => m.implementingDepartments.includes(department))).toBe(true);
        }
        for (const m of measures) for (const d of m.implementingDepartments) expect(pushed).toContain(d);
      }),
    );
  });

  it('show tasks OVERDUE only after their due day, and never a reported one', () => {
    fc.assert(
      fc.property(caseArb, fc.constantFrom('2026-12-21', '2026-12-22'), (state, today) => {
        for (const task of tasksOf(state, today)) {
          if (task.report) expect(task.status).toBe(task.report.outcome);
          else expect(task.status).toBe(today > '2026-12-21' ? 'OVERDUE' : 'PENDING');
        }
      }),
    );
  });

  it('give per-matter rates in [0, 1] whatever the checks and reports', () => {
    const measureIds = policy.catalog.all().map((m) => m.id);
    const receiptArb = fc.record({
      matter: fc.constantFrom('项目核准', '土地供应'),
      inForce: fc.uniqueArray(fc.constantFrom(...measureIds), { maxLength: 4 }),
      applied: fc.uniqueArray(fc.constantFrom(...measureIds), { maxLength: 4 }),
      reported: fc.boolean(),
      reason: fc.option(fc.constant('理由'), { nil: null }),
      complete: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(receiptArb, { maxLength: 10 }), fc.nat({ max: 5 }), (receipts, unchecked) => {
        const states = receipts.map((r, i) => ({
          issued: {
            type: 'CHECK_RECORDED' as const,
            receiptId: `R${i}`,
            code: CODE,
            matter: r.matter,
            context: 'PROJECT_APPROVAL' as const,
            applicationId: null,
            checkedBy: 'NDRC',
            client: 'approval',
            checkedAt: OPENED.toISOString(),
            complete: r.complete,
            missingSources: [],
            measuresInForce: r.inForce,
          },
          application: r.reported
            ? {
                type: 'APPLICATION_REPORTED' as const,
                receiptId: `R${i}`,
                applied: r.applied.filter((id) => r.inForce.includes(id)),
                reason: r.reason,
                by: 'approval',
                at: OPENED.toISOString(),
              }
            : null,
        }));
        const uncheckedReports = Array.from({ length: unchecked }, (_, i) => ({
          type: 'UNCHECKED_APPLICATION_REPORTED' as const,
          id: `U${i}`,
          code: CODE,
          matter: '项目核准',
          context: 'PROJECT_APPROVAL' as const,
          applicationId: `A${i}`,
          reason: '人工受理',
          reportedBy: 'NDRC',
          client: 'approval',
          at: OPENED.toISOString(),
        }));
        for (const row of matterRates(states, uncheckedReports)) {
          for (const r of [row.checkRate, row.reportRate, row.enforcementRate]) {
            if (r !== null) expect(r >= 0 && r <= 1).toBe(true);
          }
          expect(row.measuresEnforced).toBeLessThanOrEqual(row.measuresInForce);
          expect(row.incompleteChecks).toBeLessThanOrEqual(row.checks);
        }
      }),
    );
  });

  it('rate nothing when nothing was due', () => {
    expect(rate(0, 0)).toBeNull();
    expect(rate(3, 2)).toBe(1);
    expect(matterRates([])).toEqual([]);
  });
});

describe('cases in the store', () => {
  let remove: () => Promise<void>;
  let dir: string;
  let store: CreditStore;

  beforeEach(async () => {
    ({ dir, remove } = await tempDir());
    store = await openCreditStore({ dir }, silentLogger());
  });
  afterEach(async () => {
    await store.close();
    await remove();
  });

  const open = (initiatedBy = 'PLATFORM') =>
    store.cases.open({
      code: CODE,
      list: 'BLACK',
      listName: TAX_LIST,
      recordIds: ['TAX:2', 'TAX:1'],
      initiatedBy,
      measures: caseMeasuresFor(policy.catalog, TAX_LIST),
      now: OPENED,
      responseWorkingDays: 3,
      feedbackWorkingDays: 10,
    });

  it('opens a case once per subject, list and records, with working-day deadlines, across a restart', async () => {
    const first = await open();
    const second = await open('TAX');
    expect(second.opened.caseId).toBe(first.opened.caseId);
    expect(first.opened).toMatchObject({
      recordIds: ['TAX:1', 'TAX:2'],
      responseDue: '2026-12-10',
      feedbackDue: '2026-12-21',
    });
    await store.cases.initiate(first.opened.caseId, 'TAX', OPENED);
    await store.cases.acknowledge(first.opened.caseId, 'MOF', OPENED);
    await store.cases.report(
      {
        caseId: first.opened.caseId,
        measureId: 'PROCUREMENT-BAN',
        department: 'MOF',
        outcome: 'APPLIED',
        reason: null,
        action: null,
        actedOn: '2026-12-07',
        idempotencyKey: 'k1',
      },
      OPENED,
    );
    await store.close();
    store = await openCreditStore({ dir }, silentLogger());
    const again = store.cases.get(first.opened.caseId)!;
    expect(again.initiatedBy).toBe('TAX');
    expect(again.acknowledged.has('MOF')).toBe(true);
    expect(store.cases.reportOf(first.opened.caseId, 'PROCUREMENT-BAN', 'MOF')?.outcome).toBe('APPLIED');
  });

  it('refuses a second, different report on the same measure, and a key reused for another', async () => {
    const state = await open();
    const base = {
      caseId: state.opened.caseId,
      measureId: 'PROCUREMENT-BAN',
      department: 'MOF',
      outcome: 'APPLIED' as const,
      reason: null,
      action: null,
      actedOn: '2026-12-07',
      idempotencyKey: 'k1',
    };
    await store.cases.report(base, OPENED);
    await expect(store.cases.report(base, OPENED)).resolves.toBeDefined();
    await expect(
      store.cases.report({ ...base, outcome: 'NOT_APPLICABLE', reason: 'x', idempotencyKey: 'k2' }, OPENED),
    ).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    await expect(
      store.cases.report({ ...base, measureId: 'FISCAL-FUNDS-LIMIT', idempotencyKey: 'k1' }, OPENED),
    ).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    await expect(store.cases.report({ ...base, department: 'CAAC' }, OPENED)).rejects.toMatchObject({
      extensions: { code: 'NOT_IMPLEMENTING_DEPARTMENT' },
    });
    await expect(store.cases.report({ ...base, measureId: 'RESTRICT-1' }, OPENED)).rejects.toMatchObject({
      extensions: { code: 'MEASURE_NOT_ON_CASE' },
    });
  });

  it('builds one message per implementing department, naming only its measures', async () => {
    const state = await open();
    const messages = store.cases.messagesOf(state);
    expect(messages.map((m) => m.department)).toEqual(pushedDepartments(state.opened.measures));
    const tax = messages.find((m) => m.department === 'TAX')!;
    expect(tax.payload['measures']).toEqual(['TAX-STRICT-MANAGEMENT']);
  });
});
