import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { population } from '@credit-gateway/sources';
import { startStack, type Stack } from '../support/stack.js';

const REGISTRATION =
  'query Registration($code: CreditCode!) { enterprise(code: $code) { code marketRegulation { registration { name } } } }';

interface StoredRecord {
  requestId: string;
  operationHash: string;
  subjects: string[];
  outcome: string;
  errorCodes: string[];
}

async function registerRecord(dir: string, requestId: string): Promise<StoredRecord | undefined> {
  for (const name of (await readdir(dir)).filter((file) => file.endsWith('.jsonl'))) {
    for (const line of (await readFile(join(dir, name), 'utf8')).split('\n')) {
      if (line === '') continue;
      const record = JSON.parse(line) as StoredRecord;
      if (record.requestId === requestId) return record;
    }
  }
  return undefined;
}

let stack: Stack;
const [code, other] = [...population(100)];

beforeAll(async () => {
  // Subgraph and source timeouts far beyond the deadline: only the deadline can end a hung request.
  stack = await startStack({
    populationSize: 100,
    sourceTimeoutMs: 60_000,
    // Merging and deduplication off, so that no request shares a hung request's fetch.
    gatewayEnv: {
      SUBGRAPH_TIMEOUT_MS: '60000',
      REQUEST_TIMEOUT_MS: '1500',
      MAX_CONCURRENT_REQUESTS: '1',
      MERGE_FETCHES: 'false',
      DEDUPE: 'false',
      ADMISSION_UNREADY_MS: '300',
    },
  });
});

afterAll(async () => {
  await stack?.close();
});

afterEach(async () => {
  await stack.clearFaults();
});

describe('REQUEST_TIMEOUT_MS', { timeout: 60_000 }, () => {
  it('answers a request whose department hangs with a coded 504, registered before the answer', async () => {
    await stack.setFaults('market', { hang: true });
    const answer = await stack.query(REGISTRATION, { code }, {}, { 'x-request-id': 'hung-request' });
    expect(answer).toMatchInlineSnapshot(`
      {
        "body": {
          "errors": [
            {
              "extensions": {
                "code": "REQUEST_TIMEOUT",
              },
              "message": "The request was not answered within 1500 ms",
            },
          ],
        },
        "status": 504,
      }
    `);
    const record = await registerRecord(stack.registerDir, 'hung-request');
    expect(record).toMatchObject({ subjects: [code], outcome: 'ERROR', errorCodes: ['REQUEST_TIMEOUT'] });
    // The operation is recorded too, not the hash of an empty document.
    expect(record?.operationHash).not.toBe(createHash('sha256').update('').digest('hex'));
  });

  it('answers, with the same code, a request that waited for admission behind a hung one past its deadline', async () => {
    await stack.setFaults('market', { hang: true });
    // MAX_CONCURRENT_REQUESTS=1: the second waits in line for the whole of its deadline.
    const [first, second] = await Promise.all([
      stack.query(REGISTRATION, { code }, {}, { 'x-request-id': 'hung-first' }),
      stack.query(REGISTRATION, { code: other }, {}, { 'x-request-id': 'waited-in-line' }),
    ]);
    for (const answer of [first, second]) {
      expect(answer.status).toBe(504);
      expect(answer.body.errors?.map((error) => error.extensions.code)).toEqual(['REQUEST_TIMEOUT']);
    }
    expect(await registerRecord(stack.registerDir, 'waited-in-line')).toMatchObject({
      outcome: 'ERROR',
      errorCodes: ['REQUEST_TIMEOUT'],
    });
  });

  it('answers the next request while the hung fetches are still out', async () => {
    // The stand-in never lets the hung fetches go; they gave up their place at their deadline.
    await stack.clearFaults();
    const answer = await stack.query(REGISTRATION, { code: other });
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data.enterprise.code).toBe(other);
  });

  it('is not ready while a request has waited for admission ADMISSION_UNREADY_MS, and ready again after', async () => {
    await stack.setFaults('market', { hang: true });
    const held = [stack.query(REGISTRATION, { code }), stack.query(REGISTRATION, { code: other })];
    // Polled until it says so; the deadline (1.5 s) ends the wait, so the poll stops with the requests.
    let saturated: unknown;
    while (saturated === undefined) {
      const response = await fetch(`${stack.gatewayUrl}/readyz`);
      const readiness = (await response.json()) as { admission?: { saturated: boolean } };
      if (response.status === 503 && readiness.admission?.saturated) saturated = readiness;
    }
    expect(saturated).toMatchObject({ ready: false, admission: { active: 1, waiting: 1, saturated: true } });
    await Promise.all(held);
    await stack.clearFaults();
    const response = await fetch(`${stack.gatewayUrl}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ready: true, admission: { waiting: 0, saturated: false } });
  });
});
