import {
  defaultFieldResolver,
  getNamedType,
  isObjectType,
  Kind,
  type DocumentNode,
  type GraphQLFieldResolver,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import { isConsentGroup, TIERS, type AccessRule, type ConsentGroup, type Tier } from './access.js';
import { applyTreatment, treatmentOf, type PersonalKind, type Treatment } from './access-personal.js';
import { CreditGatewayError } from './errors.js';

/** What a subgraph knows of the caller: the claims of the gateway's signed internal token. */
export interface AccessClaims {
  tier: Tier;
  /** Subjects whose consent the gateway verified, with the groups each granted. */
  consents: Readonly<Record<string, readonly ConsentGroup[]>>;
}

/** A field of one subject refused to an AUTHORIZED caller for want of the subject's consent. */
export interface ConsentDenial {
  /** `Type.field`. */
  field: string;
  consent: ConsentGroup;
  /** The subject's credit code, when the row names one. */
  subject: string | null;
}

/**
 * CONSENT_REQUIRED for one field of one subject. Consent is decided row by row where the row is
 * read, in the subgraph: only there is the row's subject known. The denial crosses to the gateway
 * as this error's JSON, and `read` is the one place that turns it back into a `ConsentDenial`.
 */
export class ConsentRequiredError extends CreditGatewayError {
  constructor(readonly denial: ConsentDenial) {
    super('CONSENT_REQUIRED', `Reading ${denial.field} needs the subject's consent for ${denial.consent}`, {
      extensions: {
        field: denial.field,
        consent: denial.consent,
        ...(denial.subject === null ? {} : { subject: denial.subject }),
      },
    });
  }

  /** The denial a subgraph's answer carries, or null for any other error. */
  static read(error: GraphQLFormattedError): ConsentDenial | null {
    const extensions = error.extensions;
    if (extensions?.['code'] !== 'CONSENT_REQUIRED') return null;
    const { field, consent, subject } = extensions;
    if (typeof field !== 'string' || !isConsentGroup(consent)) return null;
    return { field, consent, subject: typeof subject === 'string' ? subject : null };
  }
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
        throw new ConsentRequiredError({
          field: coordinate,
          consent: rule.consent,
          subject: typeof subject === 'string' ? subject : null,
        });
      }
    }
    return resolve(source, args, context, info);
  };
}

/**
 * `Type.field` coordinates named in an entity's `@key`: the gateway joins entities across
 * subgraphs on their values, so these leave a subgraph whole and the gateway treats them before
 * its caller sees them.
 */
export function entityKeyFields(document: DocumentNode): Set<string> {
  const keys = new Set<string>();
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    for (const directive of definition.directives ?? []) {
      if (directive.name.value !== 'key') continue;
      const fields = directive.arguments?.find((argument) => argument.name.value === 'fields')?.value;
      if (fields?.kind !== Kind.STRING) continue;
      // Only the top level of a key names this type's own fields.
      let depth = 0;
      for (const token of fields.value.split(/([{}\s])/)) {
        if (token === '{') depth++;
        else if (token === '}') depth--;
        else if (depth === 0 && token.trim() !== '') keys.add(`${definition.name.value}.${token.trim()}`);
      }
    }
  }
  return keys;
}

/**
 * The subgraph's own line of defence for personal data: every field declared `@personal` is
 * treated as the caller's tier and the policy say (masked or withheld) before it leaves the
 * subgraph, so personal data is protected even if a request reaches a subgraph some other way.
 * Entity keys (`Person.idNumber`) are left whole, for the gateway's joins; the gateway treats them.
 * A request without access claims is treated as the most restricted tier would be.
 */
export function enforcePersonalData(
  schema: GraphQLSchema,
  personal: ReadonlyMap<string, PersonalKind>,
  keys: ReadonlySet<string>,
): void {
  for (const [coordinate, kind] of personal) {
    if (keys.has(coordinate)) continue;
    const [typeName, fieldName] = coordinate.split('.') as [string, string];
    const type = schema.getType(typeName);
    const field = isObjectType(type) ? type.getFields()[fieldName] : undefined;
    if (!field) continue;
    const resolve: GraphQLFieldResolver<unknown, WithAccess> = field.resolve ?? defaultFieldResolver;
    const treated: GraphQLFieldResolver<unknown, WithAccess> = async (source, args, context, info) => {
      const value: unknown = await resolve(source, args, context, info);
      const tier = context.access?.tier;
      return applyTreatment(value, kind, tier ? treatmentOf(tier, kind) : strictestTreatment(kind));
    };
    field.resolve = treated;
  }
}

function strictestTreatment(kind: PersonalKind): Treatment {
  return TIERS.some((tier) => treatmentOf(tier, kind) === 'WITHHOLD') ? 'WITHHOLD' : 'MASK';
}
