import { createHash } from 'node:crypto';
import type { GraphQLError, GraphQLFormattedError } from 'graphql';
import { BodyError, CreditGatewayError, type ErrorCode, type Logger } from '@credit-gateway/common';
import { formatErrors } from '../execution/errors.js';
import { retryAfterSeconds, type RateDecision } from '../limits/rate-limit.js';
import type { QueryOutcome } from '../register/index.js';
import type { RequestContext } from './context.js';

export type ResponseBody = { data?: unknown; errors?: GraphQLFormattedError[]; extensions?: Record<string, unknown> };

/** What the register records as the operation of a request that carried no readable document. */
export const NO_DOCUMENT_HASH = createHash('sha256').update('').digest('hex');

export interface AnswerInit {
  status: number;
  /**
   * A refusal of the HTTP request itself (malformed, unauthenticated, throttled): its status holds
   * for every client. Other refusals are GraphQL request errors: 400 only for clients that accept
   * application/graphql-response+json, 200 with application/json (GraphQL over HTTP).
   */
  transport?: boolean;
  body: ResponseBody;
  headers?: Record<string, string>;
  outcome: QueryOutcome;
  operationName?: string | null;
  operationHash?: string;
  subjects?: readonly string[];
  fieldsReturned?: readonly string[];
  fieldsDenied?: readonly string[];
  /**
   * The operation selected nothing but `__typename`: a liveness probe, which reads no credit
   * information and so is not a query the register records (查询使用登记).
   */
  probe?: boolean;
  /** A throttled failed-authentication refusal beyond the first of its period (RefusalSampler). */
  unregistered?: boolean;
}

/**
 * What one request produced: the response, and what the query register records of it. A stage
 * that refuses the request returns its Answer instead of its output, and the pipeline stops there.
 */
export class Answer implements AnswerInit {
  status: number;
  transport: boolean;
  body: ResponseBody;
  headers: Record<string, string> | undefined;
  outcome: QueryOutcome;
  operationName: string | null | undefined;
  operationHash: string | undefined;
  subjects: readonly string[] | undefined;
  fieldsReturned: readonly string[] | undefined;
  fieldsDenied: readonly string[] | undefined;
  probe: boolean;
  unregistered: boolean;

  constructor(init: AnswerInit) {
    this.status = init.status;
    this.transport = init.transport ?? false;
    this.body = init.body;
    this.headers = init.headers;
    this.outcome = init.outcome;
    this.operationName = init.operationName;
    this.operationHash = init.operationHash;
    this.subjects = init.subjects;
    this.fieldsReturned = init.fieldsReturned;
    this.fieldsDenied = init.fieldsDenied;
    this.probe = init.probe ?? false;
    this.unregistered = init.unregistered ?? false;
  }
}

/** What a refusal records beside its errors. */
export type RefusalFacts = Omit<AnswerInit, 'status' | 'body' | 'outcome' | 'transport'> & { outcome?: QueryOutcome };

/** What a refusal records once the document is resolved: the document, and the subjects it names. */
export function refusalFacts(
  document: { readonly queryHash: string; readonly operationName: string | undefined },
  subjects: readonly string[],
): RefusalFacts {
  return { operationHash: document.queryHash, operationName: document.operationName ?? null, subjects };
}

/** A refused request: REJECTED unless `facts` say otherwise. */
export function refusal(
  status: number,
  errors: readonly (GraphQLError | GraphQLFormattedError)[],
  logger: Logger,
  options: { transport?: boolean } & RefusalFacts = {},
): Answer {
  const { transport = false, outcome = 'REJECTED', ...facts } = options;
  return new Answer({ ...facts, status, body: { errors: formatErrors(errors, logger) }, outcome, transport });
}

/** HTTP 429 with Retry-After, for every client: the request itself is refused. */
export function throttled(
  decision: RateDecision,
  error: Error,
  logger: Logger,
  facts: Omit<RefusalFacts, 'headers'> = {},
): Answer {
  return refusal(429, [error], logger, {
    ...facts,
    transport: true,
    headers: { 'retry-after': String(retryAfterSeconds(decision)) },
  });
}

/** Thrown for requests that are not well-formed GraphQL-over-HTTP requests. */
export class RequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The answer to what a stage threw: a malformed request or body keeps its own status, and
 * anything else is a 500 whose cause is logged, never shown. Neither records the document: a
 * request refused this way is registered as carrying none.
 */
export function answerForError(error: unknown, context: RequestContext): Answer {
  if (error instanceof BodyError || error instanceof RequestError) {
    const status = error.status;
    if (status === 405) context.response.setHeader('allow', 'GET, POST');
    const code = error instanceof RequestError ? error.code : status === 408 ? 'REQUEST_TIMEOUT' : 'BAD_REQUEST';
    return refusal(status, [new CreditGatewayError(code, error.message)], context.logger, {
      transport: true,
      // The rest of a body too slow to wait for is never read: the connection goes with the answer.
      ...(status === 408 ? { headers: { connection: 'close' } } : {}),
    });
  }
  context.logger.error({ err: error }, 'request failed');
  return new Answer({
    status: 500,
    body: { errors: [new CreditGatewayError('INTERNAL_SERVER_ERROR', 'Unexpected error').toJSON()] },
    outcome: 'ERROR',
    transport: true,
  });
}
