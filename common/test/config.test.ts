import { describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, EnvReader, type Env } from '../src/config.js';

/** A loader shaped like the services' own: one reader, a section, a cross-field check, done(). */
function loadExample(env: Env) {
  const reader = new EnvReader(env);
  const port = reader.int('PORT', 4000, { min: 0, max: 65_535 }, 'Port the service listens on');
  const cache = reader.section('cache');
  const enabled = cache.bool('CACHE', false, 'Cache answers');
  const ttl = cache.int(
    'CACHE_TTL_MS',
    60_000,
    { min: 1 },
    { text: 'How long an answer is kept', default: 'a minute' },
  );
  const url = cache.url('CACHE_URL', undefined, 'Shared cache; memory only when unset');
  if (enabled && !cache.isSet('CACHE_URL')) cache.problem('CACHE needs CACHE_URL');
  const level = reader.oneOf('LEVEL', ['low', 'high'], 'low', 'How hard to try');
  const tiers = reader.list('TIERS', ['A', 'B'], { text: 'Tiers served', values: '`A`, `B` or `C`, comma-separated' });
  const key = reader.optionalString('KEY', 'Signing key; required');
  if (key === undefined) reader.problem('KEY is required');
  reader.done();
  return { port, enabled, ttl, url, level, tiers, key };
}

describe('EnvReader', () => {
  it('reads the environment and reports every problem at once, sections included', () => {
    expect(loadExample({ PORT: ' 4100 ', KEY: 'k', TIERS: 'A, C,', CACHE_URL: 'redis://h:1/' })).toEqual({
      port: 4100,
      enabled: false,
      ttl: 60_000,
      url: 'redis://h:1',
      level: 'low',
      tiers: ['A', 'C'],
      key: 'k',
    });
    let error: unknown;
    try {
      loadExample({ PORT: '70000', CACHE: 'maybe', CACHE_TTL_MS: '0', LEVEL: 'max' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      "PORT must be a whole number from 0 to 65535, got '70000'",
      "CACHE must be true or false, got 'maybe'",
      `CACHE_TTL_MS must be a whole number from 1 to ${Number.MAX_SAFE_INTEGER}, got '0'`,
      "LEVEL must be one of low, high, got 'max'",
      'KEY is required',
    ]);
    expect(() => loadExample({ CACHE: 'true', KEY: 'k' })).toThrow('CACHE needs CACHE_URL');
  });

  it('describes every variable a loader reads without reading the environment or throwing', () => {
    const variables = describeConfig(loadExample);
    expect(variables).toEqual([
      {
        name: 'PORT',
        section: undefined,
        type: 'integer',
        min: 0,
        max: 65_535,
        default: '4000',
        description: 'Port the service listens on',
      },
      { name: 'CACHE', section: 'cache', type: 'boolean', default: 'false', description: 'Cache answers' },
      {
        name: 'CACHE_TTL_MS',
        section: 'cache',
        type: 'integer',
        min: 1,
        default: 'a minute',
        description: 'How long an answer is kept',
      },
      { name: 'CACHE_URL', section: 'cache', type: 'url', description: 'Shared cache; memory only when unset' },
      {
        name: 'LEVEL',
        section: undefined,
        type: 'choice',
        choices: ['low', 'high'],
        default: 'low',
        description: 'How hard to try',
      },
      {
        name: 'TIERS',
        section: undefined,
        type: 'list',
        default: 'A,B',
        values: '`A`, `B` or `C`, comma-separated',
        description: 'Tiers served',
      },
      { name: 'KEY', section: undefined, type: 'text', description: 'Signing key; required' },
    ]);
  });

  it('records a variable only checked with isSet as undocumented, until a described read of it', () => {
    const checkedOnly = describeConfig((env) => new EnvReader(env).isSet('SECRET'));
    expect(checkedOnly).toEqual([{ name: 'SECRET', section: undefined, type: 'text', description: '' }]);
    const readLater = describeConfig((env) => {
      const reader = new EnvReader(env);
      reader.isSet('SECRET');
      reader.optionalString('SECRET', 'A secret');
      reader.optionalString('SECRET', 'Read twice; the first description stands');
    });
    expect(readLater).toEqual([{ name: 'SECRET', section: undefined, type: 'text', description: 'A secret' }]);
  });

  it('reads nothing from the process environment in describe mode', () => {
    expect(process.env['HOME']).toBeDefined();
    const seen: Array<string | undefined> = [];
    describeConfig((env) => seen.push(new EnvReader(env).string('HOME', 'none', 'Home')));
    expect(seen).toEqual(['none']);
  });
});
