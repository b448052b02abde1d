import { provenance as describeProvenance, type SourceName, type Tier } from '@credit-gateway/common';
import type {
  CreditRecordKind,
  CreditRecordState,
  Provenance,
  Severity,
  SourceSystem,
} from '../__generated__/types.js';
import type { CreditRecordModel, DebtorRecordInput, EnterpriseInputs, Overlays, ProvenanceInput } from '../models.js';
import { addMonths, penaltySeverity, publicityPeriod, type PublicityPolicy } from './publicity.js';
import { repairableOnPlatform, type RepairPolicy } from './repair.js';

const SOURCE_NAMES: Readonly<Record<SourceSystem, SourceName>> = {
  MARKET: 'market',
  TAX: 'tax',
  COURTS: 'courts',
  SOCIAL_SECURITY: 'social-security',
  PROCUREMENT: 'procurement',
};

/** The full provenance, with the system's name, from what the department sent. */
export function fullProvenance(input: ProvenanceInput): Provenance {
  return describeProvenance(SOURCE_NAMES[input.source], input.recordId, input.asOf);
}

/** A credit record's stable id: the department and its own record id (条条可溯源). */
export function creditRecordId(input: ProvenanceInput): string {
  return `${input.source}:${input.recordId}`;
}

/** One department record, before the rules judge its publicity and state. */
interface RawRecord {
  kind: CreditRecordKind;
  provenance: ProvenanceInput;
  summary: string;
  decidedOn: string;
  /** When it was published, where that differs from the decision (penalties). */
  publishedOn?: string;
  /** The department's own content, for severity by content (penalties). */
  content?: string;
  /** The department's own end of publicity or ban, if it sets one. */
  departmentEndsOn?: string | null;
  /** The department removed or lifted it, on this date (or undated). */
  removed: { on: string | null } | null;
}

function removal(removedOn: string | null | undefined, removed = false): { on: string | null } | null {
  if (removedOn != null) return { on: removedOn };
  return removed ? { on: null } : null;
}

function debtorRaw(record: DebtorRecordInput): RawRecord {
  return {
    kind: 'DISHONEST_JUDGMENT_DEBTOR',
    provenance: record.provenance,
    summary: `失信被执行人 (dishonest judgment debtor), case ${record.caseNumber}`,
    decidedOn: record.publishedOn,
    removed: removal(record.removedOn, record.status === 'REMOVED'),
  };
}

/** Every department record the rules act on, in a stable order (by department, as sent). */
function rawRecords(inputs: EnterpriseInputs): RawRecord[] {
  const raw: RawRecord[] = [];
  const market = inputs.marketRegulation;
  for (const p of market?.penalties ?? []) {
    raw.push({
      kind: 'ADMINISTRATIVE_PENALTY',
      provenance: p.provenance,
      summary: `行政处罚 ${p.decisionNumber}: ${p.violationType}; ${p.content}`,
      decidedOn: p.decidedOn,
      publishedOn: p.publishedOn,
      content: p.content,
      removed: null,
    });
  }
  for (const a of market?.abnormalOperations ?? []) {
    raw.push({
      kind: 'ABNORMAL_OPERATIONS',
      provenance: a.provenance,
      summary: `经营异常名录 (abnormal operations): ${a.reason}`,
      decidedOn: a.listedOn,
      removed: removal(a.removedOn),
    });
  }
  for (const s of market?.seriousIllegalListings ?? []) {
    raw.push({
      kind: 'SERIOUS_ILLEGAL_LIST',
      provenance: s.provenance,
      summary: `严重违法失信名单 (serious illegal and dishonest list): ${s.reason}`,
      decidedOn: s.listedOn,
      removed: removal(s.removedOn),
    });
  }
  for (const h of market?.honours ?? []) {
    if (!h.name.includes('守合同重信用')) continue;
    raw.push({
      kind: 'CONTRACT_HONOUR',
      provenance: h.provenance,
      summary: `${h.name} (${h.year})`,
      decidedOn: `${h.year}-12-31`,
      removed: null,
    });
  }
  const tax = inputs.tax;
  for (const g of tax?.publishedGrades ?? []) {
    if (g.grade !== 'A') continue;
    raw.push({
      kind: 'TAX_A_GRADE',
      provenance: g.provenance,
      summary: `纳税信用A级 (A-grade taxpayer), ${g.year}`,
      decidedOn: `${g.year}-12-31`,
      removed: null,
    });
  }
  for (const v of tax?.majorViolations ?? []) {
    raw.push({
      kind: 'MAJOR_TAX_VIOLATION',
      provenance: v.provenance,
      summary: `重大税收违法失信主体 (major tax violation): ${v.caseNature}`,
      decidedOn: v.publishedOn,
      departmentEndsOn: v.publicityEndsOn,
      removed: null,
    });
  }
  for (const n of tax?.arrearsNotices ?? []) {
    raw.push({
      kind: 'TAX_ARREARS',
      provenance: n.provenance,
      summary: `欠税公告 (tax arrears notice): ${n.amount.toFixed(2)} yuan`,
      decidedOn: n.announcedOn,
      removed: null,
    });
  }
  const courts = inputs.courts;
  for (const d of courts?.dishonestDebtorRecords ?? []) raw.push(debtorRaw(d));
  for (const r of courts?.consumptionRestrictions ?? []) {
    raw.push({
      kind: 'CONSUMPTION_RESTRICTION',
      provenance: r.provenance,
      summary: `限制消费令 (consumption restriction order), case ${r.caseNumber}`,
      decidedOn: r.issuedOn,
      removed: removal(r.liftedOn, r.status === 'LIFTED'),
    });
  }
  for (const w of inputs.socialSecurity?.wageArrearsListings ?? []) {
    raw.push({
      kind: 'WAGE_ARREARS',
      provenance: w.provenance,
      summary: `拖欠农民工工资失信联合惩戒对象 (wage arrears): ${w.amountOwed.toFixed(2)} yuan owed`,
      decidedOn: w.listedOn,
      removed: removal(w.removedOn),
    });
  }
  for (const p of inputs.procurement?.seriousDishonestyRecords ?? []) {
    raw.push({
      kind: 'PROCUREMENT_DISHONESTY',
      provenance: p.provenance,
      summary: `政府采购严重违法失信行为记录 (procurement dishonesty), banned until ${p.banEndsOn}`,
      decidedOn: p.recordedOn,
      departmentEndsOn: p.banEndsOn,
      // A ban the department ended before its date is lifted; one past its date has expired.
      removed: p.active ? null : { on: null },
    });
  }
  return raw;
}

/** Judges one department record: severity, publicity period, and the state the department leaves it in. */
function judge(raw: RawRecord, policy: PublicityPolicy, today: string): CreditRecordModel {
  const rule = policy.kinds[raw.kind];
  const severity: Severity =
    rule.severity === 'BY_PENALTY_CONTENT' ? penaltySeverity(policy.penaltySeverity, raw.content ?? '') : rule.severity;
  let publishedUntil: string | null;
  if (rule.publishedUntil === 'PERIOD') {
    const period = publicityPeriod(policy, raw.kind, severity, raw.decidedOn);
    const from = rule.periodFrom === 'PUBLISHED_ON' ? (raw.publishedOn ?? raw.decidedOn) : raw.decidedOn;
    publishedUntil = period ? addMonths(from, period.maxMonths) : null;
  } else {
    publishedUntil = raw.departmentEndsOn ?? raw.removed?.on ?? null;
  }
  // A removal counts from its date; a ban that ran to its own end expired rather than being lifted.
  const removed = raw.removed !== null && (raw.removed.on === null || raw.removed.on <= today);
  const ranItsCourse = raw.departmentEndsOn != null && today > raw.departmentEndsOn;
  let state: CreditRecordState = 'ACTIVE';
  if (removed && !ranItsCourse) state = 'REMOVED';
  else if (publishedUntil !== null && today > publishedUntil) state = 'EXPIRED';
  return {
    id: creditRecordId(raw.provenance),
    kind: raw.kind,
    severity,
    summary: raw.summary,
    decidedOn: raw.decidedOn,
    publishedUntil,
    state,
    objectionId: null,
    repairedOn: null,
    provenance: fullProvenance(raw.provenance),
    ...(raw.publishedOn === undefined ? {} : { publishedOn: raw.publishedOn }),
  };
}

/**
 * The credit records of an enterprise, from the department data it requires: each with its
 * severity, its publicity period under the rules in force when it was decided, and its state as the
 * department leaves it (ACTIVE, EXPIRED past its publicity period, REMOVED when the department
 * lifted or removed it). `today` is a China date.
 */
export function deriveRecords(inputs: EnterpriseInputs, policy: PublicityPolicy, today: string): CreditRecordModel[] {
  return rawRecords(inputs).map((raw) => judge(raw, policy, today));
}

/** The legal representative's own dishonest debtor records (落实到人). */
export function representativeDebtorRecords(
  inputs: EnterpriseInputs,
  policy: PublicityPolicy,
  today: string,
): CreditRecordModel[] {
  const person = inputs.marketRegulation?.registration?.legalRepresentative?.person;
  return (person?.courts?.dishonestDebtorRecords ?? []).map((record) => judge(debtorRaw(record), policy, today));
}

/**
 * What the platform's own decisions make of the department's records. A revoked objection voids
 * the record; the department's removal stands; a granted repair ends its publicity; an open
 * objection (RECEIVED or VERIFYING) suspends the measures resting on a record still published.
 * CORRECTED and UPHELD objections leave the record as the department has it. A repair of a record
 * the platform never repairs (a court's, `repair.notRepairableOnPlatform`) changes nothing,
 * whenever and however it was stored: such a record leaves only through its department's system.
 */
export function applyOverlays(
  records: readonly CreditRecordModel[],
  overlays: Overlays,
  repairPolicy: RepairPolicy,
): CreditRecordModel[] {
  return records.map((record) => {
    const repair = repairableOnPlatform(repairPolicy, record) ? overlays.repairs.get(record.id) : undefined;
    const objection = overlays.objections.get(record.id);
    const repairedOn = repair?.repairedOn ?? null;
    let state = record.state;
    let objectionId: string | null = null;
    if (objection?.status === 'REVOKED') state = 'REVOKED';
    else if (state === 'REMOVED') state = 'REMOVED';
    else if (repair && record.severity !== 'COMMENDABLE') state = 'REPAIRED';
    else if (state === 'ACTIVE' && (objection?.status === 'RECEIVED' || objection?.status === 'VERIFYING')) {
      state = 'UNDER_OBJECTION';
      objectionId = objection.id;
    }
    return { ...record, state, objectionId, repairedOn };
  });
}

/** No objections, no repairs: what a subject has when the platform holds nothing of its own on it. */
export const NO_OVERLAYS: Overlays = { repairs: new Map(), objections: new Map() };

/** States a record is still published in, and acts in (UNDER_OBJECTION acts suspended). */
export const PUBLISHED_STATES: ReadonlySet<CreditRecordState> = new Set(['ACTIVE', 'UNDER_OBJECTION']);

export function isPublished(record: CreditRecordModel): boolean {
  return PUBLISHED_STATES.has(record.state);
}

/** Tiers that see a subject's whole record history: expired, repaired, revoked and removed records too. */
export const FULL_HISTORY_TIERS: ReadonlySet<Tier> = new Set<Tier>(['GOVERNMENT']);

/** Who reads, as far as a repaired record is concerned: repair stops sharing it. */
export interface RecordViewer {
  /** The department the caller acts for, from its token. */
  department: string | null;
  /** Its declared purpose (x-credit-purpose). */
  purpose: string | null;
  /** Purposes that still see repaired records (data/repair.json `auditPurposes`). */
  auditPurposes: ReadonlySet<string>;
}

const NO_VIEWER: RecordViewer = { department: null, purpose: null, auditPurposes: new Set() };

/**
 * The records a tier may see: every tier sees published records; GOVERNMENT sees the history too,
 * but a repaired record only by the department that owns it and under an audit purpose: a repair
 * stops publication and sharing with other departments and third parties.
 */
export function recordsVisibleTo(
  tier: Tier,
  records: readonly CreditRecordModel[],
  viewer: RecordViewer = NO_VIEWER,
): CreditRecordModel[] {
  if (!FULL_HISTORY_TIERS.has(tier)) return records.filter(isPublished);
  return records.filter(
    (record) =>
      record.state !== 'REPAIRED' ||
      record.provenance.source === viewer.department ||
      (viewer.purpose !== null && viewer.auditPurposes.has(viewer.purpose)),
  );
}
