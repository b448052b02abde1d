import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildSchema, execute, parse } from 'graphql';
import {
  buildIdNumber,
  enforcePersonalData,
  entityKeyFields,
  maskIdNumbersIn,
  personalFields,
  type Tier,
} from '../src/index.js';

const SDL = `
  directive @key(fields: String!) on OBJECT
  directive @personal(kind: PersonalKind!) on FIELD_DEFINITION
  enum PersonalKind { ID_NUMBER BIRTH_DATE GENDER HOUSEHOLD_DIVISION NAME }
  type Query { person: Person }
  type Person @key(fields: "idNumber") {
    idNumber: String! @personal(kind: ID_NUMBER)
    birthDate: String @personal(kind: BIRTH_DATE)
    name: String @personal(kind: NAME)
    bound: [Bound!]!
  }
  type Bound { idNumber: String @personal(kind: ID_NUMBER) name: String @personal(kind: NAME) }
`;

const ID = '500112197508226133';

async function read(tier: Tier | undefined) {
  const typeDefs = parse(SDL);
  const schema = buildSchema(SDL);
  enforcePersonalData(schema, personalFields(typeDefs), entityKeyFields(typeDefs));
  const result = await execute({
    schema,
    document: parse('{ person { idNumber birthDate name bound { idNumber name } } }'),
    rootValue: {
      person: { idNumber: ID, birthDate: '1975-08-22', name: '周德明', bound: [{ idNumber: ID, name: '周德明' }] },
    },
    contextValue: tier ? { access: { tier, consents: {} } } : {},
  });
  return result.data;
}

describe('subgraphs treat personal data as declared', () => {
  it('withholds birth dates and masks ID numbers for masking tiers, keeps entity keys whole for joins', async () => {
    expect(await read('PUBLIC')).toEqual({
      person: {
        idNumber: ID,
        birthDate: null,
        name: '周德明',
        bound: [{ idNumber: '5001121975****6133', name: '周德明' }],
      },
    });
    expect(await read('ANALYST')).toMatchObject({ person: { name: '周**', bound: [{ name: '周**' }] } });
    expect(await read('JUDICIAL')).toMatchObject({ person: { birthDate: '1975-08-22', bound: [{ idNumber: ID }] } });
  });

  it('treats a request without claims as the most restricted tier', async () => {
    expect(await read(undefined)).toMatchObject({
      person: { birthDate: null, name: '周**', bound: [{ idNumber: '5001121975****6133' }] },
    });
  });
});

describe('ID numbers quoted in text', () => {
  const idNumber = fc
    .tuple(
      fc.constantFrom('110105', '500112', '510107', '441900'),
      fc.date({ min: new Date('1930-01-01'), max: new Date('2005-12-31'), noInvalidDate: true }),
      fc.integer({ min: 0, max: 999 }),
    )
    .map(([area, date, sequence]) =>
      buildIdNumber(area, date.toISOString().slice(0, 10).replaceAll('-', ''), String(sequence).padStart(3, '0')),
    );

  it('are masked wherever they stand in a text, and nothing else is changed', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), idNumber, fc.string({ maxLength: 20 }), (before, id, after) => {
        const text = `${before} ${id}，${after}`;
        const masked = maskIdNumbersIn(text);
        expect(masked).toBe(`${before} ${id.slice(0, 10)}****${id.slice(14)}，${after}`);
        expect(masked).not.toContain(id);
      }),
    );
  });
});
