/**
 * Stage 1, read the HTTP request: the request context is created on arrival, with its deadline, and
 * the body is read before the request is admitted, so that a client slow to send it holds no place
 * a ready request could use (BODY_TIMEOUT_MS, BODY_MIN_BYTES_PER_SECOND).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, readJsonBody, type BodyPace, type Logger } from '@credit-gateway/common';
import type { GatewayConfig } from '../config.js';
import { RequestContext } from './context.js';
import type { Hooks } from './hooks.js';

export const PURPOSE_HEADER = 'x-credit-purpose';

/** A POST body, read before the request is admitted: its value, or why it could not be read. */
export type BodyRead = { ok: true; value: unknown } | { ok: false; error: unknown };

export interface ReadRequestOptions {
  config: Pick<GatewayConfig, 'bodyLimitBytes' | 'performance'>;
  logger: Logger;
  hooks: Hooks;
}

export class ReadRequest {
  private readonly pace: BodyPace;

  constructor(private readonly options: ReadRequestOptions) {
    this.pace = {
      timeoutMs: options.config.performance.bodyTimeoutMs,
      minBytesPerSecond: options.config.performance.bodyMinBytesPerSecond,
    };
  }

  /** The request's context; its deadline runs from now. */
  open(request: IncomingMessage, response: ServerResponse, url: URL): RequestContext {
    const requestId = validRequestId(request.headers['x-request-id']) ?? randomUUID();
    response.setHeader('x-request-id', requestId);
    return new RequestContext(
      request,
      response,
      url,
      requestId,
      this.options.logger.child({ requestId }),
      this.options.hooks,
      new Date().toISOString(),
      purposeOf(request),
      request.socket.remoteAddress ?? 'unknown',
      this.options.config.performance.requestTimeoutMs,
    );
  }

  /**
   * The body: a POST's JSON, or undefined. A body sent with any other method is read too (and
   * dropped): answered unread, it would be cut off with the connection while the client still sends it.
   */
  body(context: RequestContext): Promise<BodyRead> | undefined {
    const { request } = context;
    const limit = this.options.config.bodyLimitBytes;
    if (request.method === 'POST') return settled(readJsonBody(request, limit, this.pace));
    if (request.method !== 'GET' && hasBody(request))
      return settled(readBody(request, limit, this.pace).then(() => undefined));
    return undefined;
  }
}

async function settled(reading: Promise<unknown>): Promise<BodyRead> {
  try {
    return { ok: true, value: await reading };
  } catch (error) {
    return { ok: false, error };
  }
}

/** A stated purpose: one line of printable text, bounded; anything else is no purpose. */
function purposeOf(request: IncomingMessage): string | null {
  const value = request.headers[PURPOSE_HEADER];
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  return text && text.length <= 200 && !/[\u0000-\u001f]/.test(text) ? text : null;
}

function hasBody(request: IncomingMessage): boolean {
  return request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;
}

/** A caller's request id is echoed only when it is short and plain, never arbitrary text. */
function validRequestId(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(value) ? value : undefined;
}
