import type { Logger } from '@credit-gateway/common';
import { CaseBook } from '../loop/cases.js';
import { ReceiptBook } from '../loop/receipts.js';
import type { CreditStore, Overlays } from '../models.js';
import { loadHolidayCalendar, type HolidayCalendar } from '../workdays/index.js';
import { openEventStore, type EventStore, type EventStoreConfig } from './event-store.js';
import { ObjectionBook } from './objections.js';
import { loadObjectionPolicy, type ObjectionPolicy } from './policy.js';
import { RepairBook } from './repairs.js';
import { CommitmentBook } from './commitments.js';
import { loadCommitmentPolicy, type CommitmentPolicy } from '../rules/commitments.js';
import { loadRepairPolicy, type RepairPolicy } from '../rules/repair.js';

declare module '../models.js' {
  interface CreditStore {
    /** The durable event log under everything the platform itself records. */
    readonly events: EventStore;
    readonly objections: ObjectionBook;
    readonly repairs: RepairBook;
    /** Credit commitments (信用承诺): made, kept, broken. */
    readonly commitments: CommitmentBook;
    /** The cases of the joint reward-and-punishment loop. */
    readonly cases: CaseBook;
    /** Approval check receipts (应查必查) and the application reports on them. */
    readonly receipts: ReceiptBook;
    close(): Promise<void>;
  }
}

/**
 * What the store adds to a subject's department records: granted repairs, and the latest objection to
 * each record. An open objection (RECEIVED, VERIFYING) suspends the measures resting on its
 * record; REVOKED revokes the record; CORRECTED and UPHELD leave it as the department has it.
 */
export function overlaysOf(objections: ObjectionBook, repairs: RepairBook, code: string): Overlays {
  return { repairs: repairs.forSubject(code), objections: objections.latestByRecord(code) };
}

export interface CreditStoreOptions {
  /** data/holidays.json by default. */
  calendar?: HolidayCalendar;
  /** data/objections.json by default. */
  objectionPolicy?: ObjectionPolicy;
  /** data/commitments.json by default. */
  commitmentPolicy?: CommitmentPolicy;
  /** data/repair.json by default. */
  repairPolicy?: RepairPolicy;
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
  const commitmentPolicy = options.commitmentPolicy ?? loadCommitmentPolicy();
  const repairPolicy = options.repairPolicy ?? loadRepairPolicy();
  const events = await openEventStore(config, logger);
  try {
    const objections = new ObjectionBook(events, calendar, policy);
    const repairs = new RepairBook(events, calendar, repairPolicy.decisionTargetWorkingDays);
    const commitments = new CommitmentBook(events, calendar, commitmentPolicy);
    const cases = new CaseBook(events, calendar);
    const receipts = new ReceiptBook(events);
    return {
      events,
      objections,
      repairs,
      commitments,
      cases,
      receipts,
      overlaysFor: (code) =>
        Promise.resolve({ ...overlaysOf(objections, repairs, code), commitments: commitments.forSubject(code) }),
      close: () => events.close(),
    };
  } catch (error) {
    await events.close();
    throw error;
  }
}
