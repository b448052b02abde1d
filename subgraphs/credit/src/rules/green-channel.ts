import type { CreditRecordState, SourceSystem } from '../__generated__/types.js';
import type { CreditRecordModel, ListMembershipModel, RegistrationInput } from '../models.js';
import type { MeasuresCatalog } from './catalog.js';
import { SOURCE_NAMES } from './inputs.js';
import { isInForce } from './lists.js';
import { brokenSince, type CommitmentModel } from './commitments.js';
import { addMonths } from './publicity.js';
import { isPublished } from './records.js';

export interface GreenChannelInputs {
  records: readonly CreditRecordModel[];
  memberships: readonly ListMembershipModel[];
  registration: RegistrationInput | null;
  /** China date the decision is made on. */
  today: string;
  /**
   * Departments whose section could not be read. Each can hold an adverse record (and market
   * regulation the years of record), so while any is missing the channel stays closed.
   */
  missingSources: readonly SourceSystem[];
  /**
   * The subject's credit commitments and for how many years a broken one closes the channel
   * (data/commitments.json); exemplary subjects included.
   */
  commitments?: { all: readonly CommitmentModel[]; closesForYears: number };
}

/**
 * Whether a record in one of the given states was in effect at some time since a date: a published
 * record is in effect now; an expired or removed one was until its end.
 */
function inEffectSince(record: CreditRecordModel, since: string, states: readonly CreditRecordState[]): boolean {
  if (!states.includes(record.state)) return false;
  if (isPublished(record)) return true;
  return (record.publishedUntil ?? record.decidedOn) >= since;
}

/**
 * The green channel (绿色通道 / 容缺受理) is open to an exemplary subject (诚信典型: on one of the
 * catalog's exemplary red lists), or to one with no adverse record in effect at any time in the
 * last `cleanYears` consecutive years, and registered for at least that long. A blacklisting in force closes it first when the catalog closes incentives
 * to blacklisted subjects. The reason names the rule that decided.
 */
/** The channel's answer, before the resolver adds what it was decided on. */
export interface GreenChannelDecision {
  eligible: boolean;
  reason: string;
}

export function greenChannel(catalog: MeasuresCatalog, inputs: GreenChannelInputs): GreenChannelDecision {
  const { exemplaryLists, cleanYears, adverseStates } = catalog.greenChannel;
  // Fail closed: an open channel must never rest on a department that did not answer.
  if (inputs.missingSources.length > 0) {
    return {
      eligible: false,
      reason: `Cannot confirm: ${inputs.missingSources.map((s) => SOURCE_NAMES[s]).join(', ')} could not be read; ask again later`,
    };
  }
  if (inputs.commitments && inputs.commitments.closesForYears > 0) {
    const years = inputs.commitments.closesForYears;
    const brokenFrom = addMonths(inputs.today, -12 * years);
    const broken = brokenSince(inputs.commitments.all, brokenFrom);
    if (broken.length > 0) {
      return {
        eligible: false,
        reason: `Closed: credit commitment broken within the last ${years} years (since ${brokenFrom}): ${broken.map((c) => c.id).join(', ')}`,
      };
    }
  }
  const black = inputs.memberships.filter((m) => m.list === 'BLACK' && isInForce(m));
  if (black.length > 0 && catalog.incentivesClosedToBlackListed) {
    return {
      eligible: false,
      reason: `Closed: on ${black.map((m) => m.name).join(', ')} (严重失信主体名单)`,
    };
  }
  const exemplary = inputs.memberships.filter((m) => exemplaryLists.includes(m.name));
  if (exemplary.length > 0) {
    return {
      eligible: true,
      reason: `Exemplary subject (诚信典型): on ${exemplary.map((m) => m.name).join(', ')}`,
    };
  }
  const since = addMonths(inputs.today, -12 * cleanYears);
  const adverse = inputs.records.filter((r) => r.severity !== 'COMMENDABLE' && inEffectSince(r, since, adverseStates));
  if (adverse.length > 0) {
    return {
      eligible: false,
      reason: `Adverse records in effect within the last ${cleanYears} years (since ${since}): ${adverse.map((r) => r.id).join(', ')}`,
    };
  }
  const establishedOn = inputs.registration?.establishedOn;
  if (establishedOn === undefined) {
    return { eligible: false, reason: 'No registration data: the years without an adverse record cannot be counted' };
  }
  if (establishedOn > since) {
    return {
      eligible: false,
      reason: `Established on ${establishedOn}: fewer than ${cleanYears} consecutive years of record`,
    };
  }
  return { eligible: true, reason: `No adverse record in the last ${cleanYears} consecutive years (since ${since})` };
}
