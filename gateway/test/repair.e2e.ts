import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCode } from '@credit-gateway/sources';
import { startStack, type As, type Stack } from './support/stack.js';

/** The platform's clock, set by each scenario: the day the rules judge by. */
let clock = new Date();
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ populationSize: 200, creditOptions: { now: () => clock } });
});
afterAll(async () => {
  await stack?.close();
});

/** Noon in China on a China date. */
function chinaNoon(date: string): Date {
  return new Date(`${date}T04:00:00.000Z`);
}

function addDays(date: string, days: number): string {
  const day = new Date(`${date}T00:00:00.000Z`);
  day.setUTCDate(day.getUTCDate() + days);
  return day.toISOString().slice(0, 10);
}

const AUDITOR: As = { tier: 'GOVERNMENT', client: 'credit-office', purpose: 'CREDIT_REPAIR' };

async function ask(query: string, variables: Record<string, unknown>, as: As = AUDITOR) {
  const { status, body } = await stack.query(query, variables, as);
  expect(status).toBe(200);
  return body;
}

const PROFILE = /* GraphQL */ `
  query Profile($code: CreditCode!) {
    enterprise(code: $code) {
      creditRecords {
        id
        kind
        state
        decidedOn
        repairedOn
      }
      creditLists {
        name
      }
      consumption: measures(context: HIGH_CONSUMPTION) {
        measure {
          id
        }
        status
      }
      procurement: measures(context: GOVERNMENT_PROCUREMENT) {
        measure {
          id
        }
        status
      }
      bidding: measures(context: PUBLIC_BIDDING) {
        measure {
          id
        }
        status
      }
    }
  }
`;

function measureIds(enterprise: any): string[] {
  return [...enterprise.consumption, ...enterprise.procurement, ...enterprise.bidding]
    .map((m: any) => m.measure.id)
    .sort();
}

describe('the finding: a platform repair of a court 失信被执行人 record, 12 days after listing', () => {
  it('never lifts what the courts still list, even when the store holds such a repair from before', async () => {
    const code = demoCode('partial-debtor');
    const first = await ask(PROFILE, { code });
    const debtor = first.data.enterprise.creditRecords.find((r: any) => r.kind === 'DISHONEST_JUDGMENT_DEBTOR');
    const restriction = first.data.enterprise.creditRecords.find((r: any) => r.kind === 'CONSUMPTION_RESTRICTION');
    clock = chinaNoon(addDays(debtor.decidedOn, 12));
    const before = await ask(PROFILE, { code });
    expect(before.errors).toBeUndefined();
    const inForce = measureIds(before.data.enterprise);
    expect(inForce).toEqual(
      expect.arrayContaining([
        'DEBTOR-BIDDING',
        'PROCUREMENT-BAN',
        ...Array.from({ length: 9 }, (_, i) => `RESTRICT-${i + 1}`),
      ]),
    );

    // The store of an earlier release holds the platform's repairs of both court records, recorded
    // by a repair office before the platform refused them.
    await stack.restartCredit(async () => {
      const repairedOn = addDays(debtor.decidedOn, 12);
      const lines = [debtor.id, restriction.id].map((recordId: string, i: number) =>
        JSON.stringify({
          position: i + 1,
          stream: `repair/REP-LEGACY-${i + 1}`,
          version: 1,
          idempotencyKey: JSON.stringify(['repair-office', `legacy-${i + 1}`]),
          recordedAt: `${repairedOn}T04:00:00.000Z`,
          data: {
            type: 'REPAIR_RECORDED',
            id: `REP-LEGACY-${i + 1}`,
            code,
            recordId,
            basis: '已部分履行',
            by: 'repair-office',
            repairedOn,
            at: `${repairedOn}T04:00:00.000Z`,
          },
        }),
      );
      await appendFile(join(stack.creditStoreDir, 'events.jsonl'), `${lines.join('\n')}\n`);
    });

    const after = await ask(PROFILE, { code });
    expect(after.errors).toBeUndefined();
    expect(measureIds(after.data.enterprise)).toEqual(inForce);
    expect(after.data.enterprise.creditLists).toEqual(before.data.enterprise.creditLists);
    const states = after.data.enterprise.creditRecords
      .filter((r: any) => r.id === debtor.id || r.id === restriction.id)
      .map((r: any) => [r.kind, r.state, r.repairedOn]);
    expect(states).toEqual([
      ['DISHONEST_JUDGMENT_DEBTOR', 'ACTIVE', null],
      ['CONSUMPTION_RESTRICTION', 'ACTIVE', null],
    ]);
  });
});
