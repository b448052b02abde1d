import type { ListMembershipModel } from '../models.js';
import { combineInputs, type DecisionInputsModel } from './inputs.js';

interface Represented {
  idNumber: string;
  /** The enterprise's black-list memberships when it was last checked. */
  memberships: readonly ListMembershipModel[];
  /** What those memberships were decided on. */
  inputs: DecisionInputsModel;
}

/**
 * Which enterprises a person represents, as far as the platform has checked them (落实到人). The
 * subgraph cannot look a person's enterprises up, so every enterprise whose lists it computes is
 * remembered here with its legal representative. Bounded: the least recently checked enterprises
 * are forgotten first.
 */
export class RepresentativeIndex {
  private readonly byCode = new Map<string, Represented>();
  private readonly byPerson = new Map<string, Set<string>>();

  constructor(private readonly capacity: number) {}

  /** Records an enterprise's representative and its black-list memberships as just computed. */
  remember(
    code: string,
    idNumber: string | null,
    memberships: readonly ListMembershipModel[],
    inputs: DecisionInputsModel,
  ): void {
    this.forget(code);
    if (idNumber === null) return;
    this.byCode.set(code, { idNumber, memberships: memberships.filter((m) => m.list === 'BLACK'), inputs });
    let codes = this.byPerson.get(idNumber);
    if (!codes) this.byPerson.set(idNumber, (codes = new Set()));
    codes.add(code);
    while (this.byCode.size > this.capacity) {
      const oldest = this.byCode.keys().next();
      if (oldest.done) break;
      this.forget(oldest.value);
    }
  }

  /** The black-list memberships of the enterprises this person represents, by enterprise code. */
  dishonestyOf(idNumber: string): ListMembershipModel[] {
    const codes = [...(this.byPerson.get(idNumber) ?? [])].sort();
    return codes.flatMap((code) => this.byCode.get(code)?.memberships ?? []);
  }

  /** What the memberships `dishonestyOf` returns were decided on, over every enterprise it names. */
  inputsOf(idNumber: string): DecisionInputsModel {
    const codes = [...(this.byPerson.get(idNumber) ?? [])];
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

  private forget(code: string): void {
    const known = this.byCode.get(code);
    if (!known) return;
    this.byCode.delete(code);
    const codes = this.byPerson.get(known.idNumber);
    codes?.delete(code);
    if (codes?.size === 0) this.byPerson.delete(known.idNumber);
  }
}
