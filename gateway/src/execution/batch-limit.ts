import {
  getNamedType,
  getNullableType,
  isListType,
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import { BatchTooLargeError } from '@credit-gateway/common';

/** Identifier scalars whose lists fan out to every department: these are the batch arguments. */
const BATCH_SCALARS = new Set(['CreditCode', 'IdNumber']);

/**
 * Refuses a request whose list of credit codes or ID numbers is longer than the configured
 * maximum, whether the list is written inline or passed as a variable. Runs before planning, so an
 * oversized batch never reaches a subgraph.
 */
export function findOversizedBatch(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Readonly<Record<string, unknown>>,
  maximum: number,
): BatchTooLargeError | null {
  const typeInfo = new TypeInfo(schema);
  let found: BatchTooLargeError | null = null;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Argument(node) {
        const type = typeInfo.getInputType();
        if (found || !type || !isListType(getNullableType(type)) || !BATCH_SCALARS.has(getNamedType(type).name)) return;
        const size =
          node.value.kind === Kind.LIST
            ? node.value.values.length
            : node.value.kind === Kind.VARIABLE && Array.isArray(variables[node.value.name.value])
              ? (variables[node.value.name.value] as unknown[]).length
              : 0;
        if (size > maximum) found = new BatchTooLargeError(node.name.value, size, maximum);
      },
    }),
  );
  return found;
}
