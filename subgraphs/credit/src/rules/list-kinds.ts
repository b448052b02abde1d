import type { CreditListKind } from '../__generated__/types.js';
import { CREDIT_LIST_KINDS, DataChecker, defaultDataFile, readDataFile } from './data.js';

export const DEFAULT_LIST_KINDS_FILE = defaultDataFile('list-kinds.json');

/**
 * A list kind (名单类别), as data: red, watch (重点关注), black, or any other a plan adds. Each
 * names the class it belongs to, which is what the public schema's `CreditListKind` enumerates,
 * so that adding a kind is a data change.
 */
export interface ListKindModel {
  id: string;
  name: string;
  class: CreditListKind;
  /** From incentive (0) to the most serious. */
  rank: number;
  /** Whether its lists carry incentives (守信激励) rather than punishment. */
  incentive: boolean;
  basis: string;
}

export interface ListKinds {
  /** The regulation or plan the kinds come from. */
  readonly source: string;
  /** In rank order. */
  all(): readonly ListKindModel[];
  get(id: string): ListKindModel | undefined;
}

/** Reads and validates data/list-kinds.json; every problem in it is reported at once. */
export function loadListKinds(file: string = DEFAULT_LIST_KINDS_FILE): ListKinds {
  return parseListKinds(readDataFile(file), file);
}

const KIND_ID = /^[A-Z][A-Z0-9_]{0,39}$/;

export function parseListKinds(data: unknown, file = 'list-kinds.json'): ListKinds {
  const check = new DataChecker();
  const root = check.object(data, '$', { required: ['source', 'kinds'] });
  const source = check.string(root?.['source'], '$.source') ?? '';
  const kinds: ListKindModel[] = [];
  (check.array(root?.['kinds'], '$.kinds', { nonEmpty: true }) ?? []).forEach((item, index) => {
    const path = `$.kinds[${index}]`;
    const entry = check.object(item, path, { required: ['id', 'name', 'class', 'rank', 'incentive', 'basis'] });
    if (!entry) return;
    const id = check.string(entry['id'], `${path}.id`);
    if (id !== undefined && !KIND_ID.test(id))
      check.problem(`${path}.id`, 'must be written A-Z, 0-9 and _ (at most 40)');
    if (id !== undefined && kinds.some((k) => k.id === id)) check.problem(`${path}.id`, `'${id}' is defined twice`);
    const name = check.string(entry['name'], `${path}.name`);
    const kindClass = check.oneOf(entry['class'], `${path}.class`, CREDIT_LIST_KINDS);
    const rank = check.number(entry['rank'], `${path}.rank`, { min: 0, max: 100, integer: true });
    const incentive = check.boolean(entry['incentive'], `${path}.incentive`);
    const basis = check.string(entry['basis'], `${path}.basis`);
    if (incentive !== undefined && kindClass !== undefined && incentive !== (kindClass === 'RED'))
      check.problem(
        `${path}.incentive`,
        `a ${kindClass} kind must ${kindClass === 'RED' ? '' : 'not '}be an incentive`,
      );
    if (
      id === undefined ||
      name === undefined ||
      kindClass === undefined ||
      rank === undefined ||
      incentive === undefined ||
      basis === undefined
    )
      return;
    kinds.push({ id, name, class: kindClass, rank, incentive, basis });
  });
  for (const kindClass of CREDIT_LIST_KINDS) {
    if (!kinds.some((k) => k.id === kindClass && k.class === kindClass))
      check.problem('$.kinds', `'${kindClass}' is missing: the public schema's CreditListKind names it`);
  }
  check.done(file);
  const ordered = [...kinds].sort((a, b) => a.rank - b.rank);
  const byId = new Map(ordered.map((k) => [k.id, Object.freeze(k)]));
  return { source, all: () => ordered, get: (id) => byId.get(id) };
}
