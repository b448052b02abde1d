import { describe, expect, it } from 'vitest';
import { ConfigError, silentLogger } from '@credit-gateway/common';
import { lookupQuery } from '../../subgraphs/social-security/src/source/hrss.js';
import { GATEWAY_KEYS } from '../../common/test/support/gateway-identity.js';
import { loadEmbeddedConfig } from '../src/social-security/config.js';
import { loadSeedConfig, NO_FAULTS, openEmbeddedFrontDb, placeholdersInOrder } from '../src/index.js';

/** The gateway's public key, which the subgraph requires. */
const KEY = { GATEWAY_PUBLIC_KEY: GATEWAY_KEYS.GATEWAY_PUBLIC_KEY };

describe('the social security subgraph on the embedded front-end database: config', () => {
  it('defaults to the embedded front-end database with 100,000 subjects', () => {
    const config = loadEmbeddedConfig(KEY);
    expect(config).toMatchObject({
      port: 4004,
      frontDb: null,
      embedded: { population: 100_000, faults: NO_FAULTS },
      sourceTimeoutMs: 2_000,
      sourceBatchSize: 500,
      internalAuth: { clockToleranceSeconds: 5 },
    });
    expect(config.internalAuth.publicKey.export({ format: 'jwk' })).toEqual(JSON.parse(KEY.GATEWAY_PUBLIC_KEY));
  });

  it('reads the embedded stand-in faults from FAULT_*', () => {
    expect(loadEmbeddedConfig({ ...KEY, FAULT_HANG: 'true', FAULT_ERROR_RATE: '0.5' }).embedded).toMatchObject({
      faults: { ...NO_FAULTS, hang: true, errorRate: 0.5 },
    });
  });

  it('reports every problem at once, the subgraph’s and its own, and refuses a PostgreSQL URL', () => {
    let error: unknown;
    try {
      loadEmbeddedConfig({ FRONT_DB_URL: 'postgres://postgres@db/frontdb', FRONT_DB_POPULATION: '-1' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      "GATEWAY_PUBLIC_KEY (or GATEWAY_PUBLIC_KEY_FILE) is required: the gateway's Ed25519 public key",
      "FRONT_DB_POPULATION must be a whole number from 0 to 2000000, got '-1'",
      'FRONT_DB_URL names a PostgreSQL front-end database: run the subgraph itself (subgraphs/social-security/dist/index.js) on it',
    ]);
  });

  it('refuses simulated faults on a real database: FRONT_DB_URL is for the subgraph itself', () => {
    expect(() =>
      loadEmbeddedConfig({ ...KEY, FRONT_DB_URL: 'postgres://postgres@db/frontdb', FAULT_ERROR_RATE: '0.1' }),
    ).toThrow('FRONT_DB_URL names a PostgreSQL front-end database: run the subgraph itself');
  });

  it('needs a database URL to seed', () => {
    expect(() => loadSeedConfig({})).toThrow('FRONT_DB_URL is required');
    expect(
      loadSeedConfig({ FRONT_DB_URL: 'postgresql://postgres@db/frontdb', FRONT_DB_POPULATION: '500' }),
    ).toMatchObject({
      population: 500,
      batchRows: 2_000,
    });
  });
});

describe('the embedded front-end database', () => {
  it('binds by position only when placeholders first appear in order', () => {
    expect(placeholdersInOrder('SELECT $1, $2 UNION ALL SELECT $1, $2')).toBe(true);
    expect(placeholdersInOrder('INSERT INTO t VALUES ($1, $2), ($3, $4)')).toBe(true);
    expect(placeholdersInOrder('SELECT $2, $1')).toBe(false);
    expect(placeholdersInOrder('SELECT $1, $3')).toBe(false);
  });

  it('binds the subgraph’s batch query by position', () => {
    expect(placeholdersInOrder(lookupQuery(3))).toBe(true);
  });

  it('changes its faults at run time and refuses a bad update', async () => {
    const db = await openEmbeddedFrontDb({ population: 0, faults: NO_FAULTS, logger: silentLogger() });
    try {
      expect(db.name).toBe('embedded');
      expect(db.seeded).toMatchObject({ units: expect.any(Number) });
      expect(db.setFaults({ errorRate: 1 })).toEqual({ ...NO_FAULTS, errorRate: 1 });
      await expect(db.run('SELECT 1 AS one', [])).rejects.toMatchObject({ code: 'SOURCE_UNAVAILABLE' });
      expect(() => db.setFaults({ errorRate: 2 } as never)).toThrow('errorRate must be a number from 0 to 1');
      expect(db.setFaults({ errorRate: 0 })).toEqual(NO_FAULTS);
      expect(await db.run('SELECT 1 AS one', [])).toEqual([{ one: 1 }]);
    } finally {
      await db.close();
    }
  });
});
