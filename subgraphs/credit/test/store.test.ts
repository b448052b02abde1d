import { spawnSync } from 'node:child_process';
import { appendFile, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '@credit-gateway/common';
import { EMPTY_CHAIN, type ChainLink } from '@credit-gateway/common/durable-log';
import {
  eventLog,
  openEventStore,
  StoreStartError,
  type EventChain,
  type EventStore,
  type SealedEvent,
} from '../src/store/event-store.js';
import { eventFormat } from '../src/store/stored-event.js';
import { STORES, tempDir, type StoreUnderTest } from './store-support.js';

const NOW = new Date('2026-11-20T02:00:00.000Z');
const open = (store: StoreUnderTest, overrides = {}) =>
  openEventStore({ ...store.config, ...overrides }, silentLogger(), { now: () => NOW });

describe.each(STORES)('the $name', ({ setup }) => {
  let store: StoreUnderTest;
  let events: EventStore | undefined;

  beforeEach(async () => {
    store = await setup();
  });

  afterEach(async () => {
    await events?.close();
    events = undefined;
    await store.cleanup();
  });

  it('appends, reads, and finds everything again after a restart', async () => {
    events = await open(store);
    const results = [
      await events.append('objection/A', { type: 'FILED', reason: '数据有误' }, 'key-1'),
      await events.append('objection/B', { type: 'FILED', nested: { list: [1, 2] } }, 'key-1'),
      await events.append('objection/A', { type: 'ADVANCED', note: null }, 'key-2'),
    ];
    expect(results).toEqual([
      {
        duplicate: false,
        event: {
          position: 1,
          stream: 'objection/A',
          version: 1,
          idempotencyKey: 'key-1',
          recordedAt: '2026-11-20T02:00:00.000Z',
          data: { type: 'FILED', reason: '数据有误' },
        },
      },
      {
        duplicate: false,
        event: {
          position: 2,
          stream: 'objection/B',
          version: 1,
          idempotencyKey: 'key-1',
          recordedAt: '2026-11-20T02:00:00.000Z',
          data: { type: 'FILED', nested: { list: [1, 2] } },
        },
      },
      {
        duplicate: false,
        event: {
          position: 3,
          stream: 'objection/A',
          version: 2,
          idempotencyKey: 'key-2',
          recordedAt: '2026-11-20T02:00:00.000Z',
          data: { type: 'ADVANCED', note: null },
        },
      },
    ]);
    const before = { a: events.read('objection/A'), b: events.read('objection/B'), none: events.read('nothing') };
    expect(before.a.map((e) => e.position)).toEqual([1, 3]);
    await events.close();

    events = await open(store);
    expect({ a: events.read('objection/A'), b: events.read('objection/B'), none: events.read('nothing') }).toEqual(
      before,
    );
    const next = await events.append('objection/B', { type: 'ADVANCED' }, 'key-2');
    expect({ position: next.event.position, version: next.event.version }).toEqual({ position: 4, version: 2 });
  });

  it('returns the first event for a repeated key, concurrently and after a restart', async () => {
    events = await open(store);
    const first = await events.append('repair/R', { basis: 'first' }, 'same');
    const again = await events.append('repair/R', { basis: 'second' }, 'same');
    expect(again).toEqual({ duplicate: true, event: first.event });
    const concurrent = await Promise.all([
      events.append('repair/S', { n: 1 }, 'race'),
      events.append('repair/S', { n: 2 }, 'race'),
      events.append('repair/S', { n: 3 }, 'race'),
    ]);
    expect(concurrent.map((r) => [r.duplicate, r.event.position, r.event.data])).toEqual([
      [false, 2, { n: 1 }],
      [true, 2, { n: 1 }],
      [true, 2, { n: 1 }],
    ]);
    expect(events.read('repair/S')).toHaveLength(1);
    await events.close();

    events = await open(store);
    expect(await events.append('repair/R', { basis: 'third' }, 'same')).toEqual({
      duplicate: true,
      event: first.event,
    });
    expect(events.find('repair/S', 'race')?.position).toBe(2);
    expect(events.find('repair/S', 'other')).toBeUndefined();
  });

  it('writes concurrent appends in order, each stream numbered without gaps', async () => {
    events = await open(store, { batchMax: 16 });
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => events!.append(`stream-${i % 3}`, { i }, `k-${i}`)),
    );
    expect(results.map((r) => r.event.position)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    for (const s of [0, 1, 2]) {
      const versions = events.read(`stream-${s}`).map((e) => e.version);
      expect(versions).toEqual(Array.from({ length: versions.length }, (_, i) => i + 1));
    }
    const all = [0, 1, 2].flatMap((s) => events!.read(`stream-${s}`));
    await events.close();
    events = await open(store);
    expect([0, 1, 2].flatMap((s) => events!.read(`stream-${s}`))).toEqual(all);
  });

  it('refuses an event it could not store, without failing the others written with it', async () => {
    events = await open(store);
    const outcomes = await Promise.allSettled([
      events.append('s', { text: 'nul \u0000 inside' }, 'bad-1'),
      events.append('s', { text: 'lone \ud800 surrogate' }, 'bad-2'),
      events.append('s', { big: 1n }, 'bad-3'),
      events.append('', { ok: true }, 'bad-4'),
      events.append('s', { text: '正常 😀' }, 'good'),
    ]);
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value.event.position : String(o.reason)))).toEqual([
      'TypeError: Event not appended: a string holds a NUL character or a lone surrogate',
      'TypeError: Event not appended: a string holds a NUL character or a lone surrogate',
      'TypeError: Event not appended: not JSON (Do not know how to serialize a BigInt)',
      'TypeError: Event not appended: stream must be a non-empty string',
      1,
    ]);
    await events.close();
    events = await open(store);
    expect(events.read('s').map((e) => e.data)).toEqual([{ text: '正常 😀' }]);
  });

  it('feeds a projection the stored events, then each new one before its append resolves', async () => {
    events = await open(store);
    await events.append('a', { n: 1 }, 'k1');
    await events.append('b', { n: 2 }, 'k2');
    const seen: number[] = [];
    events.project((event) => seen.push(event.position));
    expect(seen).toEqual([1, 2]);
    await events.append('a', { n: 3 }, 'k3');
    expect(seen).toEqual([1, 2, 3]);
    await events.append('a', { n: 3 }, 'k3');
    expect(seen).toEqual([1, 2, 3]);
  });

  it('hands out events no reader can change', async () => {
    events = await open(store);
    const { event } = await events.append('a', { list: [1] }, 'k');
    expect(() => (event.data as { list: number[] }).list.push(2)).toThrow(TypeError);
    expect(events.read('a')[0]!.data).toEqual({ list: [1] });
  });

  it('lets one process write it at a time', async () => {
    events = await open(store);
    await expect(open(store, { writerLockWaitMs: 0 })).rejects.toBeInstanceOf(StoreStartError);
    await events.append('still', { ok: true }, 'k');
    expect(events.read('still')).toHaveLength(1);
  });
});

describe('the file store on disk', () => {
  let dir: string;
  let remove: () => Promise<void>;
  let events: EventStore | undefined;

  beforeEach(async () => {
    ({ dir, remove } = await tempDir());
  });

  afterEach(async () => {
    await events?.close();
    events = undefined;
    await remove();
  });

  const openDir = () => openEventStore({ dir }, silentLogger(), { now: () => NOW });

  it('is one JSON line per event, sealed into the hash chain', async () => {
    events = await openDir();
    await events.append('objection/A', { reason: '有误' }, 'k');
    // The hash is fixed: stores already written must keep verifying, so the format may never drift.
    expect(await readFile(join(dir, 'events.jsonl'), 'utf8')).toBe(
      '{"position":1,"stream":"objection/A","version":1,"idempotencyKey":"k","recordedAt":"2026-11-20T02:00:00.000Z","data":{"reason":"有误"},' +
        `"prevHash":"${'0'.repeat(64)}","hash":"87adf4382759464a372412abfbb4cfc626160a6ca616b7cb3bc1c8e05493f2d3"}\n`,
    );
  });

  it('cuts off a last line a crash left unfinished, and goes on from the line before', async () => {
    events = await openDir();
    await events.append('a', { n: 1 }, 'k1');
    await events.close();
    const file = join(dir, 'events.jsonl');
    const { size } = await stat(file);
    await appendFile(file, '{"position":2,"stream":"a","vers');

    events = await openDir();
    expect((await stat(file)).size).toBe(size);
    expect(events.read('a').map((e) => e.data)).toEqual([{ n: 1 }]);
    expect((await events.append('a', { n: 2 }, 'k2')).event.position).toBe(2);
  });

  it('refuses to start on a damaged line a crash cannot leave', async () => {
    events = await openDir();
    await events.append('a', { n: 1 }, 'k1');
    await events.append('a', { n: 2 }, 'k2');
    await events.close();
    events = undefined;
    const file = join(dir, 'events.jsonl');
    const lines = (await readFile(file, 'utf8')).split('\n');
    await writeFile(file, [lines[0]!.replace('"position":1', '"position":"one"'), ...lines.slice(1)].join('\n'));
    await expect(openDir()).rejects.toThrow(
      `Credit store ${file}: line 1: bad position. A crash cannot leave this; have an operator restore the file before the store is used again.`,
    );
  });

  it('refuses a log whose positions do not follow each other', async () => {
    const file = join(dir, 'events.jsonl');
    const line = (position: number, key: string) =>
      `${JSON.stringify({ position, stream: 'a', version: position, idempotencyKey: key, recordedAt: NOW.toISOString(), data: {} })}\n`;
    await writeFile(file, line(1, 'k1') + line(3, 'k3'));
    await expect(openDir()).rejects.toThrow('Credit store: event at position 3: expected position 2');
  });

  it('takes over a lock left by a process that is gone, and refuses one held by a live process', async () => {
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    await writeFile(join(dir, 'events.lock'), `${gone}\n`);
    events = await openDir();
    await events.close();
    events = undefined;

    // Process 1 is always alive.
    await writeFile(join(dir, 'events.lock'), '1\n');
    await expect(openDir()).rejects.toThrow(`Credit store ${dir} is in use by process 1`);
  });
});

describe('the PostgreSQL table', () => {
  it('is append-only', async () => {
    const store = await STORES[1]!.setup();
    const events = await openEventStore(store.config, silentLogger(), { now: () => NOW });
    try {
      await events.append('a', { n: 1 }, 'k1');
      const { rows } = await store.admin!.query(
        'SELECT position, stream, version, idempotency_key, recorded_at, data FROM credit_events',
      );
      expect(rows).toEqual([
        { position: '1', stream: 'a', version: 1, idempotency_key: 'k1', recorded_at: NOW, data: { n: 1 } },
      ]);
      await expect(store.admin!.query(`UPDATE credit_events SET data = '{}'`)).rejects.toThrow(
        'the credit store is append-only: UPDATE refused',
      );
      await expect(store.admin!.query('DELETE FROM credit_events')).rejects.toThrow(
        'the credit store is append-only: DELETE refused',
      );
    } finally {
      await events.close();
      await store.cleanup();
    }
  });
});

describe('a write that fails', () => {
  /** A chain that commits the first batch and then reports failure, as a lost COMMIT answer does. */
  function flakyBackend() {
    const durable: SealedEvent[] = [];
    let failNext = true;
    let tail: ChainLink = EMPTY_CHAIN;
    const linkOf = (event: SealedEvent | undefined) =>
      event ? { seq: event.position, hash: event.hash } : EMPTY_CHAIN;
    const backend: EventChain = {
      kind: 'postgres',
      writer: 'events',
      get tail() {
        return tail;
      },
      append: (inputs) => {
        const batch: SealedEvent[] = [];
        for (const input of inputs)
          batch.push(eventFormat.seal(input, 'events', linkOf(batch.at(-1) ?? durable.at(-1))));
        durable.push(...batch);
        if (failNext) {
          failNext = false;
          return Promise.reject(new Error('connection lost during COMMIT'));
        }
        tail = linkOf(durable.at(-1));
        return Promise.resolve(batch);
      },
      recover: () => {
        const found = durable.filter((event) => event.position > tail.seq);
        tail = linkOf(durable.at(-1));
        return Promise.resolve(found);
      },
      close: () => Promise.resolve(),
    };
    return { backend, durable };
  }

  it('fails its appends, and what was durable after all is recovered before the next write', async () => {
    const { backend, durable } = flakyBackend();
    const events = eventLog(backend, [], { logger: silentLogger(), now: () => NOW });
    const seen: string[] = [];
    events.project((event) => seen.push(event.idempotencyKey));

    await expect(events.append('a', { n: 1 }, 'k1')).rejects.toThrow('The credit store could not write');
    expect(events.read('a')).toEqual([]);

    // The client retries with its key: it gets the event that was written after all.
    const retried = await events.append('a', { n: 1 }, 'k1');
    const other = await events.append('a', { n: 2 }, 'k2');
    expect([retried.duplicate, retried.event.position, other.event.position]).toEqual([true, 1, 2]);
    expect(seen).toEqual(['k1', 'k2']);
    expect(durable.map((e) => e.idempotencyKey)).toEqual(['k1', 'k2']);
  });
});
