/**
 * Named selections in a subgraph's SDL. A selection the SDL requires in several places (the credit
 * rules' `@requires`) is written once, as a fragment, and spread where it is needed:
 *
 *   fragment RuleInputs on Enterprise { marketRegulation { known readAt … } … }
 *   creditRecords: [CreditRecord!]! @requires(fields: "...RuleInputs")
 *
 * Federation's field sets take no named fragments, so every reader of an SDL file (the subgraph
 * itself, composition and codegen) reads it through `expandSelections`: each spread in a `fields:`
 * argument becomes the fragment's fields, written out in one line, and the fragments are dropped.
 * The composed supergraph is the same as if the selection had been written out at each place.
 */
import { readFileSync } from 'node:fs';
import {
  Kind,
  parse,
  print,
  visit,
  type DefinitionNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type SelectionNode,
} from 'graphql';

/** Reads, parses and expands an SDL file. */
export function readSdl(file: string | URL): DocumentNode {
  return expandSelections(parse(readFileSync(file, 'utf8')));
}

/** The document without its fragments, their spreads in `fields:` arguments written out. */
export function expandSelections(document: DocumentNode): DocumentNode {
  const fragments = new Map<string, FragmentDefinitionNode>();
  const definitions: DefinitionNode[] = [];
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.FRAGMENT_DEFINITION) {
      definitions.push(definition);
      continue;
    }
    const name = definition.name.value;
    if (fragments.has(name)) throw new Error(`fragment ${name} is defined twice`);
    fragments.set(name, definition);
  }
  const spread = new Set<string>();
  const expand = (selections: readonly SelectionNode[], within: readonly string[]): string =>
    selections
      .map((selection) => {
        switch (selection.kind) {
          case Kind.FRAGMENT_SPREAD: {
            const name = selection.name.value;
            const fragment = fragments.get(name);
            if (!fragment) throw new Error(`fragment ${name} is spread but not defined`);
            if (within.includes(name)) throw new Error(`fragment ${name} spreads itself`);
            spread.add(name);
            return expand(fragment.selectionSet.selections, [...within, name]);
          }
          case Kind.INLINE_FRAGMENT: {
            const on = selection.typeCondition ? ` on ${selection.typeCondition.name.value}` : '';
            return `...${on} { ${expand(selection.selectionSet.selections, within)} }`;
          }
          case Kind.FIELD: {
            const head = print({ ...selection, selectionSet: undefined });
            return selection.selectionSet ? `${head} { ${expand(selection.selectionSet.selections, within)} }` : head;
          }
        }
      })
      .join(' ');

  const expanded = visit(fragments.size === 0 ? document : { ...document, definitions }, {
    Argument(argument) {
      if (argument.name.value !== 'fields' || argument.value.kind !== Kind.STRING) return undefined;
      const fieldSet = argument.value.value;
      if (!fieldSet.includes('...')) return undefined;
      const operation = parse(`{ ${fieldSet} }`).definitions[0];
      if (operation?.kind !== Kind.OPERATION_DEFINITION) return undefined;
      const value = expand(operation.selectionSet.selections, []);
      return value === fieldSet ? undefined : { ...argument, value: { kind: Kind.STRING, value } };
    },
  });
  const unused = [...fragments.keys()].filter((name) => !spread.has(name));
  if (unused.length > 0) throw new Error(`fragment ${unused.join(', ')} is spread nowhere`);
  return expanded;
}
