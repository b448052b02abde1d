import type { CreditRecordKind, SourceSystem } from '../__generated__/types.js';
import type { CreditRecordModel } from '../models.js';
import { addWorkingDays, type HolidayCalendar } from '../workdays/index.js';
import { CREDIT_RECORD_KINDS, DataChecker, defaultDataFile, readDataFile } from './data.js';

export const DEFAULT_PUBLICATION_DEADLINE_FILE = defaultDataFile('publication-deadline.json');

/** The publicity deadline (公示时限): decisions of these kinds are published within so many working days. */
export interface PublicationDeadline {
  source: string;
  workingDays: number;
  recordKinds: readonly CreditRecordKind[];
}

export function loadPublicationDeadline(file: string = DEFAULT_PUBLICATION_DEADLINE_FILE): PublicationDeadline {
  return parsePublicationDeadline(readDataFile(file), file);
}

export function parsePublicationDeadline(data: unknown, file = 'publication-deadline.json'): PublicationDeadline {
  const check = new DataChecker();
  const root = check.object(data, '$', { required: ['source', 'workingDays', 'recordKinds'] });
  const source = check.string(root?.['source'], '$.source');
  const workingDays = check.number(root?.['workingDays'], '$.workingDays', { min: 1, max: 60, integer: true });
  const recordKinds = check.setOf(root?.['recordKinds'], '$.recordKinds', CREDIT_RECORD_KINDS);
  check.done(file);
  return { source: source!, workingDays: workingDays!, recordKinds: recordKinds! };
}

/**
 * Whether a record was published in time: the deadline counts working days after its decision.
 * Kinds the deadline does not cover, and records whose department gives no publication date, say
 * nothing (null) rather than "in time".
 */
export function withPublicationTimeliness(
  record: CreditRecordModel,
  deadline: PublicationDeadline,
  calendar: HolidayCalendar,
): CreditRecordModel {
  if (!deadline.recordKinds.includes(record.kind)) return { ...record, publicationDueOn: null, publishedInTime: null };
  const publicationDueOn = addWorkingDays(record.decidedOn, deadline.workingDays, calendar);
  const publishedOn = record.publishedOn ?? null;
  return {
    ...record,
    publicationDueOn,
    publishedInTime: publishedOn === null ? null : publishedOn <= publicationDueOn,
  };
}

export interface PublicationTimelinessRowModel {
  department: SourceSystem;
  decisions: number;
  late: number;
  lateRecords: CreditRecordModel[];
}

/**
 * Publication timeliness per department over records (公示及时性): each record counted once by id,
 * only those the deadline covers and whose publication date is known; departments in a stable order.
 */
export function publicationTimeliness(records: readonly CreditRecordModel[]): PublicationTimelinessRowModel[] {
  const distinct = new Map<string, CreditRecordModel>();
  for (const record of records) if (record.publishedInTime != null) distinct.set(record.id, record);
  const rows = new Map<SourceSystem, PublicationTimelinessRowModel>();
  for (const record of distinct.values()) {
    const department = record.provenance.source;
    let row = rows.get(department);
    if (!row) rows.set(department, (row = { department, decisions: 0, late: 0, lateRecords: [] }));
    row.decisions += 1;
    if (record.publishedInTime === false) {
      row.late += 1;
      row.lateRecords.push(record);
    }
  }
  return [...rows.values()].sort((a, b) => a.department.localeCompare(b.department));
}
