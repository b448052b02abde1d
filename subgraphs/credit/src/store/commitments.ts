import type { CommitmentState, MakeCommitmentInput, ResolveCommitmentInput } from '../__generated__/types.js';
import type { CommitmentKindModel, CommitmentModel, CommitmentPolicy } from '../rules/commitments.js';
import { brokenCommitmentRecordId } from '../rules/commitments.js';
import { addWorkingDays, chinaDate, type HolidayCalendar } from '../workdays/index.js';
import {
  badInput,
  checkIdempotencyKey,
  checkText,
  derivedId,
  requireTier,
  scopedKey,
  throwProblems,
  type Caller,
} from './caller.js';
import { CreditGatewayError, isDepartment, type Department } from '@credit-gateway/common';
import type { EventStore, StoredEvent } from './event-store.js';
import { KeyedLock } from './keyed-lock.js';

export const COMMITMENT_STREAM_PREFIX = 'commitment/';
const MAX_MATTER = 200;
const MAX_CONTENT = 2_000;
const MAX_NOTE = 2_000;

/** A commitment made to a department (信用承诺), as recorded. */
export interface CommitmentMade {
  type: 'COMMITMENT_MADE';
  id: string;
  code: string;
  /** The kind as it was when the commitment was made: a later change of the data does not move it. */
  kind: CommitmentKindModel;
  matter: string;
  content: string;
  department: Department;
  by: string;
  madeOn: string;
  dueOn: string;
  at: string;
}

/** A commitment kept or broken, as recorded by the department that accepted it. */
export interface CommitmentResolved {
  type: 'COMMITMENT_RESOLVED';
  id: string;
  state: 'KEPT' | 'BROKEN';
  note: string | null;
  by: string;
  resolvedOn: string;
  at: string;
}

type CommitmentEventData = CommitmentMade | CommitmentResolved;

/** A commitment moves once, from MADE to KEPT or BROKEN, and never again. */
export const COMMITMENT_TRANSITIONS: Readonly<Record<CommitmentState, readonly CommitmentState[]>> = {
  MADE: ['KEPT', 'BROKEN'],
  KEPT: [],
  BROKEN: [],
};

/** Whether a commitment is past its due date and still unresolved, on a China date. */
export function isCommitmentOverdue(commitment: Pick<CommitmentModel, 'state' | 'dueOn'>, today: string): boolean {
  return commitment.state === 'MADE' && today > commitment.dueOn;
}

function requireDepartment(caller: Caller, action: string): Department {
  if (!caller.department) {
    throw new CreditGatewayError('FORBIDDEN_DEPARTMENT', `Only a department may ${action}; the caller acts for none`, {
      extensions: { owner: null, department: null },
    });
  }
  // A broken commitment becomes a record of the accepting department's source system, so only the
  // source departments accept commitments here.
  if (!isDepartment(caller.department)) {
    throw new CreditGatewayError(
      'FORBIDDEN_DEPARTMENT',
      `Only a department with its own credit records may ${action}; ${caller.department} has none`,
      { extensions: { owner: null, department: caller.department } },
    );
  }
  return caller.department;
}

/**
 * Credit commitments (信用承诺): made to the department that accepted them, then kept or broken,
 * as events in the credit store. The state is rebuilt from the events; a broken commitment
 * becomes a credit record through the rules (rules/commitments.ts).
 */
export class CommitmentBook {
  private readonly byId = new Map<string, CommitmentModel>();
  private readonly bySubject = new Map<string, CommitmentModel[]>();
  private readonly lock = new KeyedLock();

  constructor(
    private readonly events: EventStore,
    private readonly calendar: HolidayCalendar,
    private readonly policy: CommitmentPolicy,
  ) {
    events.project((event) => this.apply(event));
  }

  get(id: string): CommitmentModel | null {
    return this.byId.get(id) ?? null;
  }

  /** A subject's commitments, oldest first. */
  forSubject(code: string): readonly CommitmentModel[] {
    return [...(this.bySubject.get(code) ?? [])];
  }

  kinds(): readonly CommitmentKindModel[] {
    return this.policy.kinds;
  }

  /**
   * Records a commitment accepted by the caller's department, made on the China date of `now`
   * and due the kind's working days later. The same key returns the first commitment; the same
   * key with another input is refused.
   */
  async make(caller: Caller, input: MakeCommitmentInput, now: Date): Promise<CommitmentModel> {
    const client = requireTier(caller, ['GOVERNMENT'], 'record a credit commitment');
    const department = requireDepartment(caller, 'record a credit commitment');
    const problems: string[] = [];
    const kind = this.policy.kinds.find((k) => k.id === input.kind.trim());
    if (!kind) problems.push(`kind must be one of ${this.policy.kinds.map((k) => k.id).join(', ')}`);
    const matter = checkText(problems, 'matter', input.matter, { max: MAX_MATTER }) ?? '';
    const content = checkText(problems, 'content', input.content, { max: MAX_CONTENT }) ?? '';
    const key = checkIdempotencyKey(problems, input.idempotencyKey);
    throwProblems(problems);

    const id = derivedId('COM', client, key);
    return this.lock.run([`commitment/${id}`], async () => {
      const existing = this.byId.get(id);
      if (existing) {
        if (
          existing.code === input.code &&
          existing.kind.id === kind!.id &&
          existing.matter === matter &&
          existing.content === content
        )
          return existing;
        throw badInput(`idempotencyKey '${key}' was already used for another commitment (${id})`, {
          field: 'idempotencyKey',
        });
      }
      const madeOn = chinaDate(now);
      const made: CommitmentMade = {
        type: 'COMMITMENT_MADE',
        id,
        code: input.code,
        kind: { ...kind! },
        matter,
        content,
        department,
        by: client,
        madeOn,
        dueOn: addWorkingDays(madeOn, kind!.dueWorkingDays, this.calendar),
        at: now.toISOString(),
      };
      await this.events.append(`${COMMITMENT_STREAM_PREFIX}${id}`, made, scopedKey(client, key));
      return this.byId.get(id)!;
    });
  }

  /**
   * Records a commitment kept or broken (守诺 / 失诺), by the department that accepted it only.
   * Breaking one needs a note: what was not done.
   */
  async resolve(caller: Caller, input: ResolveCommitmentInput, now: Date): Promise<CommitmentModel> {
    const client = requireTier(caller, ['GOVERNMENT'], 'resolve a credit commitment');
    const department = requireDepartment(caller, 'resolve a credit commitment');
    const problems: string[] = [];
    const key = checkIdempotencyKey(problems, input.idempotencyKey);
    const note = checkText(problems, 'note', input.note, { max: MAX_NOTE, optional: true });
    if (input.state === 'MADE') problems.push('state must be KEPT or BROKEN');
    throwProblems(problems);

    const stream = `${COMMITMENT_STREAM_PREFIX}${input.id}`;
    return this.lock.run([`commitment/${input.id}`], async () => {
      const commitment = this.byId.get(input.id);
      if (!commitment) throw badInput(`No commitment has id '${input.id}'`, { field: 'id' });
      if (commitment.department !== department) {
        throw new CreditGatewayError(
          'FORBIDDEN_DEPARTMENT',
          `Only the ${commitment.department} department, which accepted it, may resolve this commitment; the caller acts for ${department}`,
          { extensions: { owner: commitment.department, department } },
        );
      }
      const earlier = this.events.find(stream, scopedKey(client, key));
      if (earlier) {
        const data = earlier.data as unknown as CommitmentEventData;
        if (data.type === 'COMMITMENT_RESOLVED' && data.state === input.state && data.note === note) return commitment;
        throw badInput(`idempotencyKey '${key}' was already used for another step of commitment ${input.id}`, {
          field: 'idempotencyKey',
        });
      }
      if (!COMMITMENT_TRANSITIONS[commitment.state].includes(input.state)) {
        throw badInput(`Commitment ${input.id} is already ${commitment.state}`, {
          field: 'state',
          state: commitment.state,
        });
      }
      if (input.state === 'BROKEN' && note === null) {
        throw badInput(`Recording commitment ${input.id} as BROKEN needs a note: what was not done`, {
          field: 'note',
        });
      }
      const resolved: CommitmentResolved = {
        type: 'COMMITMENT_RESOLVED',
        id: input.id,
        state: input.state as 'KEPT' | 'BROKEN',
        note,
        by: client,
        resolvedOn: chinaDate(now),
        at: now.toISOString(),
      };
      await this.events.append(stream, resolved, scopedKey(client, key));
      return this.byId.get(input.id)!;
    });
  }

  private apply(event: StoredEvent): void {
    if (!event.stream.startsWith(COMMITMENT_STREAM_PREFIX)) return;
    const data = event.data as unknown as CommitmentEventData;
    if (data.type === 'COMMITMENT_MADE') {
      const commitment: CommitmentModel = {
        id: data.id,
        code: data.code,
        kind: data.kind,
        matter: data.matter,
        content: data.content,
        department: data.department,
        madeOn: data.madeOn,
        dueOn: data.dueOn,
        state: 'MADE',
        resolvedOn: null,
        recordId: null,
        history: [{ state: 'MADE', at: data.at, by: data.by, note: null }],
      };
      this.byId.set(data.id, commitment);
      const list = this.bySubject.get(data.code);
      if (list) list.push(commitment);
      else this.bySubject.set(data.code, [commitment]);
      return;
    }
    const commitment = this.byId.get(data.id);
    if (!commitment) throw new Error(`Credit store: commitment ${data.id} resolved before it was made`);
    // Replaced, not changed: a state handed out earlier stays as it was.
    const next: CommitmentModel = {
      ...commitment,
      state: data.state,
      resolvedOn: data.resolvedOn,
      recordId: data.state === 'BROKEN' ? brokenCommitmentRecordId(commitment) : null,
      history: [...commitment.history, { state: data.state, at: data.at, by: data.by, note: data.note }],
    };
    this.byId.set(data.id, next);
    const list = this.bySubject.get(commitment.code)!;
    list[list.indexOf(commitment)] = next;
  }
}
