import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  verifyFileRegister,
  verifyPostgresRegister,
  type ChainHead,
  type ChainProblem,
  type StoredQueryRecord,
  type VerifyReport,
} from '../src/index.js';
import { canonicalJson, recordHash } from '../src/record.js';
import { runRegisterCli } from '../src/verify.js';
import { fileConfig, open, postgresConfig, queryInput, tempDir, testSchema } from './support/register.js';
import { SOURCE_CHILD_ENV } from '../../common/test/support/source-child.js';

/** Ways to damage a chain of six records, as someone with access to the store could. */
interface Tamper {
  /** Changes a record's content, leaving its hash. */
  edit(seq: number): Promise<void>;
  /** Changes a record's content and gives it the matching hash. */
  forge(seq: number): Promise<void>;
  remove(...seqs: number[]): Promise<void>;
  /** Exchanges two records' places. */
  swap(a: number, b: number): Promise<void>;
}

interface Store {
  url: string;
  records: StoredQueryRecord[];
  tamper: Tamper;
  verify(heads?: ChainHead[]): Promise<VerifyReport>;
  cleanup(): Promise<void>;
}

async function fileStore(): Promise<Store> {
  const { dir, remove } = await tempDir();
  const register = await open(fileConfig(dir));
  const records: StoredQueryRecord[] = [];
  for (let n = 1; n <= 6; n++) records.push(await register.append(queryInput(n)));
  await register.close();
  const path = join(dir, 'gw-1.jsonl');
  const edit = async (change: (lines: string[]) => string[]) => {
    const lines = (await readFile(path, 'utf8')).split('\n').slice(0, -1);
    await writeFile(
      path,
      change(lines)
        .map((line) => `${line}\n`)
        .join(''),
    );
  };
  const changed = (line: string, rehash: boolean) => {
    const record = { ...(JSON.parse(line) as StoredQueryRecord), purpose: 'none' };
    return canonicalJson(rehash ? { ...record, hash: recordHash(record) } : record);
  };
  return {
    url: dir,
    records,
    tamper: {
      edit: (seq) => edit((lines) => lines.map((line, i) => (i === seq - 1 ? changed(line, false) : line))),
      forge: (seq) => edit((lines) => lines.map((line, i) => (i === seq - 1 ? changed(line, true) : line))),
      remove: (...seqs) => edit((lines) => lines.filter((_, i) => !seqs.includes(i + 1))),
      swap: (a, b) =>
        edit((lines) => lines.map((line, i) => (i === a - 1 ? lines[b - 1]! : i === b - 1 ? lines[a - 1]! : line))),
    },
    verify: (heads) => verifyFileRegister(dir, heads),
    cleanup: remove,
  };
}

async function postgresStore(): Promise<Store> {
  const schema = await testSchema();
  const register = await open(postgresConfig(schema.url));
  const records: StoredQueryRecord[] = [];
  for (let n = 1; n <= 6; n++) records.push(await register.append(queryInput(n)));
  await register.close();
  // Only with the append-only triggers disabled, as the table's owner could.
  const unguarded = async (...statements: [sql: string, params: unknown[]][]) => {
    await schema.admin.query('ALTER TABLE query_register DISABLE TRIGGER USER');
    for (const [sql, params] of statements) await schema.admin.query(sql, params);
    await schema.admin.query('ALTER TABLE query_register ENABLE TRIGGER USER');
  };
  return {
    url: schema.url,
    records,
    tamper: {
      edit: (seq) => unguarded([`UPDATE query_register SET purpose = 'none' WHERE seq = $1`, [seq]]),
      forge: (seq) =>
        unguarded([
          `UPDATE query_register SET purpose = 'none', hash = $2 WHERE seq = $1`,
          [seq, recordHash({ ...records[seq - 1]!, purpose: 'none' })],
        ]),
      remove: (...seqs) => unguarded(['DELETE FROM query_register WHERE seq = ANY($1)', [seqs]]),
      swap: (a, b) =>
        unguarded(
          ['UPDATE query_register SET seq = -seq WHERE seq IN ($1, $2)', [a, b]],
          [
            'UPDATE query_register SET seq = CASE seq WHEN $1::bigint THEN $2::bigint ELSE $3::bigint END WHERE seq < 0',
            [-a, b, a],
          ],
        ),
    },
    verify: (heads) => verifyPostgresRegister(schema.url, heads),
    cleanup: schema.drop,
  };
}

/** Problems without their writer (always gw-1 here); toEqual ignores an undefined property. */
const problems = (report: VerifyReport) =>
  report.chains.flatMap((chain) => chain.problems.map((problem) => ({ ...problem, writer: undefined })));

const missing = (from: number, to = from): Omit<ChainProblem, 'writer'> => ({
  kind: 'missing',
  seq: from,
  ...(to > from ? { toSeq: to } : {}),
  message: `${from === to ? `seq ${from} is` : `seq ${from} to ${to} are`} missing: removed from the chain`,
});

describe.each([
  { name: 'file store', setup: fileStore, line: (n: number) => ({ line: n }) },
  { name: 'PostgreSQL', setup: postgresStore, line: () => ({}) },
])('verify on the $name', ({ name, setup, line }) => {
  let store: Store;
  let head: ChainHead;

  beforeEach(async () => {
    store = await setup();
    head = { writer: 'gw-1', seq: 6, hash: store.records[5]!.hash };
  });

  afterEach(() => store.cleanup());

  it('finds an intact chain intact, and reports its head', async () => {
    expect(await store.verify([head])).toEqual({
      ok: true,
      chains: [{ writer: 'gw-1', records: 6, head, tornTailBytes: 0, problems: [], moreProblems: 0 }],
    });
  });

  it('detects an edited record by its hash', async () => {
    await store.tamper.edit(3);
    const report = await store.verify();
    expect(report.ok).toBe(false);
    expect(problems(report)).toEqual([
      {
        kind: 'hash-mismatch',
        seq: 3,
        ...line(3),
        message: 'seq 3 does not match its hash: the record was changed after it was written',
      },
    ]);
  });

  it('detects an edited record given a new hash by the link from the next one', async () => {
    await store.tamper.forge(3);
    expect(problems(await store.verify())).toEqual([
      {
        kind: 'prev-hash-mismatch',
        seq: 4,
        ...line(4),
        message: 'seq 4 does not link to seq 3: seq 3 was replaced, or seq 4 was changed',
      },
    ]);
  });

  it('detects removed records by the gap they leave', async () => {
    await store.tamper.remove(2);
    expect(problems(await store.verify())).toEqual([missing(2)]);
  });

  it('detects a removed run of records', async () => {
    await store.tamper.remove(3, 4, 5);
    expect(problems(await store.verify())).toEqual([missing(3, 5)]);
  });

  it('detects reordered records', async () => {
    await store.tamper.swap(3, 4);
    const found = problems(await store.verify());
    if (name === 'file store') {
      // The lines changed places: each record is intact, in the wrong place.
      expect(found).toEqual([
        { kind: 'out-of-order', seq: 3, line: 4, message: 'seq 3 is stored after seq 4: records were reordered' },
      ]);
    } else {
      // Rows have no order but their seq: swapping places means rewriting seq, which is hashed.
      expect(found.map((problem) => [problem.kind, problem.seq])).toEqual([
        ['hash-mismatch', 3],
        ['prev-hash-mismatch', 3],
        ['hash-mismatch', 4],
        ['prev-hash-mismatch', 4],
        ['prev-hash-mismatch', 5],
      ]);
    }
  });

  it('cannot see removed last records without a recorded head, and can with one', async () => {
    await store.tamper.remove(5, 6);
    const alone = await store.verify();
    expect(alone.ok).toBe(true);
    expect(alone.chains[0]!.head).toEqual({ writer: 'gw-1', seq: 4, hash: store.records[3]!.hash });

    const anchored = await store.verify([head]);
    expect(anchored.ok).toBe(false);
    expect(problems(anchored)).toEqual([
      {
        kind: 'truncated',
        seq: 5,
        toSeq: 6,
        message: 'the chain ends at seq 4, but its head was recorded at seq 6: the last 2 records were removed',
      },
    ]);
  });

  it('accepts a chain that grew past its recorded head, and detects one rewritten before it', async () => {
    expect((await store.verify([{ writer: 'gw-1', seq: 4, hash: store.records[3]!.hash }])).ok).toBe(true);
    const wrong = { writer: 'gw-1', seq: 4, hash: 'f'.repeat(64) };
    expect(problems(await store.verify([wrong]))).toEqual([
      {
        kind: 'head-mismatch',
        seq: 4,
        message: `seq 4 has hash ${store.records[3]!.hash}, but its recorded head is ${'f'.repeat(64)}: the chain was rewritten from there`,
      },
    ]);
  });

  it('detects a whole chain removed when its head was recorded', async () => {
    const report = await store.verify([head, { writer: 'gw-9', seq: 12, hash: 'e'.repeat(64) }]);
    expect(report.ok).toBe(false);
    expect(report.chains.map((chain) => chain.writer)).toEqual(['gw-1', 'gw-9']);
    expect(report.chains[1]!.problems).toEqual([
      {
        writer: 'gw-9',
        kind: 'chain-missing',
        seq: 1,
        toSeq: 12,
        message: "there is no chain for writer 'gw-9', whose head was recorded at seq 12: it was removed",
      },
    ]);
  });

  it('exits 0 from the command line when intact, and 1 with the report when not', async () => {
    const run = async (...argv: string[]) => {
      let stdout = '';
      let stderr = '';
      const code = await runRegisterCli(['verify', ...argv], {
        env: {},
        stdout: { write: (text: string) => (stdout += text) },
        stderr: { write: (text: string) => (stderr += text) },
      });
      const hashes = (text: string) => text.replace(/[0-9a-f]{64}/g, (hash) => `<${hash.slice(0, 8)}>`);
      return { code, stdout: hashes(stdout), stderr };
    };
    const source = name === 'file store' ? ['--dir', store.url] : ['--database-url', store.url];
    const intact = await run(...source);
    expect(intact.code).toBe(0);
    expect(intact.stdout).toBe(
      [
        'chain gw-1: 6 records, intact',
        `  head gw-1:6:<${head.hash.slice(0, 8)}>`,
        'register intact: 1 chain, 6 records',
        'A removed last record leaves no trace in the chain itself: keep the heads above, and pass them to the next verify as --expect-head writer:seq:hash.',
        '',
      ].join('\n'),
    );

    await store.tamper.edit(2);
    await store.tamper.remove(6);
    const damaged = await run(...source, '--expect-head', `gw-1:6:${head.hash}`);
    expect(damaged.code).toBe(1);
    expect(damaged.stdout).toBe(
      [
        'chain gw-1: 5 records, 2 problems',
        `  head gw-1:5:<${store.records[4]!.hash.slice(0, 8)}>`,
        `  hash-mismatch${name === 'file store' ? ' (line 2)' : ''}: seq 2 does not match its hash: the record was changed after it was written`,
        '  truncated: the chain ends at seq 5, but its head was recorded at seq 6: the last record was removed',
        'register DAMAGED: 2 problems in 1 chain, 5 records',
        'A removed last record leaves no trace in the chain itself: keep the heads above, and pass them to the next verify as --expect-head writer:seq:hash.',
        '',
      ].join('\n'),
    );
  });
});

describe('verify on the file store, line by line', () => {
  let dir: string;
  let remove: () => Promise<void>;
  let lines: string[];
  const path = () => join(dir, 'gw-1.jsonl');

  beforeEach(async () => {
    ({ dir, remove } = await tempDir());
    const register = await open(fileConfig(dir));
    for (let n = 1; n <= 4; n++) await register.append(queryInput(n));
    await register.close();
    lines = (await readFile(path(), 'utf8')).split('\n').slice(0, -1);
  });

  afterEach(() => remove());

  it('reports an unreadable line and the record it held', async () => {
    await writeFile(path(), [lines[0], '{"seq":', lines[2], lines[3], ''].join('\n'));
    expect(problems(await verifyFileRegister(dir))).toEqual([
      { kind: 'unreadable', seq: null, line: 2, message: 'line 2 is not a register record (not JSON)' },
      missing(2),
    ]);
  });

  it('reports a record copied into the chain twice', async () => {
    await writeFile(path(), [lines[0], lines[1], lines[1], lines[2], lines[3], ''].join('\n'));
    expect(problems(await verifyFileRegister(dir))).toEqual([
      { kind: 'duplicate', seq: 2, line: 3, message: 'seq 2 appears more than once' },
    ]);
  });

  it('reports a record moved from another chain', async () => {
    await writeFile(join(dir, 'gw-2.jsonl'), `${lines[0]}\n`);
    const report = await verifyFileRegister(dir);
    expect(report.chains.map((chain) => [chain.writer, chain.problems])).toEqual([
      ['gw-1', []],
      ['gw-2', [{ writer: 'gw-2', kind: 'wrong-writer', seq: 1, line: 1, message: "seq 1 belongs to writer 'gw-1'" }]],
    ]);
  });

  it('leaves an incomplete last line out of the chain, with a note', async () => {
    await writeFile(path(), [...lines, '{"writer":"gw-1","se'].join('\n'));
    const report = await verifyFileRegister(dir);
    expect(report.ok).toBe(true);
    expect(report.chains[0]).toMatchObject({ records: 4, tornTailBytes: 20 });
  });

  // Each run starts Node with tsx: about a second.
  it('runs as a command of its own, configured like the gateway', { timeout: 30_000 }, async () => {
    const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
    const run = (args: string[], env: Record<string, string> = {}) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], {
          env: {
            ...process.env,
            ...env,
            ...SOURCE_CHILD_ENV,
          },
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('error', reject).on('close', (code) => resolve({ code, stdout, stderr }));
      });
    const intact = await run(['verify'], { REGISTER_DIR: dir });
    expect(intact).toMatchObject({ code: 0, stderr: '' });
    expect(intact.stdout).toContain('register intact: 1 chain, 4 records');

    await writeFile(path(), [lines[0], lines[2], lines[3], ''].join('\n'));
    const damaged = await run(['verify', '--dir', dir]);
    expect(damaged.code).toBe(1);
    expect(damaged.stdout).toContain('  missing: seq 2 is missing: removed from the chain');

    expect(await run(['check'])).toMatchObject({ code: 2, stdout: '' });
    expect(await run(['verify', '--expect-head', 'gw-1:x:y'])).toMatchObject({
      code: 2,
      stderr: "--expect-head must be writer:seq:hash (a SHA-256 in hex), got 'gw-1:x:y'\n",
    });
    expect(await run(['verify', '--dir', join(dir, 'nowhere')])).toMatchObject({ code: 2, stdout: '' });
  });
});
