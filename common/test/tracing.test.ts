import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  activeTracer,
  callSource,
  EnvReader,
  extractTraceContext,
  readTracingConfig,
  mayCarryPersonalData,
  screenedName,
  startTracing,
  trace,
  type Tracing,
} from '../src/index.js';

/** A collector and a department in one: answers JSON, keeps what reached it. */
async function server() {
  const received: { method: string; url: string; contentType: string; body: string }[] = [];
  const http: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      received.push({
        method: request.method ?? '',
        url: request.url ?? '',
        contentType: String(request.headers['content-type'] ?? ''),
        body,
      });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => http.close(() => resolve())),
  };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('tracing configuration', () => {
  it('is off by default: no tracer, and a department call makes no span', async () => {
    expect(readTracingConfig(new EnvReader({}))).toEqual({ endpoint: undefined, sampleRatio: 1 });
    expect(startTracing({ service: 'test', endpoint: undefined })).toBeUndefined();
    expect(activeTracer()).toBeUndefined();
    const department = await server();
    cleanups.push(department.close);
    await callSource('market', `${department.url}/gsxt/api`, { timeoutMs: 2_000, body: { code: 'x' } });
    expect(department.received).toHaveLength(1);
  });

  it('exports spans over OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT, without the call path', async () => {
    const collector = await server();
    cleanups.push(collector.close);
    const department = await server();
    cleanups.push(department.close);
    const config = readTracingConfig(new EnvReader({ OTEL_EXPORTER_OTLP_ENDPOINT: `${collector.url}/` }));
    expect(config.endpoint).toBe(collector.url);
    const tracing: Tracing = startTracing({ service: 'subgraph-market', ...config })!;
    cleanups.push(() => tracing.shutdown());
    expect(activeTracer()).toBe(tracing.tracer);

    await callSource('market', `${department.url}/gsxt/api/v1/entinfo/91500155MA5UQ01CXD?id=500155197904120357`, {
      timeoutMs: 2_000,
    });
    await tracing.flush();
    expect(collector.received).toHaveLength(1);
    const [sent] = collector.received as [(typeof collector.received)[number]];
    expect(sent.method).toBe('POST');
    expect(sent.url).toBe('/v1/traces');
    expect(sent.body).toContain('source market');
    expect(sent.body).toContain('subgraph-market');
    expect(sent.body).not.toContain('91500155MA5UQ01CXD');
    expect(sent.body).not.toContain('500155197904120357');
  });
});

describe('trace context from a caller', () => {
  it('takes a valid traceparent, and ignores a malformed one', () => {
    const valid = extractTraceContext({
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      tracestate: 'province=cq',
    });
    expect(trace.getSpanContext(valid)).toMatchObject({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: 1,
    });
    for (const traceparent of [
      '',
      'garbage',
      ['00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', 'twice'],
      '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
      '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01',
      `00-${'a'.repeat(10_000)}-00f067aa0ba902b7-01`,
    ])
      expect(trace.getSpanContext(extractTraceContext({ traceparent })), String(traceparent)).toBeUndefined();
  });

  it('keeps a name the caller chose only when it holds fewer than six digits, whatever stands between them', () => {
    expect(screenedName('ApprovalCheck')).toBe('ApprovalCheck');
    expect(screenedName('Check2025')).toBe('Check2025');
    expect(screenedName('Check_2025_v2')).toBe('Check_2025_v2');
    expect(screenedName('P500155197904120357')).toBeUndefined();
    expect(screenedName('request-91500155')).toBeUndefined();
    expect(screenedName('Person_510_107_198_203_154_517')).toBeUndefined();
    expect(screenedName('Check91500112MA60YD7K76')).toBeUndefined();
    expect(mayCarryPersonalData('Check2025_12')).toBe(true);
    expect(mayCarryPersonalData('Check2025-12')).toBe(true);
    expect(mayCarryPersonalData('Q51010x71982x03154x517')).toBe(true);
    expect(mayCarryPersonalData('Check2025_v2')).toBe(false);
    expect(screenedName('x'.repeat(200))).toBeUndefined();
    expect(screenedName(null)).toBeUndefined();
  });
});
