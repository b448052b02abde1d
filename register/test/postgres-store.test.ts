import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyPostgresRegister, workerRegisterConfig, type QueryRegister, type RegisterConfig } from '../src/index.js';
import { startTcpProxy, type TcpProxy } from '../../common/test/support/tcp-proxy.js';
import { open, outcomes, POSTGRES_URL, postgresConfig, queryInput, schemaUrl, testSchema } from './support/register.js';

describe('the PostgreSQL store', () => {
  let schema: Awaited<ReturnType<typeof testSchema>>;
  let proxy: TcpProxy | undefined;
  const registers: QueryRegister[] = [];
  const openRegister = async (overrides: Partial<RegisterConfig> = {}, url = schema.url) => {
    const register = await open(postgresConfig(url, overrides));
    registers.push(register);
    return register;
  };
  /** The register's connections go through a proxy that can make the server vanish or stall. */
  const throughProxy = async () => {
    const { hostname, port } = new URL(POSTGRES_URL);
    proxy = await startTcpProxy({ host: hostname, port: Number(port) });
    return schemaUrl(`postgres://postgres@127.0.0.1:${proxy.port}/test`, schema.schema);
  };
  const count = async () =>
    (await schema.admin.query<{ n: number }>('SELECT count(*)::int AS n FROM query_register')).rows[0]!.n;

  beforeEach(async () => {
    schema = await testSchema();
  });

  afterEach(async () => {
    for (const register of registers.splice(0)) await register.close();
    await proxy?.close();
    proxy = undefined;
    await schema.drop();
  });

  it('creates its table append-only: UPDATE, DELETE and TRUNCATE are refused', async () => {
    const register = await openRegister();
    await register.append(queryInput(1));
    await expect(
      schema.admin.query(`UPDATE query_register SET purpose = 'none'`),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`[error: the query register is append-only: UPDATE refused]`);
    await expect(schema.admin.query('DELETE FROM query_register')).rejects.toThrowErrorMatchingInlineSnapshot(
      `[error: the query register is append-only: DELETE refused]`,
    );
    await expect(schema.admin.query('TRUNCATE query_register')).rejects.toThrowErrorMatchingInlineSnapshot(
      `[error: the query register is append-only: TRUNCATE refused]`,
    );
    expect(await count()).toBe(1);
    const { rows } = await schema.admin.query<{ indexdef: string }>(
      `SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = 'query_register' ORDER BY indexname`,
      [schema.schema],
    );
    expect(rows.map((row) => row.indexdef.replaceAll(schema.schema, '<schema>'))).toEqual([
      'CREATE UNIQUE INDEX query_register_pkey ON <schema>.query_register USING btree (writer, seq)',
      'CREATE INDEX query_register_subjects ON <schema>.query_register USING gin (subjects)',
    ]);
  });

  it("gives each worker of a gateway its own chain, and every worker's reads all of them at once", async () => {
    const gateway = postgresConfig(schema.url, { writer: 'gw' });
    const [w1, w2] = await Promise.all(
      [1, 2].map((slot) => {
        const register = workerRegisterConfig(gateway, slot);
        expect(register.viaPrimary).toBeUndefined();
        return openRegister(register);
      }),
    );
    expect([w1!.writer, w2!.writer]).toEqual(['gw-w1', 'gw-w2']);
    for (let n = 1; n <= 6; n++) await (n % 2 ? w1! : w2!).append(queryInput(n));
    for (const reader of [w1!, w2!]) {
      const found = await reader.bySubject('91500112MA60YD7K76');
      expect(found.map((record) => [record.requestId, record.writer])).toEqual([
        ['req-6', 'gw-w2'],
        ['req-5', 'gw-w1'],
        ['req-4', 'gw-w2'],
        ['req-3', 'gw-w1'],
        ['req-2', 'gw-w2'],
        ['req-1', 'gw-w1'],
      ]);
    }
    expect((await verifyPostgresRegister(schema.url)).ok).toBe(true);
  });

  it('fails to open when the database cannot be reached', async () => {
    const url = await throughProxy();
    proxy!.setMode('refuse');
    await expect(openRegister({ timeoutMs: 500 }, url)).rejects.toThrow(Error);
  });

  it('rejects appends at once while the database is gone, and continues the chain when it is back', async () => {
    const register = await openRegister({}, await throughProxy());
    const one = await register.append(queryInput(1));
    proxy!.setMode('refuse');
    expect(await outcomes([register.append(queryInput(2)), register.append(queryInput(3))])).toEqual([
      'REGISTER_UNAVAILABLE',
      'REGISTER_UNAVAILABLE',
    ]);
    proxy!.setMode('pass');
    expect(await register.append(queryInput(4))).toMatchObject({ seq: 2, prevHash: one.hash, requestId: 'req-4' });
    expect((await verifyPostgresRegister(schema.url)).ok).toBe(true);
  });

  it('rejects within its timeout while the database does not answer, then carries on', async () => {
    const register = await openRegister({ timeoutMs: 500 }, await throughProxy());
    const one = await register.append(queryInput(1));
    proxy!.setMode('hang');
    expect(await outcomes([register.append(queryInput(2))])).toEqual(['REGISTER_UNAVAILABLE']);
    proxy!.setMode('pass');
    expect(await register.append(queryInput(3))).toMatchObject({ seq: 2, prevHash: one.hash, requestId: 'req-3' });
    expect((await verifyPostgresRegister(schema.url)).ok).toBe(true);
  });

  it('keeps the chain whole when two processes are given the same writer id', async () => {
    const first = await openRegister();
    const second = await openRegister();
    const one = await first.append(queryInput(1));
    // Both read the same tail at start: the second's seq 1 is taken.
    expect(await outcomes([second.append(queryInput(2))])).toEqual(['REGISTER_UNAVAILABLE']);
    // It reads the tail again after a failure, and links to the first's record.
    expect(await second.append(queryInput(3))).toMatchObject({ seq: 2, prevHash: one.hash });
    const report = await verifyPostgresRegister(schema.url);
    expect(report.ok).toBe(true);
    expect(report.chains[0]!.records).toBe(2);
  });

  it('refuses to start when the last record was altered behind its back', async () => {
    const first = await openRegister();
    await first.append(queryInput(1));
    await first.append(queryInput(2));
    await first.close();
    registers.splice(0);
    await schema.admin.query('ALTER TABLE query_register DISABLE TRIGGER USER');
    await schema.admin.query(`UPDATE query_register SET purpose = 'none' WHERE seq = 2`);
    await schema.admin.query('ALTER TABLE query_register ENABLE TRIGGER USER');
    await expect(openRegister()).rejects.toThrowErrorMatchingInlineSnapshot(
      `[RegisterStartError: Query register table query_register, writer 'gw-1', seq 2: the last record does not match its hash. Run the register's verify command, and have an operator decide before anything more is appended.]`,
    );
  });
});
