import { describe, expect, it } from 'vitest';
import { ConfigError, GATEWAY_PORT } from '@credit-gateway/common';
import { loadLauncherConfig } from '../src/launcher-config.js';

describe('npm start configuration', () => {
  it('runs the services at warn on the gateway port unless told otherwise', () => {
    expect(loadLauncherConfig({})).toEqual({ logLevel: 'warn', gatewayPort: GATEWAY_PORT });
    expect(loadLauncherConfig({ LOG_LEVEL: 'debug', PORT: '4400' })).toEqual({ logLevel: 'debug', gatewayPort: 4400 });
  });

  it('refuses a bad level or port before starting anything', () => {
    expect(() => loadLauncherConfig({ LOG_LEVEL: 'loud', PORT: '0' })).toThrow(
      new ConfigError([
        "LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got 'loud'",
        "PORT must be a whole number from 1 to 65535, got '0'",
      ]),
    );
  });
});
