import type { FragmentDefinitionNode, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import { FieldCollector } from './collect-fields.js';

/** The operation's root fields, collected as execution collects them (fragments once each). */
function rootFields(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
) {
  const root = schema.getRootType(operation.operation);
  return root ? new FieldCollector(schema, fragments).collect(root, [operation.selectionSet]) : [];
}

/** Whether the operation asks for schema introspection (`__schema` or `__type`) at its root. */
export function selectsIntrospection(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
): boolean {
  return rootFields(schema, operation, fragments).some((field) => field.name === '__schema' || field.name === '__type');
}

/** `{ __typename }`, however spelt (aliases, fragments): only `__typename` fields at the root. */
export function isProbe(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
): boolean {
  const fields = rootFields(schema, operation, fragments);
  return fields.length > 0 && fields.every((field) => field.name === '__typename');
}
