import {
  getNamedType,
  isLeafType,
  isObjectType,
  type FragmentDefinitionNode,
  type GraphQLFormattedError,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { PLACEHOLDER_KEY } from './filter.js';
import { FieldCollector } from '../execution/collect-fields.js';
import {
  applyTreatment,
  maskIdNumbersIn,
  masksIdNumbers,
  treatmentOf,
  type ErrorCode,
  type PersonalKind,
  type Tier,
} from '@credit-gateway/common';

export interface ShapeOptions {
  schema: GraphQLSchema;
  /** The operation as the caller wrote it, before filtering. */
  operation: OperationDefinitionNode;
  fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  denied: ReadonlySet<string>;
  tier: Tier;
  /** `Type.field` → kind of personal data, from the `@personal` declarations of the supergraph. */
  personal: ReadonlyMap<string, PersonalKind>;
  /** The request's coerced variables, for `@skip` and `@include`. */
  variables?: Readonly<Record<string, unknown>>;
}

/** The subjects an answer reached: every credit code and ID number it returned, before masking. */
export interface ReachedSubjects {
  codes: Set<string>;
  idNumbers: Set<string>;
}

export interface ShapedResponse {
  errors: GraphQLFormattedError[];
  /** `Type.field` coordinates the response carries values for. */
  returned: Set<string>;
  reached: ReachedSubjects;
  /** Fields of the response looked at, plus selections of the document collected. */
  visits: number;
}

/** An ID number is personal data by its scalar, declared or not. */
const SCALAR_KINDS: ReadonlyMap<string, PersonalKind> = new Map([['IdNumber', 'ID_NUMBER']]);

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
 * - personal data is treated as its `@personal` kind and the tier's policy say: ID numbers masked
 *   (`3423011964****3224`), birth dates withheld, names masked for some tiers; for a tier that
 *   masks ID numbers, an ID number quoted inside any text is masked too;
 * - every credit code and ID number returned is collected, before masking, for the query register.
 * Fields are collected as execution collects them (each fragment once per selection set, merged by
 * response key), so the work is linear in the size of the document and of the response.
 * Mutates `data` in place.
 */
export function shapeResponse(data: Record<string, unknown> | null | undefined, options: ShapeOptions): ShapedResponse {
  const errors: GraphQLFormattedError[] = [];
  const returned = new Set<string>();
  const reached: ReachedSubjects = { codes: new Set(), idNumbers: new Set() };
  const collector = new FieldCollector(options.schema, options.fragments, options.variables);
  const maskText = masksIdNumbers(options.tier);
  let fieldVisits = 0;
  const root = options.schema.getRootType(options.operation.operation);
  if (!data || !root) return { errors, returned, reached, visits: 0 };

  function walkObject(
    value: Record<string, unknown>,
    type: GraphQLObjectType,
    selections: readonly SelectionSetNode[],
    path: Path | undefined,
  ) {
    if (PLACEHOLDER_KEY in value) delete value[PLACEHOLDER_KEY];
    const fields = type.getFields();
    for (const { key, name, subSelections } of collector.collect(type, selections)) {
      fieldVisits++;
      if (name.startsWith('__')) continue;
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
      const field = fields[name];
      const fieldValue = value[key];
      if (!field || fieldValue === null || fieldValue === undefined) continue;
      returned.add(coordinate);
      const named = getNamedType(field.type);
      if (isLeafType(named)) {
        if (named.name === 'CreditCode') collectStrings(fieldValue, reached.codes);
        // A subgraph may already have masked a number that is not an entity key: it names no one.
        else if (named.name === 'IdNumber') collectStrings(fieldValue, reached.idNumbers, WHOLE_ID_NUMBER);
        const kind = options.personal.get(coordinate) ?? SCALAR_KINDS.get(named.name);
        if (kind) value[key] = applyTreatment(fieldValue, kind, treatmentOf(options.tier, kind));
        else if (maskText && named.name === 'String') value[key] = maskStrings(fieldValue);
      } else if (isObjectType(named) && subSelections.length > 0) {
        walkValue(fieldValue, named, subSelections, { parent: path, key });
      }
    }
  }

  function walkValue(value: unknown, type: GraphQLObjectType, selections: readonly SelectionSetNode[], path: Path) {
    if (Array.isArray(value)) {
      value.forEach((item, index) => walkValue(item, type, selections, { parent: path, key: index }));
    } else if (value !== null && typeof value === 'object') {
      walkObject(value as Record<string, unknown>, type, selections, path);
    }
  }

  walkObject(data, root, [options.operation.selectionSet], undefined);
  return { errors, returned, reached, visits: fieldVisits + collector.visits };
}

const WHOLE_ID_NUMBER = /^\d{17}[\dX]$/;

function collectStrings(value: unknown, into: Set<string>, shape?: RegExp): void {
  if (typeof value === 'string') {
    if (!shape || shape.test(value)) into.add(value);
  } else if (Array.isArray(value)) {
    for (const item of value) collectStrings(item, into, shape);
  }
}

function maskStrings(value: unknown): unknown {
  if (typeof value === 'string') return maskIdNumbersIn(value);
  if (Array.isArray(value)) return value.map(maskStrings);
  return value;
}
