import { open, readFile, unlink } from 'node:fs/promises';
import { resolve } from 'node:path';

/** Why a lock could not be taken: already held in this process, or by another live process. */
export type LockRefusal = { held: 'here' } | { held: 'elsewhere'; holder: number; path: string };

/** Lock files taken in this process, by absolute path. */
const taken = new Set<string>();

/**
 * Takes the lock file at `path` for this process, writing its pid there: one writer for a durable
 * log. A lock left by a process that is gone (a crash) is taken over; one held by a live process,
 * or already taken in this one, is refused with the caller's own error. Process ids are reused, so
 * an operator may have to remove a lock left by a crash whose id now names another process.
 * Resolves to the function that releases it.
 */
export async function takeProcessLock(
  path: string,
  refuse: (refusal: LockRefusal) => Error,
): Promise<() => Promise<void>> {
  const key = resolve(path);
  if (taken.has(key)) throw refuse({ held: 'here' });
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(path, 'wx');
      try {
        await handle.writeFile(`${process.pid}\n`);
      } finally {
        await handle.close();
      }
      taken.add(key);
      return async () => {
        taken.delete(key);
        await unlink(path).catch(() => undefined);
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
    if (attempt > 0 || (Number.isInteger(holder) && holder !== process.pid && isAlive(holder))) {
      throw refuse({ held: 'elsewhere', holder, path });
    }
    // Left by a process that is gone.
    await unlink(path).catch(() => undefined);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
