import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { describeConfig, EnvReader } from '@credit-gateway/common';
import { defaultWorkers, readPerformanceConfig } from '../../src/performance/config.js';

const workers = (env: Record<string, string>): number => readPerformanceConfig(new EnvReader(env)).workers;
const supervised = (env: Record<string, string>): boolean => readPerformanceConfig(new EnvReader(env)).supervised;

describe('the WORKERS default', () => {
  it('is half the cores, rounded down, and never below one process', () => {
    expect([1, 2, 3, 4, 5, 8, 16].map(defaultWorkers)).toEqual([1, 1, 1, 2, 2, 4, 8]);
  });

  it('applies when WORKERS is unset; 0 still means one per core and a number is taken as given', () => {
    expect(workers({})).toBe(defaultWorkers(availableParallelism()));
    expect(workers({ WORKERS: '0' })).toBe(availableParallelism());
    expect(workers({ WORKERS: '3' })).toBe(3);
  });

  it('runs under a primary that replaces a stalled worker, unless WORKERS=1 asks for a single process', () => {
    expect(supervised({})).toBe(true);
    expect(supervised({ WORKERS: '0' })).toBe(true);
    expect(supervised({ WORKERS: '2' })).toBe(true);
    expect(supervised({ WORKERS: '1' })).toBe(false);
  });

  it('is documented as a rule, not as the cores of the machine that wrote the docs', () => {
    const variable = describeConfig((env) => readPerformanceConfig(new EnvReader(env))).find(
      (v) => v.name === 'WORKERS',
    );
    expect(variable?.default).toBe('half the cores, at least 1, under a primary');
  });
});
