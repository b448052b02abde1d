import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildSchema,
  execute,
  getNamedType,
  Kind,
  parse,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type FragmentDefinitionNode,
  type GraphQLResolveInfo,
  type OperationDefinitionNode,
} from 'graphql';
import {
  applyTreatment,
  buildIdNumber,
  maskIdNumbersIn,
  TIERS,
  treatmentOf,
  type PersonalKind,
  type Tier,
} from '@credit-gateway/common';
import { shapeResponse } from '../../src/access/response.js';
import { maxDepthRule, operationCost } from '../../src/limits/operation-limits.js';

const schema = buildSchema(`
  scalar IdNumber
  scalar CreditCode
  type Query { enterprise(code: CreditCode): Enterprise person: Person }
  type Enterprise { code: CreditCode name: String secret: String note: String rep: Person reps: [Person] }
  type Person { idNumber: IdNumber birthDate: String name: String gender: String friends: [Person] }
`);
const PERSONAL = new Map<string, PersonalKind>([
  ['Person.birthDate', 'BIRTH_DATE'],
  ['Person.name', 'NAME'],
  ['Person.gender', 'GENDER'],
]);
const DENIED = new Set(['Enterprise.secret']);

function parts(document: DocumentNode) {
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  )!;
  const fragments = new Map(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((d) => [d.name.value, d]),
  );
  return { operation, fragments };
}

/** A value for every field, decided by its path alone, so two executions agree. */
function sourceValue(info: GraphQLResolveInfo): unknown {
  const path: (string | number)[] = [];
  for (let at: GraphQLResolveInfo['path'] | undefined = info.path; at; at = at.prev) path.unshift(at.key);
  const seed = [...path.join('.')].reduce((hash, char) => (hash * 31 + char.charCodeAt(0)) % 1_000_003, 7);
  const named = getNamedType(info.returnType);
  if (named.name === 'Person' || named.name === 'Enterprise')
    return info.returnType.toString().startsWith('[') ? [{}, {}] : {};
  const birth = `19${String(50 + (seed % 40))}${String(1 + (seed % 12)).padStart(2, '0')}${String(1 + (seed % 28)).padStart(2, '0')}`;
  switch (`${info.parentType.name}.${info.fieldName}`) {
    case 'Enterprise.code':
      return `91500155MA5UQ0${String(seed % 10_000).padStart(4, '0')}`;
    case 'Person.idNumber':
      return buildIdNumber('500112', birth, String(seed % 1000).padStart(3, '0'));
    case 'Person.birthDate':
      return `${birth.slice(0, 4)}-${birth.slice(4, 6)}-${birth.slice(6)}`;
    case 'Person.name':
      return ['王建国', '李清泉', '周德明'][seed % 3];
    case 'Enterprise.note':
      return `判决书载明被执行人身份证号 ${buildIdNumber('510107', birth, '451')} 未履行`;
    default:
      return `value-${seed}`;
  }
}

/** What a tier must receive, by graphql-js's own execution with the policy applied per field. */
function reference(document: DocumentNode, tier: Tier): ExecutionResult {
  return execute({
    schema,
    document,
    fieldResolver: (_source, _args, _context, info) => {
      const coordinate = `${info.parentType.name}.${info.fieldName}`;
      if (DENIED.has(coordinate)) return null;
      const value = sourceValue(info);
      const kind = PERSONAL.get(coordinate) ?? (getNamedType(info.returnType).name === 'IdNumber' ? 'ID_NUMBER' : null);
      if (kind) return applyTreatment(value, kind, treatmentOf(tier, kind));
      return typeof value === 'string' && treatmentOf(tier, 'ID_NUMBER') !== 'CLEAR' ? maskIdNumbersIn(value) : value;
    },
  }) as ExecutionResult;
}

function shaped(document: DocumentNode, tier: Tier, denied: ReadonlySet<string> = DENIED) {
  const raw = execute({ schema, document, fieldResolver: (_s, _a, _c, info) => sourceValue(info) }) as ExecutionResult;
  const data = structuredClone(raw.data) as Record<string, unknown>;
  const result = shapeResponse(data, { schema, ...parts(document), denied, tier, personal: PERSONAL });
  return { data, ...result };
}

const PERSON_FIELDS = ['idNumber', 'birthDate', 'name', 'gender'];
const ENTERPRISE_FIELDS = ['code', 'name', 'secret', 'note'];
const FRAGMENTS = { Person: ['P0', 'P1', 'P2'], Enterprise: ['E0', 'E1'] } as const;
type Composite = keyof typeof FRAGMENTS;

/** Selections of `type`, `depth` levels deep at most; spreads only of fragments after `after`. */
function selections(type: Composite, depth: number, after = -1): fc.Arbitrary<string> {
  const leaves = type === 'Person' ? PERSON_FIELDS : ENTERPRISE_FIELDS;
  // An alias names one field only, so that the documents stay valid (no conflicting merges).
  const alias = fc.constantFrom('', 'again');
  const aliased = (a: string, field: string) => (a ? `${a}_${field}: ${field}` : field);
  const leaf = fc.tuple(alias, fc.constantFrom(...leaves)).map(([a, f]) => aliased(a, f));
  const options: fc.Arbitrary<string>[] = [leaf, leaf];
  if (depth > 0) {
    const below = (t: Composite) => selections(t, depth - 1, after);
    if (type === 'Person')
      options.push(fc.tuple(alias, below('Person')).map(([a, s]) => `${aliased(a, 'friends')} { ${s} }`));
    else
      options.push(
        fc
          .tuple(alias, fc.constantFrom('rep', 'reps'), below('Person'))
          .map(([a, f, s]) => `${aliased(a, f)} { ${s} }`),
      );
    options.push(fc.tuple(fc.boolean(), below(type)).map(([typed, s]) => `... ${typed ? `on ${type} ` : ''}{ ${s} }`));
  }
  const spreadable = FRAGMENTS[type].filter((_, index) => index > after);
  if (spreadable.length > 0) options.push(fc.constantFrom(...spreadable).map((name) => `...${name}`));
  return fc.array(fc.oneof(...options), { minLength: 1, maxLength: 4 }).map((items) => items.join(' '));
}

const documentText = fc
  .tuple(
    selections('Enterprise', 3),
    selections('Person', 3),
    ...FRAGMENTS.Person.map((_, index) => selections('Person', 2, index)),
    ...FRAGMENTS.Enterprise.map((_, index) => selections('Enterprise', 2, index)),
  )
  .map(([enterprise, person, ...bodies]) => {
    const names = [...FRAGMENTS.Person, ...FRAGMENTS.Enterprise];
    const fragments = names.map((name, index) => {
      const on = name.startsWith('P') ? 'Person' : 'Enterprise';
      // A fragment only spreads fragments after itself on its own type: no cycles.
      const body = bodies[index]!.replace(/\.\.\.(P|E)(\d)/g, (spread, prefix: string, n: string) =>
        prefix === name[0] && Number(n) > Number(name.slice(1)) ? spread : '__typename',
      );
      return `fragment ${name} on ${on} { ${body} }`;
    });
    return `{ enterprise(code: "x") { ${enterprise} } x: enterprise { ${enterprise} } person { ${person} } } ${fragments.join(' ')}`;
  })
  .map((text) => parse(text))
  .filter((document) => validate(schema, document).length === 0);

describe('response shaping', () => {
  it('equals graphql-js execution with the policy applied field by field, for every tier', () => {
    fc.assert(
      fc.property(documentText, fc.constantFrom(...TIERS), (document, tier) => {
        const expected = reference(document, tier);
        const actual = shaped(document, tier);
        expect(actual.data).toEqual(expected.data);
      }),
      { numRuns: 150 },
    );
  }, 60_000);

  it('nulls a removed field with its own error, wherever fragments and aliases put it', () => {
    const document = parse(
      '{ enterprise { ...E s: secret ... on Enterprise { secret } } } fragment E on Enterprise { secret code }',
    );
    const result = shaped(document, 'PUBLIC');
    expect(result.data).toEqual({ enterprise: { secret: null, s: null, code: expect.any(String) } });
    expect(result.errors.map((e) => e.path)).toEqual([
      ['enterprise', 'secret'],
      ['enterprise', 's'],
    ]);
  });

  it('collects every credit code and ID number returned, before masking', () => {
    const document = parse('{ enterprise { code rep { idNumber friends { idNumber } } } }');
    const result = shaped(document, 'PUBLIC');
    const rep = (result.data['enterprise'] as { rep: { idNumber: string; friends: { idNumber: string }[] } }).rep;
    expect(rep.idNumber).toContain('****');
    expect(result.reached.codes.size).toBe(1);
    expect(result.reached.idNumbers.size).toBe(3);
    for (const id of result.reached.idNumbers) expect(id).toMatch(/^\d{17}[\dX]$/);
  });
});

/** 40 fragments, each spreading the next twice: 2⁴⁰ paths through a 2 KB document. */
function exponentialDocument(levels = 40): string {
  const fragments = Array.from(
    { length: levels },
    (_, i) => `fragment F${i} on Enterprise { ...F${i + 1} ... on Enterprise { ...F${i + 1} } }`,
  );
  fragments.push(`fragment F${levels} on Enterprise { code name secret rep { idNumber birthDate name } }`);
  return `{ enterprise(code: "x") { ...F0 } } ${fragments.join(' ')}`;
}

describe('a document spreading fragments exponentially', () => {
  it('is shaped in a number of visits linear in the document and the response', () => {
    const document = parse(exponentialDocument());
    expect(validate(schema, document)).toEqual([]);
    const result = shaped(document, 'ANALYST');
    expect(result.data).toEqual({
      enterprise: {
        code: expect.any(String),
        name: expect.any(String),
        secret: null,
        rep: { idNumber: expect.stringContaining('****'), birthDate: null, name: expect.stringMatching(/^.\*+$/) },
      },
    });
    // 41 fragments of about 4 selections each, 7 response fields: a few hundred visits, not 2⁴⁰.
    expect(result.visits).toBeLessThan(1_000);
  });

  it('is costed by merged fields: the same as the fields it stands for', () => {
    const document = parse(exponentialDocument());
    const flat = parse('{ enterprise(code: "x") { code name secret rep { idNumber birthDate name } } }');
    expect(operationCost(schema, document, undefined, {})).toBe(operationCost(schema, flat, undefined, {}));
  });

  it('is measured for depth through its fragments, each measured once', () => {
    const rules = [maxDepthRule(15)];
    expect(validate(schema, parse(exponentialDocument()), rules)).toEqual([]);
    // Fragments that nest a field each: 20 levels deep through 20 fragments, each spread twice.
    const nested = Array.from(
      { length: 20 },
      (_, i) => `fragment N${i} on Person { friends { ...N${i + 1} ...N${i + 1} } }`,
    );
    nested.push('fragment N20 on Person { name }');
    const deep = parse(`{ person { ...N0 } } ${nested.join(' ')}`);
    expect(validate(schema, deep, rules).map((e) => e.extensions['code'])).toEqual(['QUERY_TOO_DEEP']);
  });

  it('counts a fragment spread under two aliases twice', () => {
    const once = parse('{ a: enterprise { ...F } } fragment F on Enterprise { reps { name } }');
    const twice = parse('{ a: enterprise { ...F } b: enterprise { ...F } } fragment F on Enterprise { reps { name } }');
    expect(operationCost(schema, twice, undefined, {})).toBe(2 * operationCost(schema, once, undefined, {}));
  });
});
