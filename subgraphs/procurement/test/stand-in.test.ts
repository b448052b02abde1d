import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '@credit-gateway/common';
import {
  demoCode,
  population,
  startStandIn,
  unregisteredCodes,
  type RunningStandIn,
  type StandInStats,
} from '@credit-gateway/sources';

let standIn: RunningStandIn;

const BATCH_PATH = '/ccgp/api/credit/supplier/batch';

async function post(body: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${standIn.url}${BATCH_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  return { status: response.status, body: await response.json() };
}

const batch = (tyshxydmList: unknown) => post(JSON.stringify({ tyshxydmList }));

async function single(code: string): Promise<unknown> {
  const response = await fetch(`${standIn.url}/ccgp/api/credit/supplier?tyshxydm=${code}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: unknown }).data;
}

async function stats(): Promise<StandInStats> {
  return (await (await fetch(`${standIn.url}/_sim/stats`)).json()) as StandInStats;
}

beforeAll(async () => {
  standIn = await startStandIn('procurement', { logger: silentLogger(), populationSize: 0, port: 0 });
});

afterAll(async () => {
  await standIn?.close();
});

beforeEach(async () => {
  await fetch(`${standIn.url}/_sim/reset`, { method: 'POST' });
});

describe('the procurement stand-in’s bulk look-up', () => {
  it('answers what the single look-up answers, in request order, leaving out the codes it does not know', async () => {
    const unknown = unregisteredCodes().next().value!;
    const codes = [
      demoCode('clean-sme'),
      unknown,
      demoCode('abnormal-removed'),
      ...[...population(200)],
      demoCode('procurement-ban-ended'),
    ];

    const answer = await batch(codes);

    const known = (await Promise.all([...new Set(codes)].map(single))).filter((data) => data !== null);
    expect(answer).toEqual({ status: 200, body: { success: true, data: known } });
    // Enough of the batch is known, and enough is not, for the comparison to mean something.
    expect(known.length).toBeGreaterThan(10);
    expect(known.length).toBeLessThan(codes.length / 2);
    const answered = (answer.body as { data: { tyshxydm: string }[] }).data.map((s) => s.tyshxydm);
    expect(answered).toContain(demoCode('clean-sme'));
    expect(answered).not.toContain(unknown);
    expect(answered).not.toContain(demoCode('abnormal-removed'));
  });

  it('counts a request of 1,000 codes as one call', async () => {
    const codes = [...population(1_000)].slice(0, 1_000);
    expect((await batch(codes)).status).toBe(200);
    expect(await stats()).toEqual({ requests: 1, keys: 1_000, peakInFlight: 1, byPath: { [BATCH_PATH]: 1 } });
  });

  it('answers an empty list with no records', async () => {
    expect(await batch([])).toEqual({ status: 200, body: { success: true, data: [] } });
  });

  it.each<[string, unknown]>([
    ['no list', undefined],
    ['a list that is not an array', demoCode('clean-sme')],
    ['a code that is not a string', [demoCode('clean-sme'), 91350100]],
    ['a code that is not of the shape', [demoCode('clean-sme'), 'NOT-A-CREDIT-CODE']],
    ['more than 1,000 codes', [...population(1_001)].slice(0, 1_001)],
  ])('refuses %s with HTTP 400 and the service’s parameter error, and looks nothing up', async (_, list) => {
    expect(await batch(list)).toMatchInlineSnapshot(`
      {
        "body": {
          "data": null,
          "errorCode": "PARAM_ERROR",
          "errorMsg": "参数错误：tyshxydmList",
          "success": false,
        },
        "status": 400,
      }
    `);
    expect(await stats()).toMatchObject({ requests: 1, keys: 0 });
  });

  it('refuses a body that is not JSON with HTTP 400 and the service’s error body', async () => {
    expect(await post('{"tyshxydmList": [')).toMatchInlineSnapshot(`
      {
        "body": {
          "data": null,
          "errorCode": "SYS_BUSY",
          "errorMsg": "系统繁忙，请稍后再试",
          "success": false,
        },
        "status": 400,
      }
    `);
  });
});
