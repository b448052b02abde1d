/**
 * Several operations with the same text, sent to one subgraph as one: every copy's root fields get
 * the alias `_<i>_<key>` and its variables the name `$_<i>_<name>`. The subgraph runs the copies
 * side by side in one execution, so its DataLoaders ask the department system once for all of
 * them; the answer is split back by alias. Only queries merge (mutations run one at a time, in
 * order), and only documents whose root holds plain fields and whose fragments use no variables.
 */
import {
  Kind,
  OperationTypeNode,
  parse,
  print,
  visit,
  type DefinitionNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type VariableDefinitionNode,
} from 'graphql';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { LruCache } from '@credit-gateway/common';
import type { GraphQLFormattedError } from 'graphql';

/** A document that merges: its one query operation and its fragments, parsed once. */
export interface MergeTemplate {
  readonly operation: OperationDefinitionNode;
  readonly fragments: readonly FragmentDefinitionNode[];
}

const ALIAS = /^_(\d+)_(.+)$/s;

function usesVariables(node: FragmentDefinitionNode): boolean {
  let found = false;
  visit(node, {
    Variable() {
      found = true;
    },
  });
  return found;
}

/** The template of a query that can be merged, or null when it cannot. */
export function mergeTemplate(query: string): MergeTemplate | null {
  let definitions: readonly DefinitionNode[];
  try {
    definitions = parse(query, { noLocation: true }).definitions;
  } catch {
    return null; // the subgraph reports its own parse error
  }
  const operations = definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const fragments = definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION);
  const [operation] = operations;
  if (operations.length !== 1 || operation === undefined || definitions.length !== 1 + fragments.length) return null;
  if (operation.operation !== OperationTypeNode.QUERY || (operation.directives?.length ?? 0) > 0) return null;
  if (!operation.selectionSet.selections.every((selection) => selection.kind === Kind.FIELD)) return null;
  if (fragments.some(usesVariables)) return null;
  return { operation, fragments };
}

/** The query text of `count` copies of the template, each under its own aliases and variables. */
export function mergedQuery(template: MergeTemplate, count: number): string {
  const variableDefinitions: VariableDefinitionNode[] = [];
  const selections: FieldNode[] = [];
  for (let i = 0; i < count; i++) {
    const rename = (name: string): string => `_${i}_${name}`;
    for (const definition of template.operation.variableDefinitions ?? []) {
      variableDefinitions.push({
        ...definition,
        variable: {
          ...definition.variable,
          name: { ...definition.variable.name, value: rename(definition.variable.name.value) },
        },
      });
    }
    const renamed = visit<SelectionSetNode>(template.operation.selectionSet, {
      Variable: (node) => ({ ...node, name: { ...node.name, value: rename(node.name.value) } }),
    });
    for (const selection of renamed.selections as readonly FieldNode[]) {
      const key = selection.alias?.value ?? selection.name.value;
      selections.push({ ...selection, alias: { kind: Kind.NAME, value: rename(key) } });
    }
  }
  const operation: OperationDefinitionNode = {
    kind: Kind.OPERATION_DEFINITION,
    operation: OperationTypeNode.QUERY,
    ...(template.operation.name ? { name: template.operation.name } : {}),
    variableDefinitions,
    selectionSet: { kind: Kind.SELECTION_SET, selections },
  };
  return print({ kind: Kind.DOCUMENT, definitions: [operation, ...template.fragments] });
}

/** The variables of the merged operation: every copy's own under its renamed names. */
export function mergedVariables(variables: readonly (Record<string, unknown> | undefined)[]): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  variables.forEach((values, i) => {
    for (const [name, value] of Object.entries(values ?? {})) merged[`_${i}_${name}`] = value;
  });
  return merged;
}

/**
 * Each copy's answer from the merged one, or null when it cannot be told apart (no data: a copy
 * failed validation or a non-null root field, and took the others down with it). An error on a
 * copy's path goes to that copy, with the path it would have had; an error with no path to all.
 */
export function splitAnswer(answer: GatewayGraphQLResponse, count: number): GatewayGraphQLResponse[] | null {
  const { data } = answer;
  if (data === null || data === undefined || typeof data !== 'object') return null;
  const parts = Array.from(
    { length: count },
    (): { data: Record<string, unknown>; errors: GraphQLFormattedError[] } => ({
      data: {},
      errors: [],
    }),
  );
  for (const [alias, value] of Object.entries(data)) {
    const match = ALIAS.exec(alias);
    const part = match ? parts[Number(match[1])] : undefined;
    if (!match || !part) return null;
    part.data[match[2]!] = value;
  }
  for (const error of answer.errors ?? []) {
    const head = error.path?.[0];
    const match = typeof head === 'string' ? ALIAS.exec(head) : null;
    const part = match ? parts[Number(match[1])] : undefined;
    if (match && part) part.errors.push({ ...error, path: [match[2]!, ...error.path!.slice(1)] });
    else for (const each of parts) each.errors.push(error);
  }
  return parts.map(({ data: part, errors }) => (errors.length > 0 ? { data: part, errors } : { data: part }));
}

/** Templates and merged texts, computed once per query text (and copy count). */
export class OperationMerger {
  private readonly templates = new LruCache<string, MergeTemplate | null>(1_000);
  private readonly texts = new LruCache<string, string>(2_000);

  template(query: string): MergeTemplate | null {
    let template = this.templates.get(query);
    if (template === undefined) {
      template = mergeTemplate(query);
      this.templates.set(query, template);
    }
    return template;
  }

  query(query: string, template: MergeTemplate, count: number): string {
    const key = `${count}\n${query}`;
    let text = this.texts.get(key);
    if (text === undefined) {
      text = mergedQuery(template, count);
      this.texts.set(key, text);
    }
    return text;
  }
}
