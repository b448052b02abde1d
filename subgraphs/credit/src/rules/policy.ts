import { loadLoopPolicy, type LoopPolicy } from '../loop/policy.js';
import { loadMeasuresCatalog, type MeasuresCatalog } from './catalog.js';
import { CreditDataError } from './data.js';
import { loadDepartmentRegistry, type DepartmentRegistry } from './departments.js';
import { loadEvaluationModel, type EvaluationModel } from './evaluation.js';
import { loadPublicityPolicy, type PublicityPolicy } from './publicity.js';

/** Every policy file of the credit rules, loaded and validated together. */
export interface CreditPolicy {
  catalog: MeasuresCatalog;
  publicity: PublicityPolicy;
  evaluation: EvaluationModel;
  /** The departments of the loop: who determines lists, who implements measures. */
  departments: DepartmentRegistry;
  /** The loop's deadlines (data/loop.json). */
  loop: LoopPolicy;
}

export interface PolicyFiles {
  measuresFile?: string;
  publicityPeriodsFile?: string;
  evaluationModelFile?: string;
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
  // Without a usable registry the catalog's department ids are checked for their form only.
  const catalog = attempt(() => loadMeasuresCatalog(files.measuresFile, departments));
  const publicity = attempt(() => loadPublicityPolicy(files.publicityPeriodsFile));
  const evaluation = attempt(() => loadEvaluationModel(files.evaluationModelFile));
  const loop = attempt(() => loadLoopPolicy());
  if (!catalog || !publicity || !evaluation || !departments || !loop) throw new CreditPolicyError(failures);
  return { catalog, publicity, evaluation, departments, loop };
}
