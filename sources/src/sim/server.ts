import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { BodyError, readBody, sendJson, type Logger } from '@credit-gateway/common';
import { NO_FAULTS, parseFaultUpdate, type Faults } from './faults.js';

/** What every department stand-in is built from. */
export interface StandInConfig {
  logger: Logger;
  faults?: Faults;
  /** Size of the generated population a stand-in indexes for reverse look-ups (people → orders). */
  populationSize: number;
}

/** What a department endpoint answers. */
export interface StandInResponse {
  status: number;
  body: unknown;
}

export interface StandInRequest {
  query: URLSearchParams;
  /** Parsed JSON body of a POST; undefined for GET. */
  body: unknown;
}

export interface StandInRoute {
  method: 'GET' | 'POST';
  path: string;
  /** Answers a request and says how many subject keys it asked for, for the call statistics. */
  handle(request: StandInRequest): { response: StandInResponse; keys: number };
}

export interface StandInStats {
  /** Requests to department endpoints (control endpoints are not counted). */
  requests: number;
  /** Subject keys asked for across those requests. */
  keys: number;
  /** Most requests in flight at once: how hard an adapter fans out. */
  peakInFlight: number;
  byPath: Record<string, number>;
}

export interface StandInOptions {
  name: string;
  routes: readonly StandInRoute[];
  faults?: Faults;
  logger: Logger;
  /** What the department sends when it fails, in its own format. */
  errorBody: unknown;
}

function emptyStats(): StandInStats {
  return { requests: 0, keys: 0, peakInFlight: 0, byPath: {} };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * An HTTP stand-in for a department system. Besides the department's own endpoints it has
 * control endpoints for tests and benchmarks:
 * - GET /_sim/stats: calls counted since the last reset;
 * - POST /_sim/reset: zero the counters;
 * - PUT /_sim/faults: change delay, error rate, garbage rate or hang at run time.
 */
export type StandInHandler = RequestListener & { faults(): Faults };

export function createStandInHandler(options: StandInOptions): StandInHandler {
  let faults = options.faults ?? NO_FAULTS;
  let stats = emptyStats();
  let inFlight = 0;
  const routes = new Map(options.routes.map((route) => [`${route.method} ${route.path}`, route]));

  async function control(path: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (path === '/_sim/stats' && request.method === 'GET') return sendJson(response, 200, stats);
    if (path === '/_sim/reset' && request.method === 'POST') {
      stats = emptyStats();
      return sendJson(response, 200, stats);
    }
    if (path === '/_sim/faults' && request.method === 'GET') return sendJson(response, 200, faults);
    if (path === '/_sim/faults' && request.method === 'PUT') {
      const update = parseFaultUpdate(parseJson(await readBody(request, 64 * 1024)), faults);
      if (typeof update === 'string') return sendJson(response, 400, { error: update });
      faults = update;
      options.logger.info({ faults }, 'faults changed');
      return sendJson(response, 200, faults);
    }
    if (path === '/healthz') return sendJson(response, 200, { status: 'ok' });
    sendJson(response, 404, { error: `no such endpoint: ${request.method} ${path}` });
  }

  async function department(route: StandInRoute, url: URL, request: IncomingMessage, response: ServerResponse) {
    const text = route.method === 'POST' ? await readBody(request, 10 * 1024 * 1024) : '';
    const body = route.method === 'POST' ? parseJson(text) : undefined;
    const current = faults;
    const delay = current.delayMs + (current.jitterMs > 0 ? Math.random() * current.jitterMs : 0);
    if (delay > 0) await sleep(delay);
    if (current.hang) return; // never answers; the connection is destroyed when the server closes
    if (Math.random() < current.errorRate) return sendJson(response, 503, options.errorBody);
    if (Math.random() < current.garbageRate) {
      response.writeHead(200, { 'content-type': 'application/json' });
      return response.end('<html><body>系统维护中</body></html>');
    }
    if (body === INVALID_JSON) return sendJson(response, 400, options.errorBody);
    const { response: answer, keys } = route.handle({ query: url.searchParams, body });
    stats.keys += keys;
    sendJson(response, answer.status, answer.body);
  }

  const handler: RequestListener = (request, response) => {
    const url = new URL(request.url ?? '/', 'http://stand-in');
    const route = routes.get(`${request.method} ${url.pathname}`);
    if (!route) {
      control(url.pathname, request, response).catch((error: unknown) => fail(error, response));
      return;
    }
    stats.requests++;
    stats.byPath[url.pathname] = (stats.byPath[url.pathname] ?? 0) + 1;
    inFlight++;
    stats.peakInFlight = Math.max(stats.peakInFlight, inFlight);
    let counted = true;
    const release = () => {
      if (counted) inFlight--;
      counted = false;
    };
    response.once('close', release);
    department(route, url, request, response).catch((error: unknown) => fail(error, response));
  };

  function fail(error: unknown, response: ServerResponse) {
    if (error instanceof BodyError) return sendJson(response, error.status, options.errorBody);
    options.logger.error({ err: error }, `${options.name} stand-in failed`);
    if (!response.headersSent) sendJson(response, 500, options.errorBody);
  }

  return Object.assign(handler, { faults: () => faults });
}

const INVALID_JSON = Symbol('invalid JSON');

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return INVALID_JSON;
  }
}
