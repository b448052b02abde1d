import {
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';
import { BodyError, CreditGatewayError, exceedsJsonNesting, MAX_JSON_NESTING } from '@credit-gateway/common';

/**
 * Most tokens `parse` reads before giving up. GraphiQL's introspection query is about 350 tokens
 * and a full profile about 1,500: 10,000 leaves room for any real operation and bounds the parser's
 * work on anything else.
 */
export const MAX_DOCUMENT_TOKENS = 10_000;

/**
 * Deepest nesting of `{`, `[` and `(` a document may have, measured on its text before it is
 * parsed. The parser, validation and every later walk recurse once per level; the depth limit
 * (MAX_DEPTH, 15 by default) is only checked after parsing, so without this a few thousand levels
 * of selections, list literals or object literals would exhaust the stack first. A document within
 * MAX_DEPTH fields nests about twice as deep in brackets (selection set plus arguments), so 64
 * refuses nothing a real operation needs.
 */
export const MAX_DOCUMENT_NESTING = 64;

export class DocumentTooDeepError extends CreditGatewayError {
  constructor(maximum: number) {
    super(
      'QUERY_TOO_DEEP',
      `The document nests braces, brackets or parentheses deeper than ${maximum} levels; it was not parsed`,
      { extensions: { maximum } },
    );
  }
}

/**
 * Whether a GraphQL document's text nests deeper than `maxDepth`, found in one pass without
 * recursion. Strings, block strings and comments are skipped, as the lexer skips them, so a
 * bracket inside a string literal does not count.
 */
export function exceedsDocumentNesting(text: string, maxDepth: number): boolean {
  let depth = 0;
  let index = 0;
  const length = text.length;
  while (index < length) {
    const char = text[index];
    if (char === '#') {
      while (index < length && text[index] !== '\n' && text[index] !== '\r') index++;
    } else if (char === '"') {
      if (text.startsWith('"""', index)) {
        index += 3;
        while (index < length && !text.startsWith('"""', index)) index += text.startsWith('\\"""', index) ? 4 : 1;
        index += 2;
      } else {
        index++;
        while (index < length && text[index] !== '"' && text[index] !== '\n') index += text[index] === '\\' ? 2 : 1;
      }
    } else if (char === '{' || char === '[' || char === '(') {
      if (++depth > maxDepth) return true;
    } else if (char === '}' || char === ']' || char === ')') {
      depth--;
    }
    index++;
  }
  return false;
}

/**
 * A GET request carries `variables` and `extensions` as JSON text in its query string: they are
 * held to the same nesting limit as a POST body, before anything parses them.
 */
export function checkQueryStringNesting(parameters: URLSearchParams): void {
  for (const name of ['variables', 'extensions']) {
    const text = parameters.get(name);
    if (text !== null && exceedsJsonNesting(text, MAX_JSON_NESTING)) {
      throw new BodyError(400, `'${name}' nests deeper than ${MAX_JSON_NESTING} levels`);
    }
  }
}

/**
 * Most fields that may merge into one response field. Validation compares every pair of fields
 * that share a response key (graphql-js's OverlappingFieldsCanBeMergedRule), again for every pair
 * below them, so a 10 KB document repeating a key some hundreds of times over, at two levels or
 * through hundreds of fragments, keeps a worker busy for seconds. Real operations merge a key a
 * handful of times (the same field from a few fragments); 25 bounds validation to a small multiple
 * of the document's size.
 */
export const MAX_MERGED_FIELDS = 25;

export class TooManyMergedFieldsError extends CreditGatewayError {
  constructor(path: string, fields: number, maximum: number) {
    super(
      'QUERY_TOO_COSTLY',
      `The operation selects '${path}' ${fields} times over; at most ${maximum} fields may merge into one response field`,
      { extensions: { field: path, fields, maximum } },
    );
  }
}

/**
 * The response field the most field nodes merge into, across fragments and inline fragments,
 * found before validation in time linear in the document: fields are collected by response key
 * once per set of selection sets (memoized), type conditions ignored, so the count is an upper
 * bound of what execution would merge.
 */
export function mostMergedField(document: DocumentNode): { path: string; fields: number } {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const ids = new Map<SelectionSetNode, number>();
  const idOf = (set: SelectionSetNode) => {
    let id = ids.get(set);
    if (id === undefined) ids.set(set, (id = ids.size));
    return id;
  };
  const memo = new Map<string, { path: string; fields: number }>();
  const inProgress = new Set<string>();

  function walk(sets: readonly SelectionSetNode[], at: string): { path: string; fields: number } {
    const key = sets.map(idOf).join(',');
    const known = memo.get(key);
    if (known) return known;
    // A fragment cycle (refused by validation) is not followed round again.
    if (inProgress.has(key)) return { path: at, fields: 0 };
    inProgress.add(key);
    const groups = new Map<string, { fields: number; below: SelectionSetNode[] }>();
    const entered = new Set<string>();
    const stack: SelectionNode[] = sets.flatMap((set) => set.selections);
    while (stack.length > 0) {
      const selection = stack.pop()!;
      if (selection.kind === Kind.FIELD) {
        const responseKey = selection.alias?.value ?? selection.name.value;
        let group = groups.get(responseKey);
        if (!group) groups.set(responseKey, (group = { fields: 0, below: [] }));
        group.fields++;
        if (selection.selectionSet) group.below.push(selection.selectionSet);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        stack.push(...selection.selectionSet.selections);
      } else if (!entered.has(selection.name.value)) {
        entered.add(selection.name.value);
        stack.push(...(fragments.get(selection.name.value)?.selectionSet.selections ?? []));
      }
    }
    let most = { path: at, fields: 0 };
    for (const [responseKey, group] of groups) {
      const path = at ? `${at}.${responseKey}` : responseKey;
      if (group.fields > most.fields) most = { path, fields: group.fields };
      if (group.below.length > 0) {
        const below = walk(group.below, path);
        if (below.fields > most.fields) most = below;
      }
    }
    inProgress.delete(key);
    memo.set(key, most);
    return most;
  }

  let most = { path: '', fields: 0 };
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    const found = walk([definition.selectionSet], '');
    if (found.fields > most.fields) most = found;
  }
  return most;
}
