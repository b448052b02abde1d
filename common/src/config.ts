/**
 * Reads environment variables into one typed object, collecting every problem so that an operator
 * fixes them all in one go. Services call their `loadConfig(env)` once at start-up. Each read
 * carries a short description, so `describeConfig` can run the same loaders to write the README's
 * configuration tables (`npm run docs:config`): what is documented is what is read.
 */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * What an operator reads about a variable: its meaning and, where the call cannot show them, the
 * default and the accepted values as they should be written down.
 */
export type EnvDoc = string | { text: string; default?: string; values?: string };

/** One variable a config reader reads, as `describeConfig` records it. */
export interface ConfigVariable {
  name: string;
  /** The part of the service's configuration it belongs to (`EnvReader.section`); none for the service's own. */
  section: string | undefined;
  type: 'text' | 'integer' | 'number' | 'boolean' | 'choice' | 'url' | 'list';
  min?: number;
  max?: number;
  choices?: readonly string[];
  /** The value used when the variable is unset, as an operator would write it; none when there is none. */
  default?: string;
  /** The accepted values, when the call's type cannot say them (a list's syntax, say). */
  values?: string;
  /** Empty when the read carried no description. */
  description: string;
}

type Range = { min?: number; max?: number };
type Described = Omit<ConfigVariable, 'name' | 'section' | 'description'>;

/** The environments handed to loaders by `describeConfig`, and what their readers record. */
const catalogs = new WeakMap<Env, ConfigVariable[]>();

/**
 * Runs a service's `loadConfig(env)` on an empty environment and returns every variable its
 * readers read, in reading order, with type, default and description. Nothing is read from the
 * real environment, and problems (a required key missing, say) are not thrown.
 */
export function describeConfig(load: (env: Env) => unknown): ConfigVariable[] {
  const env: Env = Object.freeze({});
  const variables: ConfigVariable[] = [];
  catalogs.set(env, variables);
  load(env);
  return variables;
}

export class EnvReader {
  private problems: string[] = [];
  private readonly catalog: ConfigVariable[] | undefined;
  private sectionTitle: string | undefined;

  constructor(private readonly env: Env) {
    this.catalog = catalogs.get(env);
  }

  /**
   * A reader of the same environment whose variables are documented under `title`; its problems
   * are reported with this reader's.
   */
  section(title: string): EnvReader {
    const scoped = new EnvReader(this.env);
    scoped.problems = this.problems;
    scoped.sectionTitle = title;
    return scoped;
  }

  private raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  /** In describe mode, records the variable the first time it is read with a description. */
  private note(name: string, doc: EnvDoc | undefined, described: Described): void {
    if (this.catalog === undefined) return;
    const known = this.catalog.findIndex((variable) => variable.name === name);
    const { text, ...shown } = typeof doc === 'object' ? doc : { text: doc ?? '' };
    if (known >= 0 && (text === '' || this.catalog[known]!.description !== '')) return;
    const variable: ConfigVariable = { name, section: this.sectionTitle, description: text, ...described, ...shown };
    if (known >= 0) this.catalog[known] = variable;
    else this.catalog.push(variable);
  }

  /** Whether the variable is set at all, for a cross-field check of a variable read elsewhere. */
  isSet(name: string): boolean {
    this.note(name, undefined, { type: 'text' });
    return this.raw(name) !== undefined;
  }

  string(name: string, fallback: string, doc: EnvDoc): string {
    this.note(name, doc, { type: 'text', ...(fallback === '' ? {} : { default: fallback }) });
    return this.raw(name) ?? fallback;
  }

  optionalString(name: string, doc: EnvDoc): string | undefined {
    this.note(name, doc, { type: 'text' });
    return this.raw(name);
  }

  int(name: string, fallback: number, range: Range, doc: EnvDoc): number {
    this.note(name, doc, { type: 'integer', ...range, default: String(fallback) });
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = range;
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
      this.problems.push(`${name} must be a whole number from ${min} to ${max}, got '${value}'`);
      return fallback;
    }
    return parsed;
  }

  number(name: string, fallback: number, range: Range, doc: EnvDoc): number {
    this.note(name, doc, { type: 'number', ...range, default: String(fallback) });
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    const { min = -Infinity, max = Infinity } = range;
    if (!Number.isFinite(parsed) || parsed < min || parsed > max) {
      this.problems.push(`${name} must be a number from ${min} to ${max}, got '${value}'`);
      return fallback;
    }
    return parsed;
  }

  bool(name: string, fallback: boolean, doc: EnvDoc): boolean {
    this.note(name, doc, { type: 'boolean', default: String(fallback) });
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(value)) return true;
    if (['0', 'false', 'no', 'off'].includes(value)) return false;
    this.problems.push(`${name} must be true or false, got '${value}'`);
    return fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T, doc: EnvDoc): T {
    this.note(name, doc, { type: 'choice', choices: allowed, default: fallback });
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.problems.push(`${name} must be one of ${allowed.join(', ')}, got '${value}'`);
    return fallback;
  }

  url(name: string, fallback: string, doc: EnvDoc): string;
  url(name: string, fallback: undefined, doc: EnvDoc): string | undefined;
  url(name: string, fallback: string | undefined, doc: EnvDoc): string | undefined {
    this.note(name, doc, { type: 'url', ...(fallback === undefined ? {} : { default: fallback }) });
    const value = this.raw(name) ?? fallback;
    if (value === undefined) return undefined;
    try {
      return new URL(value).toString().replace(/\/$/, '');
    } catch {
      this.problems.push(`${name} must be an absolute URL, got '${value}'`);
      return fallback;
    }
  }

  list(name: string, fallback: readonly string[], doc: EnvDoc): string[] {
    this.note(name, doc, { type: 'list', ...(fallback.length === 0 ? {} : { default: fallback.join(',') }) });
    const value = this.raw(name);
    if (value === undefined) return [...fallback];
    return value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  }

  /** A `postgres://` or `postgresql://` URL; a bad one is reported without echoing it, as it may hold a password. */
  postgresUrl(name: string, doc: EnvDoc): string | undefined {
    const url = this.optionalString(name, doc);
    if (url === undefined) return undefined;
    try {
      const { protocol } = new URL(url);
      if (protocol === 'postgres:' || protocol === 'postgresql:') return url;
    } catch {
      // reported below
    }
    this.problems.push(`${name} must be a postgres:// or postgresql:// URL`);
    return undefined;
  }

  /** Records a problem found by the caller's own cross-field checks. */
  problem(message: string): void {
    this.problems.push(message);
  }

  /** Throws one ConfigError naming every problem found so far; in describe mode, nothing. */
  done(): void {
    if (this.problems.length > 0 && this.catalog === undefined) throw new ConfigError(this.problems);
  }
}
