import type { Tier } from '@credit-gateway/common';
import type {
  AdvanceObjectionInput,
  FileObjectionInput,
  ObjectionEvent,
  ObjectionStatus,
} from '../__generated__/types.js';
import type { ObjectionModel } from '../models.js';
import { addWorkingDays, chinaDate, type HolidayCalendar } from '../workdays/index.js';
import {
  badInput,
  checkIdempotencyKey,
  checkRecordId,
  checkText,
  derivedId,
  requireObjectionAccess,
  requireTier,
  scopedKey,
  throwProblems,
  type Caller,
} from './caller.js';
import type { EventStore, StoredEvent } from './event-store.js';
import { KeyedLock } from './keyed-lock.js';
import type { ObjectionPolicy } from './policy.js';

/**
 * Where an objection may go next (异议处理): the source department verifies it, then the record
 * is corrected, revoked, or upheld. The last three are final.
 */
export const OBJECTION_TRANSITIONS: Readonly<Record<ObjectionStatus, readonly ObjectionStatus[]>> = {
  RECEIVED: ['VERIFYING'],
  VERIFYING: ['CORRECTED', 'REVOKED', 'UPHELD'],
  CORRECTED: [],
  REVOKED: [],
  UPHELD: [],
};

/** While an objection is open, measures resting on its record are suspended (暂不执行). */
export function isOpen(status: ObjectionStatus): boolean {
  return OBJECTION_TRANSITIONS[status].length > 0;
}

/** An objection as the store knows it; `overdue` depends on the day it is read. */
export type ObjectionState = Omit<ObjectionModel, 'overdue'>;

/** Not handled by its target date: still open, and today (China date) is after `dueOn`. */
export function isOverdue(objection: Pick<ObjectionState, 'status' | 'dueOn'>, today: string): boolean {
  return isOpen(objection.status) && today > objection.dueOn;
}

/** The objection as clients read it on `today`. */
export function objectionView(objection: ObjectionState, today: string): ObjectionModel {
  return {
    ...objection,
    history: objection.history.map((event) => ({ ...event })),
    overdue: isOverdue(objection, today),
  };
}

export const OBJECTION_STREAM_PREFIX = 'objection/';
const MAX_REASON = 2_000;
const MAX_NOTE = 2_000;

/** The event that opens an objection's stream. */
export interface ObjectionFiled {
  type: 'OBJECTION_FILED';
  id: string;
  code: string;
  recordId: string;
  reason: string;
  filedBy: string;
  client: string;
  tier: Tier;
  filedAt: string;
  dueOn: string;
}

/** Every later event of the stream: one step of handling. */
export interface ObjectionAdvanced {
  type: 'OBJECTION_ADVANCED';
  id: string;
  status: ObjectionStatus;
  note: string | null;
  by: string;
  at: string;
}

type ObjectionEventData = ObjectionFiled | ObjectionAdvanced;

/**
 * Objections to records (异议): filed by the subject or a department, handled by departments,
 * each kept as a stream of events and projected in memory.
 */
export class ObjectionBook {
  private readonly byId = new Map<string, ObjectionState>();
  private readonly bySubject = new Map<string, ObjectionState[]>();
  private readonly lock = new KeyedLock();

  constructor(
    private readonly events: EventStore,
    private readonly calendar: HolidayCalendar,
    private readonly policy: ObjectionPolicy,
  ) {
    events.project((event) => this.apply(event));
  }

  get(id: string): ObjectionState | null {
    return this.byId.get(id) ?? null;
  }

  /** A subject's objections, oldest first. */
  forSubject(code: string): ObjectionState[] {
    return [...(this.bySubject.get(code) ?? [])];
  }

  /** The latest objection to each of a subject's records. */
  latestByRecord(code: string): Map<string, { id: string; status: ObjectionStatus }> {
    const latest = new Map<string, { id: string; status: ObjectionStatus }>();
    for (const objection of this.forSubject(code)) {
      latest.set(objection.recordId, { id: objection.id, status: objection.status });
    }
    return latest;
  }

  /**
   * Files an objection (异议申请). The subject files through an AUTHORIZED client with its
   * CREDIT_OBJECTION consent; a government department for any subject. Filing again with the same
   * idempotency key returns the first objection; with the same key and another input it is refused.
   */
  async file(caller: Caller, input: FileObjectionInput, now: Date): Promise<ObjectionState> {
    const client = requireObjectionAccess(caller, input.code, 'file an objection');
    const problems: string[] = [];
    const recordId = checkRecordId(problems, input.recordId);
    const reason = checkText(problems, 'reason', input.reason, { max: MAX_REASON }) ?? '';
    const key = checkIdempotencyKey(problems, input.idempotencyKey);
    throwProblems(problems);

    const id = derivedId('OBJ', client, key);
    return this.lock.run([`objection/${id}`, `record/${input.code}/${recordId}`], async () => {
      const existing = this.byId.get(id);
      if (existing) {
        if (existing.code === input.code && existing.recordId === recordId && existing.reason === reason)
          return existing;
        throw badInput(`idempotencyKey '${key}' was already used for another objection (${id})`, {
          field: 'idempotencyKey',
        });
      }
      const previous = this.latestByRecord(input.code).get(recordId);
      if (previous && isOpen(previous.status)) {
        throw badInput(`Record ${recordId} already has an open objection (${previous.id})`, {
          objectionId: previous.id,
        });
      }
      if (previous?.status === 'REVOKED') {
        throw badInput(`Record ${recordId} was revoked after objection ${previous.id}`, { objectionId: previous.id });
      }
      const filed: ObjectionFiled = {
        type: 'OBJECTION_FILED',
        id,
        code: input.code,
        recordId,
        reason,
        // The subject files for itself through the client it authorized; a department as itself.
        filedBy: caller.tier === 'AUTHORIZED' ? input.code : client,
        client,
        tier: caller.tier,
        filedAt: now.toISOString(),
        dueOn: addWorkingDays(chinaDate(now), this.policy.handlingTargetWorkingDays, this.calendar),
      };
      await this.events.append(`${OBJECTION_STREAM_PREFIX}${id}`, filed, scopedKey(client, key));
      return this.byId.get(id)!;
    });
  }

  /**
   * Moves an objection on (异议处理), for government departments only: RECEIVED → VERIFYING →
   * CORRECTED | REVOKED | UPHELD. Closing one needs a note: the resolution the subject is told.
   */
  async advance(caller: Caller, input: AdvanceObjectionInput, now: Date): Promise<ObjectionState> {
    const client = requireTier(caller, ['GOVERNMENT'], 'advance an objection');
    const problems: string[] = [];
    const key = checkIdempotencyKey(problems, input.idempotencyKey);
    const note = checkText(problems, 'note', input.note, { max: MAX_NOTE, optional: true });
    throwProblems(problems);

    const stream = `${OBJECTION_STREAM_PREFIX}${input.id}`;
    return this.lock.run([`objection/${input.id}`], async () => {
      const objection = this.byId.get(input.id);
      if (!objection) throw badInput(`No objection has id '${input.id}'`, { field: 'id' });
      const earlier = this.events.find(stream, scopedKey(client, key));
      if (earlier) {
        const data = earlier.data as unknown as ObjectionAdvanced;
        if (data.type === 'OBJECTION_ADVANCED' && data.status === input.status && data.note === note) return objection;
        throw badInput(`idempotencyKey '${key}' was already used for another step of objection ${input.id}`, {
          field: 'idempotencyKey',
        });
      }
      const allowed = OBJECTION_TRANSITIONS[objection.status];
      if (!allowed.includes(input.status)) {
        const next = allowed.length > 0 ? `it can only become ${allowed.join(', ')}` : 'it is closed';
        throw badInput(`Objection ${input.id} is ${objection.status}: ${next}, not ${input.status}`, {
          field: 'status',
          status: objection.status,
        });
      }
      if (!isOpen(input.status) && note === null) {
        throw badInput(`Closing objection ${input.id} as ${input.status} needs a note: the resolution`, {
          field: 'note',
        });
      }
      const advanced: ObjectionAdvanced = {
        type: 'OBJECTION_ADVANCED',
        id: input.id,
        status: input.status,
        note,
        by: client,
        at: now.toISOString(),
      };
      await this.events.append(stream, advanced, scopedKey(client, key));
      return this.byId.get(input.id)!;
    });
  }

  private apply(event: StoredEvent): void {
    if (!event.stream.startsWith(OBJECTION_STREAM_PREFIX)) return;
    const data = event.data as unknown as ObjectionEventData;
    if (data.type === 'OBJECTION_FILED') {
      const history: ObjectionEvent[] = [{ status: 'RECEIVED', at: data.filedAt, by: data.filedBy, note: null }];
      const objection: ObjectionState = {
        id: data.id,
        code: data.code,
        recordId: data.recordId,
        reason: data.reason,
        status: 'RECEIVED',
        filedBy: data.filedBy,
        filedAt: data.filedAt,
        dueOn: data.dueOn,
        resolution: null,
        history,
      };
      this.byId.set(data.id, objection);
      const list = this.bySubject.get(data.code);
      if (list) list.push(objection);
      else this.bySubject.set(data.code, [objection]);
      return;
    }
    const objection = this.byId.get(data.id);
    if (!objection) throw new Error(`Credit store: objection ${data.id} advanced before it was filed`);
    // Replaced, not changed: a state handed out earlier stays as it was.
    const next: ObjectionState = {
      ...objection,
      status: data.status,
      resolution: isOpen(data.status) ? objection.resolution : data.note,
      history: [...objection.history, { status: data.status, at: data.at, by: data.by, note: data.note }],
    };
    this.byId.set(data.id, next);
    const list = this.bySubject.get(objection.code)!;
    list[list.indexOf(objection)] = next;
  }
}
