import {
  getNamedType,
  getNullableType,
  isAbstractType,
  isListType,
  isObjectType,
  Kind,
  type FragmentDefinitionNode,
  type GraphQLFormattedError,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { PLACEHOLDER_KEY } from './filter.js';
import { CLEAR_IDENTIFIER_TIERS, maskIdNumber, type ErrorCode, type Tier } from '@credit-gateway/common';

export interface ShapeOptions {
  schema: GraphQLSchema;
  /** The operation as the caller wrote it, before filtering. */
  operation: OperationDefinitionNode;
  fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  denied: ReadonlySet<string>;
  tier: Tier;
}

export interface ShapedResponse {
  errors: GraphQLFormattedError[];
  /** `Type.field` coordinates the response carries values for. */
  returned: Set<string>;
}

/** Scalars that hold personal identifiers, masked for every tier but GOVERNMENT and JUDICIAL. */
const PERSONAL_IDENTIFIERS = new Set(['IdNumber']);

/** A path kept as links to its parent, made into an array only for an error. */
interface Path {
  readonly parent: Path | undefined;
  readonly key: string | number;
}

function pathArray(path: Path | undefined, key: string): (string | number)[] {
  const keys: (string | number)[] = [key];
  for (let link = path; link; link = link.parent) keys.push(link.key);
  return keys.reverse();
}

/**
 * Walks the result along the caller's own operation, in one pass:
 * - a field removed for the caller's tier comes back `null`, with its own error and path;
 * - personal identifiers are masked (`3423011964****3224`) for tiers that may not see them.
 * Mutates `data` in place.
 */
export function shapeResponse(data: Record<string, unknown> | null | undefined, options: ShapeOptions): ShapedResponse {
  const errors: GraphQLFormattedError[] = [];
  const returned = new Set<string>();
  const mask = !CLEAR_IDENTIFIER_TIERS.has(options.tier);
  const root = options.schema.getRootType(options.operation.operation);
  if (!data || !root) return { errors, returned };

  function walkObject(
    value: Record<string, unknown>,
    type: GraphQLObjectType,
    selections: SelectionSetNode,
    path: Path | undefined,
  ) {
    if (PLACEHOLDER_KEY in value) delete value[PLACEHOLDER_KEY];
    for (const selection of selections.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT || selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment =
          selection.kind === Kind.FRAGMENT_SPREAD ? options.fragments.get(selection.name.value) : selection;
        if (!fragment) continue;
        const condition = fragment.typeCondition ? options.schema.getType(fragment.typeCondition.name.value) : type;
        const applies =
          condition === type || (condition && isAbstractType(condition) && options.schema.isSubType(condition, type));
        if (applies) walkObject(value, type, fragment.selectionSet, path);
        continue;
      }
      const name = selection.name.value;
      if (name.startsWith('__')) continue;
      const key = selection.alias?.value ?? name;
      const coordinate = `${type.name}.${name}`;
      if (options.denied.has(coordinate)) {
        value[key] = null;
        errors.push({
          message: `Not authorized to read ${coordinate} as a ${options.tier} caller`,
          path: pathArray(path, key),
          extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE' satisfies ErrorCode, field: coordinate, tier: options.tier },
        });
        continue;
      }
      const field = type.getFields()[name];
      const fieldValue = value[key];
      if (!field || fieldValue === null || fieldValue === undefined) continue;
      returned.add(coordinate);
      const named = getNamedType(field.type);
      if (mask && PERSONAL_IDENTIFIERS.has(named.name)) {
        value[key] = maskValue(fieldValue);
      } else if (isObjectType(named) && selection.selectionSet) {
        const at = { parent: path, key };
        walkValue(fieldValue, named, selection.selectionSet, at, isListType(getNullableType(field.type)));
      }
    }
  }

  function walkValue(value: unknown, type: GraphQLObjectType, selections: SelectionSetNode, path: Path, list: boolean) {
    if (list && Array.isArray(value)) {
      value.forEach((item, index) => {
        if (item !== null && typeof item === 'object')
          walkObject(item as Record<string, unknown>, type, selections, { parent: path, key: index });
      });
    } else if (value !== null && typeof value === 'object') {
      walkObject(value as Record<string, unknown>, type, selections, path);
    }
  }

  walkObject(data, root, options.operation.selectionSet, undefined);
  return { errors, returned };
}

function maskValue(value: unknown): unknown {
  if (typeof value === 'string') return maskIdNumber(value);
  if (Array.isArray(value)) return value.map(maskValue);
  return value;
}
