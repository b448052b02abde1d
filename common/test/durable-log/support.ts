/** A small record format for testing the durable log on its own: a body of text per record. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  canonicalJson,
  CHAIN_NAME_PATTERN,
  HASH_PATTERN,
  sealedHash,
  type LogFormat,
  type LogTable,
} from '../../src/durable-log/index.js';
import { testSchema as postgresSchema } from '../support/postgres.js';

export interface Note {
  writer: string;
  seq: number;
  prevHash: string;
  hash: string;
  body: string;
}

export const noteFormat: LogFormat<string, Note> = {
  noun: 'note',
  seal: (body, writer, prev) => {
    const unsealed = { writer, seq: prev.seq + 1, prevHash: prev.hash, body };
    return { ...unsealed, hash: sealedHash(unsealed) };
  },
  link: (note) => note,
  hashOf: (note) => sealedHash(note),
  line: canonicalJson,
  parse: (value) => {
    const note = value as Partial<Note> | null;
    if (note === null || typeof note !== 'object') return 'not an object';
    if (typeof note.writer !== 'string' || !CHAIN_NAME_PATTERN.test(note.writer)) return 'bad writer';
    if (!Number.isSafeInteger(note.seq) || note.seq! < 1) return 'bad seq';
    if (typeof note.prevHash !== 'string' || !HASH_PATTERN.test(note.prevHash)) return 'bad prevHash';
    if (typeof note.hash !== 'string' || !HASH_PATTERN.test(note.hash)) return 'bad hash';
    if (typeof note.body !== 'string') return 'bad body';
    return note as Note;
  },
};

export const notesTable: LogTable<Note> = {
  table: 'notes',
  name: 'note log',
  columns: [
    { name: 'writer', type: 'text NOT NULL' },
    { name: 'seq', type: 'bigint NOT NULL' },
    { name: 'prev_hash', type: 'text NOT NULL' },
    { name: 'hash', type: 'text NOT NULL' },
    { name: 'body', type: 'text NOT NULL' },
  ],
  chains: { column: 'writer' },
  seqColumn: 'seq',
  ddlLock: 4_009_001,
  values: (note) => [note.writer, note.seq, note.prevHash, note.hash, note.body],
  fromRow: (row) => ({
    writer: row['writer'],
    seq: Number(row['seq']),
    prevHash: row['prev_hash'],
    hash: row['hash'],
    body: row['body'],
  }),
};

export async function tempDir(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'durable-log-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export { POSTGRES_URL, schemaUrl } from '../support/postgres.js';

/** A schema of the engine's own tests. */
export const testSchema = () => postgresSchema('durable_log_test');
