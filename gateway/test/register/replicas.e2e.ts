import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCode } from '@credit-gateway/sources';
import { verifyPostgresRegister } from '@credit-gateway/register';
import { testSchema } from '../../../common/test/support/postgres.js';
import { HIGH_RATE_LIMITS } from '../../../scripts/src/harness/args.js';
import { startChildGateway, type ChildGateway } from '../fuzz/child-gateway.js';
import { startReplicaLoad } from '../support/replica-load.js';
import { startStack, type Stack } from '../support/stack.js';

/**
 * Four gateway processes, each its own chain, write one query register on PostgreSQL at once,
 * under concurrent load spread over all four. The register verifies, holds exactly one record per
 * answered request, and a government caller reading a subject's records sees all of them
 * through whichever replica it asks.
 */
const CODE = demoCode('clean-sme');
const REPLICAS = 4;
const CLIENTS = 8;
/** Under the 200 records one read returns, with the reads themselves added. */
const PER_CLIENT = 18;

let stack: Stack;
let schema: Awaited<ReturnType<typeof testSchema>>;
let dir: string;
const replicas: ChildGateway[] = [];

beforeAll(async () => {
  stack = await startStack({ populationSize: 200 });
  schema = await testSchema('gateway_replicas');
  dir = await mkdtemp(join(tmpdir(), 'credit-gateway-replicas-'));
  const started = await Promise.all(
    Array.from({ length: REPLICAS }, (_, index) =>
      startChildGateway(stack, join(dir, `replica-${index + 1}`), {
        ...HIGH_RATE_LIMITS,
        WORKERS: '1',
        REGISTER_DATABASE_URL: schema.url,
        REGISTER_WRITER_ID: `replica-${index + 1}`,
      }),
    ),
  );
  replicas.push(...started);
}, 180_000);

afterAll(async () => {
  for (const replica of replicas) await replica.kill('SIGKILL');
  await stack?.close();
  await schema?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface ReadRecord {
  operationName: string;
  writer: string;
  seq: number;
  tier: string;
}

describe('four gateway replicas on one PostgreSQL register', { timeout: 180_000 }, () => {
  it('registers every answer of every replica in an intact register that each replica reads whole', async () => {
    const headers = await stack.headers();
    const load = startReplicaLoad({
      // Each client moves on to the next replica with each request: all four write all along.
      target: (client, i) => replicas[(client + i) % REPLICAS]!.url,
      clients: CLIENTS,
      perClient: PER_CLIENT,
      headers,
      code: CODE,
      prefix: `replicas-${process.pid}`,
    });
    await load.done();
    expect(load.failures()).toEqual([]);
    const acknowledged = load.acknowledged();
    expect(acknowledged.length).toBe(CLIENTS * PER_CLIENT);

    const count = async () =>
      (await schema.admin.query<{ n: number }>('SELECT count(*)::int AS n FROM query_register')).rows[0]!.n;
    // Nothing is answered before its record is durable: the records are there while all four run.
    let report = await verifyPostgresRegister(schema.url);
    expect(report.ok).toBe(true);
    expect(report.chains.map((chain) => [chain.writer, chain.records])).toEqual(
      replicas.map((replica, index) => [
        `replica-${index + 1}`,
        acknowledged.filter((request) => request.target === replica.url).length,
      ]),
    );
    expect(await count()).toBe(acknowledged.length);
    const { rows } = await schema.admin.query<{ request_id: string }>('SELECT request_id FROM query_register');
    expect(rows.map((row) => row.request_id).sort()).toEqual(acknowledged.map((request) => request.requestId).sort());

    // A government caller reads the subject's records through each replica in turn: each sees
    // every earlier request, whichever replica answered it (its own read is registered after).
    const asked = acknowledged.map((request) => request.operationName);
    let firstSeen: ReadRecord[] | undefined;
    for (const [index, replica] of replicas.entries()) {
      const operationName = `ReadThrough${index + 1}`;
      const response = await fetch(`${replica.url}/graphql`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({
          query: `query ${operationName}($code: CreditCode!) { enterprise(code: $code) { queryRecords(first: 200) { operationName writer seq tier } } }`,
          operationName,
          variables: { code: CODE },
        }),
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as {
        data?: { enterprise: { queryRecords: ReadRecord[] } };
        errors?: unknown[];
      };
      expect(body.errors).toBeUndefined();
      const records = body.data!.enterprise.queryRecords;
      expect(records.map((record) => record.operationName).sort()).toEqual([...asked].sort());
      expect(new Set(records.map((record) => record.writer))).toEqual(
        new Set(replicas.map((_, other) => `replica-${other + 1}`)),
      );
      expect(new Set(records.map((record) => record.tier))).toEqual(new Set(['GOVERNMENT']));
      // The same records as through the first replica, and the reads made since.
      const earlier = records
        .filter((record) => !record.operationName.startsWith('ReadThrough'))
        .sort((a, b) => a.writer.localeCompare(b.writer) || a.seq - b.seq);
      firstSeen ??= earlier;
      expect(earlier).toEqual(firstSeen);
      asked.push(operationName);
    }

    // The reads are answered requests too: one record more each, and the register still intact.
    for (const replica of replicas) expect(await replica.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    report = await verifyPostgresRegister(schema.url);
    expect(report.ok).toBe(true);
    expect(await count()).toBe(acknowledged.length + REPLICAS);
  });
});
