/**
 * Just enough of PromQL to check a dashboard against what the services export: the metric names an
 * expression selects, the label names it matches on, and those it groups by. Grafana's variables
 * (`$__rate_interval`, `${name}`) are read as the durations and values they stand for.
 */

export interface Selector {
  /** The metric name (`credit_gateway_request_duration_seconds_bucket`). */
  name: string;
  /** Label names its matchers use (`{committed="false"}`). */
  labels: string[];
}

export interface ExpressionParts {
  selectors: Selector[];
  /** Label names of `by (…)`, `without (…)`, `on (…)`, `ignoring (…)` and `group_left/right (…)`. */
  grouping: string[];
}

/** Words PromQL gives a meaning of its own, never metric names when they stand before `(` or alone. */
const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'offset',
  'bool',
  'inf',
  'nan',
]);

const GROUPING = /\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g;
const IDENTIFIER = /(?<![\w:.])([a-zA-Z_:][\w:]*)/g;
const LABEL_NAME = /([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)/g;

/** Throws when `expr` has quotes or brackets that do not close: the dashboard would not load. */
export function parseExpression(expr: string): ExpressionParts {
  // Strings first: a label value may hold anything, braces and names included.
  let text = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
  if (/["'`]/.test(text.replace(/""/g, ''))) throw new Error(`an unclosed string in ${expr}`);
  text = text.replace(/\$\{[^}]*\}|\$\w+/g, '0');

  const matchers: string[][] = [];
  text = text.replace(/\{([^{}]*)\}/g, (_whole, body: string) => {
    matchers.push([...body.matchAll(LABEL_NAME)].map((match) => match[1]!));
    return `{#${matchers.length - 1}}`;
  });
  if (/[{}]/.test(text.replace(/\{#\d+\}/g, ''))) throw new Error(`unbalanced braces in ${expr}`);
  // Ranges and subqueries: [5m], [1h:1m].
  text = text.replace(/\[[^\]]*\]/g, ' ');
  if (/[[\]]/.test(text)) throw new Error(`unbalanced brackets in ${expr}`);

  const grouping: string[] = [];
  text = text.replace(GROUPING, (_whole, _keyword: string, labels: string) => {
    grouping.push(
      ...labels
        .split(',')
        .map((label) => label.trim())
        .filter((label) => label !== ''),
    );
    return ' ';
  });
  let depth = 0;
  for (const char of text) {
    depth += char === '(' ? 1 : char === ')' ? -1 : 0;
    if (depth < 0) break;
  }
  if (depth !== 0) throw new Error(`unbalanced parentheses in ${expr}`);

  const selectors: Selector[] = [];
  for (const match of text.matchAll(IDENTIFIER)) {
    const name = match[1]!;
    const rest = text.slice(match.index + name.length);
    // A function or an aggregation, which is followed by its parentheses.
    if (/^\s*\(/.test(rest)) continue;
    if (KEYWORDS.has(name.toLowerCase())) continue;
    const matcher = /^\{#(\d+)\}/.exec(rest);
    selectors.push({ name, labels: matcher ? matchers[Number(matcher[1])]! : [] });
  }
  // A selector without a name: `{__name__=~"…"}`.
  if (/\{#\d+\}/.test(text.replace(/[a-zA-Z_:][\w:]*\{#\d+\}/g, '')))
    throw new Error(`a selector without a metric name in ${expr}: it cannot be checked`);
  return { selectors, grouping };
}

/** Metric families as a text exposition page declares them (`# TYPE name type`). */
export function exportedFamilies(text: string): Map<string, string> {
  const families = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^# TYPE ([a-zA-Z_:][\w:]*) (\w+)$/.exec(line);
    if (match) families.set(match[1]!, match[2]!);
  }
  return families;
}

/** The series names a family gives: a histogram's `_bucket`, `_sum` and `_count`, a summary's `_sum` and `_count`. */
export function seriesNames(family: string, type: string): string[] {
  if (type === 'histogram') return [`${family}_bucket`, `${family}_sum`, `${family}_count`];
  if (type === 'summary') return [family, `${family}_sum`, `${family}_count`];
  return [family];
}
