import { spawn } from 'node:child_process';
import { appendFile, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '@credit-gateway/common';
import { verifyFileRegister, type QueryRegister } from '../src/index.js';
import { openFileRegister } from '../src/file-store.js';
import { canonicalJson } from '../src/record.js';
import { SubjectIndex } from '../src/subject-index.js';
import { fileConfig, open, queryInput, tempDir } from './support/register.js';

describe('the file store', () => {
  let dir: string;
  let remove: () => Promise<void>;
  const registers: QueryRegister[] = [];
  const openRegister = async (overrides = {}) => {
    const register = await open(fileConfig(dir, overrides));
    registers.push(register);
    return register;
  };
  const chainFile = () => join(dir, 'gw-1.jsonl');
  /** Error messages name the temporary directory; the snapshots do not. */
  const startError = (promise: Promise<unknown>) =>
    promise.then(
      () => 'opened',
      (error: Error) => `${error.name}: ${error.message.replaceAll(dir, '<dir>')}`,
    );

  beforeEach(async () => {
    ({ dir, remove } = await tempDir());
  });

  afterEach(async () => {
    for (const register of registers.splice(0)) await register.close();
    await remove();
  });

  it('writes one canonical JSON line per record, in the writer’s own file', async () => {
    const register = await openRegister();
    const one = await register.append(queryInput(1));
    const two = await register.append(queryInput(2));
    expect(await readFile(chainFile(), 'utf8')).toBe(`${canonicalJson(one)}\n${canonicalJson(two)}\n`);
  });

  it('cuts off a torn last line left by a crash, and continues the chain', async () => {
    const first = await openRegister();
    await first.append(queryInput(1));
    const two = await first.append(queryInput(2));
    await first.close();
    const intact = (await stat(chainFile())).size;
    const torn = canonicalJson({ ...two, seq: 3, requestId: 'req-3' }).slice(0, 57);
    await appendFile(chainFile(), torn);

    const again = await openRegister();
    expect((await stat(chainFile())).size).toBe(intact);
    expect(await again.append(queryInput(3))).toMatchObject({ seq: 3, prevHash: two.hash });
    expect((await verifyFileRegister(dir)).ok).toBe(true);
  });

  it('refuses to start on a damaged last record that a crash cannot explain', async () => {
    const first = await openRegister();
    await first.append(queryInput(1));
    await first.append(queryInput(2));
    await first.close();
    const lines = (await readFile(chainFile(), 'utf8')).split('\n');

    await writeFile(chainFile(), `${lines[0]}\n{"garbage":true}\n`);
    expect(await startError(openRegister())).toMatchInlineSnapshot(
      `"RegisterStartError: Query register <dir>/gw-1.jsonl, line 2: the last record is unreadable (bad writer). A crash cannot leave this; run the register's verify command, and have an operator decide before anything more is appended."`,
    );
    await writeFile(chainFile(), `${lines[0]}\n${lines[1]!.replace('req-2', 'req-X')}\n`);
    expect(await startError(openRegister())).toMatchInlineSnapshot(
      `"RegisterStartError: Query register <dir>/gw-1.jsonl, line 2: the last record (seq 2) does not match its hash. A crash cannot leave this; run the register's verify command, and have an operator decide before anything more is appended."`,
    );
    await writeFile(chainFile(), `${lines[1]}\n`);
    expect(await startError(openRegister())).toMatchInlineSnapshot(
      `"RegisterStartError: Query register <dir>/gw-1.jsonl, line 1: the last record (seq 2) does not follow the one before it. A crash cannot leave this; run the register's verify command, and have an operator decide before anything more is appended."`,
    );
  });

  it('starts despite damage further back, which verify reports', async () => {
    const first = await openRegister();
    for (let n = 1; n <= 3; n++) await first.append(queryInput(n));
    await first.close();
    const lines = (await readFile(chainFile(), 'utf8')).split('\n');
    lines[0] = lines[0]!.replace('req-1', 'req-X');
    await writeFile(chainFile(), lines.join('\n'));

    const again = await openRegister();
    expect(await again.append(queryInput(4))).toMatchObject({ seq: 4 });
    expect((await verifyFileRegister(dir)).chains[0]!.problems.map((problem) => problem.kind)).toEqual([
      'hash-mismatch',
    ]);
  });

  it('lets one process at a time write a chain', async () => {
    await openRegister();
    expect(await startError(openRegister())).toMatchInlineSnapshot(
      `"RegisterStartError: Query register writer 'gw-1' is already open in this process"`,
    );
    expect(await startError(openRegister({ writer: 'gw-2' }))).toBe('opened');

    // Another live process holds gw-3: the process running these tests' parent.
    await writeFile(join(dir, 'gw-3.lock'), `${process.ppid}\n`);
    expect(
      (await startError(openRegister({ writer: 'gw-3' }))).replace(String(process.ppid), '<pid>'),
    ).toMatchInlineSnapshot(
      `"RegisterStartError: Query register writer 'gw-3' is in use by process <pid> (<dir>/gw-3.lock). Give each gateway process its own REGISTER_WRITER_ID, or remove the lock file if that process is not a gateway."`,
    );
  });

  it('takes over the lock of a process that is gone', async () => {
    const gone = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => gone.on('exit', resolve));
    await writeFile(join(dir, 'gw-1.lock'), `${gone.pid}\n`);
    const register = await openRegister();
    expect(await register.append(queryInput(1))).toMatchObject({ seq: 1 });
    expect(await readFile(join(dir, 'gw-1.lock'), 'utf8')).toBe(`${process.pid}\n`);
    await register.close();
    registers.splice(0);
    await expect(stat(join(dir, 'gw-1.lock'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('fails to open where it cannot write', async () => {
    await writeFile(join(dir, 'not-a-directory'), '');
    await expect(open(fileConfig(join(dir, 'not-a-directory', 'register')))).rejects.toMatchObject({
      code: 'ENOTDIR',
    });
  });

  it('answers look-ups beyond its bounded index by scanning, with the same answers', async () => {
    const subjects = (n: number) => [`S${n % 7}`, `S${n % 11}`, `T${n}`];
    const write = async (writer: string, first: number, count: number) => {
      const register = await openRegister({ writer });
      for (let n = first; n < first + count; n++) {
        await register.append(
          queryInput(n, {
            subjects: subjects(n),
            time: new Date(Date.UTC(2026, 0, 1) + (n % 50) * 1_000).toISOString(),
          }),
        );
      }
      await register.close();
    };
    await write('gw-0', 0, 60);
    await write('gw-1', 60, 80);
    // A small index forgets most records; a large one holds them all.
    const small = await openFileRegister({
      dir,
      writer: 'gw-1',
      timeoutMs: 2_000,
      batchMax: 500,
      indexMaxEntries: 40,
      logger: silentLogger(),
    });
    registers.push(small);
    await small.append(queryInput(140, { subjects: subjects(140) }));
    const key = (records: { writer: string; seq: number }[]) => records.map((r) => `${r.writer}:${r.seq}`);
    const answers = async (register: QueryRegister) => {
      const found: string[][] = [];
      for (const subject of ['S0', 'S3', 'S10', 'T5', 'T139', 'T140', 'S99']) {
        found.push(key(await register.bySubject(subject)));
        found.push(key(await register.bySubject(subject, { limit: 3 })));
        found.push(key(await register.bySubject(subject, { limit: 4, before: '2026-01-01T00:00:30.000Z' })));
      }
      return found;
    };
    const fromSmall = await answers(small);
    await small.close();
    registers.splice(0);
    const large = await openRegister({ writer: 'gw-1' });
    expect(fromSmall).toEqual(await answers(large));
    expect(fromSmall.flat().length).toBeGreaterThan(100);
  });
});

describe('the bounded subject index', () => {
  const at = (n: number) => ({ file: 0, offset: n * 100, length: 100, time: n * 1_000, seq: n + 1 });

  it('forgets the oldest records down to half its size, and says how far to scan', () => {
    const index = new SubjectIndex(10);
    // Even records hold 2 entries (EVEN once), odd ones 3: past 10, records are forgotten
    // oldest first until at most 5 entries are left, which happens at records 4, 7 and 10.
    for (let n = 0; n < 12; n++) index.add(at(n), [`S${n % 2}`, n % 2 === 0 ? 'EVEN' : 'ODD', 'EVEN']);
    expect(index.size).toEqual({ records: 3, entries: 8, subjects: 4 });
    expect(index.lookup('S0', Infinity)).toEqual({ locations: [at(10)], forgottenMaxTime: 8_000 });
    expect(index.lookup('S1', 11_000)).toEqual({ locations: [at(9)], forgottenMaxTime: 8_000 });
    expect(index.scanLimit(0)).toBe(900);
    expect(index.scanLimit(1)).toBe(0);
  });

  it('keeps everything while it fits', () => {
    const index = new SubjectIndex(100);
    for (let n = 0; n < 10; n++) index.add(at(n), ['S', 'S']);
    index.add(at(10), []);
    expect(index.size).toEqual({ records: 10, entries: 10, subjects: 1 });
    expect(index.lookup('S', 3_000)).toEqual({ locations: [at(0), at(1), at(2)], forgottenMaxTime: -Infinity });
    expect(index.scanLimit(0)).toBe(0);
  });
});
