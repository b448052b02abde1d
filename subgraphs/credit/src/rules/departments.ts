import { isDepartment, isDepartmentId, DEPARTMENT_ID_PATTERN, type DepartmentId } from '@credit-gateway/common';
import { DataChecker, defaultDataFile, readDataFile } from './data.js';

export const DEFAULT_DEPARTMENTS_FILE = defaultDataFile('departments.json');

/** What a department does in the loop: determines and owns lists (认定), or implements measures (实施). */
export type DepartmentRole = 'SOURCE' | 'IMPLEMENTING';
const ROLES: readonly DepartmentRole[] = ['SOURCE', 'IMPLEMENTING'];

export interface DepartmentEntry {
  id: DepartmentId;
  /** Its Chinese name, as cases and reports show it. */
  name: string;
  role: DepartmentRole;
}

/** The departments of the loop (data/departments.json), by id. */
export interface DepartmentRegistry {
  readonly version: string;
  all(): readonly DepartmentEntry[];
  get(id: string): DepartmentEntry | undefined;
  has(id: string): boolean;
}

/** Reads and validates data/departments.json; every problem in it is reported at once. */
export function loadDepartmentRegistry(file: string = DEFAULT_DEPARTMENTS_FILE): DepartmentRegistry {
  return parseDepartmentRegistry(readDataFile(file), file);
}

/**
 * Checks the registry: each id well formed (DEPARTMENT_ID_PATTERN), on the closed list a token may
 * carry, named once; a SOURCE department is one of the five that own records.
 */
export function parseDepartmentRegistry(data: unknown, file = 'departments.json'): DepartmentRegistry {
  const check = new DataChecker();
  const root = check.object(data, '$', { required: ['version', 'departments'], optional: ['description'] });
  const version = check.string(root?.['version'], '$.version') ?? '';
  const entries: DepartmentEntry[] = [];
  (check.array(root?.['departments'], '$.departments', { nonEmpty: true }) ?? []).forEach((item, index) => {
    const path = `$.departments[${index}]`;
    const entry = check.object(item, path, { required: ['id', 'name', 'role'] });
    if (!entry) return;
    const id = check.string(entry['id'], `${path}.id`);
    const name = check.string(entry['name'], `${path}.name`);
    const role = check.oneOf(entry['role'], `${path}.role`, ROLES);
    if (id === undefined || name === undefined || role === undefined) return;
    if (!DEPARTMENT_ID_PATTERN.test(id)) {
      check.problem(`${path}.id`, `'${id}' must be upper-case letters, digits and underscores`);
      return;
    }
    if (!isDepartmentId(id)) {
      check.problem(`${path}.id`, `'${id}' is not on the closed list of departments a token may name`);
      return;
    }
    if (role === 'SOURCE' && !isDepartment(id)) check.problem(`${path}.role`, `'${id}' owns no records`);
    if (entries.some((e) => e.id === id)) check.problem(`${path}.id`, `'${id}' is defined twice`);
    else entries.push({ id, name, role });
  });
  check.done(file);
  const byId = new Map(entries.map((e) => [e.id as string, Object.freeze(e)]));
  return { version, all: () => entries, get: (id) => byId.get(id), has: (id) => byId.has(id) };
}
