/**
 * Stage 1, read the HTTP request: the request context is created on arrival, with its deadline, and
 * the body is read before the request is admitted, so that a client slow to send it holds no place
 * a ready request could use (BODY_TIMEOUT_MS, BODY_MIN_BYTES_PER_SECOND). What bodies hold in
 * memory meanwhile is bounded by the body budget (BODY_BUDGET_BYTES, BODY_BUDGET_PER_ADDRESS_BYTES):
 * a body past it is refused at once, before admission, and never read.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, readJsonBody, type BodyPace, type Logger } from '@credit-gateway/common';
import type { GatewayConfig } from '../config.js';
import type { ClientAddresses } from '../http/client-address.js';
import type { BodyAccount, BodyBudget, BodyBudgetExceeded } from '../limits/body-budget.js';
import { RefusalSampler } from '../limits/rate-limit.js';
import { refusal, type Answer } from './answer.js';
import { RequestContext } from './context.js';
import type { Hooks } from './hooks.js';

export const PURPOSE_HEADER = 'x-credit-purpose';

/** A POST body, read before the request is admitted: its value, or why it could not be read. */
export type BodyRead = { ok: true; value: unknown } | { ok: false; error: unknown };

export interface ReadRequestOptions {
  config: Pick<GatewayConfig, 'bodyLimitBytes' | 'performance'>;
  logger: Logger;
  hooks: Hooks;
  /** What request bodies may hold in memory at once; each gives its share back once answered. */
  bodies: BodyBudget;
  /** The client address a request is counted by: the TCP peer, or behind a trusted proxy the caller it names. */
  addresses: ClientAddresses;
}

/** Over-budget refusals are registered once per address in this period, and counted in between. */
const OVER_BUDGET_SAMPLE_MS = 60_000;

export class ReadRequest {
  private readonly pace: BodyPace;
  private readonly overBudgetRefusals = new RefusalSampler(OVER_BUDGET_SAMPLE_MS);

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
      this.options.addresses.of(request),
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
    if (request.method === 'POST') {
      const account = this.account(context);
      return settled(readJsonBody(request, limit, { pace: this.pace, allowance: account }), account);
    }
    if (request.method !== 'GET' && hasBody(request)) {
      const account = this.account(context);
      const dropped = readBody(request, limit, { pace: this.pace, allowance: account }).then(() => account.release());
      return settled(dropped, account);
    }
    return undefined;
  }

  /**
   * The answer to a body the budget refused: 429 at once, without waiting for admission, which
   * would keep the client waiting for nothing. Registered once per address and period: a flood of
   * them cannot drive the register's writes.
   */
  overBudget(context: RequestContext, error: BodyBudgetExceeded): Answer {
    const sample = this.overBudgetRefusals.take(context.address);
    if (sample.skipped > 0)
      context.logger.warn({ skipped: sample.skipped }, 'request bodies refused over budget not registered');
    return refusal(429, [error], context.logger, {
      transport: true,
      headers: error.headers,
      unregistered: !sample.register,
    });
  }

  /**
   * The body's account in the budget, held until the answer is sent or the connection is gone: a
   * body read and waiting for admission is still in memory.
   */
  private account(context: RequestContext): BodyAccount {
    const account = this.options.bodies.open(context.address);
    context.response.once('close', () => account.release());
    return account;
  }
}

/** The body read, or why not; a body that could not be read gives its share back at once. */
async function settled(reading: Promise<unknown>, account: BodyAccount): Promise<BodyRead> {
  try {
    return { ok: true, value: await reading };
  } catch (error) {
    account.release();
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
