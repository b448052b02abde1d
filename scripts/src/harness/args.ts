/** `--name value` and `--flag` command-line options, with defaults and whole-number checks. */
export class Args {
  private readonly values = new Map<string, string>();

  constructor(argv: readonly string[]) {
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i]!;
      if (!arg.startsWith('--')) throw new Error(`unexpected argument '${arg}'`);
      const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
      if (inline !== undefined) this.values.set(name, inline);
      else if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) this.values.set(name, argv[++i]!);
      else this.values.set(name, 'true');
    }
  }

  string(name: string): string | undefined {
    return this.values.get(name);
  }

  int(name: string, fallback: number, min = 0): number {
    const text = this.values.get(name);
    if (text === undefined) return fallback;
    const value = Number(text.replace(/_/g, ''));
    if (!Number.isSafeInteger(value) || value < min) throw new Error(`--${name} must be a whole number >= ${min}`);
    return value;
  }

  flag(name: string): boolean {
    return this.values.get(name) === 'true';
  }
}

/** Rate limits high enough that a fuzz or chaos run is not all 429s. */
export const HIGH_RATE_LIMITS = {
  RATE_LIMITS:
    'PUBLIC=1000000000/1m,AUTHORIZED=1000000000/1m,GOVERNMENT=1000000000/1m,JUDICIAL=1000000000/1m,ANALYST=1000000000/1m',
  RATE_LIMIT_CLIENT: '1000000000/1m',
  // Every other budget too, or hostile tokens from one address soon get every later request a 429
  // and the cases stop reaching the stages behind identification.
  RATE_LIMIT_TIER_TOTAL: 'PUBLIC=off,AUTHORIZED=off,GOVERNMENT=off,JUDICIAL=off,ANALYST=off',
  RATE_LIMIT_ADDRESS: 'PUBLIC=off,AUTHORIZED=off,GOVERNMENT=off,JUDICIAL=off,ANALYST=off',
  RATE_LIMIT_SUBJECTS: 'PUBLIC=off,AUTHORIZED=off,GOVERNMENT=off,JUDICIAL=off,ANALYST=off',
  RATE_LIMIT_AUTH_FAILURES: 'off',
};
