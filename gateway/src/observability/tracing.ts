/**
 * OpenTelemetry tracing of the request pipeline, as a plugin (pipeline/hooks.ts). One trace per
 * request, continuing the caller's W3C `traceparent` when it sends a valid one:
 *
 *   POST /graphql                       (SERVER, the request)
 *   ├─ authorize  step=identify         (stage 2: token, purpose, request budgets)
 *   ├─ parse                            (stage 4: persisted query, parse, validate, variables)
 *   ├─ limits                           (stage 5)
 *   ├─ authorize  step=policy           (stage 6: tier's fields, consents)
 *   ├─ execute                          (stage 7)
 *   │  ├─ plan                          (cached or built)
 *   │  └─ fetch <subgraph>              (CLIENT, one per fetch; its traceparent goes to the subgraph)
 *   │        └─ fetch <subgraph> merged (CLIENT, when merged with other fetches: linked to each)
 *   └─ register commit                  (stage 10)
 *
 * A merged request belongs to several requests: its span is a child of the first fetch it carries
 * and links every fetch that shares it, the first included; the subgraph continues its trace. A
 * fetch answered by an identical fetch's request in flight (DEDUPE) links to that fetch's span.
 * What spans may carry is the rule in common/src/tracing.ts: no personal data, no variables, no
 * tokens. Spans are parented explicitly from the request context, never through async context.
 */
import {
  endSpanFailed,
  extractTraceContext,
  injectTraceContext,
  ROOT_CONTEXT,
  screenedName,
  spanContextOf,
  SpanKind,
  trace,
  type Context,
  type Link,
  type Span,
  type Tracer,
} from '@credit-gateway/common';
import type { RequestContext } from '../pipeline/context.js';
import type { GatewayPlugin, StageName } from '../pipeline/hooks.js';

/** What a request's spans hang from. */
interface RequestSpans {
  request: Context;
  /** The execute span's context, while it runs. */
  execute?: Context;
}

const STAGE_SPANS: Record<StageName, { name: string; step?: string }> = {
  identify: { name: 'authorize', step: 'identify' },
  'resolve-document': { name: 'parse' },
  limits: { name: 'limits' },
  policy: { name: 'authorize', step: 'policy' },
  plan: { name: 'plan' },
};

export function createTracingPlugin(tracer: Tracer): GatewayPlugin {
  const requests = new WeakMap<RequestContext, RequestSpans>();

  /** The context a span of this request starts in: under execute when it runs, else the request. */
  const parentOf = (context: RequestContext, underExecute: boolean): Context => {
    const spans = requests.get(context);
    if (!spans) return ROOT_CONTEXT;
    return (underExecute && spans.execute) || spans.request;
  };

  const child = (
    context: RequestContext,
    name: string,
    attributes: Record<string, string | number | boolean>,
    underExecute = false,
    kind: SpanKind = SpanKind.INTERNAL,
  ): Span => tracer.startSpan(name, { kind, attributes }, parentOf(context, underExecute));

  return {
    name: 'tracing',

    onRequest(context) {
      const { request } = context;
      const attributes: Record<string, string | number> = {
        'http.request.method': request.method ?? 'GET',
        'url.path': context.url.pathname,
      };
      // An id the gateway made (a random UUID) is kept whole, so that an operator can find the trace
      // of any request from its logs; one the caller sent may carry anything and is screened.
      const callerSent = request.headers['x-request-id'] === context.requestId;
      const requestId = callerSent ? screenedName(context.requestId) : context.requestId;
      if (requestId) attributes['credit.request_id'] = requestId;
      const parent = extractTraceContext(request.headers);
      const span = tracer.startSpan(
        `${request.method ?? 'GET'} ${context.url.pathname}`,
        { kind: SpanKind.SERVER, attributes },
        parent,
      );
      requests.set(context, { request: trace.setSpan(parent, span) });
      return (end) => {
        span.setAttributes({
          'http.response.status_code': end.status,
          'credit.outcome': end.outcome,
          'credit.registered': end.registered,
          'credit.tier': context.caller.tier,
        });
        if (end.status >= 500) endSpanFailed(span, `HTTP_${end.status}`);
        else span.end();
      };
    },

    onStage(context, { stage }) {
      const { name, step } = STAGE_SPANS[stage];
      const span = child(context, name, step ? { 'credit.authorize.step': step } : {}, stage === 'plan');
      return (end) => {
        if (end.cached !== undefined) span.setAttribute('credit.plan.cached', end.cached);
        span.setAttribute('credit.refused', end.refused);
        span.end();
      };
    },

    onDocument(context, document) {
      const span = trace.getSpan(parentOf(context, false));
      const name = screenedName(document.operationName);
      if (name) span?.setAttribute('graphql.operation.name', name);
      span?.setAttribute('graphql.operation.type', document.operationType);
    },

    onExecute(context) {
      const span = child(context, 'execute', {});
      const spans = requests.get(context);
      if (spans) spans.execute = trace.setSpan(spans.request, span);
      return (end) => {
        span.setAttribute('credit.errors', end.errors);
        if (spans) spans.execute = undefined;
        span.end();
      };
    },

    onSubgraphFetch(context, fetch) {
      const span = child(
        context,
        `fetch ${fetch.subgraph}`,
        { 'credit.subgraph': fetch.subgraph },
        true,
        SpanKind.CLIENT,
      );
      injectTraceContext(span, fetch.propagation);
      return (end) => {
        span.setAttribute('credit.errors', end.errors);
        // Answered by an identical fetch's request (DEDUPE): linked to the fetch that sent it.
        const shared = end.sharedWith && spanContextOf(end.sharedWith);
        if (shared) {
          span.addLink({ context: shared });
          span.setAttribute('credit.fetch.shared', true);
        }
        if (end.outcome === 'OK') span.end();
        else endSpanFailed(span, end.outcome);
      };
    },

    onSubgraphMerge(merge) {
      const links: Link[] = [];
      for (const headers of merge.operations) {
        const linked = spanContextOf(headers);
        if (linked) links.push({ context: linked });
      }
      const first = links[0]?.context;
      const parent = first ? trace.setSpanContext(ROOT_CONTEXT, first) : ROOT_CONTEXT;
      const span = tracer.startSpan(
        `fetch ${merge.subgraph} merged`,
        {
          kind: SpanKind.CLIENT,
          links,
          attributes: { 'credit.subgraph': merge.subgraph, 'credit.merge.operations': merge.operations.length },
        },
        parent,
      );
      injectTraceContext(span, merge.propagation);
      return (end) => {
        span.setAttribute('credit.merge.outcome', end.outcome);
        if (end.outcome === 'FAILED') endSpanFailed(span, 'SUBGRAPH_REQUEST_FAILED');
        else span.end();
      };
    },

    onRegister(context) {
      const span = child(context, 'register commit', {});
      return (end) => {
        span.setAttribute('credit.register.committed', end.committed);
        if (end.committed) span.end();
        else endSpanFailed(span, 'REGISTER_UNAVAILABLE');
      };
    },
  };
}
