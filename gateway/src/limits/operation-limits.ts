import {
  getArgumentValues,
  getNamedType,
  getNullableType,
  getOperationAST,
  isAbstractType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isCompositeType,
  isListType,
  isObjectType,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  type ASTNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
  type ValueNode,
} from 'graphql';
import { CreditGatewayError, type EnvReader } from '@credit-gateway/common';
import { FieldCollector } from '../execution/collect-fields.js';

export interface OperationLimits {
  /** Deepest field allowed, counting the root field as 1 and every field below it, leaves included. */
  maxDepth: number;
  /** Highest cost allowed; see `operationCost`. */
  maxCost: number;
  /**
   * Highest cost of the introspection an operation holds. The gateway answers introspection itself,
   * on its event loop, at about a microsecond a field: this is about twice GraphiQL's own schema query
   * (about 690,000 with the loop, repair and commitment types), which answers in well under a second.
   */
  maxIntrospectionCost: number;
  /** How many items a list field is expected to hold when nothing in the request says. */
  listSize: number;
}

/**
 * GraphiQL's own schema query (graphql 16's introspection query) is 15 fields deep on its deepest
 * path, `__schema.types.fields.args.type` and nine `ofType`, and introspection counts like any
 * other field; the product's deepest meaningful query, a bound person's own restrictions
 * (`enterprise.courts.consumptionRestrictions.boundPersons.person.courts.consumptionRestrictions.status`),
 * is 8 deep. 15 lets both through and stops the person ↔ restrictions cycle after two more hops.
 */
export const DEFAULT_MAX_DEPTH = 15;

/**
 * A list field with nothing to say its size is counted as 5 items, more than most subjects hold
 * in any one list, so that following the person ↔ restrictions cycle multiplies the cost as it
 * would multiply the response.
 */
export const DEFAULT_LIST_SIZE = 5;

/**
 * Each root field is planned and fetched on its own: 100 aliased copies of `enterprise` take 400
 * subgraph requests and a third of a second of planning, while a batch of any size takes one
 * request per subgraph. So a root field costs this much on top of its selection: at the default
 * MAX_COST an operation holds at most 99 root fields, whatever they ask, which stops alias
 * amplification while the README's two-root-field queries stay far below it.
 */
export const ROOT_FIELD_COST = 100_000;

/**
 * A full profile, every field of every department's section and of the credit rules with each type
 * followed once on a path (a legal representative's own court records included, the query register
 * and objections left out), costs about 15,000 at 5 items a list: a batch of 500 full profiles
 * costs about 7,500,000 plus one root field. 10,000,000 lets that through with room for the schema
 * to grow, and GraphiQL's introspection (about 9,000); it refuses what no batch needs: 100 aliased
 * root fields, a batch that follows the person ↔ restrictions cycle to the depth limit
 * (500 × 5⁶ items), or the query register of every person bound in a batch.
 */
export const DEFAULT_MAX_COST = 10_000_000;
export const DEFAULT_MAX_INTROSPECTION_COST = 1_500_000;

/** Reads MAX_DEPTH, MAX_COST, MAX_INTROSPECTION_COST and LIST_SIZE_ESTIMATE. */
export function readOperationLimitsConfig(reader: EnvReader): OperationLimits {
  reader = reader.section('limits');
  return {
    maxDepth: reader.int(
      'MAX_DEPTH',
      DEFAULT_MAX_DEPTH,
      { min: 1, max: 1_000 },
      'Deepest an operation may nest its fields; deeper is QUERY_TOO_DEEP',
    ),
    maxCost: reader.int(
      'MAX_COST',
      DEFAULT_MAX_COST,
      { min: 1, max: 1_000_000_000 },
      `Most an operation may cost: each field 1, a list its selection times its length (else LIST_SIZE_ESTIMATE), each root field ${ROOT_FIELD_COST} more; above it is QUERY_TOO_COSTLY`,
    ),
    maxIntrospectionCost: reader.int(
      'MAX_INTROSPECTION_COST',
      DEFAULT_MAX_INTROSPECTION_COST,
      { min: 1, max: 1_000_000_000 },
      "Most an operation's introspection may cost, its lists priced at the schema's own sizes (GraphiQL's schema query costs about 690000)",
    ),
    listSize: reader.int(
      'LIST_SIZE_ESTIMATE',
      DEFAULT_LIST_SIZE,
      { min: 1, max: 10_000 },
      'Items a list counts as in the cost when neither its credit codes nor a size argument give its length',
    ),
  };
}

export class QueryTooDeepError extends CreditGatewayError {
  constructor(depth: number, maximum: number, nodes?: readonly ASTNode[]) {
    super('QUERY_TOO_DEEP', `The operation is ${depth} fields deep; at most ${maximum} are allowed`, {
      nodes,
      extensions: { depth, maximum },
    });
  }
}

export class QueryTooCostlyError extends CreditGatewayError {
  constructor(cost: number, maximum: number, part?: 'introspection') {
    super(
      'QUERY_TOO_COSTLY',
      part === 'introspection'
        ? `The operation's introspection costs ${cost}; at most ${maximum} is allowed: introspect the schema once`
        : `The operation costs ${cost}; at most ${maximum} is allowed: ask for fewer fields, subjects or aliases`,
      { extensions: part ? { cost, maximum, part } : { cost, maximum } },
    );
  }
}

/** The deepest field of a selection, and its depth below the selection. */
interface Deepest {
  depth: number;
  field: FieldNode | null;
}

/**
 * A validation rule for `validate(schema, document, [...specifiedRules, maxDepthRule(n)])`:
 * refuses an operation deeper than `maxDepth` with QUERY_TOO_DEEP. Fragments are followed;
 * a fragment cycle (refused by NoFragmentCyclesRule in the same pass) is not followed twice.
 */
export function maxDepthRule(maxDepth: number): ValidationRule {
  return (context: ValidationContext) => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of context.getDocument().definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }
    // A fragment is as deep wherever it is spread, so each is measured once: a document spreading
    // fragments many times over is measured in linear time.
    const fragmentDepths = new Map<string, Deepest>();
    const entered = new Set<string>();

    function fragmentDepth(name: string): Deepest {
      const known = fragmentDepths.get(name);
      if (known) return known;
      const fragment = fragments.get(name);
      if (!fragment || entered.has(name)) return { depth: 0, field: null };
      entered.add(name);
      const deepest = selectionDepth(fragment.selectionSet);
      entered.delete(name);
      fragmentDepths.set(name, deepest);
      return deepest;
    }

    function selectionDepth(selectionSet: SelectionSetNode): Deepest {
      let deepest: Deepest = { depth: 0, field: null };
      for (const selection of selectionSet.selections) {
        let candidate: Deepest;
        if (selection.kind === Kind.FIELD) {
          const below = selection.selectionSet ? selectionDepth(selection.selectionSet) : { depth: 0, field: null };
          candidate = { depth: below.depth + 1, field: below.field ?? selection };
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          candidate = selectionDepth(selection.selectionSet);
        } else {
          candidate = fragmentDepth(selection.name.value);
        }
        if (candidate.depth > deepest.depth) deepest = candidate;
      }
      return deepest;
    }

    return {
      OperationDefinition(operation) {
        const deepest = selectionDepth(operation.selectionSet);
        if (deepest.depth > maxDepth) {
          context.reportError(new QueryTooDeepError(deepest.depth, maxDepth, deepest.field ? [deepest.field] : []));
        }
        return false;
      },
    };
  };
}

/** Identifier scalars: a list of them names the subjects a field returns, one item each. */
const IDENTIFIER_SCALARS = new Set(['CreditCode', 'IdNumber']);

/**
 * The real length of each introspection list, from the schema itself: the gateway answers
 * introspection on its own, and a list priced at `listSize` would let a few aliases of `__schema`
 * make megabytes of answer for the cost of a small query. The longest list of its kind is taken, so
 * the price is never below the answer. Computed once per schema.
 */
const introspectionSizes = new WeakMap<GraphQLSchema, ReadonlyMap<string, number>>();

function introspectionListSizes(schema: GraphQLSchema): ReadonlyMap<string, number> {
  let sizes = introspectionSizes.get(schema);
  if (sizes) return sizes;
  const types = Object.values(schema.getTypeMap());
  const longest = (lengths: number[]) => Math.max(1, ...lengths);
  const outputFields = types.map((type) =>
    isObjectType(type) || isInterfaceType(type) ? Object.values(type.getFields()) : [],
  );
  const fields = outputFields.flat();
  const directives = schema.getDirectives();
  const fieldCounts = types.map((type, index) =>
    isInputObjectType(type) ? Object.keys(type.getFields()).length : outputFields[index]!.length,
  );
  sizes = new Map([
    ['__Schema.types', types.length],
    ['__Schema.directives', directives.length],
    // Objects and interfaces answer `fields`, input objects `inputFields`: the longest of either.
    ['__Type.fields', longest(fieldCounts)],
    ['__Type.inputFields', longest(fieldCounts)],
    ['__Type.enumValues', longest(types.map((type) => (isEnumType(type) ? type.getValues().length : 0)))],
    [
      '__Type.interfaces',
      longest(types.map((type) => (isObjectType(type) || isInterfaceType(type) ? type.getInterfaces().length : 0))),
    ],
    [
      '__Type.possibleTypes',
      longest(types.map((type) => (isAbstractType(type) ? schema.getPossibleTypes(type).length : 0))),
    ],
    ['__Field.args', longest(fields.map((field) => field.args.length))],
    ['__Directive.args', longest(directives.map((directive) => directive.args.length))],
  ]);
  introspectionSizes.set(schema, sizes);
  return sizes;
}

/** Int arguments that say how many items a list field returns. */
const SIZE_ARGUMENTS = new Set(['first', 'last', 'limit', 'months']);

/**
 * What an operation costs once its variables are coerced, so that lists passed as variables count
 * at their real length:
 * - every field costs 1, `__typename` and introspection included;
 * - a list of objects costs 1 plus its selection times its expected size: the length of its list
 *   of credit codes or ID numbers, else its size argument (`months`), else `listSize`;
 * - fields sharing a response key are merged as execution merges them, and count once; aliased
 *   copies are separate fields, and each root field costs ROOT_FIELD_COST more;
 * - fragments are followed and `@skip` / `@include` are honoured.
 * Throws when the document has no such operation: call it once the operation has been chosen.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Readonly<Record<string, unknown>>,
  options: { listSize?: number; rootFieldCost?: number } = {},
): number {
  return measureOperation(schema, document, operationName, variables, options).cost;
}

/**
 * An operation's cost, the share of it that introspection takes (`__schema`, `__type`), and whether
 * the measure read the request's variables (a list's size, `@skip` / `@include`). One that did not
 * holds for every request of the same operation, whatever its variables.
 */
export interface OperationMeasure {
  cost: number;
  introspectionCost: number;
  readsVariables: boolean;
}

/** The operation's cost, and the share of it that introspection takes (`__schema`, `__type`). */
export function measureOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Readonly<Record<string, unknown>>,
  options: { listSize?: number; rootFieldCost?: number } = {},
): OperationMeasure {
  const operation = getOperationAST(document, operationName);
  if (!operation) throw new Error(`No operation named '${operationName ?? ''}' in the document`);
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return measureChosenOperation(schema, operation, fragments, variables, options);
}

/** `measureOperation` for an operation already chosen, with its document's fragments. */
export function measureChosenOperation(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  variables: Readonly<Record<string, unknown>>,
  options: { listSize?: number; rootFieldCost?: number } = {},
): OperationMeasure {
  const rootType = schema.getRootType(operation.operation);
  if (!rootType) throw new Error(`The schema has no ${operation.operation} type`);
  const listSize = options.listSize ?? DEFAULT_LIST_SIZE;
  const rootFieldCost = options.rootFieldCost ?? ROOT_FIELD_COST;
  const variableValues = variables as Record<string, unknown>;

  // Costs memoized per type and merged selection sets: a fragment spread under many aliases at
  // many levels is counted by multiplication, not by walking every copy.
  const selectionIds = new Map<SelectionSetNode, number>();
  const idOf = (node: SelectionSetNode) => {
    let id = selectionIds.get(node);
    if (id === undefined) selectionIds.set(node, (id = selectionIds.size));
    return id;
  };
  const memo = new Map<string, number>();
  /** Set once a size was read from an argument that holds a variable. */
  let sizeReadsVariables = false;

  const collector = new FieldCollector(schema, fragments, variableValues);

  /** Fields by response key, as execution collects them for one object type. */
  function collectFields(type: GraphQLObjectType, selectionSets: readonly SelectionSetNode[]): FieldNode[][] {
    return collector.collect(type, selectionSets).map((field) => [...field.nodes]);
  }

  function fieldDefinition(type: GraphQLObjectType, name: string): GraphQLField<unknown, unknown> | undefined {
    if (name === '__typename') return TypeNameMetaFieldDef;
    if (type === rootType && name === '__schema') return SchemaMetaFieldDef;
    if (type === rootType && name === '__type') return TypeMetaFieldDef;
    return type.getFields()[name];
  }

  const introspectionSizes = introspectionListSizes(schema);

  function expectedSize(
    parentType: GraphQLObjectType,
    definition: GraphQLField<unknown, unknown>,
    node: FieldNode,
  ): number {
    const introspected = introspectionSizes.get(`${parentType.name}.${definition.name}`);
    if (introspected !== undefined) return introspected;
    if (node.arguments?.some((argument) => holdsVariable(argument.value))) sizeReadsVariables = true;
    let values: Record<string, unknown>;
    try {
      values = getArgumentValues(definition, node, variableValues);
    } catch {
      // Arguments are checked before the cost is; a value that cannot be read says nothing of size.
      return listSize;
    }
    for (const argument of definition.args) {
      const value = values[argument.name];
      if (IDENTIFIER_SCALARS.has(getNamedType(argument.type).name) && isListType(getNullableType(argument.type))) {
        if (Array.isArray(value)) return value.length;
      }
    }
    for (const argument of definition.args) {
      const value = values[argument.name];
      if (SIZE_ARGUMENTS.has(argument.name) && typeof value === 'number' && Number.isInteger(value) && value >= 0) {
        return value;
      }
    }
    return listSize;
  }

  function selectionCost(type: GraphQLObjectType, selectionSets: readonly SelectionSetNode[]): number {
    const key = `${type.name}:${selectionSets.map(idOf).join(',')}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let cost = 0;
    for (const nodes of collectFields(type, selectionSets)) cost += fieldCost(type, nodes);
    memo.set(key, cost);
    return cost;
  }

  function fieldCost(parentType: GraphQLObjectType, nodes: readonly FieldNode[]): number {
    const first = nodes[0];
    if (!first) return 0;
    const definition = fieldDefinition(parentType, first.name.value);
    // Unknown fields are refused by validation; they cost nothing here.
    if (!definition) return 0;
    const returnType = getNamedType(definition.type);
    const subSelections = nodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : []));
    if (!isCompositeType(returnType) || subSelections.length === 0) return 1;
    const runtimeTypes = isObjectType(returnType) ? [returnType] : schema.getPossibleTypes(returnType);
    let below = 0;
    for (const runtimeType of runtimeTypes) below = Math.max(below, selectionCost(runtimeType, subSelections));
    const size = isListType(getNullableType(definition.type)) ? expectedSize(parentType, definition, first) : 1;
    return 1 + size * below;
  }

  let cost = 0;
  let introspectionCost = 0;
  for (const nodes of collectFields(rootType, [operation.selectionSet])) {
    // Introspection is answered by the gateway itself: no plan, no fetch.
    const fetched = !nodes[0]?.name.value.startsWith('__');
    const fieldPrice = fieldCost(rootType, nodes);
    cost += fieldPrice + (fetched ? rootFieldCost : 0);
    if (!fetched) introspectionCost += fieldPrice;
  }
  // Beyond this the count is no longer exact, and far beyond any limit anyway.
  return {
    cost: Math.min(cost, Number.MAX_SAFE_INTEGER),
    introspectionCost: Math.min(introspectionCost, Number.MAX_SAFE_INTEGER),
    readsVariables: sizeReadsVariables || collector.readsVariables,
  };
}

function holdsVariable(value: ValueNode): boolean {
  if (value.kind === Kind.VARIABLE) return true;
  if (value.kind === Kind.LIST) return value.values.some(holdsVariable);
  if (value.kind === Kind.OBJECT) return value.fields.some((field) => holdsVariable(field.value));
  return false;
}

/** QUERY_TOO_COSTLY when the operation costs more than the maximum, else null. */
export function checkOperationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Readonly<Record<string, unknown>>,
  limits: Pick<OperationLimits, 'maxCost' | 'maxIntrospectionCost' | 'listSize'>,
): QueryTooCostlyError | null {
  return priced(measureOperation(schema, document, operationName, variables, { listSize: limits.listSize }), limits);
}

/** `checkOperationCost` for an operation already chosen, with its document's fragments. */
export function checkChosenOperationCost(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  variables: Readonly<Record<string, unknown>>,
  limits: Pick<OperationLimits, 'maxCost' | 'maxIntrospectionCost' | 'listSize'>,
): QueryTooCostlyError | null {
  return priced(measureChosenOperation(schema, operation, fragments, variables, { listSize: limits.listSize }), limits);
}

/** QUERY_TOO_COSTLY for a measure already taken (`measureChosenOperation`), else null. */
export function checkMeasuredCost(
  measure: OperationMeasure,
  limits: Pick<OperationLimits, 'maxCost' | 'maxIntrospectionCost'>,
): QueryTooCostlyError | null {
  return priced(measure, limits);
}

function priced(
  { cost, introspectionCost }: { cost: number; introspectionCost: number },
  limits: Pick<OperationLimits, 'maxCost' | 'maxIntrospectionCost'>,
): QueryTooCostlyError | null {
  if (cost > limits.maxCost) return new QueryTooCostlyError(cost, limits.maxCost);
  return introspectionCost > limits.maxIntrospectionCost
    ? new QueryTooCostlyError(introspectionCost, limits.maxIntrospectionCost, 'introspection')
    : null;
}
