import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCode } from '@credit-gateway/sources';
import { startStack, type Stack } from './support/stack.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ populationSize: 100 });
});
afterAll(async () => {
  await stack?.close();
});

/** 40 fragments, each spreading the next twice: a 2 KB document with 2⁴⁰ paths through its spreads. */
function exponentialDocument(levels = 40): string {
  const fragments = Array.from(
    { length: levels },
    (_, i) => `fragment F${i} on Enterprise { ...F${i + 1} ...F${i + 1} }`,
  );
  fragments.push(
    `fragment F${levels} on Enterprise { code marketRegulation { registration { name legalRepresentative { name person { idNumber } } } } }`,
  );
  return `query Exponential($code: CreditCode!) { enterprise(code: $code) { ...F0 } } ${fragments.join(' ')}`;
}

describe('a document whose fragments spread each other exponentially', () => {
  it('is answered like the fields it stands for, and the gateway keeps answering', async () => {
    const query = exponentialDocument();
    expect(query.length).toBeLessThan(2_500);
    const code = demoCode('partial-debtor');
    const [exponential, after] = await Promise.all([
      stack.query(query, { code }, { tier: 'PUBLIC', anonymous: true }),
      stack.query('{ __typename }', {}, { tier: 'PUBLIC', anonymous: true }),
    ]);
    expect(exponential.body).toEqual({
      data: {
        enterprise: {
          code,
          marketRegulation: {
            registration: {
              name: '重庆渝东建筑工程有限公司',
              legalRepresentative: { name: '周德明', person: { idNumber: '5001121975****6133' } },
            },
          },
        },
      },
    });
    expect(after.body).toEqual({ data: { __typename: 'Query' } });
  });
});
