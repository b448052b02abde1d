import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DecisionContext, SourceSystem } from '../src/__generated__/resolvers-types.js';
import type { EnterpriseInputs } from '../src/models.js';
import { assess } from '../src/rules/assess.js';
import { DECISION_CONTEXTS } from '../src/rules/data.js';
import { evaluate } from '../src/rules/evaluation.js';
import { greenChannel } from '../src/rules/green-channel.js';
import { enterpriseInputs, restrictInputs, SOURCE_SYSTEMS } from '../src/rules/inputs.js';
import { applicableMeasures, measureSources } from '../src/rules/measures.js';
import { loadCreditPolicy } from '../src/rules/policy.js';
import { NO_OVERLAYS } from '../src/rules/records.js';
import {
  abnormalRemoved,
  cleanSme,
  farmerCoop,
  majorTaxViolator,
  partialDebtor,
  procurementBanEnded,
  repIsDebtor,
  seriousIllegal,
  wageArrears,
} from './support/enterprises.js';

const policy = loadCreditPolicy();
const GRADES = ['A', 'B', 'C', 'D', 'E'] as const;
const FIXTURES = [
  cleanSme,
  partialDebtor,
  procurementBanEnded,
  abnormalRemoved,
  wageArrears,
  repIsDebtor,
  majorTaxViolator,
  seriousIllegal,
  farmerCoop,
].map((make) => make());

const SECTION = {
  MARKET: 'marketRegulation',
  TAX: 'tax',
  COURTS: 'courts',
  SOCIAL_SECURITY: 'socialSecurity',
  PROCUREMENT: 'procurement',
} as const satisfies Record<SourceSystem, keyof EnterpriseInputs>;

/** Any subject: each department's section taken from any demo subject, so records of every kind mix. */
const subject = fc
  .record({
    code: fc.constantFrom(...FIXTURES.map((f) => f.code)),
    MARKET: fc.constantFrom(...FIXTURES),
    TAX: fc.constantFrom(...FIXTURES),
    COURTS: fc.constantFrom(...FIXTURES),
    SOCIAL_SECURITY: fc.constantFrom(...FIXTURES),
    PROCUREMENT: fc.constantFrom(...FIXTURES),
  })
  .map((pick): EnterpriseInputs => {
    const inputs: EnterpriseInputs = { code: pick.code };
    for (const source of SOURCE_SYSTEMS) Object.assign(inputs, { [SECTION[source]]: pick[source][SECTION[source]] });
    return inputs;
  });

/** Any subset of departments not read, each either null (its field failed) or absent (its fetch failed). */
const missing = fc
  .subarray([...SOURCE_SYSTEMS])
  .chain((sources) =>
    fc.tuple(fc.constant(sources), fc.array(fc.boolean(), { minLength: sources.length, maxLength: sources.length })),
  );

const today = fc
  .date({ min: new Date('2024-01-01T00:00:00Z'), max: new Date('2029-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

function without(inputs: EnterpriseInputs, sources: readonly SourceSystem[], asNull: readonly boolean[]) {
  const partial: EnterpriseInputs = { ...inputs };
  sources.forEach((source, index) => {
    if (asNull[index]) Object.assign(partial, { [SECTION[source]]: null });
    else delete partial[SECTION[source]];
  });
  return partial;
}

function decide(inputs: EnterpriseInputs, on: string) {
  const assessment = assess(inputs, policy, NO_OVERLAYS, on);
  const { missingSources } = assessment.inputs;
  return {
    inputs: assessment.inputs,
    black: assessment.memberships.filter((m) => m.list === 'BLACK').map((m) => m.name),
    channel: greenChannel(policy.catalog, {
      records: assessment.records,
      memberships: assessment.memberships,
      registration: inputs.marketRegulation?.registration ?? null,
      today: on,
      missingSources,
    }),
    evaluation: evaluate(policy.evaluation, {
      registration: inputs.marketRegulation?.registration ?? null,
      spotChecks: inputs.marketRegulation?.spotChecks ?? [],
      records: assessment.records,
      today: on,
      missingSources,
    }),
    measures: (context: DecisionContext) =>
      applicableMeasures(policy.catalog, assessment.memberships, context, missingSources),
  };
}

describe('a decision on missing departments', () => {
  it('is never more favourable than the complete one, and says it is incomplete', () => {
    fc.assert(
      fc.property(subject, missing, today, (inputs, [sources, asNull], on) => {
        const complete = decide(inputs, on);
        const partial = decide(without(inputs, sources, asNull), on);
        expect(complete.inputs.complete).toBe(true);
        expect(partial.inputs).toMatchObject({ complete: sources.length === 0 });
        expect([...partial.inputs.missingSources].sort()).toEqual([...sources].sort());

        // The green channel never opens on missing data.
        if (sources.length > 0) expect(partial.channel.eligible).toBe(false);
        if (!complete.channel.eligible) expect(partial.channel.eligible).toBe(false);

        // The grade and score are never better than the evidence.
        expect(GRADES.indexOf(partial.evaluation.grade)).toBeGreaterThanOrEqual(
          GRADES.indexOf(complete.evaluation.grade),
        );
        expect(partial.evaluation.score).toBeLessThanOrEqual(complete.evaluation.score);
        for (const group of partial.evaluation.groups)
          expect(group.factors.reduce((sum, f) => sum + f.points, 0)).toBeCloseTo(group.points, 6);

        // Lists: only blacklistings the complete decision also has.
        for (const name of partial.black) expect(complete.black).toContain(name);

        for (const context of DECISION_CONTEXTS) {
          const all = complete.measures(context);
          const some = partial.measures(context);
          const ids = (list: typeof all, kind: 'RED' | 'BLACK') =>
            list.filter((m) => m.measure.list === kind).map((m) => m.measure.id);
          // No incentive the complete decision would not give.
          for (const id of ids(some, 'RED')) expect(ids(all, 'RED')).toContain(id);
          for (const id of ids(some, 'BLACK')) expect(ids(all, 'BLACK')).toContain(id);
          // Fewer punishments than the complete decision only while it says it is incomplete.
          if (ids(some, 'BLACK').length < ids(all, 'BLACK').length)
            expect(restrictInputs(partial.inputs, measureSources(policy.catalog, context)).complete).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('is the same decision as before when every department was read', () => {
    fc.assert(
      fc.property(subject, today, (inputs, on) => {
        const decision = decide(inputs, on);
        expect(enterpriseInputs(inputs)).toMatchObject({ complete: true, missingSources: [] });
        expect(decision.evaluation.groups.flatMap((g) => g.factors).some((f) => f.name.includes('worst case'))).toBe(
          false,
        );
      }),
      { numRuns: 50 },
    );
  });

  it('takes the groups a missing department feeds to their worst, and says so in the factors', () => {
    const partial = decide(without(majorTaxViolator(), ['TAX'], [true]), '2026-11-02');
    const worst = partial.evaluation.groups.flatMap((g) => g.factors).filter((f) => f.name.includes('worst case'));
    expect(worst.length).toBeGreaterThan(0);
    for (const factor of worst) expect(factor.name).toContain('tax could not be read');
  });
});
