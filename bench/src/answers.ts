/**
 * Comparing two gateways' answers to the same request: the `data` of each, leaf by leaf, key order
 * aside. Leaves that change from one reading to the next of the same gateway (the time a department
 * was read) are found by reading our gateway twice, and left out of the comparison.
 */

function leaves(value: unknown, path: string, into: Map<string, unknown>): Map<string, unknown> {
  if (Array.isArray(value)) {
    into.set(`${path}.length`, value.length);
    value.forEach((item, i) => leaves(item, `${path}[${i}]`, into));
  } else if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 0) into.set(path, '{}');
    for (const key of keys) leaves((value as Record<string, unknown>)[key], `${path}.${key}`, into);
  } else {
    into.set(path, value);
  }
  return into;
}

/** The leaf paths whose values differ between two readings, with array indexes as `[*]`. */
export function volatilePaths(first: unknown, second: unknown): string[] {
  const a = leaves(first, '$', new Map());
  const b = leaves(second, '$', new Map());
  const paths = new Set<string>();
  for (const path of new Set([...a.keys(), ...b.keys()]))
    if (!Object.is(a.get(path), b.get(path))) paths.add(generalise(path));
  return [...paths];
}

const generalise = (path: string): string => path.replace(/\[\d+\]/g, '[*]');

/** The first difference between our answer and a peer's, outside the volatile paths; undefined when equal. */
export function answersDiffer(ours: unknown, theirs: unknown, volatile: ReadonlySet<string>): string | undefined {
  const a = leaves(ours, '$', new Map());
  const b = leaves(theirs, '$', new Map());
  for (const path of new Set([...a.keys(), ...b.keys()])) {
    if (volatile.has(generalise(path))) continue;
    if (!a.has(path)) return `${path} only in theirs (${JSON.stringify(b.get(path))})`;
    if (!b.has(path)) return `${path} missing (ours: ${JSON.stringify(a.get(path))})`;
    if (!Object.is(a.get(path), b.get(path)))
      return `${path}: ours ${JSON.stringify(a.get(path))}, theirs ${JSON.stringify(b.get(path))}`;
  }
  return undefined;
}
