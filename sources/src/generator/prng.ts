/**
 * Deterministic randomness keyed by a subject's code: every department stand-in derives the same
 * facts for the same code, on every run and every machine, without storing a dataset.
 */

/** FNV-1a, 32 bits. */
export function hash32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** mulberry32: a uniform float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A whole number from min to max, both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Picks by weight: `[['A', 12], ['B', 50]]`. */
  weighted<T>(choices: readonly (readonly [T, number])[]): T {
    const total = choices.reduce((sum, [, weight]) => sum + weight, 0);
    let roll = this.next() * total;
    for (const [value, weight] of choices) {
      roll -= weight;
      if (roll < 0) return value;
    }
    return choices[choices.length - 1]![0];
  }

  /** A calendar date (YYYY-MM-DD) from `from` to `to`, both included. */
  date(from: string, to: string): string {
    const start = Date.parse(from);
    const days = Math.round((Date.parse(to) - start) / 86_400_000);
    return addDays(from, this.int(0, Math.max(0, days)));
  }

  digits(count: number): string {
    let text = '';
    for (let i = 0; i < count; i++) text += String(this.int(0, 9));
    return text;
  }
}

/** A generator for one department's view of one subject. */
export function rngFor(code: string, stream: string): Rng {
  return new Rng(hash32(`${stream}|${code}`));
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(date) + days * 86_400_000).toISOString().slice(0, 10);
}

export function addYears(date: string, years: number): string {
  const year = Number(date.slice(0, 4)) + years;
  return `${year}${date.slice(4)}`.replace(/-02-29$/, '-02-28');
}
