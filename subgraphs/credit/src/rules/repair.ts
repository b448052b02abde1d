import type { CreditRecordModel } from '../models.js';
import type { SourceSystem } from '../__generated__/types.js';
import { DataChecker, defaultDataFile, readDataFile } from './data.js';
import { addMonths, publicityPeriod, type PublicityPolicy } from './publicity.js';

export const DEFAULT_REPAIR_FILE = defaultDataFile('repair.json');

/** The conditions a repair may be granted on; the policy file says which apply. */
export const REPAIR_CONDITIONS = ['MINIMUM_PUBLICITY_SERVED', 'CORRECTION_SHOWN', 'REPAIR_COMMITMENT'] as const;
export type RepairConditionId = (typeof REPAIR_CONDITIONS)[number];

const SOURCES: readonly SourceSystem[] = ['MARKET', 'TAX', 'COURTS', 'SOCIAL_SECURITY', 'PROCUREMENT'];

/** Credit repair (信用修复) as data/repair.json sets it, with the regulation it comes from. */
export interface RepairPolicy {
  regulation: string;
  effectiveFrom: string;
  /** Working days after the acceptance day by which the owning department decides (3). */
  decisionTargetWorkingDays: number;
  /** The conditions checked before a repair is granted, in the file's order. */
  conditions: readonly RepairConditionId[];
  /** Departments whose records never leave through the platform, with why. */
  notRepairableOnPlatform: ReadonlyMap<SourceSystem, string>;
  /**
   * Purposes (x-credit-purpose) under which a government caller other than the owner still sees
   * repaired records: supervision of the platform itself. Repair stops sharing with everyone else.
   */
  auditPurposes: ReadonlySet<string>;
}

export function parseRepairPolicy(json: unknown, file: string): RepairPolicy {
  const check = new DataChecker();
  const root = check.object(json, '$', {
    required: [
      'regulation',
      'effectiveFrom',
      'decisionTargetWorkingDays',
      'conditions',
      'auditPurposes',
      'notRepairableOnPlatform',
    ],
    optional: ['description'],
  });
  const regulation = root ? check.string(root['regulation'], '$.regulation') : undefined;
  const effectiveFrom = root ? check.date(root['effectiveFrom'], '$.effectiveFrom') : undefined;
  const days = root
    ? check.number(root['decisionTargetWorkingDays'], '$.decisionTargetWorkingDays', { min: 1, max: 60, integer: true })
    : undefined;
  const conditions: RepairConditionId[] = [];
  (root ? (check.array(root['conditions'], '$.conditions') ?? []) : []).forEach((entry, i) => {
    const path = `$.conditions[${i}]`;
    const condition = check.object(entry, path, { required: ['id', 'description'] });
    if (!condition) return;
    const id = check.string(condition['id'], `${path}.id`);
    check.string(condition['description'], `${path}.description`);
    if (id === undefined) return;
    if (!(REPAIR_CONDITIONS as readonly string[]).includes(id)) {
      check.problem(`${path}.id`, `must be one of ${REPAIR_CONDITIONS.join(', ')}`);
    } else if (conditions.includes(id as RepairConditionId)) {
      check.problem(`${path}.id`, `${id} is listed twice`);
    } else conditions.push(id as RepairConditionId);
  });
  const auditPurposes = root ? (check.strings(root['auditPurposes'], '$.auditPurposes') ?? []) : [];
  const notRepairable = new Map<SourceSystem, string>();
  (root ? (check.array(root['notRepairableOnPlatform'], '$.notRepairableOnPlatform') ?? []) : []).forEach(
    (entry, i) => {
      const path = `$.notRepairableOnPlatform[${i}]`;
      const rule = check.object(entry, path, { required: ['source', 'basis'] });
      if (!rule) return;
      const source = check.string(rule['source'], `${path}.source`);
      const basis = check.string(rule['basis'], `${path}.basis`);
      if (source === undefined || basis === undefined) return;
      if (!(SOURCES as readonly string[]).includes(source)) {
        check.problem(`${path}.source`, `must be one of ${SOURCES.join(', ')}`);
      } else notRepairable.set(source as SourceSystem, basis);
    },
  );
  check.done(file);
  return {
    regulation: regulation!,
    effectiveFrom: effectiveFrom!,
    decisionTargetWorkingDays: days!,
    conditions,
    notRepairableOnPlatform: notRepairable,
    auditPurposes: new Set(auditPurposes),
  };
}

/** Reads and checks data/repair.json (or `file`) at start-up. */
export function loadRepairPolicy(file: string = DEFAULT_REPAIR_FILE): RepairPolicy {
  return parseRepairPolicy(readDataFile(file), file);
}

/** Whether a record may leave publicity through a platform repair at all (谁认定、谁修复). */
export function repairableOnPlatform(policy: RepairPolicy, record: Pick<CreditRecordModel, 'provenance'>): boolean {
  return !policy.notRepairableOnPlatform.has(record.provenance.source);
}

/** One condition as checked for one application on one day. */
export interface RepairConditionCheck {
  condition: RepairConditionId;
  met: boolean;
  detail: string;
}

/** What an application brings to the conditions. */
export interface RepairEvidence {
  /** A reference to the evidence that the violation was corrected. */
  correction?: string | null | undefined;
  /** The repair commitment the subject made. */
  commitment?: string | null | undefined;
}

/** The first day a record may be repaired: its decision (or publication) plus its minimum period. */
export function minimumPeriodEnds(record: CreditRecordModel, publicity: PublicityPolicy): string {
  const period = publicityPeriod(publicity, record.kind, record.severity, record.decidedOn);
  return addMonths(record.decidedOn, period?.minMonths ?? 0);
}

/** Checks every condition the policy names, for `record` on `today` (a China date). */
export function checkRepairConditions(
  policy: RepairPolicy,
  publicity: PublicityPolicy,
  record: CreditRecordModel,
  evidence: RepairEvidence,
  today: string,
): RepairConditionCheck[] {
  return policy.conditions.map((condition) => {
    switch (condition) {
      case 'MINIMUM_PUBLICITY_SERVED': {
        const ends = minimumPeriodEnds(record, publicity);
        const met = today >= ends;
        return { condition, met, detail: met ? `served since ${ends}` : `not before ${ends}` };
      }
      case 'CORRECTION_SHOWN':
        return {
          condition,
          met: evidence.correction != null,
          detail: evidence.correction == null ? 'no evidence of the correction' : 'evidence referenced',
        };
      case 'REPAIR_COMMITMENT':
        return {
          condition,
          met: evidence.commitment != null,
          detail: evidence.commitment == null ? 'no repair commitment' : 'commitment made',
        };
    }
  });
}
