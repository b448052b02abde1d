/**
 * Turns what the config readers record in describe mode into the README's configuration tables,
 * and writes them between markers. Everything here is a pure function of the catalogs and the
 * README text, so the check and its tests need no running service.
 */
import type { ConfigVariable } from '@credit-gateway/common';

export interface ServiceCatalog {
  /** Short name, used where defaults differ by service (`market`, `market stand-in`). */
  name: string;
  /** Caption of the variables the service reads outside any section (`Market subgraph`). */
  title: string;
  variables: readonly ConfigVariable[];
}

export interface ConfigRow {
  names: string[];
  variable: ConfigVariable;
  /** Service name → its default; one entry per service that reads the variable. */
  defaults: Map<string, string | undefined>;
}

export interface ConfigGroup {
  /** A section read by several services keeps its title; others are prefixed with their service. */
  title: string;
  services: string[];
  rows: ConfigRow[];
}

/** A catalog that cannot be documented: a read without a description, or one variable described two ways. */
export class ConfigDocsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`The configuration cannot be documented:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigDocsError';
  }
}

/** What must agree for two services' reads of one variable to share a row. */
function shape(variable: ConfigVariable): string {
  const { type, min, max, choices, values, description } = variable;
  return JSON.stringify({ type, min, max, choices, values, description });
}

/**
 * Groups every service's variables by section, shared sections first (the most widely read
 * first), then each service's own variables and sections in reading order. Defaults under
 * `root` are shown relative to it, so the tables do not depend on where the repository is.
 */
export function groupCatalogs(catalogs: readonly ServiceCatalog[], root: string): ConfigGroup[] {
  const problems: string[] = [];
  interface Gathering {
    /** Undefined for the variables a service reads outside any section. */
    section: string | undefined;
    services: string[];
    rows: Map<string, ConfigRow>;
    order: number;
  }
  const groups = new Map<string, Gathering>();
  const prefix = root.endsWith('/') ? root : `${root}/`;
  for (const catalog of catalogs) {
    for (const variable of catalog.variables) {
      if (variable.description.trim() === '') {
        problems.push(`${variable.name} (${catalog.name}) is read without a description`);
        continue;
      }
      const { section } = variable;
      const key = JSON.stringify(section === undefined ? ['own', catalog.name] : ['section', section]);
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { section, services: [], rows: new Map(), order: groups.size }));
      if (!group.services.includes(catalog.name)) group.services.push(catalog.name);
      const shown = variable.default?.startsWith(prefix) ? variable.default.slice(prefix.length) : variable.default;
      const row = group.rows.get(variable.name);
      if (!row) {
        group.rows.set(variable.name, {
          names: [variable.name],
          variable,
          defaults: new Map([[catalog.name, shown]]),
        });
      } else if (shape(row.variable) !== shape(variable)) {
        const first = [...row.defaults.keys()][0];
        problems.push(`${variable.name} is read differently by ${first} and ${catalog.name}; give them one reader`);
      } else {
        row.defaults.set(catalog.name, shown);
      }
    }
  }
  if (problems.length > 0) throw new ConfigDocsError(problems);

  const serviceOrder = new Map(catalogs.map((catalog, index) => [catalog.name, index]));
  const titles = new Map(catalogs.map((catalog) => [catalog.name, catalog.title]));
  return [...groups.values()]
    .sort((a, b) => {
      const sharedA = a.services.length > 1;
      const sharedB = b.services.length > 1;
      if (sharedA !== sharedB) return sharedA ? -1 : 1;
      if (sharedA) return b.services.length - a.services.length || a.order - b.order;
      const byService = serviceOrder.get(a.services[0]!)! - serviceOrder.get(b.services[0]!)!;
      // A service's own variables come before its sections.
      const ownFirst = Number(a.section !== undefined) - Number(b.section !== undefined);
      return byService || ownFirst || a.order - b.order;
    })
    .map((group) => {
      const service = titles.get(group.services[0]!)!;
      const title =
        group.section === undefined
          ? service
          : group.services.length === 1
            ? `${service}: ${group.section}`
            : group.section;
      return { title, services: group.services, rows: mergeAdjacent([...group.rows.values()]) };
    });
}

/** Rows that differ only in their name (`SUBGRAPH_<NAME>_URL`, say) are shown as one. */
function mergeAdjacent(rows: readonly ConfigRow[]): ConfigRow[] {
  const merged: ConfigRow[] = [];
  for (const row of rows) {
    const last = merged.at(-1);
    if (
      last &&
      shape(last.variable) === shape(row.variable) &&
      JSON.stringify([...last.defaults]) === JSON.stringify([...row.defaults])
    ) {
      last.names.push(...row.names);
    } else {
      merged.push({ ...row, names: [...row.names] });
    }
  }
  return merged;
}

type Unit = 'ms' | 's' | 'bytes' | 'bytes/s' | 'years';

/** The unit a number is in, from the name's suffix: `_MS`, `_S` or `_SECONDS`, `_BYTES`, `_YEARS`. */
export function unitOf(name: string): Unit | undefined {
  if (/_MS$/.test(name)) return 'ms';
  if (/_BYTES_PER_SECOND$/.test(name)) return 'bytes/s';
  if (/_BYTES$/.test(name)) return 'bytes';
  if (/_(S|SECONDS)$/.test(name)) return 's';
  if (/_YEARS$/.test(name)) return 'years';
  return undefined;
}

const SIZES: ReadonlyArray<[string, number]> = [
  ['TiB', 1024 ** 4],
  ['GiB', 1024 ** 3],
  ['MiB', 1024 ** 2],
  ['KiB', 1024],
];
const DURATIONS_MS: ReadonlyArray<[string, number]> = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['min', 60_000],
  ['s', 1_000],
];

/** `1048576` bytes → `1 MiB`, `600000` ms → `10 min`: the largest unit that divides it exactly. */
function readable(value: number, unit: Unit | undefined): string | undefined {
  const scale = unit === 'bytes' || unit === 'bytes/s' ? SIZES : unit === 'ms' || unit === 's' ? DURATIONS_MS : [];
  const inUnit = unit === 's' ? value * 1_000 : value;
  for (const [name, size] of scale) {
    if (inUnit >= size && inUnit % size === 0) return `${inUnit / size} ${name}${unit === 'bytes/s' ? '/s' : ''}`;
  }
  return undefined;
}

function quantity(value: number, unit: Unit | undefined): string {
  if (unit === undefined) return String(value);
  const one: Partial<Record<Unit, string>> = { bytes: 'byte', 'bytes/s': 'byte/s', years: 'year' };
  return readable(value, unit) ?? `${value} ${value === 1 ? (one[unit] ?? unit) : unit}`;
}

export function formatValues(variable: ConfigVariable): string {
  if (variable.values !== undefined) return variable.values;
  const unit = unitOf(variable.name);
  switch (variable.type) {
    case 'integer':
    case 'number': {
      const kind = variable.type === 'integer' ? 'whole number' : 'number';
      const { min, max } = variable;
      if (min !== undefined && max !== undefined) return `${quantity(min, unit)} to ${quantity(max, unit)}`;
      if (min !== undefined) return `${kind}, at least ${quantity(min, unit)}`;
      if (max !== undefined) return `${kind}, at most ${quantity(max, unit)}`;
      return unit === undefined ? kind : `${kind} of ${unit}`;
    }
    case 'boolean':
      return '`true`, `false`';
    case 'choice':
      return (variable.choices ?? []).map((choice) => `\`${choice}\``).join(', ');
    case 'url':
      return 'URL';
    case 'list':
      return 'comma-separated list';
    case 'text':
      if (/_FILE$/.test(variable.name)) return 'file path';
      if (/_DIR$/.test(variable.name)) return 'directory';
      if (/_URL$/.test(variable.name)) return 'URL';
      return 'text';
  }
}

function formatDefault(variable: ConfigVariable, value: string | undefined): string {
  if (value === undefined) return '—';
  // A default described in words (`the host name, made a valid id`) is not a value to type.
  if (value.includes(' ')) return value;
  const number = Number(value);
  const hint =
    (variable.type === 'integer' || variable.type === 'number') && value.trim() !== '' && Number.isFinite(number)
      ? readable(number, unitOf(variable.name))
      : undefined;
  return hint === undefined || hint === `${value} ${unitOf(variable.name)}` ? code(value) : `${code(value)} (${hint})`;
}

function code(text: string): string {
  return text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``;
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function defaultsCell(row: ConfigRow): string {
  const byValue = new Map<string | undefined, string[]>();
  for (const [service, value] of row.defaults) byValue.set(value, [...(byValue.get(value) ?? []), service]);
  if (byValue.size === 1) return formatDefault(row.variable, [...byValue.keys()][0]);
  return [...byValue]
    .map(([value, services]) => `${formatDefault(row.variable, value)} ${services.join(', ')}`)
    .join('; ');
}

export function renderTable(group: ConfigGroup): string {
  const lines = ['| Variable | Default | Values | Meaning |', '|---|---|---|---|'];
  for (const row of group.rows) {
    const names = row.names.map(code).join(', ');
    lines.push(
      `| ${cell(names)} | ${cell(defaultsCell(row))} | ${cell(formatValues(row.variable))} | ${cell(row.variable.description)} |`,
    );
  }
  return lines.join('\n');
}

const BEGIN = /^<!-- config-docs:begin (.+?) -->$/;
const END = '<!-- config-docs:end -->';

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
export function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replaceAll(' ', '-');
}

/**
 * Writes the tables between `<!-- config-docs:begin <group title> -->` and
 * `<!-- config-docs:end -->`: each named group where it is named, every other group at the
 * marker named `*`, which also points to the groups placed elsewhere.
 */
export function spliceConfigDocs(readme: string, groups: readonly ConfigGroup[]): string {
  const lines = readme.split('\n');
  const regions: Array<{ begin: number; end: number; target: string; heading: string | undefined }> = [];
  let heading: string | undefined;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    const headingMatch = /^#{1,6} (.+)$/.exec(line);
    if (headingMatch) heading = headingMatch[1];
    const begin = BEGIN.exec(line);
    if (!begin) continue;
    const end = lines.indexOf(END, index + 1);
    if (end < 0) throw new ConfigDocsError([`'${line}' has no '${END}' after it`]);
    regions.push({ begin: index, end, target: begin[1]!, heading });
    index = end;
  }
  const problems: string[] = [];
  const titles = new Set(groups.map((group) => group.title));
  const placed = new Map<string, (typeof regions)[number]>();
  for (const region of regions) {
    if (region.target === '*') continue;
    if (!titles.has(region.target)) problems.push(`README names '${region.target}', which no config reader has`);
    else if (placed.has(region.target)) problems.push(`README places '${region.target}' twice`);
    else placed.set(region.target, region);
  }
  const rest = regions.filter((region) => region.target === '*');
  if (rest.length !== 1) problems.push(`README needs exactly one '<!-- config-docs:begin * -->', found ${rest.length}`);
  if (problems.length > 0) throw new ConfigDocsError(problems);

  const render = (region: (typeof regions)[number]): string[] => {
    if (region.target !== '*') return ['', renderTable(groups.find((group) => group.title === region.target)!), ''];
    const out: string[] = [];
    for (const group of groups) {
      const elsewhere = placed.get(group.title);
      if (elsewhere) {
        const where = elsewhere.heading ?? group.title;
        out.push('', `**${group.title}**: see [${where}](#${anchorOf(where)}).`);
      } else {
        out.push('', `**${group.title}**`, '', renderTable(group));
      }
    }
    return [...out, ''];
  };
  const output: string[] = [];
  let next = 0;
  for (const region of regions) {
    output.push(...lines.slice(next, region.begin + 1), ...render(region), END);
    next = region.end + 1;
  }
  output.push(...lines.slice(next));
  return output.join('\n');
}
