import { Kind, type DocumentNode } from 'graphql';
import type { Tier } from './access.js';
import { findIdNumberProblem, maskIdNumber } from './identifiers/id-number.js';

/**
 * Kinds of personal data (个人信息) a field can hold, declared on the field with
 * `@personal(kind: ...)` in its subgraph's SDL. Masking follows from the kind and the caller's
 * tier, never from a field's name, so a new field about a person is protected by declaring it.
 */
export const PERSONAL_KINDS = [
  /** A resident ID number (公民身份号码). */
  'ID_NUMBER',
  /** A birth date: the eight digits of the ID number, or four of them beside a masked number. */
  'BIRTH_DATE',
  /** Gender: the parity of the ID number's 17th digit. */
  'GENDER',
  /** Division of household registration: the ID number's first six digits. */
  'HOUSEHOLD_DIVISION',
  /** The name of a natural person (自然人姓名). */
  'NAME',
] as const;

export type PersonalKind = (typeof PERSONAL_KINDS)[number];

/**
 * What a tier gets of one kind:
 * - CLEAR: the value as the department holds it;
 * - MASK: a masked form (`3423011964****3224` for an ID number, `王**` for a name);
 * - WITHHOLD: null.
 */
export type Treatment = 'CLEAR' | 'MASK' | 'WITHHOLD';

/**
 * Who sees which kind of personal data, as data. Public debtor lists mask the birth month and day
 * of an ID number (positions 11–14) and show the rest, so for a masking tier:
 * - the birth date is withheld: it is exactly the four masked digits, and its year is already
 *   shown by the mask (positions 7–10), so even a year-only date would add nothing;
 * - gender and household division stay clear: they are digits the mask already shows
 *   (positions 17 and 1–6), so they restore nothing;
 * - names stay clear for PUBLIC and AUTHORIZED (the courts publish them with the masked number)
 *   and are masked for ANALYST, whose statistics need no natural person's name.
 * GOVERNMENT and JUDICIAL see every kind in the clear.
 */
export const PERSONAL_DATA_POLICY: Readonly<Record<Tier, Readonly<Record<PersonalKind, Treatment>>>> = {
  PUBLIC: { ID_NUMBER: 'MASK', BIRTH_DATE: 'WITHHOLD', GENDER: 'CLEAR', HOUSEHOLD_DIVISION: 'CLEAR', NAME: 'CLEAR' },
  AUTHORIZED: {
    ID_NUMBER: 'MASK',
    BIRTH_DATE: 'WITHHOLD',
    GENDER: 'CLEAR',
    HOUSEHOLD_DIVISION: 'CLEAR',
    NAME: 'CLEAR',
  },
  GOVERNMENT: { ID_NUMBER: 'CLEAR', BIRTH_DATE: 'CLEAR', GENDER: 'CLEAR', HOUSEHOLD_DIVISION: 'CLEAR', NAME: 'CLEAR' },
  JUDICIAL: { ID_NUMBER: 'CLEAR', BIRTH_DATE: 'CLEAR', GENDER: 'CLEAR', HOUSEHOLD_DIVISION: 'CLEAR', NAME: 'CLEAR' },
  ANALYST: { ID_NUMBER: 'MASK', BIRTH_DATE: 'WITHHOLD', GENDER: 'CLEAR', HOUSEHOLD_DIVISION: 'CLEAR', NAME: 'MASK' },
};

export function isPersonalKind(value: unknown): value is PersonalKind {
  return typeof value === 'string' && (PERSONAL_KINDS as readonly string[]).includes(value);
}

/** How `tier` gets a value of `kind`. */
export function treatmentOf(tier: Tier, kind: PersonalKind): Treatment {
  return PERSONAL_DATA_POLICY[tier][kind];
}

/** Whether the tier sees ID numbers masked: then ID numbers quoted inside any text are masked too. */
export function masksIdNumbers(tier: Tier): boolean {
  return treatmentOf(tier, 'ID_NUMBER') !== 'CLEAR';
}

/**
 * Reads every `@personal` declaration of an SDL (a subgraph's or the supergraph) into
 * `Type.field` → kind.
 */
export function personalFields(document: DocumentNode): Map<string, PersonalKind> {
  const fields = new Map<string, PersonalKind>();
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    for (const field of definition.fields ?? []) {
      const directive = field.directives?.find((d) => d.name.value === 'personal');
      const kind = directive?.arguments?.find((argument) => argument.name.value === 'kind')?.value;
      if (kind?.kind === Kind.ENUM && isPersonalKind(kind.value)) {
        fields.set(`${definition.name.value}.${field.name.value}`, kind.value);
      }
    }
  }
  return fields;
}

/** A natural person's name with all but the surname hidden: `王建国` → `王**`. */
export function maskName(name: string): string {
  const characters = [...name.trim()];
  if (characters.length <= 1) return '*';
  return characters[0] + '*'.repeat(characters.length - 1);
}

/** 18 characters that could be an ID number, not inside a longer run of digits. */
const ID_NUMBER_IN_TEXT = /(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])/g;

/** Masks every valid ID number quoted inside free text (a case description, a record id). */
export function maskIdNumbersIn(text: string): string {
  if (text.length < 18) return text;
  return text.replace(ID_NUMBER_IN_TEXT, (candidate) =>
    findIdNumberProblem(candidate.toUpperCase()) === null ? maskIdNumber(candidate.toUpperCase()) : candidate,
  );
}

/**
 * One value of `kind` as `tier` gets it; lists are treated item by item. Values that are not
 * strings (a gender enum, say) are kept when the treatment is MASK.
 */
export function applyTreatment(value: unknown, kind: PersonalKind, treatment: Treatment): unknown {
  if (treatment === 'CLEAR' || value === null || value === undefined) return value;
  if (treatment === 'WITHHOLD') return null;
  if (Array.isArray(value)) return value.map((item) => applyTreatment(item, kind, treatment));
  if (typeof value !== 'string') return value;
  if (kind === 'ID_NUMBER') return maskIdNumber(value);
  if (kind === 'NAME') return maskName(value);
  return maskIdNumbersIn(value);
}
