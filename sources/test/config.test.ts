import { describe, expect, it } from 'vitest';
import { ConfigError, STAND_IN_PORTS } from '@credit-gateway/common';
import { loadStandInConfig } from '../src/config.js';

describe('loadStandInConfig', () => {
  it('runs the stand-in named on the command line, else in STAND_IN, on its own port', () => {
    expect(loadStandInConfig({ STAND_IN: 'tax' }, ['courts'])).toMatchObject({
      name: 'courts',
      port: STAND_IN_PORTS.courts,
      populationSize: 100_000,
      faults: { delayMs: 0, jitterMs: 0, errorRate: 0, garbageRate: 0, hang: false },
    });
    expect(loadStandInConfig({ STAND_IN: 'tax', FAULT_DELAY_MS: '20', PORT: '0' }, [])).toMatchObject({
      name: 'tax',
      port: 0,
      faults: { delayMs: 20 },
    });
  });

  it('reports an unknown stand-in with every other problem', () => {
    let error: unknown;
    try {
      loadStandInConfig({ FAULT_ERROR_RATE: '2' }, ['bank']);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      "unknown stand-in 'bank': use one of market, tax, courts, procurement",
      "FAULT_ERROR_RATE must be a number from 0 to 1, got '2'",
    ]);
  });
});
