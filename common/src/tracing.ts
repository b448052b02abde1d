/**
 * OpenTelemetry tracing, shared by the gateway and the subgraphs: turned on at start-up by
 * `startTracing` (OTLP export when OTEL_EXPORTER_OTLP_ENDPOINT is set), off otherwise. Off, nothing
 * of the SDK runs on a request: `activeTracer()` is undefined and every caller checks it first.
 *
 * The personal-data rule for every span, event and status the product makes:
 * - attributes carry only what the code itself names: stages, subgraphs, departments, operation
 *   names and types, tiers, outcomes, error codes, HTTP methods and statuses, counts and durations;
 * - never a value a request carries: no variables, no argument literals, no query text and no hash
 *   of it (an identifier inline in the text could be found again by hashing candidates), no
 *   tokens or consents, no header besides the W3C trace context, no answer data, no error message;
 * - credit codes are public identifiers of enterprises, but they travel in variables beside
 *   identity card numbers and so never appear either;
 * - a name the caller chooses (operation name, request id) is kept only when it holds fewer than
 *   six digits, whatever stands between them (`mayCarryPersonalData`, `screenedName`), so
 *   that no identity card number, credit code or phone number rides in on it. The gateway's metric
 *   labels follow the same function.
 * gateway/test/tracing.e2e.ts proves it on real profile queries.
 */
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context as otelContext,
  trace,
  type Context,
  type Link,
  type Span,
  type SpanContext,
  type Tracer,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { EnvReader } from './config.js';

export {
  SpanKind,
  SpanStatusCode,
  ROOT_CONTEXT,
  trace,
  type Context,
  type Link,
  type Span,
  type SpanContext,
  type Tracer,
};

export interface TracingConfig {
  /** OTLP/HTTP base URL (`/v1/traces` is appended), or undefined: tracing off. */
  endpoint: string | undefined;
  /** Share of traces started here (no sampled parent) that are recorded, 0 to 1. */
  sampleRatio: number;
}

export function readTracingConfig(reader: EnvReader): TracingConfig {
  reader = reader.section('Tracing');
  return {
    endpoint: reader.url(
      'OTEL_EXPORTER_OTLP_ENDPOINT',
      undefined,
      'OTLP/HTTP collector that receives OpenTelemetry traces (`/v1/traces` is appended); tracing is off when unset',
    ),
    sampleRatio: reader.number(
      'TRACE_SAMPLE_RATIO',
      1,
      { min: 0, max: 1 },
      "Share of traces started here that are recorded; a caller's sampled `traceparent` is always followed",
    ),
  };
}

export interface StartTracingOptions {
  /** service.name of every span. */
  service: string;
  /** Where spans go instead of OTLP (tests: an InMemorySpanExporter, sent span by span). */
  exporter?: SpanExporter;
  endpoint?: string | undefined;
  sampleRatio?: number;
}

export interface Tracing {
  tracer: Tracer;
  /** Sends what is buffered. */
  flush(): Promise<void>;
  /** Sends what is buffered and turns tracing off. */
  shutdown(): Promise<void>;
}

let active: Tracing | undefined;
const propagator = new W3CTraceContextPropagator();

/** The process's tracer, or undefined when tracing is off. */
export function activeTracer(): Tracer | undefined {
  return active?.tracer;
}

/**
 * Turns tracing on for this process, once: OTLP to `endpoint`, or the given exporter; returns
 * undefined (and does nothing) when neither is given. The async context manager is installed so
 * that a subgraph's department calls find the span of the request they serve.
 */
export function startTracing(options: StartTracingOptions): Tracing | undefined {
  if (active) return active;
  const exporter =
    options.exporter ??
    (options.endpoint
      ? new OTLPTraceExporter({ url: `${options.endpoint.replace(/\/+$/, '')}/v1/traces` })
      : undefined);
  if (!exporter) return undefined;
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.service }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(options.sampleRatio ?? 1) }),
    // A test's exporter gets each span as it ends; OTLP gets batches, off the request path.
    spanProcessors: [options.exporter ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter)],
  });
  otelContext.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const tracing: Tracing = {
    tracer: provider.getTracer('credit-gateway'),
    flush: () => provider.forceFlush(),
    shutdown: async () => {
      if (active === tracing) active = undefined;
      await provider.shutdown();
      otelContext.disable();
    },
  };
  active = tracing;
  return tracing;
}

type Headers = Readonly<Record<string, string | string[] | undefined>>;

const headerGetter = {
  keys: (carrier: Headers) => Object.keys(carrier),
  // A header sent twice is ambiguous, and ignored as W3C Trace Context asks.
  get: (carrier: Headers, key: string) => {
    const value = carrier[key];
    return Array.isArray(value) ? (value.length === 1 ? value[0] : undefined) : value;
  },
};

const headerSetter = {
  set: (carrier: Record<string, string>, key: string, value: string) => {
    carrier[key] = value;
  },
};

/**
 * The caller's W3C trace context (`traceparent`, `tracestate`) from request headers, as the parent
 * of the request's span; a missing or malformed one is no parent, never an error.
 */
export function extractTraceContext(headers: Headers): Context {
  try {
    return propagator.extract(ROOT_CONTEXT, headers, headerGetter);
  } catch {
    return ROOT_CONTEXT;
  }
}

/** Writes `span`'s W3C trace context into outgoing headers. */
export function injectTraceContext(span: Span, headers: Record<string, string>): void {
  propagator.inject(trace.setSpan(ROOT_CONTEXT, span), headers, headerSetter);
}

/** The span context a set of propagation headers names, or undefined. */
export function spanContextOf(headers: Headers): SpanContext | undefined {
  return trace.getSpanContext(extractTraceContext(headers));
}

/**
 * Six digits anywhere in the name, whatever stands between them: an identity card number
 * (`510107198203154517`), a credit code (its six-digit division code: `91500112MA60YD7K76`), a
 * phone or account number, whole or cut up as a GraphQL name can be (`P_510_107_198…`,
 * `Q51010x71982x…`). A name of the gateway's users holds a version or a year at the most.
 */
const PERSONAL_DIGITS = /(?:\d\D*){6}/;

/**
 * Whether a name the caller chose may carry personal data (see the rule at the top of this
 * file): such a name is never a span attribute, and never a metric label. The one rule for both.
 */
export function mayCarryPersonalData(name: string): boolean {
  return PERSONAL_DIGITS.test(name);
}

/**
 * A name the caller chose (operation name, request id), fit for a span: bounded, and dropped when
 * it may carry personal data.
 */
export function screenedName(name: string | null | undefined): string | undefined {
  if (!name || name.length > 128 || mayCarryPersonalData(name)) return undefined;
  return name;
}

/** Ends a span as failed, with a code as its status message: never an error's own message. */
export function endSpanFailed(span: Span, code: string): void {
  span.setAttribute('credit.error.code', code);
  span.setStatus({ code: SpanStatusCode.ERROR, message: code });
  span.end();
}

/**
 * Runs `work` inside a child span of the active context (a subgraph request's), when tracing is
 * on; a SourceError or any other failure ends the span failed with its code.
 */
export async function inSpan<T>(
  name: string,
  kind: SpanKind,
  attributes: Record<string, string | number | boolean>,
  work: (span: Span | undefined) => Promise<T>,
): Promise<T> {
  const tracer = active?.tracer;
  if (!tracer) return work(undefined);
  const span = tracer.startSpan(name, { kind, attributes });
  try {
    const result = await otelContext.with(trace.setSpan(otelContext.active(), span), () => work(span));
    span.end();
    return result;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    endSpanFailed(span, typeof code === 'string' && /^[A-Z_]{1,64}$/.test(code) ? code : 'INTERNAL_SERVER_ERROR');
    throw error;
  }
}

/** Runs `work` in `parent` as the active context (a subgraph request, under the gateway's span). */
export function withTraceContext<T>(parent: Context, work: () => T): T {
  return otelContext.with(parent, work);
}
