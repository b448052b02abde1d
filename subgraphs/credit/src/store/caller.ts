import { createHash } from 'node:crypto';
import {
  CreditGatewayError,
  type ConsentGroup,
  type Department,
  type DepartmentId,
  type Tier,
} from '@credit-gateway/common';

/** Who is acting, as the gateway vouches for it. */
export interface Caller {
  tier: Tier;
  /** The calling system (`client_id`); every non-PUBLIC caller has one. */
  client: string | null;
  /** Subjects whose consent the gateway verified, with the groups each granted. */
  consents: Readonly<Record<string, readonly ConsentGroup[]>>;
  /** The department the caller acts for, from its token; null for one that acts for none. */
  department?: DepartmentId | null;
}

/** The department that owns a record: the source named in its id (`SOURCE:recordId`). */
export function ownerOf(recordId: string): Department | null {
  const source = /^(MARKET|TAX|COURTS|SOCIAL_SECURITY|PROCUREMENT):/.exec(recordId)?.[1];
  return (source as Department | undefined) ?? null;
}

/**
 * 谁认定、谁修复: only the department that owns a record decides on it. A caller whose token names
 * no department, or another one, is refused with FORBIDDEN_DEPARTMENT.
 */
export function requireOwningDepartment(caller: Caller, recordId: string, action: string): Department {
  const owner = ownerOf(recordId);
  if (owner === null || caller.department !== owner) {
    throw new CreditGatewayError(
      'FORBIDDEN_DEPARTMENT',
      `Only the ${owner ?? 'owning'} department may ${action}; the caller acts for ${caller.department ?? 'no department'}`,
      { extensions: { owner, department: caller.department ?? null } },
    );
  }
  return owner;
}

export function badInput(message: string, extensions: Record<string, unknown> = {}): CreditGatewayError {
  return new CreditGatewayError('BAD_USER_INPUT', message, { extensions });
}

function notAuthorized(action: string): CreditGatewayError {
  return new CreditGatewayError('UNAUTHORIZED_FIELD_OR_TYPE', `Not authorized to ${action}`, {
    extensions: { field: action },
  });
}

/** The caller's client id, for callers of `tiers`; anyone else is refused. */
export function requireTier(caller: Caller, tiers: readonly Tier[], action: string): string {
  if (!tiers.includes(caller.tier) || caller.client === null) throw notAuthorized(action);
  return caller.client;
}

export function hasConsent(caller: Caller, code: string, group: ConsentGroup): boolean {
  return Object.hasOwn(caller.consents, code) && (caller.consents[code]?.includes(group) ?? false);
}

/**
 * Objections about a subject are for the subject itself (AUTHORIZED, with its CREDIT_OBJECTION
 * consent) and for government departments.
 */
export function mayActOnObjections(caller: Caller, code: string): boolean {
  if (caller.tier === 'GOVERNMENT') return caller.client !== null;
  return caller.tier === 'AUTHORIZED' && caller.client !== null && hasConsent(caller, code, 'CREDIT_OBJECTION');
}

export function consentRequired(code: string | null, action: string): CreditGatewayError {
  return new CreditGatewayError('CONSENT_REQUIRED', `To ${action} needs the subject's consent for CREDIT_OBJECTION`, {
    extensions: { consent: 'CREDIT_OBJECTION', ...(code === null ? {} : { subject: code }) },
  });
}

/** Refuses a caller who may not act on a subject's objections, saying what is missing. */
export function requireObjectionAccess(caller: Caller, code: string, action: string): string {
  if (caller.tier === 'AUTHORIZED' && caller.client !== null && !mayActOnObjections(caller, code)) {
    throw consentRequired(code, action);
  }
  return requireTier(caller, ['AUTHORIZED', 'GOVERNMENT'], action);
}

/**
 * A record the rules act on is named `SOURCE:recordId`: the department system and the record's
 * own id there.
 */
const RECORD_ID = /^(MARKET|TAX|COURTS|SOCIAL_SECURITY|PROCUREMENT):\S/;
const MAX_RECORD_ID = 200;
const MAX_KEY = 200;

const PAIRED_SURROGATES = /[\uD800-\uDBFF][\uDC00-\uDFFF]/g;
/** Control characters but tab and line breaks, and surrogates left unpaired. */
const UNWANTED = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\uD800-\uDFFF]/;
/**
 * Markup delimiters: free text is shown in portals and approval systems that may not escape it,
 * so it is refused rather than stored and echoed.
 */
const MARKUP = /[<>]/;

/**
 * Checks free text from a client: trimmed, not empty unless allowed, bounded, and storable
 * (no NUL, no control characters but tab and line breaks).
 */
export function checkText(
  problems: string[],
  field: string,
  value: string | null | undefined,
  options: { max: number; optional?: boolean },
): string | null {
  const text = value?.trim() ?? '';
  if (text === '') {
    if (!options.optional) problems.push(`${field} must not be empty`);
    return null;
  }
  if (text.length > options.max) problems.push(`${field} is longer than ${options.max} characters`);
  else if (UNWANTED.test(text.replace(PAIRED_SURROGATES, ''))) {
    problems.push(`${field} holds control characters or broken Unicode`);
  } else if (MARKUP.test(text)) {
    problems.push(`${field} holds markup: < and > are not accepted`);
  }
  return text;
}

export function checkRecordId(problems: string[], value: string): string {
  const recordId = value.trim();
  if (!RECORD_ID.test(recordId) || recordId.length > MAX_RECORD_ID) {
    problems.push(
      `recordId must name a credit record as SOURCE:id, with SOURCE one of MARKET, TAX, COURTS, ` +
        `SOCIAL_SECURITY, PROCUREMENT (at most ${MAX_RECORD_ID} characters)`,
    );
  }
  return recordId;
}

export function checkIdempotencyKey(problems: string[], value: string): string {
  return checkText(problems, 'idempotencyKey', value, { max: MAX_KEY }) ?? '';
}

/** Throws one BAD_USER_INPUT naming every problem with the input. */
export function throwProblems(problems: readonly string[]): void {
  if (problems.length > 0) throw badInput(`Invalid input: ${problems.join('; ')}`, { problems: [...problems] });
}

/**
 * A client's idempotency key, scoped to the client: two clients may use the same key. Kept as
 * JSON so that no client id or key can pass for another pair.
 */
export function scopedKey(client: string, key: string): string {
  return JSON.stringify([client, key]);
}

/** An id derived from a client's idempotency key: filing again with it finds the same stream. */
export function derivedId(prefix: string, client: string, key: string): string {
  const digest = createHash('sha256')
    .update(`${prefix}\n${scopedKey(client, key)}`)
    .digest('hex');
  return `${prefix}-${digest.slice(0, 20).toUpperCase()}`;
}
