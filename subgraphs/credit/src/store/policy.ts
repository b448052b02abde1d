import { DataChecker, defaultDataFile, readDataFile } from '../rules/data.js';

export const DEFAULT_OBJECTION_POLICY_FILE = defaultDataFile('objections.json');

export interface ObjectionPolicy {
  /** Working days after the filing day by which an objection should be handled (5 by default). */
  handlingTargetWorkingDays: number;
}

export function parseObjectionPolicy(json: unknown, file: string): ObjectionPolicy {
  const check = new DataChecker();
  const root = check.object(json, '$', { required: ['handlingTargetWorkingDays'], optional: ['description'] });
  const days = root
    ? check.number(root['handlingTargetWorkingDays'], '$.handlingTargetWorkingDays', { min: 1, max: 60, integer: true })
    : undefined;
  check.done(file);
  return { handlingTargetWorkingDays: days! };
}

/** Reads and checks data/objections.json (or `file`) at start-up. */
export function loadObjectionPolicy(file: string = DEFAULT_OBJECTION_POLICY_FILE): ObjectionPolicy {
  return parseObjectionPolicy(readDataFile(file), file);
}
