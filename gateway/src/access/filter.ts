import { createHash } from 'node:crypto';
import {
  Kind,
  print,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type FieldNode,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import type { AccessRule, Tier } from '@credit-gateway/common';

/** An operation with the fields the caller may not read taken out: what the planner sees. */
export interface FilteredOperation {
  document: DocumentNode;
  /** Hash of the filtered text: the query plan cache key, so plans are cached per operation and tier. */
  queryHash: string;
  /** `Type.field` coordinates removed for this tier. */
  denied: ReadonlySet<string>;
}

/** Keeps an emptied selection valid; `shapeResponse` removes it again before the caller sees it. */
export const PLACEHOLDER_KEY = '_accessPlaceholder';

const PLACEHOLDER: FieldNode = {
  kind: Kind.FIELD,
  alias: { kind: Kind.NAME, value: PLACEHOLDER_KEY },
  name: { kind: Kind.NAME, value: '__typename' },
};

/**
 * Removes every field the tier may not read, before planning, so that no subgraph is ever asked
 * for it. A selection left empty keeps a `__typename` placeholder, so the operation stays valid
 * and the parent is still answered.
 */
export function filterOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  rules: ReadonlyMap<string, AccessRule>,
  tier: Tier,
): FilteredOperation {
  const typeInfo = new TypeInfo(schema);
  const denied = new Set<string>();
  const filtered = visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        if (!parent) return undefined;
        const coordinate = `${parent.name}.${node.name.value}`;
        const rule = rules.get(coordinate);
        if (rule && !rule.tiers.has(tier)) {
          denied.add(coordinate);
          return null;
        }
        return undefined;
      },
      SelectionSet: {
        leave(node): SelectionSetNode | undefined {
          return node.selections.length === 0 ? { ...node, selections: [PLACEHOLDER] } : undefined;
        },
      },
    }),
  );
  const document_ = denied.size === 0 ? document : filtered;
  return {
    document: document_,
    queryHash: createHash('sha256').update(print(document_)).digest('hex'),
    denied,
  };
}
