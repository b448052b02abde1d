import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { takeProcessLock, type LockRefusal } from '../../src/durable-log/process-lock.js';

const lockModule = pathToFileURL(fileURLToPath(new URL('../../src/durable-log/process-lock.ts', import.meta.url))).href;

class Refused extends Error {
  constructor(readonly refusal: LockRefusal) {
    super(JSON.stringify(refusal));
  }
}
const refuse = (refusal: LockRefusal) => new Refused(refusal);

let dir: string;
let script: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'credit-gateway-lock-'));
  // Another process taking the lock for real: on "go" it tries, says how it went, and holds on.
  script = join(dir, 'holder.ts');
  await writeFile(
    script,
    `import { takeProcessLock } from ${JSON.stringify(lockModule)};
import { createInterface } from 'node:readline';
const lines = createInterface({ input: process.stdin });
console.log('started');
lines.once('line', () => {
  takeProcessLock(process.argv[2], (refusal) => Object.assign(new Error('refused'), { refusal })).then(
    () => console.log('locked'),
    (error) => console.log('refused ' + JSON.stringify(error.refusal ?? error.message)),
  );
});
setInterval(() => {}, 1_000);
`,
  );
});

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Holder {
  child: ChildProcess;
  /** Resolves with the child's next line of output. */
  next(): Promise<string>;
}

async function startHolder(path: string): Promise<Holder> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, path], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  const lines: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const wake = waiting.shift();
    if (wake) wake(line);
    else lines.push(line);
  });
  const next = () =>
    lines.length > 0 ? Promise.resolve(lines.shift()!) : new Promise<string>((resolve) => waiting.push(resolve));
  expect(await next()).toBe('started');
  return { child, next };
}

async function holderWithLock(path: string): Promise<Holder> {
  const holder = await startHolder(path);
  holder.child.stdin!.write('go\n');
  expect(await holder.next()).toBe('locked');
  return holder;
}

describe('takeProcessLock', { timeout: 60_000 }, () => {
  it('takes a free lock, refuses it twice in one process, and releases it', async () => {
    const path = join(dir, 'free.lock');
    const release = await takeProcessLock(path, refuse);
    expect(await readFile(path, 'utf8')).toBe(`${process.pid}\n`);
    await expect(takeProcessLock(path, refuse)).rejects.toMatchObject({ refusal: { held: 'here' } });
    await release();
    await (
      await takeProcessLock(path, refuse)
    )();
  });

  it('refuses a lock held by a live process', async () => {
    const path = join(dir, 'live.lock');
    const holder = await holderWithLock(path);
    await expect(takeProcessLock(path, refuse)).rejects.toMatchObject({
      refusal: { held: 'elsewhere', holder: holder.child.pid, path },
    });
  });

  it('takes over the lock of a holder killed with SIGKILL, which never released it', async () => {
    const path = join(dir, 'killed.lock');
    const holder = await holderWithLock(path);
    const exited = once(holder.child, 'exit');
    holder.child.kill('SIGKILL');
    await exited;
    expect(await readFile(path, 'utf8')).toBe(`${holder.child.pid}\n`);
    const release = await takeProcessLock(path, refuse);
    expect(await readFile(path, 'utf8')).toBe(`${process.pid}\n`);
    await release();
  });

  it('takes over a lock whose pid now names a process started after it was written', async () => {
    const path = join(dir, 'reused.lock');
    const later = await startHolder(join(dir, 'unused.lock'));
    // The lock was written an hour before the process that has its pid now was started.
    await writeFile(path, `${later.child.pid}\n`);
    const anHourAgo = new Date(Date.now() - 3_600_000);
    await utimes(path, anHourAgo, anHourAgo);
    const release = await takeProcessLock(path, refuse);
    expect(await readFile(path, 'utf8')).toBe(`${process.pid}\n`);
    await release();
  });

  it('gives one lock to two live processes taking over the same stale lock at once', async () => {
    for (let round = 0; round < 4; round++) {
      const path = join(dir, `contended-${round}.lock`);
      const gone = spawn(process.execPath, ['-e', '']);
      await once(gone, 'exit');
      await writeFile(path, `${gone.pid}\n`);
      const holders = await Promise.all([startHolder(path), startHolder(path)]);
      for (const holder of holders) holder.child.stdin!.write('go\n');
      const outcomes = await Promise.all(holders.map((holder) => holder.next()));
      const winner = outcomes.indexOf('locked');
      expect(outcomes.filter((outcome) => outcome === 'locked')).toHaveLength(1);
      expect(JSON.parse(outcomes[1 - winner]!.slice('refused '.length))).toEqual({
        held: 'elsewhere',
        holder: holders[winner]!.child.pid,
        path,
      });
      expect(await readFile(path, 'utf8')).toBe(`${holders[winner]!.child.pid}\n`);
      for (const holder of holders) holder.child.kill('SIGKILL');
    }
  });
});
