import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  GatewayMetrics,
  NO_OPERATION,
  OperationNames,
  OTHER_OPERATIONS,
} from '../../src/observability/metrics/index.js';
import type { RequestContext } from '../../src/pipeline/index.js';

describe('OperationNames', () => {
  it('keeps the first names as they are, and makes every later one __other__', () => {
    const names = new OperationNames(2);
    expect(names.label('Check')).toBe('Check');
    expect(names.label('Profile')).toBe('Profile');
    expect(names.label('Third')).toBe(OTHER_OPERATIONS);
    expect(names.label('Check')).toBe('Check');
    expect(names.size).toBe(2);
  });

  it('labels an anonymous operation __none__, and a name that is not a plain short GraphQL name __other__', () => {
    const names = new OperationNames(10);
    expect(names.label(null)).toBe(NO_OPERATION);
    expect(names.label('')).toBe(NO_OPERATION);
    for (const name of ['__other__', '_x', 'a"b', 'a\nb', 'x'.repeat(65), 'é'])
      expect(names.label(name)).toBe(OTHER_OPERATIONS);
    expect(names.label('x'.repeat(64))).toBe('x'.repeat(64));
    expect(names.size).toBe(1);
  });
});

describe('GatewayMetrics', () => {
  it('keeps its registry bounded whatever operation names callers send', async () => {
    const metrics = new GatewayMetrics({ maxOperationNames: 5 });
    const { onRequest, onDocument } = metrics.plugin;
    const request = (name: string) => {
      const context = { caller: { tier: 'PUBLIC' } } as RequestContext;
      const end = onRequest!(context);
      onDocument!(context, { operationName: name, operationType: 'query' as never, operationHash: '0' });
      end!({ status: 200, outcome: 'OK', registered: true, durationMs: 1 });
    };
    const series = async () => {
      const all = await metrics.registry.getMetricsAsJSON();
      const requests = all.find((metric) => metric.name === 'credit_gateway_request_duration_seconds')!;
      return requests.values;
    };
    for (let i = 0; i < 5; i++) request(`Name${i}`);
    const bounded = (await series()).length;
    for (let i = 0; i < 10_000; i++) request(`Flood${randomBytes(8).toString('hex')}`);
    const values = await series();
    // One more operation label (__other__), with as many series as any one name has.
    expect(values.length).toBe(bounded + bounded / 5);
    const operations = new Set(values.map((value) => value.labels['operation']));
    expect(operations).toEqual(new Set(['Name0', 'Name1', 'Name2', 'Name3', 'Name4', OTHER_OPERATIONS]));
  });
});
