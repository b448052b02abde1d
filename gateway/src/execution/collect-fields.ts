import {
  getDirectiveValues,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isAbstractType,
  Kind,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';

/** The fields one response key stands for, as execution merges them. */
export interface CollectedField {
  /** The response key: the alias, else the field's name. */
  key: string;
  name: string;
  nodes: readonly FieldNode[];
  /** Every selection set under `nodes`: what the merged field selects below itself. */
  subSelections: readonly SelectionSetNode[];
}

/**
 * Collects fields the way graphql-js does (`collectFields`): within one selection set each
 * fragment is entered once, fields are merged by response key, and the merged field's
 * sub-selections are walked together below it. Results are memoized per object type and set of
 * selection sets, so a document that spreads fragments many times over, at many levels, costs work
 * in proportion to its size, never to the number of paths through its spreads.
 *
 * One collector serves one request: `@skip` and `@include` read that request's variables.
 */
export class FieldCollector {
  /** Selection nodes looked at so far: what a walk of the document cost, for tests and bounds. */
  visits = 0;
  /** Whether a directive (`@skip`, `@include`) was read: what was collected may then depend on the variables. */
  readsVariables = false;
  private readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  private readonly ids = new Map<SelectionSetNode, number>();
  private readonly memo = new Map<string, CollectedField[]>();
  private readonly byArray = new WeakMap<readonly SelectionSetNode[], Map<GraphQLObjectType, CollectedField[]>>();

  constructor(
    private readonly schema: GraphQLSchema,
    fragments: ReadonlyMap<string, FragmentDefinitionNode> | readonly FragmentDefinitionNode[],
    private readonly variables: Readonly<Record<string, unknown>> = {},
  ) {
    this.fragments = isFragmentList(fragments)
      ? new Map(fragments.map((fragment) => [fragment.name.value, fragment]))
      : fragments;
  }

  collect(type: GraphQLObjectType, selectionSets: readonly SelectionSetNode[]): readonly CollectedField[] {
    // The same merged field's sub-selections come back for every object of a list: found by identity.
    const byType = this.byArray.get(selectionSets);
    const seen = byType?.get(type);
    if (seen) return seen;
    const fields = this.collectOnce(type, selectionSets);
    if (byType) byType.set(type, fields);
    else this.byArray.set(selectionSets, new Map([[type, fields]]));
    return fields;
  }

  private collectOnce(type: GraphQLObjectType, selectionSets: readonly SelectionSetNode[]): CollectedField[] {
    const memoKey = `${type.name}:${selectionSets.map((set) => this.idOf(set)).join(',')}`;
    const known = this.memo.get(memoKey);
    if (known) return known;
    const byKey = new Map<string, { name: string; nodes: FieldNode[] }>();
    const entered = new Set<string>();
    // An explicit stack, not recursion: fragments may nest as deep as the token limit allows.
    const stack: SelectionNode[] = [];
    for (let index = selectionSets.length - 1; index >= 0; index--) pushAll(stack, selectionSets[index]!);
    while (stack.length > 0) {
      const selection = stack.pop()!;
      this.visits++;
      if (!this.included(selection)) continue;
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        const group = byKey.get(key);
        if (group) group.nodes.push(selection);
        else byKey.set(key, { name: selection.name.value, nodes: [selection] });
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (this.applies(selection.typeCondition?.name.value, type)) pushAll(stack, selection.selectionSet);
      } else {
        const name = selection.name.value;
        if (entered.has(name)) continue;
        entered.add(name);
        const fragment = this.fragments.get(name);
        if (fragment && this.applies(fragment.typeCondition.name.value, type)) pushAll(stack, fragment.selectionSet);
      }
    }
    const fields = [...byKey].map(([key, { name, nodes }]) => ({
      key,
      name,
      nodes,
      subSelections: nodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : [])),
    }));
    this.memo.set(memoKey, fields);
    return fields;
  }

  private idOf(set: SelectionSetNode): number {
    let id = this.ids.get(set);
    if (id === undefined) this.ids.set(set, (id = this.ids.size));
    return id;
  }

  private included(node: SelectionNode): boolean {
    if (!node.directives?.length) return true;
    this.readsVariables = true;
    try {
      if (getDirectiveValues(GraphQLSkipDirective, node, this.variables)?.['if'] === true) return false;
      return getDirectiveValues(GraphQLIncludeDirective, node, this.variables)?.['if'] !== false;
    } catch {
      // A directive argument that cannot be read is refused by validation and coercion first.
      return true;
    }
  }

  private applies(typeCondition: string | undefined, type: GraphQLObjectType): boolean {
    if (typeCondition === undefined || typeCondition === type.name) return true;
    const condition = this.schema.getType(typeCondition);
    return condition !== undefined && isAbstractType(condition) && this.schema.isSubType(condition, type);
  }
}

/** Pushes a selection set's selections so that they pop in document order. */
function pushAll(stack: SelectionNode[], set: SelectionSetNode): void {
  for (let index = set.selections.length - 1; index >= 0; index--) stack.push(set.selections[index]!);
}

function isFragmentList(
  fragments: ReadonlyMap<string, FragmentDefinitionNode> | readonly FragmentDefinitionNode[],
): fragments is readonly FragmentDefinitionNode[] {
  return Array.isArray(fragments);
}
