/**
 * How the courts write what both their disclosure site (read by the courts subgraph) and their
 * enforcement linkage log (read by the credit subgraph's court feed) carry: case numbers,
 * restricted items, and the roles and ID numbers of the people an order binds.
 */
import { findIdNumberProblem, normalizeIdNumber } from './identifiers/id-number.js';
import { LegacyFormatError } from './legacy.js';

/**
 * A case number (案号) with half-width parentheses and no spaces: the courts write it with
 * full-width or square brackets too, `（2023）渝0112执1234号`, `〔2023〕渝0112 执1234号`.
 */
export function caseNumber(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[〔[【]/g, '(')
    .replace(/[〕\]】]/g, ')')
    .replace(/\s+/g, '');
}

/** Restricted items are numbered 1 to 9, as the regulation on consumption restriction numbers them. */
export const RESTRICTED_ITEM_COUNT = 9;

/**
 * Restricted items (限制消费事项) as the courts write them: item numbers joined by commas (half- or
 * full-width), 、, ; or spaces. Ascending, without repeats; empty when there are none. `field`
 * names the value in the error an unknown item raises.
 */
export function restrictedItemNumbers(text: string, field: string): number[] {
  const items = new Set<number>();
  for (const part of text.normalize('NFKC').split(/[,、;\s]+/)) {
    if (part === '') continue;
    const item = Number(part);
    if (!Number.isInteger(item) || item < 1 || item > RESTRICTED_ITEM_COUNT) {
      throw new LegacyFormatError(`${field}: unknown restricted item '${part}'`);
    }
    items.add(item);
  }
  return [...items].sort((a, b) => a - b);
}

/** Roles of the people a company's order binds (落实到人). */
export type BoundRole = 'LEGAL_REPRESENTATIVE' | 'PRINCIPAL' | 'ACTUAL_CONTROLLER';

const ROLES: Readonly<Record<string, BoundRole>> = {
  法定代表人: 'LEGAL_REPRESENTATIVE',
  主要负责人: 'PRINCIPAL',
  负责人: 'PRINCIPAL',
  实际控制人: 'ACTUAL_CONTROLLER',
};

/** A bound person's role (`sf`) as the courts write it. */
export function boundRole(text: string): BoundRole {
  const role = ROLES[text.trim()];
  if (role === undefined) throw new LegacyFormatError(`sf: unknown role '${text}'`);
  return role;
}

/** A bound person's ID number, or null where the court holds none or an unreadable one (a masked one, say). */
export function idNumberOrNull(value: string | null): string | null {
  if (value === null) return null;
  const idNumber = normalizeIdNumber(value);
  return findIdNumberProblem(idNumber) === null ? idNumber : null;
}
