import { createPrivateKey, generateKeyPairSync, randomUUID, type JsonWebKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  getNamedType,
  isEnumType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
  type GraphQLNamedType,
  type GraphQLObjectType,
} from 'graphql';
import { SignJWT, type JWK } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  CLEAR_IDENTIFIER_TIERS,
  CONSENT_GROUPS,
  TIERS,
  findIdNumberProblem,
  type ConsentGroup,
  type Tier,
} from '@credit-gateway/common';
import { DEMO_PEOPLE, DEMO_SUBJECTS, population } from '@credit-gateway/sources';
import { HIGH_RATE_LIMITS } from '../../../scripts/src/harness/args.js';
import { Rng } from '../../../scripts/src/fuzz/rng.js';
import { isMachinery, loadFuzzSchema } from '../../../scripts/src/fuzz/schema.js';
import { DEV_CONSENT_ISSUER } from '../../src/auth/dev-keys.js';
import { startStack, type Stack } from '../support/stack.js';

/**
 * Leak trials: at least 10,000 randomized trials, each one subject read under one caller (tier,
 * client, purpose, consents) with a random selection, interleaved on the same subjects with the
 * entity cache on. The expected access comes from the supergraph's own `@access` rules, read as
 * the gateway reads them; the consents are minted by the test, valid and invalid in every way one
 * can be (wrong subject, grantee, purpose or group, expired, untrusted key). Across every trial:
 * - no field the tier may not read comes back non-null;
 * - no consent-gated field comes back for an AUTHORIZED caller without a valid consent of that
 *   subject, for that grantee, purpose and group;
 * - no tier outside GOVERNMENT and JUDICIAL sees an ID number in the clear, anywhere in the answer.
 * Birth dates: the supergraph does not mark them as personal data yet, so their month and day are
 * counted for masking tiers but not asserted (see the report).
 */
// LEAK_TRIALS runs more (or, while profiling, fewer) trials; the suite runs the 10,000 asked of it.
const TRIALS = Number(process.env['LEAK_TRIALS'] ?? 10_000);
const CONCURRENCY = 8;
const fuzz = loadFuzzSchema();
const schema = fuzz.schema;
const rules = fuzz.accessRules;
const CLIENT = 'leak-trial-bank';
const PURPOSES = ['LOAN_APPROVAL', 'ADMINISTRATIVE_LICENSING'] as const;
const subjects = [...DEMO_SUBJECTS.keys(), ...[...population(40)].slice(DEMO_SUBJECTS.size)];
const people = Object.values(DEMO_PEOPLE).map((person) => person.idNumber);

interface ConsentFacts {
  token: string;
  subject: string;
  grantee: string;
  purpose: string;
  groups: ConsentGroup[];
  /** Expired or signed by a key the gateway does not trust: grants nothing. */
  void: boolean;
  kind: string;
}

/** What was selected, to walk the answer against: response key, field, its parent type. */
interface Selected {
  key: string;
  field: string;
  parent: string;
  type: GraphQLNamedType;
  children: Selected[];
}

let stack: Stack;
let consentKey: JWK;
let consentPool: ConsentFacts[];

async function signConsent(claims: Record<string, unknown>, iat: number, exp: number, jwk: JWK): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: jwk.alg ?? 'EdDSA', kid: jwk.kid, typ: 'JWT' })
    .setIssuer(DEV_CONSENT_ISSUER)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .setJti(randomUUID())
    .sign(createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' }));
}

beforeAll(async () => {
  stack = await startStack({
    gatewayEnv: { ENTITY_CACHE: 'true', CONSENT_MAX_PER_REQUEST: '500', ...HIGH_RATE_LIMITS },
  });
  consentKey = JSON.parse(await readFile(join(stack.keysDir, 'consent.private.jwk.json'), 'utf8')) as JWK;
  const rng = new Rng(7);
  const now = Math.floor(Date.now() / 1000);
  // A key of the same kind and key id that the gateway does not trust.
  const untrusted = {
    ...(generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }) as JWK),
    alg: consentKey.alg ?? 'EdDSA',
    kid: consentKey.kid,
  };
  consentPool = [];
  for (const subject of subjects) {
    for (let i = 0; i < 6; i++) {
      const kind = rng.pick([
        'valid',
        'valid',
        'valid',
        'wrong-grantee',
        'wrong-purpose',
        'expired',
        'untrusted-key',
        'valid-other-purpose',
      ]);
      const groups = CONSENT_GROUPS.filter(() => rng.chance(0.5));
      if (groups.length === 0) groups.push(rng.pick(CONSENT_GROUPS));
      const grantee = kind === 'wrong-grantee' ? 'another-bank' : CLIENT;
      const purpose =
        kind === 'wrong-purpose'
          ? 'MARKETING'
          : kind === 'valid-other-purpose'
            ? 'ADMINISTRATIVE_LICENSING'
            : 'LOAN_APPROVAL';
      const claims = { sub: subject, grantee, purpose, groups };
      const token =
        kind === 'expired'
          ? await signConsent(claims, now - 7_200, now - 3_600, consentKey)
          : kind === 'untrusted-key'
            ? await signConsent(claims, now, now + 3_600, untrusted)
            : await stack.consent({ subject, grantee, purpose, groups });
      consentPool.push({
        token,
        subject,
        grantee,
        purpose,
        groups,
        void: kind === 'expired' || kind === 'untrusted-key',
        kind,
      });
    }
  }
}, 180_000);

afterAll(async () => {
  await stack?.close();
});

function fieldsOf(type: GraphQLObjectType) {
  return Object.values(type.getFields()).filter((field) => !isMachinery(field.name) && !field.name.startsWith('_'));
}

/** Arguments every field can be given without failing validation. */
function argumentsFor(rng: Rng, field: ReturnType<typeof fieldsOf>[number]): string {
  const parts: string[] = [];
  for (const argument of field.args) {
    if (!isNonNullType(argument.type) && !rng.chance(0.3)) continue;
    const named = getNamedType(argument.type);
    if (isEnumType(named)) parts.push(`${argument.name}: ${rng.pick(named.getValues()).name}`);
    else if (named.name === 'Int') parts.push(`${argument.name}: ${rng.int(1, 12)}`);
    else if (named.name === 'Boolean') parts.push(`${argument.name}: ${rng.chance(0.5)}`);
    else if (named.name === 'DateTime') parts.push(`${argument.name}: "2020-01-01T00:00:00Z"`);
    else if (named.name === 'Date') parts.push(`${argument.name}: "2020-01-01"`);
    else return '';
    if (isListType(argument.type)) return '';
  }
  return parts.length > 0 ? `(${parts.join(', ')})` : '';
}

/** A random selection of `type`: protected fields are picked more often, keys always. */
function select(rng: Rng, type: GraphQLNamedType, depth: number, out: Selected[]): string {
  if (isUnionType(type) || isInterfaceType(type)) return '{ __typename }';
  if (!isObjectType(type)) return '';
  const parts: string[] = [];
  const key = type.name === 'Enterprise' ? 'code' : type.name === 'Person' ? 'idNumber' : null;
  for (const field of fieldsOf(type)) {
    const named = getNamedType(field.type);
    const leaf = isScalarType(named) || isEnumType(named);
    const protectedField = rules.has(`${type.name}.${field.name}`);
    if (field.name !== key && !rng.chance(protectedField ? 0.5 : leaf ? 0.3 : 0.25)) continue;
    if (!leaf && depth <= 0) continue;
    if (field.args.some((argument) => isNonNullType(argument.type)) && argumentsFor(rng, field) === '') continue;
    const args = argumentsFor(rng, field);
    // The key is never aliased: the checks read the subject from it.
    const alias = field.name !== key && rng.chance(0.2) ? `x${rng.int(0, 9999)}` : field.name;
    const selected: Selected = { key: alias, field: field.name, parent: type.name, type: named, children: [] };
    const sub = leaf ? '' : ` ${select(rng, named, depth - 1, selected.children)}`;
    if (!leaf && sub.trim() === '') continue;
    parts.push(`${alias === field.name ? '' : `${alias}: `}${field.name}${args}${sub}`);
    out.push(selected);
  }
  if (parts.length === 0) return '{ __typename }';
  return `{ ${parts.join(' ')} }`;
}

interface Caller {
  tier: Tier;
  purpose: string;
  consents: ConsentFacts[];
}

function grants(caller: Caller, subject: string, group: ConsentGroup): boolean {
  return caller.consents.some(
    (consent) =>
      !consent.void &&
      consent.subject === subject &&
      consent.grantee === CLIENT &&
      consent.purpose === caller.purpose &&
      consent.groups.includes(group),
  );
}

const tally = {
  trials: 0,
  requests: 0,
  deniedFieldNonNull: [] as string[],
  consentFieldWithoutConsent: [] as string[],
  clearIdNumbers: [] as string[],
  birthDatesToMaskingTiers: 0,
  consentFieldsAnsweredWithConsent: 0,
  deniedFieldsNull: 0,
  idNumbersMasked: 0,
  errorsWithoutCode: [] as string[],
};

const ID_PATTERN = /\d{17}[\dX]/g;

/** Every clear, check-valid ID number anywhere in a value. */
function clearIdNumbersIn(value: unknown, found: string[] = []): string[] {
  if (typeof value === 'string') {
    for (const match of value.match(ID_PATTERN) ?? []) if (findIdNumberProblem(match) === null) found.push(match);
  } else if (Array.isArray(value)) for (const item of value) clearIdNumbersIn(item, found);
  else if (value && typeof value === 'object') for (const item of Object.values(value)) clearIdNumbersIn(item, found);
  return found;
}

function check(caller: Caller, selected: Selected[], value: unknown, subject: string | null, where: string): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    for (const item of value) check(caller, selected, item, subject, where);
    return;
  }
  if (typeof value !== 'object') return;
  const record = value as Record<string, unknown>;
  const here =
    typeof record['code'] === 'string' && selected.some((s) => s.parent === 'Enterprise')
      ? (record['code'] as string)
      : subject;
  for (const node of selected) {
    const answer = record[node.key];
    const coordinate = `${node.parent}.${node.field}`;
    const rule = rules.get(coordinate);
    const path = `${where}.${node.key}`;
    if (rule && answer !== null && answer !== undefined) {
      if (!rule.tiers.has(caller.tier)) tally.deniedFieldNonNull.push(`${caller.tier} got ${coordinate} at ${path}`);
      else if (rule.consent && caller.tier === 'AUTHORIZED') {
        if (!here || !grants(caller, here, rule.consent))
          tally.consentFieldWithoutConsent.push(
            `${coordinate} of ${here} for purpose ${caller.purpose} with consents [${caller.consents.map((c) => `${c.kind}:${c.subject}:${c.purpose}:${c.groups.join('+')}`).join(' ')}]`,
          );
        else tally.consentFieldsAnsweredWithConsent++;
      }
    } else if (rule && !rule.tiers.has(caller.tier)) tally.deniedFieldsNull++;
    if (node.type.name === 'IdNumber' && typeof answer === 'string' && !CLEAR_IDENTIFIER_TIERS.has(caller.tier)) {
      if (answer.includes('*')) tally.idNumbersMasked++;
    }
    if (
      coordinate === 'Person.birthDate' &&
      typeof answer === 'string' &&
      !CLEAR_IDENTIFIER_TIERS.has(caller.tier) &&
      /-\d\d-\d\d$/.test(answer)
    )
      tally.birthDatesToMaskingTiers++;
    if (node.children.length > 0) check(caller, node.children, answer, here, path);
  }
}

async function trialRequest(index: number): Promise<void> {
  const rng = new Rng(1_000 + index);
  const tier = rng.pick(TIERS);
  const purpose = rng.pick(PURPOSES);
  const focus = Array.from({ length: rng.int(1, 4) }, () => rng.pick(subjects));
  // Consents of the subjects in play, and now and then of others (wrong subject).
  const consents = consentPool.filter((consent) =>
    focus.includes(consent.subject) ? rng.chance(0.6) : rng.chance(0.01),
  );
  const caller: Caller = { tier, purpose, consents };
  const roots: { alias: string; selected: Selected[]; list: boolean }[] = [];
  const parts: string[] = [];
  const trials = rng.int(12, 30);
  const enterprise = schema.getType('Enterprise')!;
  const person = schema.getType('Person')!;
  for (let i = 0; i < trials; i++) {
    const selected: Selected[] = [];
    const alias = `t${i}`;
    const shape = rng.weighted<string>([
      [6, 'enterprise'],
      [3, 'batch'],
      [1, 'person'],
    ]);
    if (shape === 'person') {
      parts.push(`${alias}: person(idNumber: "${rng.pick(people)}") ${select(rng, person, 3, selected)}`);
    } else if (shape === 'batch') {
      const codes = Array.from({ length: rng.int(2, 6) }, () => rng.pick(focus.concat(subjects.slice(0, 3))));
      parts.push(`${alias}: enterprises(codes: ${JSON.stringify(codes)}) ${select(rng, enterprise, 3, selected)}`);
    } else {
      parts.push(`${alias}: enterprise(code: "${rng.pick(focus)}") ${select(rng, enterprise, 3, selected)}`);
    }
    roots.push({ alias, selected, list: shape === 'batch' });
  }
  const response = await stack.query(
    `query Trial${index} { ${parts.join(' ')} }`,
    {},
    {
      tier,
      client: CLIENT,
      purpose,
      consents: consents.map((consent) => consent.token),
      anonymous: tier === 'PUBLIC' && rng.chance(0.5),
    },
  );
  tally.requests++;
  tally.trials += trials;
  for (const error of response.body.errors ?? [])
    if (!error?.extensions?.code) tally.errorsWithoutCode.push(String(error?.message));
  const data = (response.body.data ?? {}) as Record<string, unknown>;
  if (!CLEAR_IDENTIFIER_TIERS.has(tier))
    for (const id of clearIdNumbersIn(response.body)) tally.clearIdNumbers.push(`${tier} got ${id.slice(0, 6)}…`);
  for (const root of roots) {
    const rootField = root.alias;
    const value = data[rootField];
    const parentType = root.selected[0]?.parent;
    if (parentType === 'Person') check(caller, root.selected, value, null, rootField);
    else check(caller, root.selected, value, null, rootField);
  }
}

it(`over ${TRIALS.toLocaleString('en')} randomized trials, never answers a denied field, a consent-gated field without its consent, or a clear ID number to a masking tier`, async () => {
  let next = 0;
  const workers = Array.from({ length: CONCURRENCY }, async () => {
    while (tally.trials < TRIALS) await trialRequest(next++);
  });
  await Promise.all(workers);
  const summary = {
    trials: tally.trials,
    requests: tally.requests,
    consentFieldsAnsweredWithConsent: tally.consentFieldsAnsweredWithConsent,
    deniedFieldsNull: tally.deniedFieldsNull,
    idNumbersMasked: tally.idNumbersMasked,
    birthDatesToMaskingTiers: tally.birthDatesToMaskingTiers,
  };
  // The trials must have exercised what they claim: consents honoured, fields denied, masking.
  expect(summary.trials).toBeGreaterThanOrEqual(TRIALS);
  expect(summary.consentFieldsAnsweredWithConsent).toBeGreaterThan(0);
  expect(summary.deniedFieldsNull).toBeGreaterThan(0);
  expect(summary.idNumbersMasked).toBeGreaterThan(0);
  const leaks = {
    deniedFieldNonNull: tally.deniedFieldNonNull.length,
    consentFieldWithoutConsent: tally.consentFieldWithoutConsent.length,
    clearIdNumbers: tally.clearIdNumbers.length,
    errorsWithoutCode: tally.errorsWithoutCode.length,
  };
  const examples = JSON.stringify(
    {
      summary,
      deniedFieldNonNull: [...new Set(tally.deniedFieldNonNull)].slice(0, 5),
      consentFieldWithoutConsent: [...new Set(tally.consentFieldWithoutConsent)].slice(0, 5),
      clearIdNumbers: [...new Set(tally.clearIdNumbers)].slice(0, 5),
      errorsWithoutCode: [...new Set(tally.errorsWithoutCode)].slice(0, 5),
    },
    null,
    2,
  );
  process.stderr.write(`leak trials: ${examples}\n`);
  expect(leaks, examples).toEqual({
    deniedFieldNonNull: 0,
    consentFieldWithoutConsent: 0,
    clearIdNumbers: 0,
    errorsWithoutCode: 0,
  });
}, 600_000);
