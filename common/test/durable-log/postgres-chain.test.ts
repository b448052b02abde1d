import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/index.js';
import {
  openTableChain,
  verifyTableChains,
  type ChainRead,
  type TableChain,
  type TableChainOptions,
} from '../../src/durable-log/index.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { noteFormat, notesTable, POSTGRES_URL, schemaUrl, testSchema, type Note } from './support.js';

describe('a chain in a PostgreSQL table', () => {
  let schema: Awaited<ReturnType<typeof testSchema>>;
  let proxy: TcpProxy | undefined;
  const chains: TableChain<string, Note>[] = [];
  const open = async (options: Partial<TableChainOptions<string, Note>> = {}) => {
    const chain = await openTableChain<string, Note>({
      url: schema.url,
      poolSize: 2,
      timeoutMs: 2_000,
      spec: notesTable,
      format: noteFormat,
      writer: 'w1',
      name: 'note log',
      applicationName: 'durable-log-test',
      logger: silentLogger(),
      accept: () => undefined,
      forkHint: 'give each its own writer',
      ...options,
    });
    chains.push(chain);
    return chain;
  };
  const verify = () => verifyTableChains(schema.url, notesTable, noteFormat, { applicationName: 'durable-log-test' });
  /** Connections through a proxy that can make the server vanish. */
  const throughProxy = async () => {
    const { hostname, port } = new URL(POSTGRES_URL);
    proxy = await startTcpProxy({ host: hostname, port: Number(port) });
    return schemaUrl(`postgres://postgres@127.0.0.1:${proxy.port}/test`, schema.schema);
  };

  beforeEach(async () => {
    schema = await testSchema();
  });

  afterEach(async () => {
    for (const chain of chains.splice(0)) await chain.close();
    await proxy?.close();
    proxy = undefined;
    await schema.drop();
  });

  it('creates its table append-only, and writes each batch as rows of one chain', async () => {
    const chain = await open();
    const notes = await chain.append(['a', 'b']);
    expect(notes.map((note) => [note.seq, note.body])).toEqual([
      [1, 'a'],
      [2, 'b'],
    ]);
    await expect(schema.admin.query(`UPDATE notes SET body = 'x'`)).rejects.toThrow(
      'the note log is append-only: UPDATE refused',
    );
    await expect(schema.admin.query('DELETE FROM notes')).rejects.toThrow(
      'the note log is append-only: DELETE refused',
    );
    await expect(schema.admin.query('TRUNCATE notes')).rejects.toThrow('the note log is append-only: TRUNCATE refused');
    expect(await verify()).toMatchObject({ ok: true, chains: [{ writer: 'w1', records: 2 }] });
  });

  it('continues the chain after a reopen, reading all of it or only its tail', async () => {
    const first = await open();
    const written = await first.append(['a', 'b', 'c']);
    const read: Note[] = [];
    const whole = await open({ onRead: (note) => read.push(note) });
    expect(read).toEqual(written);
    const reads: ChainRead[] = [];
    const tailOnly = await open({ accept: (found) => reads.push(found) });
    expect(reads).toEqual([
      {
        where: "table notes, writer 'w1'",
        records: 2,
        unreadable: [],
        unreadableCount: 0,
        unlinked: 0,
        last: { seq: 3 },
        tailProblem: null,
      },
    ]);
    expect([whole.tail, tailOnly.tail]).toEqual([
      { seq: 3, hash: written[2]!.hash },
      { seq: 3, hash: written[2]!.hash },
    ]);
  });

  it('fails appends while the database is gone, and links the next one to the last durable record when it is back', async () => {
    const chain = await open({ url: await throughProxy(), timeoutMs: 1_000 });
    const [one] = await chain.append(['a']);
    proxy!.setMode('refuse');
    await expect(chain.append(['b'])).rejects.toThrow();
    await expect(chain.append(['c'])).rejects.toThrow();
    proxy!.setMode('pass');
    expect(await chain.append(['d'])).toMatchObject([{ seq: 2, prevHash: one!.hash, body: 'd' }]);
    expect(await verify()).toMatchObject({ ok: true, chains: [{ records: 2 }] });
  });

  it('after a failed append, recovers what another process made durable in its place, and links after it', async () => {
    const mine = await open();
    const other = await open();
    const [theirs] = await other.append(['theirs']);
    // Both started from an empty chain: seq 1 is taken.
    await expect(mine.append(['mine'])).rejects.toMatchObject({ code: '23505' });
    expect(await mine.recover()).toEqual([theirs]);
    expect(await mine.recover()).toEqual([]);
    expect(await mine.append(['mine again'])).toMatchObject([{ seq: 2, prevHash: theirs!.hash }]);
    expect(await verify()).toMatchObject({ ok: true, chains: [{ records: 2 }] });
  });

  it('shows its user a last record changed behind the triggers’ back', async () => {
    const chain = await open();
    await chain.append(['a', 'b']);
    await schema.admin.query('ALTER TABLE notes DISABLE TRIGGER USER');
    await schema.admin.query(`UPDATE notes SET body = 'x' WHERE seq = 2`);
    await schema.admin.query('ALTER TABLE notes ENABLE TRIGGER USER');
    const reads: ChainRead[] = [];
    await open({ accept: (read) => reads.push(read) });
    expect(reads[0]!.tailProblem).toEqual({ kind: 'hash-mismatch', seq: 2 });
    expect((await verify()).chains[0]!.problems.map((problem) => [problem.kind, problem.seq])).toEqual([
      ['hash-mismatch', 2],
    ]);
  });

  it('lets one process write the table when exclusive, and the next once it is closed', async () => {
    const exclusive = (waitMs: number) => ({ waitMs, refuse: () => new Error('in use') });
    const first = await open({ exclusive: exclusive(0) });
    await expect(open({ exclusive: exclusive(0) })).rejects.toThrow('in use');
    await first.close();
    const second = await open({ exclusive: exclusive(5_000) });
    expect(await second.append(['a'])).toMatchObject([{ seq: 1 }]);
  });

  it('adds the columns a table created by an earlier version lacks', async () => {
    await schema.admin.query(
      'CREATE TABLE notes (writer text NOT NULL, seq bigint NOT NULL, prev_hash text NOT NULL, hash text NOT NULL, PRIMARY KEY (writer, seq))',
    );
    const chain = await open({
      spec: {
        ...notesTable,
        columns: notesTable.columns.map((column) => (column.name === 'body' ? { ...column, type: 'text' } : column)),
        addedColumns: ['body'],
      },
    });
    expect(await chain.append(['a'])).toMatchObject([{ seq: 1, body: 'a' }]);
    const { rows } = await schema.admin.query<{ body: string }>('SELECT body FROM notes');
    expect(rows).toEqual([{ body: 'a' }]);
  });

  it('creates the indexes a table created by an earlier version lacks, at every start', async () => {
    const spec = { ...notesTable, addedIndexes: ['CREATE INDEX IF NOT EXISTS notes_body ON notes (body)'] };
    const indexes = async () =>
      (
        await schema.admin.query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE tablename = 'notes'`)
      ).rows
        .map((row) => row.indexname)
        .filter((name) => name === 'notes_body');
    const first = await open({ spec });
    await first.append(['a']);
    expect(await indexes()).toEqual(['notes_body']);
    await first.close();
    await schema.admin.query('DROP INDEX notes_body');
    const again = await open({ spec });
    expect(await indexes()).toEqual(['notes_body']);
    expect(await again.append(['b'])).toMatchObject([{ seq: 2, body: 'b' }]);
  });
});
