import type { Logger } from '@credit-gateway/common';
import { openFileChain, type ChainWriter } from '@credit-gateway/common/durable-log';
import { eventFormat, EVENTS_CHAIN, StoreStartError, type EventInput, type SealedEvent } from './stored-event.js';

/** The one chain of a file store: `<dir>/events.jsonl`, locked by `<dir>/events.lock`. */
export const EVENTS_FILE = `${EVENTS_CHAIN}.jsonl`;
export const LOCK_FILE = `${EVENTS_CHAIN}.lock`;

/**
 * The embedded store: the durable log's file chain `<dir>/events.jsonl`, one event per line,
 * written, then fdatasync'ed, then acknowledged; `<dir>/events.lock` holds the process id, so
 * one process writes a directory at a time. Start-up reads the whole file: a last line cut
 * short by a crash is cut off, and any other unreadable line stops the start, since every later
 * state depends on every event.
 */
export async function openFileEvents(options: {
  dir: string;
  logger: Logger;
}): Promise<{ chain: ChainWriter<EventInput, SealedEvent>; events: SealedEvent[] }> {
  const { dir } = options;
  const events: SealedEvent[] = [];
  const chain = await openFileChain({
    dir,
    writer: EVENTS_CHAIN,
    format: eventFormat,
    name: 'credit store',
    logger: options.logger,
    refuseLock: (refusal) =>
      refusal.held === 'here'
        ? new StoreStartError(`Credit store ${dir} is already open in this process`)
        : new StoreStartError(
            `Credit store ${dir} is in use by process ${refusal.holder} (${refusal.path}). One process writes a store; ` +
              'remove the lock file only if that process is not a credit subgraph.',
          ),
    accept: (read) => {
      if (read.unreadableCount === 0) return;
      const lines = read.unreadable.map(({ line, reason }) => `line ${line}: ${reason}`);
      throw new StoreStartError(
        `Credit store ${read.where}: ${lines.join('; ')}${read.unreadableCount > 10 ? ` (${read.unreadableCount} in all)` : ''}. ` +
          'A crash cannot leave this; have an operator restore the file before the store is used again.',
      );
    },
    onRead: (event) => events.push(event),
  });
  return { chain, events };
}
