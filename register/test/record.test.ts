import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EnvReader } from '@credit-gateway/common';
import { defaultWriterId, readRegisterConfig } from '../src/config.js';
import { canonicalJson, GENESIS_HASH, inputProblem, parseStoredRecord, recordHash, sealRecord } from '../src/record.js';
import { queryInput } from './support/register.js';

describe('canonical serialization', () => {
  it('sorts keys at every depth, keeps array order and writes no whitespace', () => {
    expect(canonicalJson({ b: [3, { z: 1, a: null }], a: 'x', c: undefined })).toBe(
      '{"a":"x","b":[3,{"a":null,"z":1}]}',
    );
  });

  it('gives the same text whatever order the fields were set in', () => {
    const input = queryInput(1);
    const reversed = Object.fromEntries(Object.entries(input).reverse());
    expect(canonicalJson(reversed)).toBe(canonicalJson(input));
  });
});

describe('sealing a record into a chain', () => {
  it('adds writer, seq and prevHash, and hashes every stored field but the hash', () => {
    const record = sealRecord(queryInput(1), 'gw-1', { seq: 0, hash: GENESIS_HASH });
    const { hash, ...rest } = record;
    expect(rest).toEqual({
      writer: 'gw-1',
      seq: 1,
      prevHash: GENESIS_HASH,
      time: '2026-01-01T00:00:01.000Z',
      requestId: 'req-1',
      caller: 'officer-7',
      client: 'approval-system',
      tier: 'GOVERNMENT',
      purpose: 'licence approval',
      operationName: 'ApprovalCheck',
      operationHash: createHash('sha256').update('query ApprovalCheck { n1 }').digest('hex'),
      subjects: ['91500112MA60YD7K76'],
      fieldsReturned: ['Enterprise.code', 'CourtsSection.dishonestDebtorRecords'],
      fieldsDenied: [],
      outcome: 'OK',
      errorCodes: [],
    });
    expect(hash).toBe(createHash('sha256').update(canonicalJson(rest)).digest('hex'));
    expect(recordHash(record)).toBe(hash);
  });

  // Registers already written must keep verifying: the serialization may never drift.
  it('hashes a known record to a fixed value', () => {
    const record = sealRecord(queryInput(1, { errorCodes: ['CONSENT_REQUIRED'], outcome: 'PARTIAL' }), 'gw-1', {
      seq: 41,
      hash: 'a'.repeat(64),
    });
    expect(record.seq).toBe(42);
    expect(record.hash).toMatchInlineSnapshot(`"ef13c3f929a57d90bf73b9d9bc8a9e17cf43c23c4b2532634a79b0ff2b779bfb"`);
  });

  it('copies the arrays, so later changes by the caller cannot alter what was hashed', () => {
    const input = queryInput(1);
    const subjects = [...input.subjects];
    const record = sealRecord({ ...input, subjects }, 'gw-1', { seq: 0, hash: GENESIS_HASH });
    subjects.push('91350100MA2XH3FN5G');
    expect(record.subjects).toEqual(['91500112MA60YD7K76']);
    expect(recordHash(record)).toBe(record.hash);
  });

  it('keeps only the known fields', () => {
    const input = { ...queryInput(1), token: 'secret' } as ReturnType<typeof queryInput>;
    expect(Object.keys(sealRecord(input, 'gw-1', { seq: 0, hash: GENESIS_HASH }))).not.toContain('token');
  });
});

describe('checking an input', () => {
  it('accepts a complete record', () => {
    expect(inputProblem(queryInput(1))).toBeNull();
    expect(inputProblem(queryInput(1, { caller: null, client: null, purpose: null, operationName: null }))).toBeNull();
  });

  it.each([
    [{ time: '2026-01-01' }, 'time must be an ISO 8601 time as Date#toISOString writes it'],
    [{ time: 'yesterday' }, 'time must be an ISO 8601 time as Date#toISOString writes it'],
    [{ tier: 'ADMIN' }, 'tier must be one of the tiers'],
    [{ outcome: 'FINE' }, 'outcome must be one of the outcomes'],
    [{ operationHash: 'ABC' }, 'operationHash must be a SHA-256 in lower-case hex'],
    [{ requestId: null }, 'requestId must be a string'],
    [{ caller: 7 }, 'caller must be a string or null'],
    [{ subjects: ['91500112MA60YD7K76', 5] }, 'subjects must be an array of strings'],
    [{ fieldsDenied: undefined }, 'fieldsDenied must be an array of strings'],
    [{ errorCodes: 'CONSENT_REQUIRED' }, 'errorCodes must be an array of strings'],
    // PostgreSQL cannot store these as given, and a record must read back exactly as hashed.
    [{ operationName: 'Op\u0000' }, 'operationName holds a character that cannot be stored'],
    [{ purpose: 'audit \ud800' }, 'purpose holds a character that cannot be stored'],
    [{ subjects: ['\udc00x'] }, 'subjects holds a character that cannot be stored'],
  ])('refuses %j', (overrides, problem) => {
    expect(inputProblem({ ...queryInput(1), ...(overrides as object) })).toBe(problem);
  });

  it('reads back a stored record, and says what is wrong with a damaged one', () => {
    const record = sealRecord(queryInput(1), 'gw-1', { seq: 0, hash: GENESIS_HASH });
    expect(parseStoredRecord(JSON.parse(JSON.stringify(record)))).toEqual(record);
    expect(parseStoredRecord([])).toBe('not an object');
    expect(parseStoredRecord({ ...record, seq: 0 })).toBe('bad seq');
    expect(parseStoredRecord({ ...record, hash: 'x' })).toBe('bad hash');
    expect(parseStoredRecord({ ...record, writer: '../etc' })).toBe('bad writer');
    expect(parseStoredRecord({ ...record, extra: 1 })).toBe('unknown field extra');
    const withoutCodes: Partial<typeof record> = { ...record };
    delete withoutCodes.errorCodes;
    expect(parseStoredRecord(withoutCodes)).toBe('errorCodes must be an array of strings');
  });
});

describe('register configuration', () => {
  const read = (env: Record<string, string>, host = 'gw-host') => {
    const reader = new EnvReader(env);
    const config = readRegisterConfig(reader, host);
    reader.done();
    return config;
  };

  it('defaults to the embedded file store, written as the host', () => {
    expect(read({})).toEqual({
      store: { kind: 'file', dir: '.data/register', indexMaxEntries: 250_000, syncWrites: true },
      writer: 'gw-host',
      timeoutMs: 2_000,
      batchMax: 500,
    });
    expect(read({ REGISTER_SYNC_WRITES: 'false' }).store).toMatchObject({ kind: 'file', syncWrites: false });
  });

  it('uses PostgreSQL when REGISTER_DATABASE_URL is set', () => {
    expect(
      read({
        REGISTER_DATABASE_URL: 'postgres://gateway@db:5432/register',
        REGISTER_WRITER_ID: 'gateway-2',
        REGISTER_TIMEOUT_MS: '500',
        REGISTER_BATCH_MAX: '100',
        REGISTER_POOL_SIZE: '8',
      }),
    ).toEqual({
      store: { kind: 'postgres', url: 'postgres://gateway@db:5432/register', poolSize: 8 },
      writer: 'gateway-2',
      timeoutMs: 500,
      batchMax: 100,
    });
  });

  it('reports every problem at once', () => {
    expect(() =>
      read({
        REGISTER_DATABASE_URL: 'mysql://db/register',
        REGISTER_DIR: '/var/lib/register',
        REGISTER_WRITER_ID: '../gw',
        REGISTER_BATCH_MAX: '5000',
      }),
    ).toThrowErrorMatchingInlineSnapshot(`
      [ConfigError: Invalid configuration:
        - REGISTER_WRITER_ID must be 1 to 64 letters, digits, '.', '_' or '-', not starting with '.', got '../gw'
        - REGISTER_BATCH_MAX must be a whole number from 1 to 2000, got '5000'
        - Set REGISTER_DATABASE_URL or REGISTER_DIR, not both
        - REGISTER_DATABASE_URL must be a postgres:// or postgresql:// URL]
    `);
  });

  it('makes a writer id of any host name', () => {
    expect(defaultWriterId('gateway-7d9f.cluster.local')).toBe('gateway-7d9f.cluster.local');
    expect(defaultWriterId('网关 1')).toBe('---1');
    expect(defaultWriterId('..hidden')).toBe('hidden');
    expect(defaultWriterId('')).toBe('gateway');
  });
});
