import { loadMeasuresCatalog, type MeasuresCatalog } from './catalog.js';
import { CreditDataError } from './data.js';
import { loadEvaluationModel, type EvaluationModel } from './evaluation.js';
import { loadPublicityPolicy, type PublicityPolicy } from './publicity.js';
import { loadRepairPolicy, type RepairPolicy } from './repair.js';

/** Every policy file of the credit rules, loaded and validated together. */
export interface CreditPolicy {
  catalog: MeasuresCatalog;
  publicity: PublicityPolicy;
  evaluation: EvaluationModel;
  /** Credit repair: who repairs which records, on what conditions, how fast. */
  repair: RepairPolicy;
}

export interface PolicyFiles {
  measuresFile?: string;
  publicityPeriodsFile?: string;
  evaluationModelFile?: string;
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
  const catalog = attempt(() => loadMeasuresCatalog(files.measuresFile));
  const publicity = attempt(() => loadPublicityPolicy(files.publicityPeriodsFile));
  const evaluation = attempt(() => loadEvaluationModel(files.evaluationModelFile));
  const repair = attempt(() => loadRepairPolicy(files.repairPolicyFile));
  if (!catalog || !publicity || !evaluation || !repair) throw new CreditPolicyError(failures);
  return { catalog, publicity, evaluation, repair };
}
