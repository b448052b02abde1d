import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '@credit-gateway/common';
import { appendAll, forEachLine, takeProcessLock } from '@credit-gateway/common';
import { parseStoredEvent, StoreStartError, type EventBackend, type StoredEvent } from './stored-event.js';

export const EVENTS_FILE = 'events.jsonl';
export const LOCK_FILE = 'events.lock';

/**
 * The embedded store: `<dir>/events.jsonl`, one event per line, only ever appended to. Each batch
 * is written, then fdatasync'ed, then acknowledged; a failed write is cut off before the next
 * one. `<dir>/events.lock` holds the process id: one process writes a directory at a time.
 *
 * Start-up reads the whole file. A last line without its newline can only be a write cut short by
 * a crash, never acknowledged: it is cut off. Any other unreadable line stops the start, since
 * every later state depends on every event.
 */
export async function openFileEvents(options: {
  dir: string;
  logger: Logger;
}): Promise<{ backend: EventBackend; events: StoredEvent[] }> {
  const { dir, logger } = options;
  await mkdir(dir, { recursive: true });
  const release = await lock(dir);
  const path = join(dir, EVENTS_FILE);
  let file: FileHandle | undefined;
  try {
    const existed = await open(path, 'r').then(
      (handle) => handle.close().then(() => true),
      () => false,
    );
    file = await open(path, 'a+');
    if (!existed) await syncDirectory(dir);
    const { events, size, torn } = await readEvents(file, path);
    if (torn > 0) {
      logger.warn({ bytes: torn }, 'credit store: cut off an incomplete last line left by a crash');
      await file.truncate(size);
      await file.datasync();
    }
    return { backend: new FileBackend(file, size, logger, release), events };
  } catch (error) {
    await file?.close();
    await release();
    throw error;
  }
}

class FileBackend implements EventBackend {
  readonly kind = 'file';
  /** A failed write may have left bytes past `size`: they are cut off before the next write. */
  private damaged = false;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly file: FileHandle,
    private size: number,
    private readonly logger: Logger,
    private readonly release: () => Promise<void>,
  ) {}

  async write(events: readonly StoredEvent[]): Promise<void> {
    if (this.damaged) await this.cutOff();
    const data = Buffer.from(events.map((event) => `${JSON.stringify(event)}\n`).join(''));
    try {
      await appendAll(this.file, data);
      await this.file.datasync();
    } catch (error) {
      // After a failed fsync the kernel may have dropped the pages: the batch is cut off, not trusted.
      this.damaged = true;
      await this.cutOff().catch((cutError: unknown) =>
        this.logger.error({ err: cutError }, 'credit store: could not cut off a failed write'),
      );
      throw error;
    }
    this.size += data.length;
  }

  async recover(): Promise<StoredEvent[]> {
    if (this.damaged) await this.cutOff();
    return [];
  }

  close(): Promise<void> {
    this.closing ??= this.file.close().finally(() => this.release());
    return this.closing;
  }

  private async cutOff(): Promise<void> {
    await this.file.truncate(this.size);
    await this.file.datasync();
    this.damaged = false;
  }
}

async function readEvents(
  file: FileHandle,
  path: string,
): Promise<{ events: StoredEvent[]; size: number; torn: number }> {
  const events: StoredEvent[] = [];
  const problems: string[] = [];
  let line = 0;
  const { size } = await file.stat();
  const { end, torn } = await forEachLine(file, { from: 0, to: size }, (bytes) => {
    line++;
    let parsed: StoredEvent | string;
    try {
      parsed = parseStoredEvent(JSON.parse(bytes.toString('utf8')));
    } catch {
      parsed = 'not JSON';
    }
    if (typeof parsed === 'string') problems.push(`line ${line}: ${parsed}`);
    else events.push(parsed);
  });
  if (problems.length > 0) {
    throw new StoreStartError(
      `Credit store ${path}: ${problems.slice(0, 10).join('; ')}${problems.length > 10 ? ` (${problems.length} in all)` : ''}. ` +
        'A crash cannot leave this; have an operator restore the file before the store is used again.',
    );
  }
  return { events, size: end, torn };
}

/** Makes a newly created file's directory entry durable. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Takes `<dir>/events.lock` for this process: one process writes a store. */
function lock(dir: string): Promise<() => Promise<void>> {
  return takeProcessLock(join(dir, LOCK_FILE), (refusal) =>
    refusal.held === 'here'
      ? new StoreStartError(`Credit store ${dir} is already open in this process`)
      : new StoreStartError(
          `Credit store ${dir} is in use by process ${refusal.holder} (${refusal.path}). One process writes a store; ` +
            'remove the lock file only if that process is not a credit subgraph.',
        ),
  );
}
