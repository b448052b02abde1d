import { errorCodeForHttpStatus, SourceError, type SourceName } from './errors.js';
import { activeTracer, inSpan, SpanKind } from './tracing.js';
import type { SourceCallMetrics } from './metrics.js';

export interface SourceRequest {
  method?: 'GET' | 'POST';
  /** Sent as JSON for POST. */
  body?: unknown;
  timeoutMs: number;
  headers?: Record<string, string>;
  /** Where the call's latency and outcome are counted (the subgraph's metrics). */
  metrics?: SourceCallMetrics;
}

/**
 * Calls a department system over HTTP and returns its parsed JSON. Every failure becomes a
 * SourceError naming the source: a timeout is SOURCE_TIMEOUT, a refused connection or a 5xx is
 * SOURCE_UNAVAILABLE, anything unreadable is SOURCE_BAD_RESPONSE. Validating the JSON's shape is
 * the adapter's job, since only it knows the department's format.
 */
export function callSource(source: SourceName, url: string, request: SourceRequest): Promise<unknown> {
  const { metrics } = request;
  return metrics ? metrics.time(source, () => send(source, url, request)) : send(source, url, request);
}

async function send(source: SourceName, url: string, request: SourceRequest): Promise<unknown> {
  const method = request.method ?? (request.body === undefined ? 'GET' : 'POST');
  if (!activeTracer()) return call(source, url, method, request);
  // The department's address only: its path and query may name the subjects asked for.
  const { hostname, port } = new URL(url);
  return inSpan(
    `source ${source}`,
    SpanKind.CLIENT,
    {
      'credit.source': source,
      'http.request.method': method,
      'server.address': hostname,
      'server.port': Number(port) || 80,
    },
    () => call(source, url, method, request),
  );
}

async function call(source: SourceName, url: string, method: string, request: SourceRequest): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: {
        accept: 'application/json',
        ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...request.headers,
      },
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      signal: AbortSignal.timeout(request.timeoutMs),
    });
  } catch (error) {
    throw new SourceError(isTimeout(error) ? 'SOURCE_TIMEOUT' : 'SOURCE_UNAVAILABLE', source, { cause: error });
  }
  const statusCode = errorCodeForHttpStatus(response.status);
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw new SourceError(isTimeout(error) ? 'SOURCE_TIMEOUT' : 'SOURCE_UNAVAILABLE', source, { cause: error });
  }
  if (statusCode) throw new SourceError(statusCode, source, { cause: new Error(`HTTP ${response.status}`) });
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new SourceError('SOURCE_BAD_RESPONSE', source, { cause: error });
  }
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

/** Thrown by adapters when a department's JSON does not have the shape they translate. */
export function badResponse(source: SourceName, detail: string): SourceError {
  return new SourceError('SOURCE_BAD_RESPONSE', source, { cause: new Error(detail) });
}
