import {
  getNamedType,
  getNullableType,
  isListType,
  Kind,
  TypeInfo,
  valueFromAST,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';

/** Identifier scalars: their lists fan out to every department, and they name the subjects touched. */
const IDENTIFIER_SCALARS = new Set(['CreditCode', 'IdNumber']);

export interface IdentifierArgument {
  /** `CreditCode` or `IdNumber`. */
  scalar: string;
  argument: string;
  /** The coerced values: normalized by the scalars, whether written inline or passed as variables. */
  values: string[];
}

/**
 * Every argument of the operation that takes credit codes or ID numbers, with its values. The
 * gateway uses it to refuse oversized batches before planning and to register which subjects a
 * request touched.
 */
export function identifierArguments(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Readonly<Record<string, unknown>>,
): IdentifierArgument[] {
  const typeInfo = new TypeInfo(schema);
  const found: IdentifierArgument[] = [];
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Argument(node) {
        const type = typeInfo.getInputType();
        if (!type) return;
        const scalar = getNamedType(type).name;
        if (!IDENTIFIER_SCALARS.has(scalar)) return;
        // Literals are parsed by the product's scalars here too, so they come out normalized.
        const value: unknown =
          node.value.kind === Kind.VARIABLE
            ? variables[node.value.name.value]
            : valueFromAST(node.value, type, variables);
        const values = (isListType(getNullableType(type)) ? (Array.isArray(value) ? value : []) : [value]).filter(
          (item): item is string => typeof item === 'string',
        );
        found.push({ scalar, argument: node.name.value, values });
      },
    }),
  );
  return found;
}
