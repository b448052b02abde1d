import type { DecisionContext, SourceSystem } from '../__generated__/types.js';
import type { AppliedMeasureModel, ListMembershipModel } from '../models.js';
import type { MeasuresCatalog } from './catalog.js';
import { RECORD_KIND_SOURCE } from './inputs.js';
import { isInForce } from './lists.js';

/**
 * The catalog measures that apply to a subject in a decision context: those targeting a list the
 * subject is on. Each comes with the records that trigger it. A measure is SUSPENDED, with the
 * objection, when every record triggering it is under objection (暂不执行). While a blacklisting
 * is in force, no incentive applies if the catalog says so. Only catalog entries can come out.
 */
export function applicableMeasures(
  catalog: MeasuresCatalog,
  memberships: readonly ListMembershipModel[],
  context: DecisionContext,
  missingSources: readonly SourceSystem[] = [],
): AppliedMeasureModel[] {
  // A department not read could hold the blacklisting that closes incentives: assume it does.
  const blackListed =
    memberships.some((m) => m.list === 'BLACK' && isInForce(m)) ||
    missingSources.some((source) => blackListingSources(catalog).has(source));
  const applied: AppliedMeasureModel[] = [];
  for (const measure of catalog.forList({ context })) {
    if (measure.listKind.incentive && blackListed && catalog.incentivesClosedToBlackListed) continue;
    // The catalog only lets a measure target lists of its own polarity, so the name decides.
    const triggering = memberships.filter((m) => measure.targetLists.includes(m.name));
    const because = triggering.flatMap((m) => m.records);
    if (because.length === 0) continue;
    const active = because.some((r) => r.state === 'ACTIVE');
    applied.push({
      measure,
      status: active ? 'IN_FORCE' : 'SUSPENDED',
      because,
      objectionId: active ? null : (because.find((r) => r.objectionId !== null)?.objectionId ?? null),
    });
  }
  return applied;
}

/** The departments whose records can put a subject on a blacklist. */
export function blackListingSources(catalog: MeasuresCatalog): Set<SourceSystem> {
  return new Set(
    catalog
      .lists()
      .filter((definition) => definition.list === 'BLACK')
      .flatMap((definition) => definition.recordKinds.map((kind) => RECORD_KIND_SOURCE[kind]))
      .filter((source): source is SourceSystem => source !== null),
  );
}

/**
 * The departments a context's measures rest on: those whose records put a subject on a list a
 * measure of the context targets, and, when incentives close to blacklisted subjects, every
 * department that can blacklist (a missing one could close an incentive).
 */
export function measureSources(catalog: MeasuresCatalog, context: DecisionContext): Set<SourceSystem> {
  const measures = catalog.forList({ context });
  const sources = new Set<SourceSystem>();
  for (const definition of catalog.lists()) {
    if (!measures.some((m) => m.targetLists.includes(definition.name))) continue;
    for (const kind of definition.recordKinds) {
      const source = RECORD_KIND_SOURCE[kind];
      if (source !== null) sources.add(source);
    }
  }
  if (catalog.incentivesClosedToBlackListed && measures.some((m) => m.listKind.incentive))
    for (const source of blackListingSources(catalog)) sources.add(source);
  return sources;
}
