import { loadHolidayCalendar, type HolidayCalendar } from '../workdays/index.js';
import { loadLoopPolicy, type LoopPolicy } from '../loop/policy.js';
import { loadMeasuresCatalog, type MeasuresCatalog } from './catalog.js';
import { loadCommitmentPolicy, type CommitmentPolicy } from './commitments.js';
import { loadListKinds } from './list-kinds.js';
import { loadPublicationDeadline, type PublicationDeadline } from './publication.js';
import { loadSupervisionPolicy, type SupervisionPolicy } from './supervision.js';
import { CreditDataError } from './data.js';
import { loadDepartmentRegistry, type DepartmentRegistry } from './departments.js';
import { loadEvaluationModel, type EvaluationModel } from './evaluation.js';
import { loadPublicityPolicy, type PublicityPolicy } from './publicity.js';
import { loadRepairPolicy, type RepairPolicy } from './repair.js';

/** Every policy file of the credit rules, loaded and validated together. */
export interface CreditPolicy {
  catalog: MeasuresCatalog;
  publicity: PublicityPolicy;
  evaluation: EvaluationModel;
  /** Credit commitment kinds and what a broken one closes (data/commitments.json). */
  commitments: CommitmentPolicy;
  /** Graded supervision per evaluation grade (data/supervision.json). */
  supervision: SupervisionPolicy;
  /** The publication deadline of decisions (data/publication-deadline.json). */
  publication: PublicationDeadline;
  /** Working days (data/holidays.json). */
  calendar: HolidayCalendar;
  /** Credit repair: who repairs which records, on what conditions, how fast. */
  repair: RepairPolicy;
  /** The departments of the loop: who determines lists, who implements measures. */
  departments: DepartmentRegistry;
  /** The loop's deadlines (data/loop.json). */
  loop: LoopPolicy;
}

export interface PolicyFiles {
  measuresFile?: string;
  publicityPeriodsFile?: string;
  evaluationModelFile?: string;
  listKindsFile?: string;
  commitmentsFile?: string;
  supervisionFile?: string;
  publicationDeadlineFile?: string;
  holidaysFile?: string;
  repairPolicyFile?: string;
}

/** The problems of several policy files, reported together at start-up. */
export class CreditPolicyError extends Error {
  constructor(readonly failures: readonly CreditDataError[]) {
    super(failures.map((f) => f.message).join('\n'));
    this.name = 'CreditPolicyError';
  }
}

/** Loads every policy file; if any is unusable, throws one error naming every problem in every file. */
export function loadCreditPolicy(files: PolicyFiles = {}): CreditPolicy {
  const failures: CreditDataError[] = [];
  function attempt<T>(load: () => T): T | undefined {
    try {
      return load();
    } catch (error) {
      if (error instanceof CreditDataError) {
        failures.push(error);
        return undefined;
      }
      throw error;
    }
  }
  const departments = attempt(() => loadDepartmentRegistry());
  const listKinds = attempt(() => loadListKinds(files.listKindsFile));
  // Without a usable registry the catalog's department ids are checked for their form only.
  const catalog = listKinds && attempt(() => loadMeasuresCatalog(files.measuresFile, listKinds, departments));
  const publicity = attempt(() => loadPublicityPolicy(files.publicityPeriodsFile));
  const evaluation = attempt(() => loadEvaluationModel(files.evaluationModelFile));
  const commitments = attempt(() => loadCommitmentPolicy(files.commitmentsFile));
  const supervision = attempt(() => loadSupervisionPolicy(files.supervisionFile));
  const publication = attempt(() => loadPublicationDeadline(files.publicationDeadlineFile));
  const calendar = attempt(() => loadHolidayCalendar(files.holidaysFile));
  const repair = attempt(() => loadRepairPolicy(files.repairPolicyFile));
  const loop = attempt(() => loadLoopPolicy());
  if (
    !catalog ||
    !publicity ||
    !evaluation ||
    !commitments ||
    !supervision ||
    !publication ||
    !calendar ||
    !repair ||
    !departments ||
    !loop
  )
    throw new CreditPolicyError(failures);
  return {
    catalog,
    publicity,
    evaluation,
    commitments,
    supervision,
    publication,
    calendar,
    repair,
    departments,
    loop,
  };
}
