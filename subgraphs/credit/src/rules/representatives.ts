import { createHash, createHmac } from 'node:crypto';
import type { ListMembershipModel } from '../models.js';
import { combineInputs, type DecisionInputsModel } from './inputs.js';

/** How a person answers for an enterprise (落实到人). */
export type PersonRole = 'LEGAL_REPRESENTATIVE' | 'FINANCE_OFFICER';

/** One enterprise as the index keeps it: who answers for it, and its black-list memberships. */
export interface PeopleEntry {
  code: string;
  /** People by reference (a keyed digest of the ID number when the index is durable), with roles. */
  people: { ref: string; role: PersonRole }[];
  /** The enterprise's black-list memberships when it was last checked. */
  memberships: ListMembershipModel[];
  /** What those memberships were decided on. */
  inputs: DecisionInputsModel;
}

/** Where a durable index keeps its entries: the credit store (store/people.ts). */
export interface PeopleJournal {
  /** Makes an entry durable; the latest entry of an enterprise is the one that counts. */
  record(entry: PeopleEntry): Promise<void>;
  /** Feeds every entry stored so far, oldest first, then each new one. */
  replay(apply: (entry: PeopleEntry) => void): void;
}

/** People bound to one enterprise, at most: a bound on what one check may add. */
export const MAX_PEOPLE_PER_ENTERPRISE = 20;

/**
 * Which enterprises a person answers for, as far as the platform has checked them (落实到人): the
 * legal representative (or person in charge) and the finance officers named in major tax cases.
 * The subgraph cannot look a person's enterprises up, so every enterprise whose lists it computes is
 * remembered here. With a journal the index is durable: it survives restarts and is shared by every
 * process on the store, whichever enterprise was checked first; ID numbers are kept only as keyed
 * digests (HMAC-SHA256 with CREDIT_PERSON_INDEX_KEY), never in the clear. Bounded in memory: the
 * least recently checked enterprises are forgotten first.
 */
export class RepresentativeIndex {
  private readonly byCode = new Map<string, PeopleEntry>();
  private readonly byPerson = new Map<string, Set<string>>();
  /** What was last made durable per enterprise, to write only changes. */
  private readonly written = new Map<string, string>();

  constructor(
    private readonly capacity: number,
    private readonly journal?: PeopleJournal,
    private readonly key?: string,
  ) {
    journal?.replay((entry) => {
      this.put(entry);
      this.written.set(entry.code, digest(entry));
    });
  }

  /** The reference a person is kept under. */
  refOf(idNumber: string): string {
    return this.key === undefined ? idNumber : createHmac('sha256', this.key).update(idNumber).digest('hex');
  }

  /**
   * Records who answers for an enterprise and its black-list memberships as just computed; durable
   * before it resolves when the index has a journal and the entry changed.
   */
  async remember(
    code: string,
    people: readonly { idNumber: string; role: PersonRole }[],
    memberships: readonly ListMembershipModel[],
    inputs: DecisionInputsModel,
  ): Promise<void> {
    const refs = new Map<string, PersonRole>();
    for (const person of people.slice(0, MAX_PEOPLE_PER_ENTERPRISE)) {
      const ref = this.refOf(person.idNumber);
      if (!refs.has(ref)) refs.set(ref, person.role);
    }
    const entry: PeopleEntry = {
      code,
      people: [...refs].map(([ref, role]) => ({ ref, role })),
      memberships: memberships.filter((m) => m.list === 'BLACK'),
      inputs,
    };
    this.put(entry);
    if (!this.journal) return;
    const written = digest(entry);
    if (this.written.get(code) === written) return;
    await this.journal.record(entry);
    this.written.set(code, written);
  }

  /** The black-list memberships of the enterprises this person answers for, by enterprise code. */
  dishonestyOf(idNumber: string): ListMembershipModel[] {
    const codes = [...(this.byPerson.get(this.refOf(idNumber)) ?? [])].sort();
    return codes.flatMap((code) => this.byCode.get(code)?.memberships ?? []);
  }

  /** What the memberships `dishonestyOf` returns were decided on, over every enterprise it names. */
  inputsOf(idNumber: string): DecisionInputsModel {
    const codes = [...(this.byPerson.get(this.refOf(idNumber)) ?? [])];
    return combineInputs(
      codes.flatMap((code) => {
        const known = this.byCode.get(code);
        return known ? [known.inputs] : [];
      }),
    );
  }

  get size(): number {
    return this.byCode.size;
  }

  private put(entry: PeopleEntry): void {
    this.forget(entry.code);
    if (entry.people.length === 0) return;
    this.byCode.set(entry.code, entry);
    for (const { ref } of entry.people) {
      let codes = this.byPerson.get(ref);
      if (!codes) this.byPerson.set(ref, (codes = new Set()));
      codes.add(entry.code);
    }
    while (this.byCode.size > this.capacity) {
      const oldest = this.byCode.keys().next();
      if (oldest.done) break;
      this.forget(oldest.value);
      this.written.delete(oldest.value);
    }
  }

  private forget(code: string): void {
    const known = this.byCode.get(code);
    if (!known) return;
    this.byCode.delete(code);
    for (const { ref } of known.people) {
      const codes = this.byPerson.get(ref);
      codes?.delete(code);
      if (codes?.size === 0) this.byPerson.delete(ref);
    }
  }
}

/** An entry's content, for writing only what changed; `asOf` times change on every read and are left out. */
function digest(entry: PeopleEntry): string {
  const stable = {
    people: entry.people,
    memberships: entry.memberships.map((m) => ({ ...m, records: m.records.map((r) => [r.id, r.state]) })),
    inputs: { complete: entry.inputs.complete, missingSources: entry.inputs.missingSources },
  };
  return createHash('sha256').update(JSON.stringify(stable)).digest('hex');
}
