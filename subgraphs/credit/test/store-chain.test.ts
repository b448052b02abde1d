import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '@credit-gateway/common';
import { sealedHash } from '@credit-gateway/common/durable-log';
import { openEventStore, type EventStore, type EventStoreConfig } from '../src/store/event-store.js';
import { runStoreCli, verifyFileEvents, verifyPostgresEvents } from '../src/store/verify.js';
import { tempDir, testSchema } from './store-support.js';

const NOW = new Date('2026-11-21T02:00:00.000Z');
/** Three events as the store wrote them before they were hash-chained (format 1), and its DDL then. */
const FIXTURE = fileURLToPath(new URL('./fixtures/before-chain/', import.meta.url));

const open = (config: EventStoreConfig) => openEventStore(config, silentLogger(), { now: () => NOW });
/** Why the store refused to open, or 'opened'. */
const refusal = (config: EventStoreConfig) =>
  open(config).then(
    async (events) => {
      await events.close();
      return 'opened';
    },
    (error: Error) => `${error.name}: ${error.message}`,
  );

async function fixtureEvents(): Promise<Record<string, unknown>[]> {
  const text = await readFile(join(FIXTURE, 'events.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('the file store’s hash chain', () => {
  let dir: string;
  let remove: () => Promise<void>;
  let events: EventStore | undefined;
  const file = () => join(dir, 'events.jsonl');
  const lines = async () => (await readFile(file(), 'utf8')).split('\n').filter(Boolean);
  const rewrite = async (change: (lines: string[]) => string[]) =>
    writeFile(
      file(),
      change(await lines())
        .map((line) => `${line}\n`)
        .join(''),
    );

  beforeEach(async () => {
    ({ dir, remove } = await tempDir());
  });

  afterEach(async () => {
    await events?.close();
    events = undefined;
    await remove();
  });

  it('takes in a store written before it, and seals that store with the first event it chains', async () => {
    await copyFile(join(FIXTURE, 'events.jsonl'), file());
    events = await open({ dir });
    expect(events.read('objection/OBJ-1').map((event) => [event.position, event.data['type']])).toEqual([
      [1, 'OBJECTION_FILED'],
      [3, 'OBJECTION_ADVANCED'],
    ]);
    expect(events.find('repair/REP-1', '["c2","k2"]')?.data).toEqual({
      type: 'REPAIR_RECORDED',
      recordId: 'R-2',
      basis: 'paid',
      amounts: [1.5, 2],
    });
    await events.append('objection/OBJ-1', { type: 'OBJECTION_ADVANCED', to: 'CORRECTED' }, 'k4');
    await events.close();

    // Format 1 read as if chained: each event's hash over itself and the one before.
    const legacy = await fixtureEvents();
    let prevHash = '0'.repeat(64);
    for (const event of legacy) {
      const chained: Record<string, unknown> = { ...event, prevHash };
      prevHash = sealedHash(chained);
    }
    const fourth = JSON.parse((await lines())[3]!) as { position: number; prevHash: string };
    expect(fourth).toMatchObject({ position: 4, prevHash });

    events = await open({ dir });
    expect(events.read('objection/OBJ-1')).toHaveLength(3);
    await events.close();
    events = undefined;

    // An event of format 1 changed since: the chained one after it no longer links.
    await rewrite((all) => all.map((line, i) => (i === 0 ? line.replace('数据有误', '数据无误') : line)));
    expect(await refusal({ dir })).toBe(
      'StoreStartError: Credit store: event at position 4: it does not link to the event before it: that one was replaced, or this one was changed',
    );
  });

  it('refuses to start on an event changed, re-hashed, or stripped of its hashes', async () => {
    events = await open({ dir });
    for (let n = 1; n <= 3; n++) await events.append('a', { n }, `k${n}`);
    await events.close();
    events = undefined;
    const original = await lines();
    const changed = (line: string) => {
      const event = JSON.parse(line) as Record<string, unknown>;
      return { ...event, data: { n: 20 } };
    };

    await rewrite(() => original.map((line, i) => (i === 1 ? JSON.stringify(changed(line)) : line)));
    expect(await refusal({ dir })).toBe(
      'StoreStartError: Credit store: event at position 2: it does not match its hash: it was changed after it was written',
    );

    await rewrite(() =>
      original.map((line, i) => {
        if (i !== 1) return line;
        const event = changed(line);
        return JSON.stringify({ ...event, hash: sealedHash(event) });
      }),
    );
    expect(await refusal({ dir })).toBe(
      'StoreStartError: Credit store: event at position 3: it does not link to the event before it: that one was replaced, or this one was changed',
    );

    await rewrite(() =>
      original.map((line, i) => {
        if (i !== 2) return line;
        return JSON.stringify({
          ...(JSON.parse(line) as Record<string, unknown>),
          prevHash: undefined,
          hash: undefined,
        });
      }),
    );
    expect(await refusal({ dir })).toBe(
      `StoreStartError: Credit store ${file()}: line 3: no hash, after hash-chained events. A crash cannot leave this; have an operator restore the file before the store is used again.`,
    );

    await rewrite(() => original);
    expect(await refusal({ dir })).toBe('opened');
  });
});

describe('a PostgreSQL store created before the hash chain', () => {
  let schema: Awaited<ReturnType<typeof testSchema>>;

  beforeEach(async () => {
    schema = await testSchema();
    await schema.admin.query(await readFile(join(FIXTURE, 'credit_events.sql'), 'utf8'));
    for (const event of await fixtureEvents()) {
      await schema.admin.query(
        `INSERT INTO credit_events (position, stream, version, idempotency_key, recorded_at, data)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb)`,
        [
          event['position'],
          event['stream'],
          event['version'],
          event['idempotencyKey'],
          event['recordedAt'],
          event['data'],
        ],
      );
    }
  });

  afterEach(() => schema.drop());

  it('gains the chain’s columns, keeps its rows, and chains what comes after them', async () => {
    const config = { databaseUrl: schema.url, writerLockWaitMs: 10_000 };
    let events = await open(config);
    try {
      expect(events.read('objection/OBJ-1').map((event) => event.position)).toEqual([1, 3]);
      expect(events.read('repair/REP-1').map((event) => event.position)).toEqual([2]);
      expect((await events.append('repair/REP-2', { type: 'REPAIR_RECORDED' }, 'k5')).event.position).toBe(4);
    } finally {
      await events.close();
    }
    const { rows } = await schema.admin.query<{ position: string; chained: boolean }>(
      'SELECT position, hash IS NOT NULL AS chained FROM credit_events ORDER BY position',
    );
    expect(rows.map((row) => [row.position, row.chained])).toEqual([
      ['1', false],
      ['2', false],
      ['3', false],
      ['4', true],
    ]);

    events = await open(config);
    expect(events.read('repair/REP-2')).toHaveLength(1);
    await events.close();
    expect(await verifyPostgresEvents(schema.url)).toMatchObject({
      ok: true,
      chains: [{ writer: 'events', records: 4 }],
    });

    // A row of format 1 changed behind the triggers' back: the chained row after it shows it.
    await schema.admin.query('ALTER TABLE credit_events DISABLE TRIGGER USER');
    await schema.admin.query(`UPDATE credit_events SET data = '{"type":"REPAIR_RECORDED"}' WHERE position = 2`);
    await schema.admin.query('ALTER TABLE credit_events ENABLE TRIGGER USER');
    expect(await refusal(config)).toBe(
      'StoreStartError: Credit store: event at position 4: it does not link to the event before it: that one was replaced, or this one was changed',
    );
    expect((await verifyPostgresEvents(schema.url)).chains[0]!.problems.map((p) => [p.kind, p.seq])).toEqual([
      ['prev-hash-mismatch', 4],
    ]);
  });
});

describe('the credit store’s verify command', () => {
  let dir: string;
  let remove: () => Promise<void>;

  beforeEach(async () => {
    ({ dir, remove } = await tempDir());
  });

  afterEach(() => remove());

  const run = async (argv: string[], env: Record<string, string> = {}) => {
    let stdout = '';
    let stderr = '';
    const code = await runStoreCli(argv, {
      env,
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
    });
    return { code, stdout: stdout.replace(/[0-9a-f]{64}/g, (hash) => `<${hash.slice(0, 8)}>`), stderr };
  };

  it('reports the chain and its head, and a removed last event against the head recorded before', async () => {
    const events = await open({ dir });
    for (let n = 1; n <= 3; n++) await events.append('a', { n }, `k${n}`);
    await events.close();
    const head = JSON.parse((await readFile(join(dir, 'events.jsonl'), 'utf8')).split('\n')[2]!) as { hash: string };
    expect(await verifyFileEvents(dir, [{ writer: 'events', seq: 3, hash: head.hash }])).toMatchObject({
      ok: true,
      chains: [{ writer: 'events', records: 3, head: { writer: 'events', seq: 3, hash: head.hash }, problems: [] }],
    });
    expect(await run(['verify'], { CREDIT_STORE_DIR: dir })).toEqual({
      code: 0,
      stdout: [
        'chain events: 3 records, intact',
        `  head events:3:<${head.hash.slice(0, 8)}>`,
        'credit store intact: 1 chain, 3 records',
        'A removed last record leaves no trace in the chain itself: keep the heads above, and pass them to the next verify as --expect-head writer:seq:hash.',
        '',
      ].join('\n'),
      stderr: '',
    });

    const lines = (await readFile(join(dir, 'events.jsonl'), 'utf8')).split('\n');
    await writeFile(join(dir, 'events.jsonl'), `${lines[0]}\n${lines[1]}\n`);
    const damaged = await run(['verify', '--dir', dir, '--expect-head', `events:3:${head.hash}`]);
    expect(damaged.code).toBe(1);
    expect(damaged.stdout).toContain(
      '  truncated: the chain ends at seq 2, but its head was recorded at seq 3: the last record was removed',
    );
    expect(damaged.stdout).toContain('credit store DAMAGED: 1 problem in 1 chain, 2 records');
    expect(await run(['check'])).toMatchObject({ code: 2, stdout: '' });
  });
});
