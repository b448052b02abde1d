/**
 * GraphQL documents for the fuzzer: random operations walked from the supergraph's own types
 * (fields, arguments, aliases, fragments, directives), and hostile shapes no schema walk finds by
 * chance (exponential fragment spreads, hundreds of aliases, depth, size, deep list literals).
 */
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLObjectType,
} from 'graphql';
import type { Rng } from './rng.js';
import { isMachinery, type FuzzSchema } from './schema.js';
import { codeList, codeVariant, deepObject, hostileString, idNumberVariant, type ValuePools } from './values.js';

export interface Operation {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
}

interface Walk {
  rng: Rng;
  pools: ValuePools;
  schema: FuzzSchema;
  variables: Record<string, unknown>;
  definitions: string[];
  fragments: string[];
  counter: number;
  /** Leave literals and variables valid: the operation is meant to be answered. */
  valid: boolean;
}

const CREDIT_CODE_TYPES = new Set(['CreditCode']);

function fieldsOf(type: GraphQLObjectType): GraphQLField<unknown, unknown>[] {
  return Object.values(type.getFields()).filter((field) => !isMachinery(field.name) && !field.name.startsWith('_'));
}

/** A value of an input type, valid when the walk is valid, else anything from the hostile pools. */
function inputValue(walk: Walk, type: GraphQLInputType, depth = 0): unknown {
  const { rng, pools } = walk;
  if (isNonNullType(type)) return inputValue(walk, type.ofType, depth);
  if (!walk.valid && rng.chance(0.08)) return rng.pick([null, 'x', 1, [], {}, rng.pick(pools.hostileJson)]);
  if (isListType(type)) {
    const inner = getNamedType(type);
    if (CREDIT_CODE_TYPES.has(inner.name))
      return walk.valid
        ? Array.from({ length: rng.int(1, 6) }, () => rng.pick(pools.validCodes))
        : codeList(rng, pools);
    return Array.from({ length: rng.int(0, 3) }, () => inputValue(walk, type.ofType, depth + 1));
  }
  if (isEnumType(type)) {
    const values = type.getValues().map((value) => value.name);
    return walk.valid || rng.chance(0.8) ? rng.pick(values) : rng.pick(['UNKNOWN', 'public', '', 'GOVERNMENT']);
  }
  if (isInputObjectType(type)) {
    if (!walk.valid && depth < 2 && rng.chance(0.05)) return deepObject(rng.pick([100, 1_000]));
    const value: Record<string, unknown> = {};
    for (const field of Object.values(type.getFields())) {
      if (isNonNullType(field.type) || rng.chance(0.5)) value[field.name] = inputValue(walk, field.type, depth + 1);
    }
    if (!walk.valid && rng.chance(0.1)) value['unexpected'] = 'field';
    return value;
  }
  if (isScalarType(type)) {
    switch (type.name) {
      case 'CreditCode':
        return walk.valid ? rng.pick(pools.validCodes) : codeVariant(rng, pools);
      case 'IdNumber':
        return walk.valid ? rng.pick(pools.validIdNumbers) : idNumberVariant(rng, pools);
      case 'Int':
        return walk.valid ? rng.int(1, 50) : rng.pick([0, -1, 1, 100, 501, 2 ** 31, 1e20, 1.5, '3', null]);
      case 'Float':
        return rng.pick([0, 1.5, -1e308, 'NaN']);
      case 'Boolean':
        return walk.valid ? rng.chance(0.5) : rng.pick([true, false, 'true', 0]);
      case 'Date':
        return walk.valid
          ? `20${rng.int(10, 26)}-0${rng.int(1, 9)}-1${rng.int(0, 9)}`
          : rng.pick(['2026-02-30', '2026-13-01', 'yesterday', '', '0000-00-00', '+275760-09-13', 20260101]);
      case 'DateTime':
        return walk.valid
          ? `20${rng.int(10, 26)}-0${rng.int(1, 9)}-01T00:00:00Z`
          : rng.pick(['2026-02-30T00:00:00Z', 'now', '', '1970-01-01', '9999-99-99T99:99:99Z', 0]);
      case 'ID':
        return walk.valid
          ? `${rng.pick(['TAX', 'MARKET', 'COURTS', 'OBJ'])}:${rng.int(1, 9999)}`
          : hostileString(rng, pools);
      default:
        return walk.valid ? rng.pick(['a', 'test', '测试']) : hostileString(rng, pools);
    }
  }
  return null;
}

function typeString(type: GraphQLInputType): string {
  return type.toString();
}

/** `(name: $v1, …)` for a field, declaring variables, or with inline literals now and then. */
function argumentsFor(walk: Walk, field: GraphQLField<unknown, unknown>): string {
  const { rng } = walk;
  const parts: string[] = [];
  for (const argument of field.args) {
    if (!isNonNullType(argument.type) && !rng.chance(0.4)) continue;
    const value = inputValue(walk, argument.type);
    if (rng.chance(0.15) && value !== undefined) {
      const literal = literalOf(value);
      if (literal !== null) {
        parts.push(`${argument.name}: ${literal}`);
        continue;
      }
    }
    const name = `v${walk.counter++}`;
    const declared =
      !walk.valid && rng.chance(0.05)
        ? rng.pick(['String', 'Int!', '[CreditCode]', 'Nope'])
        : typeString(argument.type);
    walk.definitions.push(`$${name}: ${declared}`);
    walk.variables[name] = value;
  }
  if (!walk.valid && rng.chance(0.03)) parts.push(`unknownArgument: 1`);
  return parts.length > 0 ? `(${parts.join(', ')})` : '';
}

/** A GraphQL literal for a JSON value, or null when it has no small literal (huge strings). */
function literalOf(value: unknown): string | null {
  const text = JSON.stringify(value);
  if (text === undefined || text.length > 20_000) return null;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const entries = Object.entries(value).map(([key, inner]) => `${key}: ${literalOf(inner) ?? 'null'}`);
    return `{${entries.join(', ')}}`;
  }
  if (Array.isArray(value)) return `[${value.map((inner) => literalOf(inner) ?? 'null').join(', ')}]`;
  return text;
}

function directivesFor(walk: Walk): string {
  const { rng } = walk;
  if (!rng.chance(0.12)) return '';
  return rng.weighted<() => string>([
    [
      3,
      () => {
        const name = `f${walk.counter++}`;
        walk.definitions.push(`$${name}: Boolean!`);
        walk.variables[name] = walk.valid ? rng.chance(0.5) : rng.pick([true, false, 'yes', null]);
        return ` @${rng.pick(['include', 'skip'])}(if: $${name})`;
      },
    ],
    [2, () => ` @skip(if: ${rng.pick(['true', 'false'])})`],
    [walk.valid ? 0 : 1, () => ` @include(if: true) @include(if: false)`],
    [walk.valid ? 0 : 1, () => ` @${rng.pick(['unknown', 'access', 'deprecated', 'join__field', 'defer', 'stream'])}`],
    [walk.valid ? 0 : 1, () => ' @skip(if: false)'.repeat(rng.int(2, 300))],
  ])();
}

/** A selection set of `type`, up to `depth` levels below it. */
function selectionSet(walk: Walk, type: GraphQLNamedType, depth: number): string {
  const { rng } = walk;
  if (isUnionType(type) || isInterfaceType(type)) {
    const possible = isUnionType(type) ? type.getTypes() : walk.schema.schema.getPossibleTypes(type);
    const inline = possible
      .filter(() => rng.chance(0.6))
      .map((member) => `... on ${member.name} ${selectionSet(walk, member, depth)}`);
    return `{ __typename ${inline.join(' ')} }`;
  }
  if (!isObjectType(type)) return '';
  const fields = fieldsOf(type);
  const scalars = fields.filter(
    (field) =>
      !isObjectType(getNamedType(field.type)) &&
      !isUnionType(getNamedType(field.type)) &&
      !isInterfaceType(getNamedType(field.type)),
  );
  const objects = fields.filter((field) => !scalars.includes(field));
  const chosen = new Set<GraphQLField<unknown, unknown>>();
  const count = rng.int(1, Math.min(6, fields.length));
  for (let i = 0; i < count; i++) {
    const pool = depth > 0 && objects.length > 0 && rng.chance(0.5) ? objects : scalars.length > 0 ? scalars : objects;
    chosen.add(rng.pick(pool));
  }
  const parts: string[] = [];
  for (const field of chosen) {
    const named = getNamedType(field.type);
    const leaf = isScalarType(named) || isEnumType(named);
    if (!leaf && depth <= 0) continue;
    const alias = rng.chance(0.1) ? `a${walk.counter++}: ` : '';
    const text = `${alias}${field.name}${argumentsFor(walk, field)}${directivesFor(walk)}${leaf ? '' : ` ${selectionSet(walk, named, depth - 1)}`}`;
    if (!leaf && rng.chance(0.1)) {
      // The same selection as a named fragment, spread where the field was.
      const fragment = `F${walk.counter++}`;
      walk.fragments.push(`fragment ${fragment} on ${type.name} { ${text} }`);
      parts.push(`...${fragment}`);
    } else if (rng.chance(0.05)) {
      parts.push(`... on ${type.name} { ${text} }`);
    } else parts.push(text);
  }
  if (parts.length === 0 || rng.chance(0.1)) parts.push('__typename');
  if (!walk.valid && rng.chance(0.04)) parts.push(rng.pick(['noSuchField', 'code { nested }', '__schema']));
  return `{ ${parts.join(' ')} }`;
}

/** An operation walked from the schema's Query (or Mutation) type. */
export function schemaOperation(
  rng: Rng,
  pools: ValuePools,
  schema: FuzzSchema,
  options: { valid: boolean; mutation?: boolean; maxDepth?: number },
): Operation {
  const walk: Walk = {
    rng,
    pools,
    schema,
    variables: {},
    definitions: [],
    fragments: [],
    counter: 0,
    valid: options.valid,
  };
  const root = options.mutation ? schema.schema.getMutationType()! : schema.schema.getQueryType()!;
  const fields = fieldsOf(root);
  const parts: string[] = [];
  for (let i = rng.int(1, options.valid ? 2 : 4); i > 0; i--) {
    const field = rng.pick(fields);
    const named = getNamedType(field.type);
    const depth = rng.int(1, options.maxDepth ?? 5);
    const alias = parts.length > 0 || rng.chance(0.2) ? `r${walk.counter++}: ` : '';
    const selection =
      isScalarType(getNullableType(named)) || isEnumType(named) ? '' : ` ${selectionSet(walk, named, depth)}`;
    parts.push(`${alias}${field.name}${argumentsFor(walk, field)}${directivesFor(walk)}${selection}`);
  }
  const name = rng.chance(0.5) ? ` Fuzz${rng.int(0, 999)}` : '';
  const definitions = walk.definitions.length > 0 ? `(${walk.definitions.join(', ')})` : '';
  const keyword = options.mutation ? 'mutation' : name || definitions ? 'query' : '';
  const query = `${keyword}${name}${definitions} { ${parts.join(' ')} } ${walk.fragments.join(' ')}`;
  return { query, ...(Object.keys(walk.variables).length > 0 ? { variables: walk.variables } : {}) };
}

/** Hostile document shapes, each a known way to make a GraphQL server work too hard or fail. */
export function hostileOperation(rng: Rng, pools: ValuePools): { shape: string; operation: Operation } {
  const code = rng.pick(pools.validCodes);
  const shape = rng.weighted<string>([
    [3, 'exponential-fragments'],
    [1, 'fragment-cycle'],
    [3, 'many-aliases'],
    [2, 'alias-batches'],
    [2, 'deep-selection'],
    [1, 'deep-unknown-fields'],
    [1, 'huge-document'],
    [1, 'deep-list-literal'],
    [1, 'deep-introspection'],
    [2, 'repeated-directives'],
    [1, 'many-operations'],
    [1, 'subscription'],
    [2, 'syntax-garbage'],
    [1, 'many-variables'],
  ]);
  const make = (): Operation => {
    switch (shape) {
      case 'exponential-fragments': {
        const levels = rng.int(8, 40);
        const fragments = [`fragment F0 on Enterprise { code codeInfo { divisionCode } }`];
        for (let i = 1; i <= levels; i++) fragments.push(`fragment F${i} on Enterprise { ...F${i - 1} ...F${i - 1} }`);
        const field = rng.chance(0.5) ? `enterprise(code: "${code}")` : `enterprises(codes: ["${code}"])`;
        return { query: `query Exp { ${field} { ...F${levels} } } ${fragments.join(' ')}` };
      }
      case 'fragment-cycle':
        return {
          query: `{ enterprise(code: "${code}") { ...A } } fragment A on Enterprise { code ...B } fragment B on Enterprise { ...A }`,
        };
      case 'many-aliases': {
        const count = rng.pick([100, 300, 1_000, 5_000]);
        const field = rng.pick([
          `enterprise(code: "${code}") { code }`,
          `enterprise(code: "${code}") { creditLists { list } }`,
          `person(idNumber: "${rng.pick(pools.validIdNumbers)}") { idNumber }`,
          `measuresCatalog { id }`,
        ]);
        return { query: `{ ${Array.from({ length: count }, (_, i) => `a${i}: ${field}`).join(' ')} }` };
      }
      case 'alias-batches': {
        const batch = Array.from({ length: rng.pick([100, 500]) }, (_, i) =>
          JSON.stringify(pools.validCodes[i % pools.validCodes.length]),
        );
        const count = rng.pick([2, 5, 20, 100]);
        return {
          query: `{ ${Array.from({ length: count }, (_, i) => `b${i}: enterprises(codes: [${batch.join(',')}]) { code }`).join(' ')} }`,
        };
      }
      case 'deep-selection': {
        const depth = rng.pick([10, 16, 30, 100, 500]);
        let inner = 'idNumber';
        for (let i = 0; i < depth; i++)
          inner = `courts { consumptionRestrictions { boundPersons { person { ${inner} } } } }`;
        return { query: `{ person(idNumber: "${rng.pick(pools.validIdNumbers)}") { ${inner} } }` };
      }
      case 'deep-unknown-fields': {
        const depth = rng.pick([100, 1_000, 10_000]);
        return { query: `{ ${'a { '.repeat(depth)}b${' }'.repeat(depth)} }` };
      }
      case 'huge-document': {
        const size = rng.pick([200_000, 900_000, 2_000_000]);
        return { query: `{ enterprise(code: "${code}") { code } } #${'x'.repeat(size)}` };
      }
      case 'deep-list-literal': {
        const depth = rng.pick([100, 1_000, 10_000]);
        return { query: `{ enterprises(codes: ${'['.repeat(depth)}"${code}"${']'.repeat(depth)}) { code } }` };
      }
      case 'deep-introspection': {
        const depth = rng.pick([5, 20, 100]);
        let inner = 'name';
        for (let i = 0; i < depth; i++) inner = `ofType { ${inner} }`;
        return { query: `{ __schema { types { fields { type { ${inner} } } } } }` };
      }
      case 'repeated-directives':
        return {
          query: `query R($t: Boolean!) { enterprise(code: "${code}")${' @include(if: $t)'.repeat(rng.pick([2, 100, 2_000]))} { code${' @skip(if: false)'.repeat(rng.int(1, 500))} } }`,
          variables: { t: rng.pick([true, false, 'x', null]) },
        };
      case 'many-operations': {
        const count = rng.pick([2, 50, 1_000]);
        const query = Array.from(
          { length: count },
          (_, i) => `query Q${i} { enterprise(code: "${code}") { code } }`,
        ).join(' ');
        return { query, ...(rng.chance(0.5) ? { operationName: rng.pick(['Q0', `Q${count + 1}`, '']) } : {}) };
      }
      case 'subscription':
        return { query: `subscription { enterprise(code: "${code}") { code } }` };
      case 'many-variables': {
        const count = rng.pick([100, 2_000]);
        const definitions = Array.from({ length: count }, (_, i) => `$c${i}: CreditCode!`).join(' ');
        const variables = Object.fromEntries(
          Array.from({ length: count }, (_, i) => [`c${i}`, codeVariant(rng, pools)]),
        );
        const fields = Array.from({ length: count }, (_, i) => `e${i}: enterprise(code: $c${i}) { code }`).join(' ');
        return { query: `query M(${definitions}) { ${fields} }`, variables };
      }
      default: {
        const text = rng.pick([
          `{ enterprise(code: "${code}") { code `,
          `{ enterprise(code: "${code}) { code } }`,
          '{}',
          '{ }}}}',
          'query (',
          '\u0000\u0001\u0002',
          `{ enterprise(code: ${'"'.repeat(1_000)}) }`,
          rng.pick(pools.hostileStrings) || 'x',
          '{ ' + 'a'.repeat(100_000) + ' }',
        ]);
        return { query: text };
      }
    }
  };
  return { shape, operation: make() };
}
