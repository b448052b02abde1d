import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '@credit-gateway/common';
import { openEventStore } from '../src/store/event-store.js';
import { runStoreChild, STORES, type StoreUnderTest } from './store-support.js';

// The child starts Node with tsx: about a second.
describe.each(STORES)('the $name across kill -9', { timeout: 60_000 }, ({ setup }) => {
  let store: StoreUnderTest;

  beforeEach(async () => {
    store = await setup();
  });

  afterEach(() => store.cleanup());

  it('keeps every acknowledged event, answers its key with it, and goes on', async () => {
    const run = await runStoreChild(store.config, { killAfter: 1_500, inFlight: 64 });
    expect({ signal: run.signal, stderr: run.stderr }).toEqual({ signal: 'SIGKILL', stderr: '' });
    expect(run.acknowledged.length).toBeGreaterThanOrEqual(1_500);

    const events = await openEventStore(store.config, silentLogger());
    try {
      for (const { position, key } of run.acknowledged) {
        const n = Number(key.slice(2));
        expect(events.find(`stream-${n % 7}`, key)).toMatchObject({ position, data: { n, reason: '异议: 记录有误' } });
      }
      // Nothing was lost in between either: positions 1… with no gap, each stream numbered in order.
      const all = Array.from({ length: 7 }, (_, s) => events.read(`stream-${s}`)).flat();
      const positions = all.map((e) => e.position).sort((a, b) => a - b);
      expect(positions).toEqual(Array.from({ length: positions.length }, (_, i) => i + 1));
      expect(positions.length).toBeGreaterThanOrEqual(Math.max(...run.acknowledged.map((a) => a.position)));

      // The same keys again: the events already stored, nothing new.
      const { key, position } = run.acknowledged[0]!;
      const again = await events.append(`stream-${Number(key.slice(2)) % 7}`, { n: -1 }, key);
      expect({ duplicate: again.duplicate, position: again.event.position }).toEqual({ duplicate: true, position });
      const next = await events.append('after-restart', { n: 0 }, 'k-after');
      expect(next.event.position).toBe(positions.length + 1);
    } finally {
      await events.close();
    }
  });
});
