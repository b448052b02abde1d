import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCode } from '@credit-gateway/sources';
import { verifyPostgresRegister } from '@credit-gateway/register';
import { testSchema } from '../../../common/test/support/postgres.js';
import { HIGH_RATE_LIMITS } from '../../../scripts/src/harness/args.js';
import { freePort, startChildGateway, type ChildGateway } from '../fuzz/child-gateway.js';
import { startBalancer, type Balancer } from '../support/balancer.js';
import { startReplicaLoad } from '../support/replica-load.js';
import { startStack, type Stack } from '../support/stack.js';

/**
 * A rolling restart behind a load balancer: two gateway replicas (one a single process, one a
 * primary with two workers) share the subgraphs and one query register on PostgreSQL, behind a
 * balancer that sends only to replicas whose /readyz is 200. Under continuous load each replica in
 * turn gets SIGTERM, exits, starts again and takes traffic again; no client sees a failure, and the
 * register holds an intact record of every answered request.
 */
const CODE = demoCode('clean-sme');
const DRAIN_STEPS = [
  'draining: /readyz answers 503, requests are still served',
  'closing the listener: finishing the requests in flight',
  'the gateway has stopped: requests answered, register flushed',
];

let stack: Stack;
let schema: Awaited<ReturnType<typeof testSchema>>;
let dir: string;
let balancer: Balancer | undefined;
const replicas: ChildGateway[] = [];

beforeAll(async () => {
  stack = await startStack({ populationSize: 200 });
  schema = await testSchema('gateway_drain');
  dir = await mkdtemp(join(tmpdir(), 'credit-gateway-drain-'));
  const common = {
    ...HIGH_RATE_LIMITS,
    REGISTER_DATABASE_URL: schema.url,
    // Far longer than the balancer takes to notice (it polls every 50 ms); the test asserts the order.
    SHUTDOWN_DRAIN_DELAY_MS: '2000',
    SHUTDOWN_GRACE_MS: '10000',
  };
  const started = await Promise.all([
    startChildGateway(stack, join(dir, 'single'), { ...common, WORKERS: '1', REGISTER_WRITER_ID: 'drain-single' }),
    startChildGateway(stack, join(dir, 'workers'), {
      ...common,
      WORKERS: '2',
      HEALTH_PORT: String(await freePort()),
      REGISTER_WRITER_ID: 'drain-workers',
    }),
  ]);
  replicas.push(...started);
  balancer = await startBalancer(
    replicas.map((replica, index) => ({ name: `replica-${index}`, url: replica.url, readyUrl: replica.readyUrl })),
  );
  // The load starts once the balancer has each replica in rotation (a primary is ready after its workers).
  await Promise.all(replicas.map((_, index) => balancer!.waitFor(`replica-${index}`, 'ready')));
}, 180_000);

afterAll(async () => {
  await balancer?.close();
  for (const replica of replicas) await replica.kill('SIGKILL');
  await stack?.close();
  await schema?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a rolling restart behind a readiness-polling load balancer', { timeout: 240_000 }, () => {
  it('loses no request: each replica turns unready, drains, exits 0 and comes back; the register has every answer', async () => {
    const load = startReplicaLoad({
      target: () => balancer!.url,
      clients: 6,
      headers: await stack.headers(),
      code: CODE,
      prefix: `drain-${process.pid}`,
    });
    await load.more(30);
    for (const [index, replica] of replicas.entries()) {
      const name = `replica-${index}`;
      const seenBefore = balancer!.history(name).length;
      expect(balancer!.history(name).at(-1)).toBe('ready');

      expect(await replica.kill('SIGTERM')).toEqual({ code: 0, signal: null });
      await balancer!.waitFor(name, 'down');
      // Unready (and saying why) while still answering, and only then no longer listening.
      expect(balancer!.history(name).slice(seenBefore)).toEqual(['draining', 'down']);
      // Every process of the replica went through the drain in order: by each line's own time, as
      // the processes of one replica share one stdout, where lines need not arrive in that order.
      const drainLines = replica
        .logs()
        .filter((line) => DRAIN_STEPS.includes(line.msg ?? ''))
        .sort((a, b) => String(a['time']).localeCompare(String(b['time'])));
      const steps = new Map<number, string[]>();
      for (const line of drainLines) steps.set(line.worker ?? 0, [...(steps.get(line.worker ?? 0) ?? []), line.msg!]);
      expect([...steps.values()], drainLines.map((line) => JSON.stringify(line)).join('\n')).toEqual(
        index === 0 ? [DRAIN_STEPS] : [DRAIN_STEPS, DRAIN_STEPS],
      );

      await replica.start();
      await balancer!.waitFor(name, 'ready');
      // It takes its share again before the next replica goes.
      const sent = balancer!.sent()[name]!;
      while (balancer!.sent()[name]! < sent + 20) await load.more(5);
    }
    await load.more(20);
    await load.stop();

    // On failure, what the balancer saw of each replica says which one was out, and when.
    const seen = replicas.map((_, index) => balancer!.history(`replica-${index}`).join(' > '));
    expect(load.failures(), seen.join('\n')).toEqual([]);
    const acknowledged = load.acknowledged();
    expect(acknowledged.length).toBeGreaterThan(100);
    const sent = balancer!.sent();
    expect(Object.values(sent).reduce((a, b) => a + b, 0)).toBe(acknowledged.length);

    // Both stop cleanly, so that what they registered is flushed, then the register is checked.
    for (const replica of replicas) expect(await replica.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    const report = await verifyPostgresRegister(schema.url);
    expect(report.ok).toBe(true);
    expect(report.chains.map((chain) => chain.writer).sort()).toEqual([
      'drain-single',
      'drain-workers-w1',
      'drain-workers-w2',
    ]);
    const { rows } = await schema.admin.query<{ request_id: string }>('SELECT request_id FROM query_register');
    expect(rows.length).toBe(acknowledged.length);
    expect(rows.map((row) => row.request_id).sort()).toEqual(acknowledged.map((request) => request.requestId).sort());
  });
});
