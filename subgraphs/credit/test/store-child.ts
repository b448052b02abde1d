/**
 * A credit subgraph reduced to its store, for the test that kills it:
 *   node --import tsx store-child.ts <config json> <in flight>
 * It appends for ever and prints `position key` for every acknowledged event: stdout to a pipe is
 * synchronous, so a printed event was acknowledged before the line left.
 */
import type { Logger } from '@credit-gateway/common';
import { openEventStore, type EventStoreConfig } from '../src/store/event-store.js';

const [configJson = '{}', inFlight = '32'] = process.argv.slice(2);
const ignore = () => undefined;
const logger = { info: ignore, warn: ignore, error: ignore, debug: ignore } as unknown as Logger;
const store = await openEventStore(JSON.parse(configJson) as EventStoreConfig, logger);
let n = 0;

const worker = async () => {
  for (;;) {
    const i = n++;
    const key = `k-${i}`;
    const { event } = await store.append(`stream-${i % 7}`, { n: i, reason: '异议: 记录有误' }, key);
    process.stdout.write(`${event.position} ${key}\n`);
  }
};
await Promise.all(Array.from({ length: Number(inFlight) }, worker));
