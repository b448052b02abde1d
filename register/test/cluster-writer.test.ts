import cluster from 'node:cluster';
import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { silentLogger } from '@credit-gateway/common';
import { hostRegisterForWorkers, PrimaryRegisterClient } from '../src/cluster-writer.js';
import type { RegisterConfig } from '../src/config.js';
import { boundedText, MAX_RECORD_TEXT, sealRecord, GENESIS_HASH, inputProblem } from '../src/record.js';
import { fileConfig, queryInput, tempDir } from './support/register.js';

const config: RegisterConfig = {
  store: { kind: 'file', dir: '/nonexistent', indexMaxEntries: 1_000, syncWrites: true },
  writer: 'gw',
  timeoutMs: 200,
  batchMax: 10,
  viaPrimary: true,
};

/** A worker's IPC channel whose primary answers as `answer` says, or never. */
function channel(answer?: (message: any) => unknown) {
  const emitter = new EventEmitter();
  const sent: any[] = [];
  return Object.assign(emitter, {
    sent,
    send(message: any, _handle?: unknown, _options?: unknown, callback?: (error: Error | null) => void) {
      sent.push(message);
      callback?.(null);
      if (answer) setImmediate(() => emitter.emit('message', answer(message)));
      return true;
    },
  });
}

describe('a worker reaching the register of its primary', () => {
  it('resolves an append with the record the primary made durable', async () => {
    const ipc = channel((message) => ({
      channel: message.channel,
      id: message.id,
      ok: true,
      result: sealRecord(message.record, 'gw', { seq: 0, hash: GENESIS_HASH }),
    }));
    const client = new PrimaryRegisterClient(config, silentLogger(), ipc as never);
    const stored = await client.append(queryInput(1));
    expect(stored).toMatchObject({ writer: 'gw', seq: 1, requestId: 'req-1' });
    await client.close();
  });

  it('fails an append the primary does not acknowledge in time with REGISTER_UNAVAILABLE', async () => {
    const client = new PrimaryRegisterClient(config, silentLogger(), channel() as never);
    await expect(client.append(queryInput(1))).rejects.toMatchObject({
      extensions: { code: 'REGISTER_UNAVAILABLE' },
    });
    await client.close();
  });

  it('fails an append the primary could not store with REGISTER_UNAVAILABLE', async () => {
    const ipc = channel((message) => ({
      channel: message.channel,
      id: message.id,
      ok: false,
      invalid: false,
      message: 'x',
    }));
    const client = new PrimaryRegisterClient(config, silentLogger(), ipc as never);
    await expect(client.append(queryInput(1))).rejects.toMatchObject({ extensions: { code: 'REGISTER_UNAVAILABLE' } });
    await client.close();
  });

  it('sends bounded text only, and refuses an invalid record without sending it', async () => {
    const ipc = channel((message) => ({
      channel: message.channel,
      id: message.id,
      ok: true,
      result: sealRecord(message.record, 'gw', { seq: 0, hash: GENESIS_HASH }),
    }));
    const client = new PrimaryRegisterClient(config, silentLogger(), ipc as never);
    const stored = await client.append(queryInput(1, { operationName: 'q'.repeat(500_000), purpose: 'p'.repeat(129) }));
    expect(stored.operationName!.length).toBeLessThanOrEqual(MAX_RECORD_TEXT);
    expect(stored.purpose!.length).toBeLessThanOrEqual(MAX_RECORD_TEXT);
    expect(JSON.stringify(ipc.sent).length).toBeLessThan(2_000);
    await expect(client.append(queryInput(2, { tier: 'NOBODY' as never }))).rejects.toBeInstanceOf(TypeError);
    expect(ipc.sent).toHaveLength(1);
    await client.close();
  });
});

describe('bounded record text', () => {
  it('keeps short text as it is, and cuts long text to a storable, marked, distinct value', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 400 }),
        fc.string({ unit: 'grapheme', maxLength: 3 }),
        (text, tail) => {
          const bounded = boundedText(text);
          expect(bounded.length).toBeLessThanOrEqual(MAX_RECORD_TEXT);
          if (text.length <= MAX_RECORD_TEXT) expect(bounded).toBe(text);
          else {
            expect(bounded).toMatch(new RegExp(`…\\[${text.length} chars, sha256:[0-9a-f]{16}\\]$`));
            const other = text + tail;
            if (tail !== '') expect(boundedText(other)).not.toBe(bounded);
          }
          // Never half a surrogate pair, which the register would refuse to store.
          expect(inputProblem(queryInput(1, { operationName: bounded }))).toBeNull();
        },
      ),
    );
  });
});

describe('the primary holding the register for its workers (in process, real file store)', () => {
  it('acknowledges a worker only once the record is durable, and serves look-ups of every worker', async () => {
    const temp = await tempDir();
    const host = hostRegisterForWorkers(fileConfig(temp.dir, { writer: 'primary' }), silentLogger());
    await host.ready;
    /** A worker's channel: what it sends reaches the primary as cluster messages from that worker. */
    const workerChannel = () => {
      const emitter = new EventEmitter();
      const worker = {
        id: Math.random(),
        isConnected: () => true,
        send: (message: unknown, callback?: (error: Error | null) => void) => {
          callback?.(null);
          setImmediate(() => emitter.emit('message', message));
          return true;
        },
      };
      return Object.assign(emitter, {
        send(message: unknown, _handle?: unknown, _options?: unknown, callback?: (error: Error | null) => void) {
          callback?.(null);
          setImmediate(() => cluster.emit('message', worker, message));
          return true;
        },
      });
    };
    const workers = [workerChannel(), workerChannel()].map(
      (ipc) =>
        new PrimaryRegisterClient({ ...config, writer: 'primary', timeoutMs: 2_000 }, silentLogger(), ipc as never),
    );
    try {
      for (let n = 1; n <= 4; n++) {
        const stored = await workers[n % 2]!.append(queryInput(n));
        // Durable before acknowledged: the line is in the file when the append resolves.
        const lines = (await readFile(join(temp.dir, 'primary.jsonl'), 'utf8')).trim().split('\n');
        expect(JSON.parse(lines.at(-1)!)).toMatchObject({ seq: stored.seq, hash: stored.hash });
      }
      for (const worker of workers) {
        const found = await worker.bySubject('91500112MA60YD7K76');
        expect(found.map((record) => [record.requestId, record.seq])).toEqual([
          ['req-4', 4],
          ['req-3', 3],
          ['req-2', 2],
          ['req-1', 1],
        ]);
      }
      await expect(workers[0]!.bySubject('x', { limit: 0 })).rejects.toBeInstanceOf(TypeError);
    } finally {
      for (const worker of workers) await worker.close();
      await host.close();
      await temp.remove();
    }
  });
});
