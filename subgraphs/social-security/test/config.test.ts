import { describe, expect, it } from 'vitest';
import { ConfigError } from '@credit-gateway/common';
import { NO_FAULTS } from '@credit-gateway/sources';
import { GATEWAY_KEYS } from '../../../common/test/support/gateway-identity.js';
import { loadConfig, loadSeedConfig } from '../src/server.js';

/** The gateway's public key, which the subgraph requires. */
const KEY = { GATEWAY_PUBLIC_KEY: GATEWAY_KEYS.GATEWAY_PUBLIC_KEY };

describe('social security config', () => {
  it('defaults to the embedded front-end database with 100,000 subjects', () => {
    const config = loadConfig(KEY);
    expect(config).toMatchObject({
      port: 4004,
      frontDb: { driver: 'embedded', population: 100_000, faults: NO_FAULTS },
      sourceTimeoutMs: 2_000,
      sourceBatchSize: 500,
      internalAuth: { clockToleranceSeconds: 5 },
    });
    expect(config.internalAuth.publicKey.export({ format: 'jwk' })).toEqual(JSON.parse(KEY.GATEWAY_PUBLIC_KEY));
  });

  it('uses PostgreSQL when FRONT_DB_URL is set', () => {
    expect(
      loadConfig({ ...KEY, FRONT_DB_URL: 'postgres://postgres@db:5432/frontdb', FRONT_DB_POOL_SIZE: '4' }).frontDb,
    ).toEqual({
      driver: 'postgres',
      url: 'postgres://postgres@db:5432/frontdb',
      poolSize: 4,
    });
  });

  it('reads the embedded stand-in faults from FAULT_*', () => {
    expect(loadConfig({ ...KEY, FAULT_HANG: 'true', FAULT_ERROR_RATE: '0.5' }).frontDb).toMatchObject({
      faults: { ...NO_FAULTS, hang: true, errorRate: 0.5 },
    });
  });

  it('reports every problem at once, without echoing a database URL', () => {
    let error: unknown;
    try {
      loadConfig({ FRONT_DB_URL: 'mysql://root:secret@db/frontdb', SOURCE_TIMEOUT_MS: '0' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      "SOURCE_TIMEOUT_MS must be a whole number from 1 to 120000, got '0'",
      "GATEWAY_PUBLIC_KEY (or GATEWAY_PUBLIC_KEY_FILE) is required: the gateway's Ed25519 public key",
      'FRONT_DB_URL must be a postgres:// or postgresql:// URL',
    ]);
  });

  it('refuses simulated faults on a real database', () => {
    expect(() =>
      loadConfig({ ...KEY, FRONT_DB_URL: 'postgres://postgres@db/frontdb', FAULT_ERROR_RATE: '0.1' }),
    ).toThrow('FAULT_ERROR_RATE applies only to the embedded front-end database');
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
