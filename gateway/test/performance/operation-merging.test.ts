import { describe, expect, it } from 'vitest';
import { mergedQuery, mergeTemplate, splitAnswer } from '../../src/performance/operation-merging.js';

const ENTITIES =
  'query Q__tax__1($representations: [_Any!]!) { _entities(representations: $representations) { ... on Enterprise { tax { grade } } } }';

describe('operation merging', () => {
  it('merges entity fetches: every copy its own alias and representations', () => {
    const template = mergeTemplate(ENTITIES)!;
    expect(mergedQuery(template, 2)).toMatchInlineSnapshot(`
      "query Q__tax__1($_0_representations: [_Any!]!, $_1_representations: [_Any!]!) {
        _0__entities: _entities(representations: $_0_representations) {
          ... on Enterprise {
            tax {
              grade
            }
          }
        }
        _1__entities: _entities(representations: $_1_representations) {
          ... on Enterprise {
            tax {
              grade
            }
          }
        }
      }"
    `);
  });

  it('keeps fragments once, renames variables inside arguments and directives, and keeps aliases apart', () => {
    const template = mergeTemplate(
      'query($m: Int, $show: Boolean!) { a: x(months: $m) @include(if: $show) { ...F } x { ...F } } fragment F on T { id }',
    )!;
    expect(mergedQuery(template, 2)).toMatchInlineSnapshot(`
      "query ($_0_m: Int, $_0_show: Boolean!, $_1_m: Int, $_1_show: Boolean!) {
        _0_a: x(months: $_0_m) @include(if: $_0_show) {
          ...F
        }
        _0_x: x {
          ...F
        }
        _1_a: x(months: $_1_m) @include(if: $_1_show) {
          ...F
        }
        _1_x: x {
          ...F
        }
      }

      fragment F on T {
        id
      }"
    `);
  });

  it('refuses what cannot be merged safely', () => {
    expect(mergeTemplate('mutation { file(objection: 1) { id } }')).toBeNull();
    expect(mergeTemplate('query A { a } query B { b }')).toBeNull();
    expect(mergeTemplate('query($c: Int) { ...F } fragment F on Query { a(c: $c) }')).toBeNull();
    expect(mergeTemplate('query($c: Int) { x { ...F } } fragment F on T { a(c: $c) }')).toBeNull();
    expect(mergeTemplate('query { ... on Query { a } }')).toBeNull();
    expect(mergeTemplate('query($c: Int) @cached { a }')).toBeNull();
    expect(mergeTemplate('query {')).toBeNull();
  });

  it('splits data and errors back by alias, and cannot split an answer without data', () => {
    const errors = [
      { message: 'down', path: ['_1_enterprise', 'tax'] },
      { message: 'everyone', extensions: { code: 'X' } },
    ];
    expect(splitAnswer({ data: { _0_enterprise: { a: 1 }, _1_enterprise: { a: 2 } }, errors }, 2)).toEqual([
      { data: { enterprise: { a: 1 } }, errors: [{ message: 'everyone', extensions: { code: 'X' } }] },
      {
        data: { enterprise: { a: 2 } },
        errors: [
          { message: 'down', path: ['enterprise', 'tax'] },
          { message: 'everyone', extensions: { code: 'X' } },
        ],
      },
    ]);
    expect(splitAnswer({ data: null, errors }, 2)).toBeNull();
    expect(splitAnswer({ data: { surprise: 1 } }, 2)).toBeNull();
    expect(splitAnswer({ data: { _7_enterprise: 1 } }, 2)).toBeNull();
  });
});
