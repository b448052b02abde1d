import type { Logger } from '@credit-gateway/common';
import { openTableChain, type ChainWriter, type LogTable } from '@credit-gateway/common/durable-log';
import { eventFormat, EVENTS_CHAIN, StoreStartError, type EventInput, type SealedEvent } from './stored-event.js';

export const EVENTS_TABLE = 'credit_events';

/**
 * The table `credit_events` in the first schema of the search path, append-only as far as
 * PostgreSQL allows (the log's triggers refuse UPDATE, DELETE and TRUNCATE). The unique keys
 * make a second writer fail rather than fork the log. A table from before the hash chain gets
 * its `prev_hash` and `hash` columns added; its rows keep NULL there.
 */
export const eventsTable: LogTable<SealedEvent> = {
  table: EVENTS_TABLE,
  name: 'credit store',
  columns: [
    { name: 'position', type: 'bigint NOT NULL' },
    { name: 'stream', type: 'text NOT NULL' },
    { name: 'version', type: 'integer NOT NULL' },
    { name: 'idempotency_key', type: 'text NOT NULL' },
    { name: 'recorded_at', type: 'timestamptz NOT NULL' },
    { name: 'data', type: 'jsonb NOT NULL', cast: 'jsonb' },
    { name: 'prev_hash', type: 'text' },
    { name: 'hash', type: 'text' },
  ],
  chains: { name: EVENTS_CHAIN },
  seqColumn: 'position',
  constraints: ['UNIQUE (stream, version)', 'UNIQUE (stream, idempotency_key)'],
  addedColumns: ['prev_hash', 'hash'],
  // Serializes processes creating the table at the same time.
  ddlLock: 4_006_001,
  values: (event) => [
    event.position,
    event.stream,
    event.version,
    event.idempotencyKey,
    event.recordedAt,
    JSON.stringify(event.data),
    event.prevHash,
    event.hash,
  ],
  fromRow: (row) => ({
    position: Number(row['position']),
    stream: row['stream'],
    version: row['version'],
    idempotencyKey: row['idempotency_key'],
    recordedAt: row['recorded_at'] instanceof Date ? row['recorded_at'].toISOString() : row['recorded_at'],
    data: row['data'],
    // NULL in the rows written before the hash chain.
    ...(row['hash'] === null ? {} : { prevHash: row['prev_hash'], hash: row['hash'] }),
  }),
};

/**
 * The store on PostgreSQL: each group commit is one INSERT in one transaction with synchronous
 * commit on, acknowledged after COMMIT. One process writes a table at a time: it holds a
 * session advisory lock for as long as it is open, and a second waits `writerLockWaitMs` for it
 * (a writer just killed) before it refuses to start.
 */
export async function openPostgresEvents(options: {
  url: string;
  poolSize: number;
  timeoutMs: number;
  writerLockWaitMs: number;
  logger: Logger;
}): Promise<{ chain: ChainWriter<EventInput, SealedEvent>; events: SealedEvent[] }> {
  const events: SealedEvent[] = [];
  const chain = await openTableChain({
    url: options.url,
    poolSize: options.poolSize,
    timeoutMs: options.timeoutMs,
    spec: eventsTable,
    format: eventFormat,
    writer: EVENTS_CHAIN,
    name: 'credit store',
    applicationName: 'credit-store',
    logger: options.logger,
    exclusive: {
      waitMs: options.writerLockWaitMs,
      refuse: () =>
        new StoreStartError(
          `Credit store table ${EVENTS_TABLE} is in use by another process: one process writes a store`,
        ),
    },
    forkHint: 'run one writer per store',
    accept: (read) => {
      if (read.unreadableCount === 0) return;
      throw new StoreStartError(
        `Credit store table ${EVENTS_TABLE}: ${read.unreadable.map(({ seq, reason }) => `position ${seq}: ${reason}`).join('; ')}. ` +
          'Have an operator restore the table before the store is used again.',
      );
    },
    onRead: (event) => events.push(event),
  });
  return { chain, events };
}
