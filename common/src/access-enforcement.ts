import {
  defaultFieldResolver,
  getNamedType,
  isObjectType,
  type GraphQLFieldResolver,
  type GraphQLSchema,
} from 'graphql';
import type { AccessRule, ConsentGroup, Tier } from './access.js';
import { CreditGatewayError } from './errors.js';

/** What a subgraph knows of the caller: the claims of the gateway's signed internal token. */
export interface AccessClaims {
  tier: Tier;
  /** Subjects whose consent the gateway verified, with the groups each granted. */
  consents: Readonly<Record<string, readonly ConsentGroup[]>>;
}

/** The subject a section belongs to, carried on the section object for row-level consent checks. */
const SUBJECT = Symbol('credit subject');

interface WithAccess {
  access?: AccessClaims;
}

/**
 * The second line of defence: every field with an `@access` rule checks the caller's tier, and for
 * an AUTHORIZED caller the subject's consent, before it resolves. The gateway already removed
 * what the tier may not read; this holds even if a request reaches the subgraph some other way.
 * Sections under an entity keyed by `code` remember their subject, so consent is checked per row.
 */
export function enforceAccess(schema: GraphQLSchema, rules: ReadonlyMap<string, AccessRule>): void {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const keyedByCode = type.getFields()['code'] !== undefined && type.name !== 'Query';
    for (const field of Object.values(type.getFields())) {
      const rule = rules.get(`${type.name}.${field.name}`);
      const resolve: GraphQLFieldResolver<unknown, WithAccess> = field.resolve ?? defaultFieldResolver;
      if (keyedByCode && isObjectType(getNamedType(field.type))) field.resolve = rememberSubject(resolve);
      if (rule) field.resolve = guard(field.resolve ?? resolve, `${type.name}.${field.name}`, rule, keyedByCode);
    }
  }
}

function rememberSubject(
  resolve: GraphQLFieldResolver<unknown, WithAccess>,
): GraphQLFieldResolver<unknown, WithAccess> {
  return async (source, args, context, info) => {
    const value: unknown = await resolve(source, args, context, info);
    const code = (source as { code?: unknown } | null)?.code;
    if (value !== null && typeof value === 'object' && typeof code === 'string') {
      Object.defineProperty(value, SUBJECT, { value: code, enumerable: false, configurable: true });
    }
    return value;
  };
}

function guard(
  resolve: GraphQLFieldResolver<unknown, WithAccess>,
  coordinate: string,
  rule: AccessRule,
  /** The field sits on an entity keyed by `code`: the subject is the entity itself. */
  keyedByCode: boolean,
): GraphQLFieldResolver<unknown, WithAccess> {
  return (source, args, context, info) => {
    const access = context.access;
    if (!access || !rule.tiers.has(access.tier)) {
      throw new CreditGatewayError('UNAUTHORIZED_FIELD_OR_TYPE', `Not authorized to read ${coordinate}`, {
        extensions: { field: coordinate },
      });
    }
    if (access.tier === 'AUTHORIZED' && rule.consent) {
      const remembered = (source as Record<symbol, unknown> | null)?.[SUBJECT];
      const own = keyedByCode ? (source as { code?: unknown } | null)?.code : undefined;
      const subject = typeof remembered === 'string' ? remembered : own;
      const granted =
        typeof subject === 'string' && Object.hasOwn(access.consents, subject) ? access.consents[subject] : undefined;
      if (!granted?.includes(rule.consent)) {
        throw new CreditGatewayError(
          'CONSENT_REQUIRED',
          `Reading ${coordinate} needs the subject's consent for ${rule.consent}`,
          {
            extensions: {
              field: coordinate,
              consent: rule.consent,
              ...(typeof subject === 'string' ? { subject } : {}),
            },
          },
        );
      }
    }
    return resolve(source, args, context, info);
  };
}
