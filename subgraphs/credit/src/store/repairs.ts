import type {
  CreditRecordKind,
  RepairConditionCheck,
  RepairDecision,
  RepairStatus,
  SourceSystem,
} from '../__generated__/types.js';
import type { CreditRepairModel } from '../models.js';
import { addWorkingDays, chinaDate, type HolidayCalendar } from '../workdays/index.js';
import { badInput, checkIdempotencyKey, checkText, derivedId, ownerOf, scopedKey, throwProblems } from './caller.js';
import type { EventStore, StoredEvent } from './event-store.js';
import { KeyedLock } from './keyed-lock.js';

export const REPAIR_STREAM_PREFIX = 'repair/';
const MAX_TEXT = 2_000;

/**
 * A repair recorded in one step by an earlier release, before applications were checked. Still
 * read, as history: the rules let it lift only a record the platform may repair (data/repair.json).
 */
export interface RepairRecorded {
  type: 'REPAIR_RECORDED';
  id: string;
  code: string;
  recordId: string;
  basis: string;
  by: string;
  repairedOn: string;
  at: string;
}

/** An application for the repair of one record (信用修复申请), with its conditions as checked then. */
export interface RepairApplied {
  type: 'REPAIR_APPLIED';
  id: string;
  code: string;
  recordId: string;
  recordKind: CreditRecordKind;
  /** The department that owns the record and decides (谁认定、谁修复). */
  department: SourceSystem;
  basis: string;
  correction: string | null;
  commitment: string | null;
  /** The client that filed it. */
  appliedBy: string;
  at: string;
  /** The application day plus the decision target in working days. */
  dueOn: string;
  conditions: RepairConditionCheck[];
}

/** The owning department accepted the application for handling (受理). */
export interface RepairAccepted {
  type: 'REPAIR_ACCEPTED';
  id: string;
  by: string;
  at: string;
}

/** The owning department's decision: granted, or refused with its reason. */
export interface RepairDecided {
  type: 'REPAIR_DECIDED';
  id: string;
  decision: RepairDecision;
  reason: string | null;
  by: string;
  at: string;
  /** Granted: the day the record stopped being published. */
  repairedOn: string | null;
  conditions: RepairConditionCheck[];
}

type RepairEventData = RepairRecorded | RepairApplied | RepairAccepted | RepairDecided;

/** A repair as the store knows it; whether it is overdue depends on the day it is read. */
export type RepairState = CreditRepairModel;

/** Where an application may go next: accepted, then granted or refused. */
export const REPAIR_TRANSITIONS: Readonly<Record<RepairStatus, readonly RepairStatus[]>> = {
  APPLIED: ['ACCEPTED'],
  ACCEPTED: ['GRANTED', 'REFUSED'],
  GRANTED: [],
  REFUSED: [],
};

export function isPending(status: RepairStatus): boolean {
  return REPAIR_TRANSITIONS[status].length > 0;
}

/** Undecided and today (China date) after its target date. */
export function isRepairOverdue(repair: Pick<RepairState, 'status' | 'dueOn'>, today: string): boolean {
  return isPending(repair.status) && repair.dueOn != null && today > repair.dueOn;
}

/** Decided by its target date; null while undecided or without a target (legacy). */
export function decidedWithinTarget(repair: Pick<RepairState, 'decidedAt' | 'dueOn' | 'legacy'>): boolean | null {
  if (repair.decidedAt == null || repair.dueOn == null || repair.legacy) return null;
  return chinaDate(new Date(repair.decidedAt)) <= repair.dueOn;
}

/** What an application holds once its caller and record are checked. */
export interface RepairApplication {
  code: string;
  recordId: string;
  basis: string | null | undefined;
  correction?: string | null | undefined;
  commitment?: string | null | undefined;
  idempotencyKey: string;
}

/** Checks an application's free text: every problem at once, as BAD_USER_INPUT. */
export function checkApplication(input: RepairApplication): {
  basis: string;
  correction: string | null;
  commitment: string | null;
  key: string;
} {
  const problems: string[] = [];
  const basis = checkText(problems, 'basis', input.basis, { max: MAX_TEXT }) ?? '';
  const correction = checkText(problems, 'correction', input.correction, { max: MAX_TEXT, optional: true });
  const commitment = checkText(problems, 'commitment', input.commitment, { max: MAX_TEXT, optional: true });
  const key = checkIdempotencyKey(problems, input.idempotencyKey);
  throwProblems(problems);
  return { basis, correction, commitment, key };
}

/**
 * Credit repairs (信用修复) as a workflow: an application, its acceptance by the department that
 * owns the record, and that department's decision, each an event of the repair's stream. The
 * callers' rights, the record and the conditions are checked before (RepairMutations.ts); this
 * book keeps the order of the steps, one pending or granted repair per record, and idempotency.
 */
export class RepairBook {
  private readonly byId = new Map<string, RepairState>();
  /** code → recordId → its latest repair. */
  private readonly bySubject = new Map<string, Map<string, RepairState>>();
  private readonly lock = new KeyedLock();

  constructor(
    private readonly events: EventStore,
    /** The working days the target and the timeliness figures count in. */
    readonly calendar: HolidayCalendar,
    private readonly targetWorkingDays: number,
  ) {
    events.project((event) => this.apply(event));
  }

  get(id: string): RepairState | null {
    return this.byId.get(id) ?? null;
  }

  /** A subject's repairs, the latest per record. */
  latestForSubject(code: string): RepairState[] {
    return [...(this.bySubject.get(code)?.values() ?? [])];
  }

  /** Every repair, for the timeliness figures. */
  all(): RepairState[] {
    return [...this.byId.values()];
  }

  /** A subject's granted repairs by record id: what the rules overlay on its records. */
  forSubject(code: string): ReadonlyMap<string, { repairedOn: string }> {
    const granted = new Map<string, { repairedOn: string }>();
    for (const [recordId, repair] of this.bySubject.get(code) ?? []) {
      if (repair.status === 'GRANTED' && repair.repairedOn != null)
        granted.set(recordId, { repairedOn: repair.repairedOn });
    }
    return granted;
  }

  /**
   * Files an application (信用修复申请). The same idempotency key returns the first application;
   * another application for a record with one pending or granted is refused.
   */
  async applyFor(
    client: string,
    input: RepairApplication,
    record: { kind: CreditRecordKind; department: SourceSystem },
    conditions: RepairConditionCheck[],
    now: Date,
  ): Promise<RepairState> {
    const { basis, correction, commitment, key } = checkApplication(input);
    const recordId = input.recordId.trim();
    const id = derivedId('REP', client, key);
    return this.lock.run([`repair/${id}`, `repaired/${input.code}/${recordId}`], async () => {
      const existing = this.byId.get(id);
      if (existing) {
        if (existing.code === input.code && existing.recordId === recordId && existing.basis === basis) return existing;
        throw badInput(`idempotencyKey '${key}' was already used for another repair (${id})`, {
          field: 'idempotencyKey',
        });
      }
      const earlier = this.bySubject.get(input.code)?.get(recordId);
      if (earlier && earlier.status !== 'REFUSED') {
        throw badInput(`Record ${recordId} already has a repair ${earlier.status.toLowerCase()} (${earlier.id})`, {
          repairId: earlier.id,
        });
      }
      const applied: RepairApplied = {
        type: 'REPAIR_APPLIED',
        id,
        code: input.code,
        recordId,
        recordKind: record.kind,
        department: record.department,
        basis,
        correction,
        commitment,
        appliedBy: client,
        at: now.toISOString(),
        dueOn: addWorkingDays(chinaDate(now), this.targetWorkingDays, this.calendar),
        conditions,
      };
      await this.events.append(`${REPAIR_STREAM_PREFIX}${id}`, applied, scopedKey(client, key));
      return this.byId.get(id)!;
    });
  }

  /** Accepts an application (受理). Idempotent by key. */
  async accept(client: string, id: string, idempotencyKey: string, now: Date): Promise<RepairState> {
    return this.step(client, id, idempotencyKey, 'ACCEPTED', () => ({
      type: 'REPAIR_ACCEPTED',
      id,
      by: client,
      at: now.toISOString(),
    }));
  }

  /** Decides an accepted application: granted, or refused with a reason. Idempotent by key. */
  async decide(
    client: string,
    input: { id: string; decision: RepairDecision; reason?: string | null | undefined; idempotencyKey: string },
    conditions: readonly RepairConditionCheck[],
    now: Date,
  ): Promise<RepairState> {
    const problems: string[] = [];
    const reason = checkText(problems, 'reason', input.reason, { max: MAX_TEXT, optional: true });
    if (input.decision === 'REFUSED' && reason === null) problems.push('reason must say why a repair is refused');
    throwProblems(problems);
    return this.step(client, input.id, input.idempotencyKey, input.decision, () => ({
      type: 'REPAIR_DECIDED',
      id: input.id,
      decision: input.decision,
      reason,
      by: client,
      at: now.toISOString(),
      repairedOn: input.decision === 'GRANTED' ? chinaDate(now) : null,
      conditions: [...conditions],
    }));
  }

  private async step(
    client: string,
    id: string,
    idempotencyKey: string,
    status: RepairStatus,
    event: () => RepairAccepted | RepairDecided,
  ): Promise<RepairState> {
    const problems: string[] = [];
    const key = checkIdempotencyKey(problems, idempotencyKey);
    throwProblems(problems);
    const stream = `${REPAIR_STREAM_PREFIX}${id}`;
    return this.lock.run([`repair/${id}`], async () => {
      const repair = this.byId.get(id);
      if (!repair) throw badInput(`No repair has id '${id}'`, { field: 'id' });
      const earlier = this.events.find(stream, scopedKey(client, key));
      if (earlier) {
        const data = earlier.data as unknown as RepairEventData;
        const same =
          (data.type === 'REPAIR_ACCEPTED' && status === 'ACCEPTED') ||
          (data.type === 'REPAIR_DECIDED' && data.decision === status);
        if (same) return repair;
        throw badInput(`idempotencyKey '${key}' was already used for another step of repair ${id}`, {
          field: 'idempotencyKey',
        });
      }
      const allowed = REPAIR_TRANSITIONS[repair.status];
      if (!allowed.includes(status)) {
        const next = allowed.length > 0 ? `it can only become ${allowed.join(', ')}` : 'it is decided';
        throw badInput(`Repair ${id} is ${repair.status}: ${next}, not ${status}`, {
          field: 'status',
          status: repair.status,
        });
      }
      await this.events.append(stream, event(), scopedKey(client, key));
      return this.byId.get(id)!;
    });
  }

  private apply(event: StoredEvent): void {
    if (!event.stream.startsWith(REPAIR_STREAM_PREFIX)) return;
    const data = event.data as unknown as RepairEventData;
    switch (data.type) {
      case 'REPAIR_RECORDED':
        this.put({
          id: data.id,
          code: data.code,
          recordId: data.recordId,
          recordKind: null,
          department: ownerOf(data.recordId),
          status: 'GRANTED',
          basis: data.basis,
          correction: null,
          commitment: null,
          appliedBy: data.by,
          appliedAt: data.at,
          acceptedAt: data.at,
          dueOn: null,
          decidedAt: data.at,
          reason: null,
          repairedOn: data.repairedOn,
          by: data.by,
          conditions: [],
          legacy: true,
        });
        return;
      case 'REPAIR_APPLIED':
        this.put({
          id: data.id,
          code: data.code,
          recordId: data.recordId,
          recordKind: data.recordKind,
          department: data.department,
          status: 'APPLIED',
          basis: data.basis,
          correction: data.correction,
          commitment: data.commitment,
          appliedBy: data.appliedBy,
          appliedAt: data.at,
          acceptedAt: null,
          dueOn: data.dueOn,
          decidedAt: null,
          reason: null,
          repairedOn: null,
          by: null,
          conditions: data.conditions.map((check) => ({ ...check })),
          legacy: false,
        });
        return;
      case 'REPAIR_ACCEPTED':
        this.put({ ...this.require(data.id), status: 'ACCEPTED', acceptedAt: data.at });
        return;
      case 'REPAIR_DECIDED':
        this.put({
          ...this.require(data.id),
          status: data.decision,
          decidedAt: data.at,
          reason: data.reason,
          repairedOn: data.repairedOn,
          by: data.by,
          conditions: data.conditions.map((check) => ({ ...check })),
        });
        return;
    }
  }

  private require(id: string): RepairState {
    const repair = this.byId.get(id);
    if (!repair) throw new Error(`Credit store: repair ${id} moved on before it was applied for`);
    return repair;
  }

  /** Replaced, not changed: a state handed out earlier stays as it was. */
  private put(repair: RepairState): void {
    this.byId.set(repair.id, repair);
    const records = this.bySubject.get(repair.code);
    if (records) records.set(repair.recordId, repair);
    else this.bySubject.set(repair.code, new Map([[repair.recordId, repair]]));
  }
}
