import { badResponse, CreditGatewayError } from '@credit-gateway/common';
import type { DebtorRestrictionChangeModel, LinkageClient, RestrictionInForceModel } from '../models.js';
import { CONSUMPTION_RESTRICTION_MEASURE_IDS, type MeasuresCatalog } from '../rules/catalog.js';
import type { LinkageChange } from '../source/linkage.js';
import { changeId, decodeCursor, encodeCursor } from './cursor.js';

/** Page sizes the feed accepts (the schema documents 1 to 500). */
export const FEED_PAGE = { min: 1, max: 500, default: 100 } as const;

export interface FeedArguments {
  /** Changes at or after this time (ISO 8601). */
  changedSince: string;
  /** The cursor of the last change already seen. */
  after?: string | null;
  first?: number | null;
}

export interface FeedEdge {
  cursor: string;
  node: DebtorRestrictionChangeModel;
}

export interface FeedPage {
  edges: FeedEdge[];
  pageInfo: { endCursor: string | null; hasNextPage: boolean };
}

/** A page size, or BAD_USER_INPUT. */
export function pageSize(first: number | null | undefined): number {
  const size = first ?? FEED_PAGE.default;
  if (!Number.isInteger(size) || size < FEED_PAGE.min || size > FEED_PAGE.max) {
    throw new CreditGatewayError('BAD_USER_INPUT', `'first' must be from ${FEED_PAGE.min} to ${FEED_PAGE.max}`, {
      extensions: { argument: 'first', minimum: FEED_PAGE.min, maximum: FEED_PAGE.max },
    });
  }
  return size;
}

/** The catalog measure for one of the courts' restricted items (1–9), with its legal basis. */
export function restrictionInForce(item: number, catalog: Pick<MeasuresCatalog, 'get'>): RestrictionInForceModel {
  const id = CONSUMPTION_RESTRICTION_MEASURE_IDS[item - 1];
  const measure = id === undefined ? undefined : catalog.get(id);
  // The catalog is checked at start-up to hold all nine; reaching this is a defect, not bad data.
  if (measure === undefined) throw new Error(`the measures catalog has no measure for restricted item ${item}`);
  return { measure, legalBasis: measure.legalBasis };
}

/** One change of the courts' log as the feed shows it. */
export function changeNode(change: LinkageChange, catalog: Pick<MeasuresCatalog, 'get'>): DebtorRestrictionChangeModel {
  return {
    id: changeId(change.seq),
    changedAt: change.changedAt,
    change: change.type,
    caseNumber: change.caseNumber,
    debtorName: change.debtor.name,
    debtorCode: change.debtor.code,
    debtorIdNumber: change.debtor.idNumber,
    listed: change.listed,
    restrictions: change.restrictedItems.map((item) => restrictionInForce(item, catalog)),
    boundPersons: change.boundPersons.map((person) => ({
      name: person.name,
      role: person.role,
      idNumber: person.idNumber,
    })),
  };
}

/**
 * One page of the court linkage feed: the next `first` changes after the cursor, at or after
 * `changedSince`, oldest first. Positions in the courts' log never change and new changes are only
 * appended, so a walk from cursor to cursor sees every change once, new ones at its end. An empty
 * page keeps the cursor it was given, so a client polls on from where it stands.
 */
export async function readFeedPage(
  linkage: LinkageClient,
  catalog: Pick<MeasuresCatalog, 'get'>,
  args: FeedArguments,
): Promise<FeedPage> {
  const first = pageSize(args.first);
  const afterSeq = args.after == null ? 0 : decodeCursor(args.after);
  const since = new Date(args.changedSince);
  if (Number.isNaN(since.getTime())) {
    throw new CreditGatewayError('BAD_USER_INPUT', "'changedSince' must be an ISO 8601 date and time", {
      extensions: { argument: 'changedSince' },
    });
  }
  // One more than asked for tells whether another page follows.
  const { changes } = await linkage.changes({ since: since.toISOString(), afterSeq, limit: first + 1 });
  // A change at or before the cursor would be seen twice.
  if (changes.length > 0 && changes[0]!.seq <= afterSeq) {
    throw badResponse('courts', `change ${changes[0]!.seq} is not after the cursor's ${afterSeq}`);
  }
  const edges = changes
    .slice(0, first)
    .map((change) => ({ cursor: encodeCursor(change.seq), node: changeNode(change, catalog) }));
  return {
    edges,
    pageInfo: {
      endCursor: edges.at(-1)?.cursor ?? args.after ?? null,
      hasNextPage: changes.length > first,
    },
  };
}
