/**
 * The whole-department-profile query, generated from the composed supergraph rather than written by
 * hand, so that it follows the schema: every field of every department section of `Enterprise`, to
 * three levels below the section, that the given tier may read.
 *
 * - A field whose `@access` tiers leave the tier out is skipped (it would only measure a refusal).
 * - A field with a required argument that has no default is skipped; optional ones keep their defaults.
 * - An object field deeper than three levels cannot be selected without going deeper, so it is left
 *   out; an object field with nothing left to select is left out too.
 */
import {
  buildASTSchema,
  getNamedType,
  isCompositeType,
  isInterfaceType,
  isNonNullType,
  isObjectType,
  isUnionType,
  parse,
  Kind,
  type ConstDirectiveNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';

/** The department sections of `Enterprise`, one per department subgraph. */
export const DEPARTMENT_FIELDS = ['marketRegulation', 'tax', 'courts', 'socialSecurity', 'procurement'] as const;

export interface ProfileQuery {
  query: string;
  /** Leaf fields selected, for the report. */
  leaves: number;
  /** `Type.field` left out, with why. */
  skipped: string[];
}

function accessTiers(field: GraphQLField<unknown, unknown>): string[] | undefined {
  const directive = field.astNode?.directives?.find((d: ConstDirectiveNode) => d.name.value === 'access');
  const tiers = directive?.arguments?.find((a) => a.name.value === 'tiers')?.value;
  if (tiers === undefined) return undefined;
  return tiers.kind === Kind.LIST ? tiers.values.map((v) => (v.kind === Kind.ENUM ? v.value : '')) : [];
}

function selection(
  type: GraphQLNamedType,
  depth: number,
  maxDepth: number,
  tier: string,
  skipped: Set<string>,
  counter: { leaves: number },
): string | undefined {
  if (isUnionType(type) || isInterfaceType(type)) {
    // No department section has one today; an abstract type would need a fragment per member.
    skipped.add(`${type.name} (abstract type)`);
    return undefined;
  }
  if (!isObjectType(type)) return undefined;
  const parts: string[] = [];
  for (const field of Object.values(type.getFields())) {
    const where = `${type.name}.${field.name}`;
    const tiers = accessTiers(field);
    if (tiers !== undefined && !tiers.includes(tier)) {
      skipped.add(`${where} (not for ${tier})`);
      continue;
    }
    if (field.args.some((arg) => isNonNullType(arg.type) && arg.defaultValue === undefined)) {
      skipped.add(`${where} (required argument)`);
      continue;
    }
    const named = getNamedType(field.type);
    if (!isCompositeType(named)) {
      parts.push(field.name);
      counter.leaves++;
      continue;
    }
    if (depth >= maxDepth) continue;
    const inner = selection(named, depth + 1, maxDepth, tier, skipped, counter);
    if (inner !== undefined) parts.push(`${field.name} ${inner}`);
  }
  return parts.length > 0 ? `{ ${parts.join(' ')} }` : undefined;
}

/** The profile query for `enterprise(code: $code)`, from a supergraph SDL. */
export function profileQuery(supergraphSdl: string, tier: string, maxDepth = 3): ProfileQuery {
  const schema: GraphQLSchema = buildASTSchema(parse(supergraphSdl), { assumeValid: true, assumeValidSDL: true });
  const enterprise = schema.getType('Enterprise');
  if (!isObjectType(enterprise)) throw new Error('the supergraph has no Enterprise type');
  const skipped = new Set<string>();
  const counter = { leaves: 0 };
  const sections: string[] = [];
  for (const name of DEPARTMENT_FIELDS) {
    const field = enterprise.getFields()[name];
    if (field === undefined) throw new Error(`Enterprise has no department section '${name}'`);
    const inner = selection(getNamedType(field.type), 1, maxDepth, tier, skipped, counter);
    if (inner === undefined) throw new Error(`nothing to select in Enterprise.${name}`);
    sections.push(`${name} ${inner}`);
  }
  return {
    query: `query DepartmentProfile($code: CreditCode!) { enterprise(code: $code) { code ${sections.join(' ')} } }`,
    leaves: counter.leaves,
    skipped: [...skipped].sort(),
  };
}
