import type { Logger } from '@credit-gateway/common';
import { CaseBook } from '../loop/cases.js';
import { ReceiptBook } from '../loop/receipts.js';
import type { CreditStore, Overlays } from '../models.js';
import { loadHolidayCalendar, type HolidayCalendar } from '../workdays/index.js';
import { openEventStore, type EventStore, type EventStoreConfig } from './event-store.js';
import { ObjectionBook } from './objections.js';
import { loadObjectionPolicy, type ObjectionPolicy } from './policy.js';
import { RepairBook } from './repairs.js';

declare module '../models.js' {
  interface CreditStore {
    /** The durable event log under everything the platform itself records. */
    readonly events: EventStore;
    readonly objections: ObjectionBook;
    readonly repairs: RepairBook;
    /** The cases of the joint reward-and-punishment loop. */
    readonly cases: CaseBook;
    /** Approval check receipts (应查必查) and the application reports on them. */
    readonly receipts: ReceiptBook;
    close(): Promise<void>;
  }
}

/**
 * What the store adds to a subject's department records: repairs, and the latest objection to
 * each record. An open objection (RECEIVED, VERIFYING) suspends the measures resting on its
 * record; REVOKED revokes the record; CORRECTED and UPHELD leave it as the department has it.
 */
export function overlaysOf(objections: ObjectionBook, repairs: RepairBook, code: string): Overlays {
  const repaired = new Map<string, { repairedOn: string }>();
  for (const [recordId, repair] of repairs.forSubject(code)) repaired.set(recordId, { repairedOn: repair.repairedOn });
  return { repairs: repaired, objections: objections.latestByRecord(code) };
}

export interface CreditStoreOptions {
  /** data/holidays.json by default. */
  calendar?: HolidayCalendar;
  /** data/objections.json by default. */
  objectionPolicy?: ObjectionPolicy;
}

/**
 * Opens the platform's durable store: PostgreSQL when `databaseUrl` is set (CREDIT_DATABASE_URL),
 * JSON lines files in `dir` otherwise (CREDIT_STORE_DIR, default .data/credit). Objections and
 * repairs are rebuilt in memory from every stored event before it answers.
 */
export async function openCreditStore(
  config: EventStoreConfig,
  logger: Logger,
  options: CreditStoreOptions = {},
): Promise<CreditStore> {
  const calendar = options.calendar ?? loadHolidayCalendar();
  const policy = options.objectionPolicy ?? loadObjectionPolicy();
  const events = await openEventStore(config, logger);
  try {
    const objections = new ObjectionBook(events, calendar, policy);
    const repairs = new RepairBook(events);
    const cases = new CaseBook(events, calendar);
    const receipts = new ReceiptBook(events);
    return {
      events,
      objections,
      repairs,
      cases,
      receipts,
      overlaysFor: (code) => Promise.resolve(overlaysOf(objections, repairs, code)),
      close: () => events.close(),
    };
  } catch (error) {
    await events.close();
    throw error;
  }
}
