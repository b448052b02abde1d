import { describe, expect, it } from 'vitest';
import { ConfigError } from '@credit-gateway/common';
import { GATEWAY_KEYS } from '../../../common/test/support/gateway-identity.js';
import { loadConfig } from '../src/server.js';

/** The gateway's public key, which the subgraph requires. */
const KEY = { GATEWAY_PUBLIC_KEY: GATEWAY_KEYS.GATEWAY_PUBLIC_KEY };

describe('social security config', () => {
  it('uses PostgreSQL when FRONT_DB_URL is set', () => {
    expect(
      loadConfig({ ...KEY, FRONT_DB_URL: 'postgres://postgres@db:5432/frontdb', FRONT_DB_POOL_SIZE: '4' }).frontDb,
    ).toEqual({
      driver: 'postgres',
      url: 'postgres://postgres@db:5432/frontdb',
      poolSize: 4,
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

  it('needs FRONT_DB_URL unless the hosting process supplies the front-end database', () => {
    expect(() => loadConfig(KEY)).toThrow('FRONT_DB_URL is required: the PostgreSQL front-end database');
    expect(loadConfig(KEY, { frontDb: 'supplied' })).toMatchObject({ port: 4004, frontDb: null, sourceBatchSize: 500 });
  });
});
