import {
  getNamedType,
  getNullableType,
  isListType,
  Kind,
  TypeInfo,
  valueFromAST,
  visit,
  visitWithTypeInfo,
  type ArgumentNode,
  type DocumentNode,
  type GraphQLInputType,
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
  return argumentSites(schema, document).map(({ scalar, node, type }) => {
    // Literals are parsed by the product's scalars here too, so they come out normalized.
    const value: unknown =
      node.value.kind === Kind.VARIABLE ? variables[node.value.name.value] : valueFromAST(node.value, type, variables);
    const values = (isListType(getNullableType(type)) ? (Array.isArray(value) ? value : []) : [value]).filter(
      (item): item is string => typeof item === 'string',
    );
    return { scalar, argument: node.name.value, values };
  });
}

interface ArgumentSite {
  scalar: string;
  node: ArgumentNode;
  type: GraphQLInputType;
}

/** Where a document takes identifiers: found once per parsed document (documents are cached). */
const sitesByDocument = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, ArgumentSite[]>>();

function argumentSites(schema: GraphQLSchema, document: DocumentNode): ArgumentSite[] {
  let bySchema = sitesByDocument.get(schema);
  if (!bySchema) sitesByDocument.set(schema, (bySchema = new WeakMap()));
  const known = bySchema.get(document);
  if (known) return known;
  const typeInfo = new TypeInfo(schema);
  const sites: ArgumentSite[] = [];
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Argument(node) {
        const type = typeInfo.getInputType();
        if (!type) return;
        const scalar = getNamedType(type).name;
        if (IDENTIFIER_SCALARS.has(scalar)) sites.push({ scalar, node, type });
      },
    }),
  );
  bySchema.set(document, sites);
  return sites;
}
