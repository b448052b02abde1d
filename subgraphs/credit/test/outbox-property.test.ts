import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '@credit-gateway/common';
import { openEventStore, type EventStore } from '../src/store/index.js';
import {
  ephemeralSigningKey,
  openOutbox,
  verifyDelivery,
  type DurableOutbox,
  type Sender,
} from '../src/outbox/index.js';
import { tempDir } from './store-support.js';
import { until } from './outbox-support.js';

const DEPARTMENTS = ['TAX', 'MARKET', 'COURTS'] as const;

type Command =
  | { kind: 'enqueue'; department: (typeof DEPARTMENTS)[number]; keys: number[] }
  | { kind: 'restart' }
  | { kind: 'pause' }
  | { kind: 'rotate'; department: (typeof DEPARTMENTS)[number] };

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('enqueue' as const),
      department: fc.constantFrom(...DEPARTMENTS),
      keys: fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 4 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'restart' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'pause' as const }) },
  // The department replaces its endpoint: what was not delivered to the old one goes to the new.
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('rotate' as const), department: fc.constantFrom(...DEPARTMENTS) }),
  },
);

/** What the receivers answer, in turn: 200, 500, a refused connection, or an acknowledgement lost in a crash. */
const answer = fc.constantFrom('ok', 'error', 'down', 'ok');

const key = ephemeralSigningKey();

describe('the outbox under any interleaving of enqueues, acknowledgements, failures and restarts', () => {
  it('delivers every message at least once, always under its own idempotency key, and records it delivered once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(command, { minLength: 1, maxLength: 12 }),
        fc.array(answer, { maxLength: 40 }),
        async (commands, answers) => {
          const { dir, remove } = await tempDir();
          const sent: { deliveryId: string; idempotencyKey: string; messageKey: string; ok: boolean }[] = [];
          let turn = 0;
          const send: Sender = async (request) => {
            await new Promise((resolve) => setImmediate(resolve));
            const body = JSON.parse(request.body) as { department: string; idempotencyKey: string };
            const verified = verifyDelivery({ method: 'POST', ...request }, key.publicKey);
            if (!verified.ok) throw new Error(`unverifiable delivery: ${verified.reason}`);
            const next = answers[turn++] ?? 'ok';
            sent.push({
              deliveryId: verified.deliveryId,
              idempotencyKey: verified.idempotencyKey,
              messageKey: `${body.department}/${body.idempotencyKey}`,
              ok: next === 'ok',
            });
            if (next === 'ok') return { status: 200 };
            if (next === 'error') return { status: 500 };
            return { error: 'connection refused' };
          };
          let events: EventStore | undefined;
          let outbox: DurableOutbox | undefined;
          const open = async () => {
            events = await openEventStore({ dir }, silentLogger());
            outbox = openOutbox(events, {
              signingKey: key,
              settings: { maxAttempts: 1_000, backoffBaseMs: 1, backoffMaxMs: 2, concurrency: 2 },
              logger: silentLogger(),
              send,
            });
          };
          const close = async () => {
            await outbox?.close();
            await events?.close();
          };
          try {
            await open();
            let rotation = 0;
            const register = (department: string) =>
              outbox!.registerEndpoint(department, 'client', {
                url: `https://${department.toLowerCase()}.example/hooks/${++rotation}`,
                topics: ['*'],
                idempotencyKey: `endpoint-${rotation}`,
              });
            for (const department of DEPARTMENTS) await register(department);
            const enqueued = new Set<string>();
            for (const step of commands) {
              if (step.kind === 'restart') {
                await close();
                await open();
              } else if (step.kind === 'rotate') {
                for (const endpoint of outbox!.book.endpointsOf(step.department)) {
                  await outbox!.removeEndpoint(step.department, 'client', endpoint.id);
                }
                await register(step.department);
              } else if (step.kind === 'pause') {
                await new Promise((resolve) => setImmediate(resolve));
              } else {
                await outbox!.enqueue(
                  step.keys.map((k) => ({
                    department: step.department,
                    topic: 'case.opened',
                    idempotencyKey: `key-${k}`,
                    payload: { k },
                  })),
                );
                for (const k of step.keys) enqueued.add(`${step.department}/key-${k}`);
              }
            }
            const current = outbox!;
            await until(() => [...current.book.activeDeliveries()].length === 0, 'every delivery to be made');

            // Every message reached its receiver with a 2xx at least once.
            const acknowledged = new Set(sent.filter((s) => s.ok).map((s) => s.messageKey));
            expect(acknowledged).toEqual(enqueued);
            // Every send of a message carried its own key; a delivery id never served two keys.
            for (const s of sent) expect(s.messageKey.endsWith(`/${s.idempotencyKey}`)).toBe(true);
            const keysByDelivery = new Map<string, Set<string>>();
            for (const s of sent)
              keysByDelivery.set(s.deliveryId, (keysByDelivery.get(s.deliveryId) ?? new Set()).add(s.messageKey));
            for (const keys of keysByDelivery.values()) expect(keys.size).toBe(1);
            // Each message delivered, each delivery recorded DELIVERED exactly once in the log. (A message
            // whose endpoint was replaced while an attempt was in flight may be delivered to both.)
            const delivered = new Set<string>();
            for (const department of DEPARTMENTS) {
              for (const view of current.deliveries(department, null, 1_000)) {
                delivered.add(`${department}/${view.message.idempotencyKey}`);
                expect(view.state).toBe('DELIVERED');
                const recorded = events!
                  .read(`outbox/delivery/${view.id}`)
                  .filter((e) => (e.data as { state?: string }).state === 'DELIVERED');
                expect(recorded).toHaveLength(1);
              }
            }
            expect(delivered).toEqual(enqueued);
          } finally {
            await close();
            await remove();
          }
        },
      ),
      { numRuns: 30 },
    );
  }, 120_000);
});

describe('an outcome that cannot be recorded', () => {
  it('sends the delivery again later, with the same key, and records it once', async () => {
    const { dir, remove } = await tempDir();
    const events = await openEventStore({ dir }, silentLogger());
    let failures = 1;
    // The store refuses the first outcome, as a full disk would.
    const flaky: EventStore = Object.create(events) as EventStore;
    flaky.append = (stream, data, key) =>
      stream.startsWith('outbox/delivery/') && failures-- > 0
        ? Promise.reject(new Error('disk full'))
        : events.append(stream, data, key);
    const sent: string[] = [];
    const outbox = openOutbox(flaky, {
      signingKey: key,
      settings: { backoffBaseMs: 1, backoffMaxMs: 2 },
      logger: silentLogger(),
      send: (request) => {
        sent.push(request.headers['idempotency-key']!);
        return Promise.resolve({ status: 204 });
      },
    });
    try {
      await outbox.registerEndpoint('TAX', 'tax', {
        url: 'https://tax.example/hooks',
        topics: ['*'],
        idempotencyKey: 'e',
      });
      await outbox.enqueue([{ department: 'TAX', topic: 'case.opened', idempotencyKey: 'k', payload: {} }]);
      await until(() => outbox.deliveries('TAX', 'DELIVERED', 1).length === 1, 'the delivery');
      expect(sent).toEqual(['k', 'k']);
      const view = outbox.deliveries('TAX', null, 1)[0]!;
      expect(view).toMatchObject({ attempts: 1, lastStatus: 204 });
      expect(events.read(`outbox/delivery/${view.id}`)).toHaveLength(1);
    } finally {
      await outbox.close();
      await events.close();
      await remove();
    }
  });
});

describe('OUTBOX_ALLOWED_HOSTS', () => {
  it('holds at each attempt: an endpoint registered before the list was narrowed is never sent to', async () => {
    const { dir, remove } = await tempDir();
    const sent: string[] = [];
    const send: Sender = (request) => {
      sent.push(request.url);
      return Promise.resolve({ status: 200 });
    };
    const open = async (allowedHosts: string[]) => {
      const events = await openEventStore({ dir }, silentLogger());
      const outbox = openOutbox(events, {
        signingKey: key,
        settings: { maxAttempts: 2, backoffBaseMs: 1, backoffMaxMs: 2 },
        logger: silentLogger(),
        send,
        allowedHosts,
      });
      return { outbox, close: async () => (await outbox.close(), await events.close()) };
    };
    try {
      const before = await open([]);
      await before.outbox.registerEndpoint('TAX', 'tax', {
        url: 'http://10.0.0.5/admin',
        topics: ['*'],
        idempotencyKey: 'e',
      });
      await before.close();
      const after = await open(['.gov.cn']);
      try {
        await after.outbox.enqueue([{ department: 'TAX', topic: 'case.opened', idempotencyKey: 'k', payload: {} }]);
        await until(() => after.outbox.deliveries('TAX', 'DEAD_LETTER', 1).length === 1, 'the dead letter');
        expect(after.outbox.deliveries('TAX', null, 1)[0]!.lastError).toBe('host not allowed (OUTBOX_ALLOWED_HOSTS)');
        expect(sent).toEqual([]);
      } finally {
        await after.close();
      }
    } finally {
      await remove();
    }
  });
});
