import { describe, expect, it } from 'vitest';
import { Kind, parse, print, type DocumentNode } from 'graphql';
import { expandSelections, subgraphTypeDefs } from '../src/index.js';

/** Every `fields:` argument of a document, by the `Type.field` or `Type` carrying it. */
function fieldSets(document: DocumentNode): Record<string, string> {
  const found: Record<string, string> = {};
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION) continue;
    const places = [
      { at: definition.name.value, directives: definition.directives ?? [] },
      ...(definition.fields ?? []).map((field) => ({
        at: `${definition.name.value}.${field.name.value}`,
        directives: field.directives ?? [],
      })),
    ];
    for (const { at, directives } of places)
      for (const directive of directives)
        for (const argument of directive.arguments ?? [])
          if (argument.name.value === 'fields' && argument.value.kind === Kind.STRING)
            found[`${at} @${directive.name.value}`] = argument.value.value;
  }
  return found;
}

const SDL = /* GraphQL */ `
  type Enterprise @key(fields: "code") {
    code: ID!
    market: Market @external
    tax: Tax @external
    grade: String @requires(fields: "...Inputs")
    lists: [String] @requires(fields: "tax { year } ...Inputs")
  }
  type Set @key(fields: "codes") {
    codes: [ID!]!
    subjects: [Enterprise!]! @external
    counts: Int @requires(fields: "subjects { code ...Inputs }")
  }
  type Market {
    known: Boolean @external
    name(lang: String): String @external
  }
  type Tax {
    year: Int @external
  }
  fragment Inputs on Enterprise {
    market {
      known
      name(lang: "zh")
    }
    ...Tax
  }
  fragment Tax on Enterprise {
    tax {
      year
    }
  }
`;

describe('named selections in an SDL', () => {
  it('are written out in one line wherever they are spread, and the fragments dropped', () => {
    const expanded = expandSelections(parse(SDL));
    expect(fieldSets(expanded)).toEqual({
      'Enterprise @key': 'code',
      'Enterprise.grade @requires': 'market { known name(lang: "zh") } tax { year }',
      'Enterprise.lists @requires': 'tax { year } market { known name(lang: "zh") } tax { year }',
      'Set @key': 'codes',
      'Set.counts @requires': 'subjects { code market { known name(lang: "zh") } tax { year } }',
    });
    expect(expanded.definitions.some((definition) => definition.kind === Kind.FRAGMENT_DEFINITION)).toBe(false);
  });

  it('leave a document without fragments as it is', () => {
    const document = parse('type A @key(fields: "id ... on A { id }") { id: ID! }');
    expect(expandSelections(document)).toBe(document);
  });

  it('keep inline fragments', () => {
    const document = parse(`
      type A @key(fields: "id") { id: ID! b: B @external c: Int @requires(fields: "b { ... on B { x } } ...F") }
      type B { x: Int @external }
      fragment F on A { b { x } }
    `);
    expect(fieldSets(expandSelections(document))['A.c @requires']).toBe('b { ... on B { x } } b { x }');
  });

  it.each([
    ['a spread of no fragment', 'type A { a: Int @requires(fields: "...G") }', 'fragment G is spread but not defined'],
    [
      'a fragment spread nowhere',
      'type A { a: Int @requires(fields: "...F") } fragment F on A { a } fragment G on A { a }',
      'fragment G is spread nowhere',
    ],
    [
      'a fragment defined twice',
      'type A { a: Int @requires(fields: "...F") } fragment F on A { a } fragment F on A { a }',
      'fragment F is defined twice',
    ],
    [
      'a fragment spreading itself',
      'type A { a: Int @requires(fields: "...F") } fragment F on A { a ...G } fragment G on A { ...F }',
      'fragment F spreads itself',
    ],
  ])('refuse %s', (_, sdl, message) => {
    expect(() => expandSelections(parse(sdl))).toThrow(message);
  });
});

describe("the credit rules' inputs", () => {
  const requires = Object.entries(fieldSets(subgraphTypeDefs('credit'))).filter(([at]) => at.endsWith('@requires'));
  const selection = requires.find(([at]) => at === 'Enterprise.creditRecords @requires')?.[1] ?? '';

  it('are required whole by every rule on a subject, and per subject by the statistics', () => {
    expect(Object.fromEntries(requires)).toEqual({
      'Enterprise.creditRecords @requires': selection,
      'Enterprise.creditLists @requires': selection,
      'Enterprise.measures @requires': selection,
      'Enterprise.greenChannel @requires': selection,
      'Enterprise.evaluation @requires': selection,
      'Enterprise.legalRepresentativeDebtorRecords @requires': selection,
      'Enterprise.creditAssessment @requires': selection,
      'Enterprise.legalRepresentativeInputs @requires': selection,
      'Enterprise.supervision @requires': selection,
      'Enterprise.approvalCheck @requires': selection,
      'SubjectSet.statistics @requires': `subjects { code ${selection} }`,
    });
    for (const section of ['marketRegulation', 'tax', 'courts', 'socialSecurity', 'procurement'])
      expect(selection).toMatch(new RegExp(`(^| )${section} \\{ known readAt `));
  });

  it('print as valid GraphQL', () => {
    expect(() => parse(`{ ${selection} }`)).not.toThrow();
    expect(print(parse(`{ ${selection} }`))).toContain('legalRepresentative');
  });
});
