/**
 * Department ids the outbox pushes to: the source departments (`TAX`, `COURTS`, …) and the
 * implementing departments of the measures catalog. The one check, so that it can be tied to the
 * departments registry.
 */
const DEPARTMENT_ID = /^[A-Z][A-Z0-9_]{1,63}$/;

export function isDepartmentId(value: unknown): value is string {
  return typeof value === 'string' && DEPARTMENT_ID.test(value);
}
