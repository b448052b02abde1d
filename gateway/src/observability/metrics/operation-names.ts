/**
 * Operation names come from callers: as metric labels they are bounded, so that no caller can
 * grow the registry (each label value is a series kept for the life of the process).
 */

/** A request whose document was never resolved, or an anonymous operation. */
export const NO_OPERATION = '__none__';
/** A name past the bound, or one that is not a plain GraphQL name of reasonable length. */
export const OTHER_OPERATIONS = '__other__';
export const MAX_OPERATION_NAME_LENGTH = 64;

const GRAPHQL_NAME = /^[A-Za-z][_0-9A-Za-z]*$/;

/** The first `max` distinct names are kept as they are; every later one is `__other__`. */
export class OperationNames {
  private readonly kept = new Set<string>();

  constructor(private readonly max: number) {}

  label(name: string | null | undefined): string {
    if (!name) return NO_OPERATION;
    if (this.kept.has(name)) return name;
    // Names starting with `_` are left out too: `__none__` and `__other__` stay unambiguous.
    if (name.length > MAX_OPERATION_NAME_LENGTH || !GRAPHQL_NAME.test(name)) return OTHER_OPERATIONS;
    if (this.kept.size >= this.max) return OTHER_OPERATIONS;
    this.kept.add(name);
    return name;
  }

  get size(): number {
    return this.kept.size;
  }
}
