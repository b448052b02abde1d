import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger, type InternalSigner } from '@credit-gateway/common';
import { createTracingPlugin } from '../../src/observability/tracing.js';
import type { Access, RequestContext } from '../../src/pipeline/context.js';
import { composeHooks } from '../../src/pipeline/hooks.js';
import { SubgraphFetch } from '../../src/pipeline/subgraph-fetch.js';

/**
 * Fetches of several requests merged into one subgraph request: the merged request's span links
 * every request's fetch span, and its own trace context is what the subgraph receives.
 */
const QUERY = 'query Q($code: String) { enterprise(code: $code) { code } }';
const CODES = ['91500112MA60YD7K76', '91500155MA5UQ01CXD', '91310000132200821H'];
const TRACE_IDS = [
  '4bf92f3577b34da6a3ce929d0e0e4736',
  '5bf92f3577b34da6a3ce929d0e0e4737',
  '6bf92f3577b34da6a3ce929d0e0e4738',
];
const CALLER_SPAN = '00f067aa0ba902b7';

const access: Access = { tier: 'GOVERNMENT', client: 'a', purpose: null, consents: {}, department: null };
const signer: InternalSigner = { sign: () => Promise.resolve('token-a') };

/** A subgraph answering each merged copy under its alias, keeping the headers of what it received. */
async function mergingSubgraph() {
  const received: { traceparent: string | undefined; variables: Record<string, string> }[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      const { variables = {} } = JSON.parse(body) as { variables?: Record<string, string> };
      received.push({ traceparent: request.headers.traceparent as string | undefined, variables });
      const data: Record<string, unknown> = {};
      for (const [name, code] of Object.entries(variables)) data[name.replace(/code$/, 'enterprise')] = { code };
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('tracing merged subgraph fetches', () => {
  it('links every request that shares a merged fetch, and sends the merged span to the subgraph', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const hooks = composeHooks([createTracingPlugin(provider.getTracer('test'))], silentLogger());
    const subgraph = await mergingSubgraph();
    cleanups.push(() => subgraph.close());
    const source = new SubgraphFetch('market', subgraph.url, {
      timeoutMs: 5_000,
      performance: { dedupe: true, subgraphConnections: 8, mergeFetches: true },
      signer,
    });
    cleanups.push(() => source.close());

    // Three requests, each in its caller's trace, each under way in its execute stage.
    const contexts = TRACE_IDS.map((traceId, i) => {
      const context = {
        requestId: `request-${i}`,
        logger: silentLogger(),
        hooks,
        access,
        staleSources: new Set(),
        request: { method: 'POST', headers: { traceparent: `00-${traceId}-${CALLER_SPAN}-01` } },
        url: new URL('http://gateway/graphql'),
        caller: { tier: 'GOVERNMENT' },
      } as unknown as RequestContext;
      const endRequest = hooks.onRequest!(context)!;
      const endExecute = hooks.onExecute!(context, { operationName: 'Q', queryHash: 'h' })!;
      return { context, endRequest, endExecute };
    });
    const answers = await Promise.all(
      contexts.map(({ context }, i) =>
        source.process({
          kind: 'incoming operation',
          request: { query: QUERY, variables: { code: CODES[i] } },
          context,
        } as unknown as GraphQLDataSourceProcessOptions<RequestContext>),
      ),
    );
    for (const { endRequest, endExecute } of contexts) {
      endExecute({ durationMs: 1, errors: 0 });
      endRequest({ status: 200, outcome: 'OK', registered: true, durationMs: 1 });
    }
    expect(answers).toEqual(CODES.map((code) => ({ data: { enterprise: { code } } })));
    expect(source.metrics).toMatchObject({ requests: 1, merged: 3 });

    const spans = exporter.getFinishedSpans();
    const fetches = spans.filter((span) => span.name === 'fetch market');
    expect(fetches.map((span) => span.spanContext().traceId).sort()).toEqual([...TRACE_IDS].sort());
    const executes = new Map(
      spans.filter((span) => span.name === 'execute').map((span) => [span.spanContext().spanId, span]),
    );
    for (const fetch of fetches) expect(executes.has(fetch.parentSpanContext!.spanId)).toBe(true);

    const merged = spans.filter((span) => span.name === 'fetch market merged');
    expect(merged).toHaveLength(1);
    const [span] = merged as [(typeof merged)[number]];
    expect(span.attributes['credit.merge.operations']).toBe(3);
    // A link to each request's fetch, in the order of the merged request's copies.
    const byTrace = new Map(fetches.map((fetch) => [fetch.spanContext().traceId, fetch.spanContext().spanId]));
    expect(span.links.map((link) => [link.context.traceId, link.context.spanId])).toEqual(
      TRACE_IDS.map((traceId) => [traceId, byTrace.get(traceId)]),
    );
    // A child of the first request's fetch, in its trace; the subgraph continues the merged span.
    expect(span.spanContext().traceId).toBe(TRACE_IDS[0]);
    expect(span.parentSpanContext?.spanId).toBe(byTrace.get(TRACE_IDS[0]!));
    expect(subgraph.received).toHaveLength(1);
    expect(subgraph.received[0]!.traceparent).toBe(`00-${TRACE_IDS[0]}-${span.spanContext().spanId}-01`);
  });

  it('sends a fetch that is not merged with its own span as traceparent', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const hooks = composeHooks([createTracingPlugin(provider.getTracer('test'))], silentLogger());
    const subgraph = await mergingSubgraph();
    cleanups.push(() => subgraph.close());
    const source = new SubgraphFetch('market', subgraph.url, {
      timeoutMs: 5_000,
      performance: { dedupe: true, subgraphConnections: 8, mergeFetches: true },
      signer,
    });
    cleanups.push(() => source.close());
    const context = {
      requestId: 'request-0',
      logger: silentLogger(),
      hooks,
      access,
      staleSources: new Set(),
      request: { method: 'POST', headers: {} },
      url: new URL('http://gateway/graphql'),
      caller: { tier: 'GOVERNMENT' },
    } as unknown as RequestContext;
    hooks.onRequest!(context);
    await source.process({
      kind: 'incoming operation',
      request: { query: QUERY, variables: { code: CODES[0] } },
      context,
    } as unknown as GraphQLDataSourceProcessOptions<RequestContext>);
    const [fetch] = exporter.getFinishedSpans().filter((span) => span.name === 'fetch market');
    expect(fetch).toBeDefined();
    expect(exporter.getFinishedSpans().some((span) => span.name.endsWith('merged'))).toBe(false);
    expect(subgraph.received[0]!.traceparent).toBe(
      `00-${fetch!.spanContext().traceId}-${fetch!.spanContext().spanId}-01`,
    );
  });

  it('links a fetch that shared an identical fetch in flight to the fetch that sent it', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const hooks = composeHooks([createTracingPlugin(provider.getTracer('test'))], silentLogger());
    const subgraph = await mergingSubgraph();
    cleanups.push(() => subgraph.close());
    const source = new SubgraphFetch('market', subgraph.url, {
      timeoutMs: 5_000,
      performance: { dedupe: true, subgraphConnections: 8, mergeFetches: false },
      signer,
    });
    cleanups.push(() => source.close());
    const contexts = TRACE_IDS.slice(0, 2).map((traceId, i) => {
      const context = {
        requestId: `request-${i}`,
        logger: silentLogger(),
        hooks,
        access,
        staleSources: new Set(),
        request: { method: 'POST', headers: { traceparent: `00-${traceId}-${CALLER_SPAN}-01` } },
        url: new URL('http://gateway/graphql'),
        caller: { tier: 'GOVERNMENT' },
      } as unknown as RequestContext;
      hooks.onRequest!(context);
      return context;
    });
    // The same operation, the same variables, the same access: one request answers both.
    await Promise.all(
      contexts.map((context) =>
        source.process({
          kind: 'incoming operation',
          request: { query: QUERY, variables: { code: CODES[0] } },
          context,
        } as unknown as GraphQLDataSourceProcessOptions<RequestContext>),
      ),
    );
    expect(source.metrics).toMatchObject({ requests: 1, deduplicated: 1 });
    const fetches = exporter.getFinishedSpans().filter((span) => span.name === 'fetch market');
    const [sender, sharer] = TRACE_IDS.slice(0, 2).map((traceId) =>
      fetches.find((span) => span.spanContext().traceId === traceId),
    );
    expect(sender!.links).toEqual([]);
    expect(sharer!.attributes['credit.fetch.shared']).toBe(true);
    expect(sharer!.links.map((link) => link.context.spanId)).toEqual([sender!.spanContext().spanId]);
    expect(subgraph.received[0]!.traceparent).toBe(`00-${TRACE_IDS[0]}-${sender!.spanContext().spanId}-01`);
  });
});
