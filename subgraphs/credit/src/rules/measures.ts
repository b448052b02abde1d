import type { DecisionContext } from '../__generated__/resolvers-types.js';
import type { AppliedMeasureModel, ListMembershipModel } from '../models.js';
import type { MeasuresCatalog } from './catalog.js';
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
): AppliedMeasureModel[] {
  const blackListed = memberships.some((m) => m.list === 'BLACK' && isInForce(m));
  const applied: AppliedMeasureModel[] = [];
  for (const measure of catalog.forList({ context })) {
    if (measure.list === 'RED' && blackListed && catalog.incentivesClosedToBlackListed) continue;
    const triggering = memberships.filter((m) => m.list === measure.list && measure.targetLists.includes(m.name));
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
