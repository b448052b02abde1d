import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  verifyFileRegister,
  verifyPostgresRegister,
  type ChainHead,
  type QueryRegister,
  type StoredQueryRecord,
} from '../src/index.js';
import { fileConfig, open, postgresConfig, queryInput, tempDir, testSchema } from './support/register.js';

/**
 * A register written by the gateway before the durable log engine carried it: two chains, and
 * the DDL its PostgreSQL store created. Registers already out there must keep verifying and
 * continuing, so neither file is ever regenerated.
 */
const FIXTURE = fileURLToPath(new URL('./fixtures/before-engine/', import.meta.url));
const WRITERS = ['gw-a', 'gw-b'];
const HEADS: ChainHead[] = [
  { writer: 'gw-a', seq: 3, hash: '1d1aac313b312973884bff880ac1332fd69cc95205907031dbd7626628fc0855' },
  { writer: 'gw-b', seq: 2, hash: 'be953aea2f2691df88e69ffc244ec02161755edc38f45093aff0a098666c513c' },
];

async function fixtureRecords(writer: string): Promise<StoredQueryRecord[]> {
  const text = await readFile(join(FIXTURE, `${writer}.jsonl`), 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as StoredQueryRecord);
}

describe('a register written before the durable log engine', () => {
  const registers: QueryRegister[] = [];

  afterEach(async () => {
    for (const register of registers.splice(0)) await register.close();
  });

  describe('in files', () => {
    let dir: string;
    let remove: () => Promise<void>;

    beforeEach(async () => {
      ({ dir, remove } = await tempDir());
      for (const writer of WRITERS) await copyFile(join(FIXTURE, `${writer}.jsonl`), join(dir, `${writer}.jsonl`));
    });

    afterEach(() => remove());

    it('verifies, reaching the heads recorded then', async () => {
      const report = await verifyFileRegister(dir, HEADS);
      expect(report.ok).toBe(true);
      expect(report.chains.map((chain) => [chain.writer, chain.records, chain.head])).toEqual([
        ['gw-a', 3, HEADS[0]],
        ['gw-b', 2, HEADS[1]],
      ]);
    });

    it('is read at start and continued', async () => {
      const register = await open(fileConfig(dir, { writer: 'gw-a' }));
      registers.push(register);
      expect((await register.bySubject('p:3f2a')).map((record) => record.requestId)).toEqual(['req-3']);
      expect((await register.bySubject('91500112MA60YD7K76')).map((record) => record.requestId)).toEqual([
        'req-5',
        'req-4',
        'req-3',
        'req-2',
        'req-1',
      ]);
      expect(await register.append(queryInput(6))).toMatchObject({ writer: 'gw-a', seq: 4, prevHash: HEADS[0]!.hash });
      expect((await verifyFileRegister(dir, HEADS)).ok).toBe(true);
    });
  });

  describe('in PostgreSQL', () => {
    let schema: Awaited<ReturnType<typeof testSchema>>;

    beforeEach(async () => {
      schema = await testSchema();
      await schema.admin.query(await readFile(join(FIXTURE, 'query_register.sql'), 'utf8'));
      for (const writer of WRITERS) {
        for (const r of await fixtureRecords(writer)) {
          await schema.admin.query(
            `INSERT INTO query_register (writer, seq, prev_hash, hash, time, request_id, caller, client, tier, purpose,
               operation_name, operation_hash, subjects, fields_returned, fields_denied, outcome, error_codes)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
            [
              r.writer,
              r.seq,
              r.prevHash,
              r.hash,
              r.time,
              r.requestId,
              r.caller,
              r.client,
              r.tier,
              r.purpose,
              r.operationName,
              r.operationHash,
              r.subjects,
              r.fieldsReturned,
              r.fieldsDenied,
              r.outcome,
              r.errorCodes,
            ],
          );
        }
      }
    });

    afterEach(() => schema.drop());

    it('verifies, and is continued from its table', async () => {
      expect((await verifyPostgresRegister(schema.url, HEADS)).ok).toBe(true);
      const register = await open(postgresConfig(schema.url, { writer: 'gw-b' }));
      registers.push(register);
      expect((await register.bySubject('p:3f2a')).map((record) => record.requestId)).toEqual(['req-3']);
      expect(await register.append(queryInput(6))).toMatchObject({ writer: 'gw-b', seq: 3, prevHash: HEADS[1]!.hash });
      const report = await verifyPostgresRegister(schema.url, HEADS);
      expect(report.ok).toBe(true);
      expect(report.chains.map((chain) => chain.records)).toEqual([3, 3]);
    });
  });
});
