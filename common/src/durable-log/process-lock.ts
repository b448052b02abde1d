import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';

/** Why a lock could not be taken: already held in this process, or by another live process. */
export type LockRefusal = { held: 'here' } | { held: 'elsewhere'; holder: number; path: string };

/** Lock files taken in this process, by absolute path. */
const taken = new Set<string>();

/** Who holds a lock: a process id, and when the lock was written. */
interface Holder {
  pid: number;
  /** The lock file's mtime: its holder had started by then, so a later process with its pid is another. */
  writtenAt: number;
}

/** Start times are known to a clock tick and the lock's mtime to the file system's precision. */
const START_TIME_SLACK_MS = 2_000;

/** Rounds of looking, taking over and looking again before a lock is given up as contended. */
const ATTEMPTS = 20;

/**
 * Takes the lock file at `path` for this process, writing its pid there: one
 * writer for a durable log. A lock left by a process that is gone (a crash, a SIGKILL) is taken
 * over; one held by a live process, or already taken in this one, is refused with the caller's own
 * error. A process id that now names a process started after the lock was written (the id was
 * reused, as after a container's restart) counts as gone. Two processes taking over the same stale lock at once get one lock between them: the
 * takeover runs under a second lock file, and the lock itself is only ever created whole
 * (written aside, then linked in place), so no one reads a half-written one.
 * Resolves to the function that releases it.
 */
export async function takeProcessLock(
  path: string,
  refuse: (refusal: LockRefusal) => Error,
): Promise<() => Promise<void>> {
  const key = resolve(path);
  if (taken.has(key)) throw refuse({ held: 'here' });
  const own = `${process.pid}\n`;
  let holder: Holder | null = null;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (await createWhole(path, own)) {
      taken.add(key);
      return async () => {
        taken.delete(key);
        await unlink(path).catch(() => undefined);
      };
    }
    const line = await readFile(path, 'utf8').catch(() => null);
    const writtenAt = await stat(path).then(
      (stats) => stats.mtimeMs,
      () => null,
    );
    // Released in the meantime: try again.
    if (line === null || writtenAt === null) continue;
    holder = parseHolder(line, writtenAt);
    if (holder && isRunning(holder)) throw refuse({ held: 'elsewhere', holder: holder.pid, path });
    await takeOver(path, line, own);
  }
  throw refuse({ held: 'elsewhere', holder: holder?.pid ?? 0, path });
}

/** Removes the lock at `path` if it still says `stale`, under `<path>.takeover`. */
async function takeOver(path: string, stale: string, own: string): Promise<void> {
  const guard = `${path}.takeover`;
  if (!(await createWhole(guard, own))) {
    const line = await readFile(guard, 'utf8').catch(() => null);
    const guardHolder = line === null ? null : parseHolder(line, Date.now());
    // Left by a process that died in the middle of a takeover; otherwise another is at it now.
    if (line !== null && !(guardHolder && isRunning(guardHolder))) await unlink(guard).catch(() => undefined);
    else await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 20));
    return;
  }
  try {
    // Another process may have taken the stale lock over and written its own since it was read.
    const current = await readFile(path, 'utf8').catch(() => null);
    if (current === stale) await unlink(path).catch(() => undefined);
  } finally {
    await unlink(guard).catch(() => undefined);
  }
}

/** Creates `path` holding `content`, or returns false if it exists; never leaves it half-written. */
async function createWhole(path: string, content: string): Promise<boolean> {
  const aside = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(aside, content, { flag: 'wx' });
  try {
    await link(aside, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(aside).catch(() => undefined);
  }
}

/** `<pid>`; anything else (an unreadable file) names no live holder. */
function parseHolder(line: string, writtenAt: number): Holder | null {
  const match = /^(\d+)\s*$/.exec(line);
  if (!match) return null;
  const pid = Number(match[1]);
  return Number.isSafeInteger(pid) && pid >= 1 ? { pid, writtenAt } : null;
}

/**
 * Whether the holder still runs. Only a positive pid is ever signalled (0 and negatives would
 * address process groups), with signal 0, which only checks. Where the system tells when a process
 * started (Linux), a process started after the lock was written is not its holder.
 */
function isRunning(holder: Holder): boolean {
  // This process holds only what `taken` says it does; its pid in a file is a former life's.
  if (holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const startedAt = startTimeOf(holder.pid);
  return startedAt === null || startedAt <= holder.writtenAt + START_TIME_SLACK_MS;
}

/** Ticks a second of /proc's times (USER_HZ), 100 on every architecture Linux runs Node on. */
const USER_HZ = 100;

/** When process `pid` started, in ms since the epoch: boot time plus field 22 of /proc/<pid>/stat. */
function startTimeOf(pid: number): number | null {
  try {
    const boot = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1];
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After the command name, which may hold spaces and parentheses.
    const ticks = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    if (boot === undefined || ticks === undefined || !/^\d+$/.test(ticks)) return null;
    return Number(boot) * 1000 + (Number(ticks) * 1000) / USER_HZ;
  } catch {
    return null;
  }
}
