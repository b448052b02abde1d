import { createHmac } from 'node:crypto';
import type { IdentifierArgument } from './execution/identifier-arguments.js';

/**
 * How the query register names the subjects a request touched: a company by its credit code, a
 * person by a keyed hash of the ID number (`person:<hmac>`), so the register can answer "who
 * queried this person" without holding ID numbers in the clear.
 */
export class SubjectKeys {
  constructor(private readonly key: Buffer) {}

  person(idNumber: string): string {
    return `person:${createHmac('sha256', this.key).update(idNumber).digest('hex').slice(0, 32)}`;
  }

  keys(identifiers: readonly IdentifierArgument[]): string[] {
    const keys = new Set<string>();
    for (const { scalar, values } of identifiers) {
      for (const value of values) keys.add(scalar === 'IdNumber' ? this.person(value) : value);
    }
    return [...keys];
  }
}
