import type { CreditListKind } from '../__generated__/types.js';
import { CREDIT_LIST_KINDS, DataChecker, defaultDataFile, readDataFile } from '../rules/data.js';

export const DEFAULT_LOOP_FILE = defaultDataFile('loop.json');

/** The loop's working-day deadlines and the lists whose listings open cases (data/loop.json). */
export interface LoopPolicy {
  /** The seed the deadlines implement, shown beside them. */
  seed: string;
  /** Working days after the opening day to acknowledge a case (响应). */
  responseWorkingDays: number;
  /** Working days after the opening day to report on each measure (反馈). */
  feedbackWorkingDays: number;
  /** The list kinds whose listings the platform opens cases for when it first sees them. */
  openOnLists: readonly CreditListKind[];
}

export function loadLoopPolicy(file: string = DEFAULT_LOOP_FILE): LoopPolicy {
  return parseLoopPolicy(readDataFile(file), file);
}

export function parseLoopPolicy(data: unknown, file = 'loop.json'): LoopPolicy {
  const check = new DataChecker();
  const root = check.object(data, '$', {
    required: ['seed', 'responseWorkingDays', 'feedbackWorkingDays', 'openOnLists'],
    optional: ['description'],
  });
  const seed = check.string(root?.['seed'], '$.seed');
  const days = { min: 1, max: 60, integer: true };
  const responseWorkingDays = check.number(root?.['responseWorkingDays'], '$.responseWorkingDays', days);
  const feedbackWorkingDays = check.number(root?.['feedbackWorkingDays'], '$.feedbackWorkingDays', days);
  if (
    responseWorkingDays !== undefined &&
    feedbackWorkingDays !== undefined &&
    feedbackWorkingDays < responseWorkingDays
  ) {
    check.problem('$.feedbackWorkingDays', 'must not be shorter than responseWorkingDays');
  }
  const openOnLists = check.setOf(root?.['openOnLists'], '$.openOnLists', CREDIT_LIST_KINDS);
  check.done(file);
  return {
    seed: seed!,
    responseWorkingDays: responseWorkingDays!,
    feedbackWorkingDays: feedbackWorkingDays!,
    openOnLists: openOnLists!,
  };
}
