import { Kind, type DocumentNode } from 'graphql';

/**
 * Who may read what. A caller's tier decides which fields it may read at all; for non-public
 * data an AUTHORIZED caller also needs the subject's own consent for that field group.
 */
export const TIERS = ['PUBLIC', 'AUTHORIZED', 'GOVERNMENT', 'JUDICIAL', 'ANALYST'] as const;

/**
 * - PUBLIC: information published by law (依法公开), anyone;
 * - AUTHORIZED: read with the subject's authorization (授权查询), e.g. Credit-Easy lenders;
 * - GOVERNMENT: government data sharing (政务共享), e.g. approval systems;
 * - JUDICIAL: the court enforcement linkage (执行联动);
 * - ANALYST: public data and statistics, personal identifiers masked.
 */
export type Tier = (typeof TIERS)[number];

/** Groups of non-public fields a subject can consent to, one by one. */
export const CONSENT_GROUPS = [
  'TAX_CREDIT',
  'TAX_PAYMENTS',
  'SOCIAL_SECURITY',
  'PROCUREMENT_CONTRACTS',
  'CREDIT_OBJECTION',
] as const;

export type ConsentGroup = (typeof CONSENT_GROUPS)[number];

export function isTier(value: unknown): value is Tier {
  return typeof value === 'string' && (TIERS as readonly string[]).includes(value);
}

export function isConsentGroup(value: unknown): value is ConsentGroup {
  return typeof value === 'string' && (CONSENT_GROUPS as readonly string[]).includes(value);
}

/** Tiers that see personal identifiers in the clear; every other tier sees them masked. */
export const CLEAR_IDENTIFIER_TIERS: ReadonlySet<Tier> = new Set<Tier>(['GOVERNMENT', 'JUDICIAL']);

/** Tiers that must say why they query (查询事由), in the x-credit-purpose header. */
export const PURPOSE_TIERS: ReadonlySet<Tier> = new Set<Tier>(['AUTHORIZED', 'GOVERNMENT', 'JUDICIAL']);

/** What the `@access` directive says of one field. */
export interface AccessRule {
  tiers: ReadonlySet<Tier>;
  consent: ConsentGroup | null;
}

/**
 * Reads every `@access` rule of an SDL (a subgraph's or the supergraph) into `Type.field` → rule.
 * A field without the directive has no rule: it is public.
 */
export function accessRules(document: DocumentNode): Map<string, AccessRule> {
  const rules = new Map<string, AccessRule>();
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    for (const field of definition.fields ?? []) {
      const directive = field.directives?.find((d) => d.name.value === 'access');
      if (!directive) continue;
      let tiers: Tier[] = [];
      let consent: ConsentGroup | null = null;
      for (const argument of directive.arguments ?? []) {
        if (argument.name.value === 'tiers' && argument.value.kind === Kind.LIST) {
          tiers = argument.value.values.flatMap((v) => (v.kind === Kind.ENUM && isTier(v.value) ? [v.value] : []));
        }
        if (
          argument.name.value === 'consent' &&
          argument.value.kind === Kind.ENUM &&
          isConsentGroup(argument.value.value)
        ) {
          consent = argument.value.value;
        }
      }
      rules.set(`${definition.name.value}.${field.name.value}`, { tiers: new Set(tiers), consent });
    }
  }
  return rules;
}
