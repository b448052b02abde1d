import type { CommitmentKindModel, CommitmentModel, CreditRecordModel } from '../models.js';
import { DataChecker, defaultDataFile, readDataFile } from './data.js';
import { addMonths, publicityPeriod, type PublicityPolicy } from './publicity.js';
import { fullProvenance } from './records.js';

export const DEFAULT_COMMITMENTS_FILE = defaultDataFile('commitments.json');

export type { CommitmentKindModel, CommitmentModel } from '../models.js';

export interface CommitmentPolicy {
  source: string;
  kinds: readonly CommitmentKindModel[];
  /** A commitment broken within these years closes the green channel, exemplary subjects included. */
  closesGreenChannelForYears: number;
  brokenBasis: string;
}

export function loadCommitmentPolicy(file: string = DEFAULT_COMMITMENTS_FILE): CommitmentPolicy {
  return parseCommitmentPolicy(readDataFile(file), file);
}

const KIND_ID = /^[A-Z][A-Z0-9_]{0,39}$/;

export function parseCommitmentPolicy(data: unknown, file = 'commitments.json'): CommitmentPolicy {
  const check = new DataChecker();
  const root = check.object(data, '$', { required: ['source', 'kinds', 'brokenCommitment'] });
  const source = check.string(root?.['source'], '$.source');
  const kinds: CommitmentKindModel[] = [];
  (check.array(root?.['kinds'], '$.kinds', { nonEmpty: true }) ?? []).forEach((item, index) => {
    const path = `$.kinds[${index}]`;
    const entry = check.object(item, path, { required: ['id', 'name', 'dueWorkingDays', 'basis'] });
    if (!entry) return;
    const id = check.string(entry['id'], `${path}.id`);
    if (id !== undefined && !KIND_ID.test(id))
      check.problem(`${path}.id`, 'must be written A-Z, 0-9 and _ (at most 40)');
    if (id !== undefined && kinds.some((k) => k.id === id)) check.problem(`${path}.id`, `'${id}' is defined twice`);
    const name = check.string(entry['name'], `${path}.name`);
    const dueWorkingDays = check.number(entry['dueWorkingDays'], `${path}.dueWorkingDays`, {
      min: 1,
      max: 250,
      integer: true,
    });
    const basis = check.string(entry['basis'], `${path}.basis`);
    if (id === undefined || name === undefined || dueWorkingDays === undefined || basis === undefined) return;
    kinds.push({ id, name, dueWorkingDays, basis });
  });
  const broken = check.object(root?.['brokenCommitment'], '$.brokenCommitment', {
    required: ['closesGreenChannelForYears', 'basis'],
  });
  const closesGreenChannelForYears = check.number(
    broken?.['closesGreenChannelForYears'],
    '$.brokenCommitment.closesGreenChannelForYears',
    { min: 0, max: 10, integer: true },
  );
  const brokenBasis = check.string(broken?.['basis'], '$.brokenCommitment.basis');
  check.done(file);
  return { source: source!, kinds, closesGreenChannelForYears: closesGreenChannelForYears!, brokenBasis: brokenBasis! };
}

/** A broken commitment's credit record id: the accepting department and the commitment's id. */
export function brokenCommitmentRecordId(commitment: Pick<CommitmentModel, 'department' | 'id'>): string {
  return `${commitment.department}:${commitment.id}`;
}

/**
 * The credit records broken commitments become (信用承诺失信): decided on the day the department
 * recorded the breach, published at once by the platform, for the period publicity-periods.json
 * sets for BROKEN_COMMITMENT. Kept and open commitments make no record.
 */
export function brokenCommitmentRecords(
  commitments: readonly CommitmentModel[],
  publicity: PublicityPolicy,
  today: string,
): CreditRecordModel[] {
  const rule = publicity.kinds.BROKEN_COMMITMENT;
  const severity = rule.severity === 'BY_PENALTY_CONTENT' ? 'GENERAL' : rule.severity;
  return commitments
    .filter((c) => c.state === 'BROKEN' && c.resolvedOn != null)
    .map((c) => {
      const decidedOn = c.resolvedOn!;
      const period = publicityPeriod(publicity, 'BROKEN_COMMITMENT', severity, decidedOn);
      const publishedUntil = period ? addMonths(decidedOn, period.maxMonths) : null;
      const brokenAt = c.history.find((h) => h.state === 'BROKEN')?.at ?? `${decidedOn}T00:00:00.000Z`;
      return {
        id: brokenCommitmentRecordId(c),
        kind: 'BROKEN_COMMITMENT',
        severity,
        summary: `信用承诺失信 (broken commitment): ${c.kind.name}, ${c.matter}`,
        decidedOn,
        publishedOn: decidedOn,
        publishedUntil,
        state: publishedUntil !== null && today > publishedUntil ? 'EXPIRED' : 'ACTIVE',
        objectionId: null,
        repairedOn: null,
        provenance: fullProvenance({ source: c.department, recordId: c.id, asOf: brokenAt }),
      };
    });
}

/** Commitments broken on or after `since`, for the green channel. */
export function brokenSince(commitments: readonly CommitmentModel[], since: string): CommitmentModel[] {
  return commitments.filter((c) => c.state === 'BROKEN' && c.resolvedOn != null && c.resolvedOn >= since);
}
