import { GraphQLError, type GraphQLErrorOptions } from 'graphql';

/**
 * Every code a client can see in `extensions.code`. A closed list: clients switch on it, so a
 * new code is an API change.
 */
export const ERROR_CODES = [
  // The request itself
  'BAD_REQUEST',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'INVALID_CREDIT_CODE',
  'INVALID_ID_NUMBER',
  'BATCH_TOO_LARGE',
  'TOO_MANY_SUBJECTS',
  'OPERATION_NOT_SUPPORTED',
  'QUERY_TOO_DEEP',
  'QUERY_TOO_COSTLY',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'PERSISTED_QUERY_NOT_IN_SAFELIST',
  // Who is asking, and what they may see
  'UNAUTHENTICATED',
  'PURPOSE_REQUIRED',
  'UNAUTHORIZED_FIELD_OR_TYPE',
  'CONSENT_REQUIRED',
  'INTROSPECTION_NOT_ALLOWED',
  'RATE_LIMITED',
  // Time: a body that arrived too slowly (HTTP 408), or a request past REQUEST_TIMEOUT_MS (HTTP 504)
  'REQUEST_TIMEOUT',
  // The department systems
  'SOURCE_UNAVAILABLE',
  'SOURCE_TIMEOUT',
  'SOURCE_BAD_RESPONSE',
  // The credit rules
  'DECISION_INCOMPLETE',
  'FORBIDDEN_DEPARTMENT',
  'RECORD_NOT_FOUND',
  'RECORD_NOT_REPAIRABLE',
  'REPAIR_CONDITIONS_NOT_MET',
  // The joint reward-and-punishment loop
  'CASE_NOT_FOUND',
  'NOT_IMPLEMENTING_DEPARTMENT',
  'MEASURE_NOT_ON_CASE',
  'RECEIPT_NOT_FOUND',
  // The product itself
  'REGISTER_UNAVAILABLE',
  'INTERNAL_SERVER_ERROR',
] as const;

/**
 * Every code a client can see in `extensions.code`. A closed list: clients switch on it, so a
 * new code is an API change.
 */
export type ErrorCode = (typeof ERROR_CODES)[number];

const ERROR_CODE_SET: ReadonlySet<string> = new Set(ERROR_CODES);

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && ERROR_CODE_SET.has(value);
}

/** Base of every error this product raises on purpose; anything else is masked before it leaves. */
export class CreditGatewayError extends GraphQLError {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options: GraphQLErrorOptions & { extensions?: Record<string, unknown> } = {},
  ) {
    super(message, { ...options, extensions: { ...options.extensions, code } });
  }
}

export class InvalidCreditCodeError extends CreditGatewayError {
  constructor(input: string, reason: string) {
    super('INVALID_CREDIT_CODE', `Invalid unified social credit code: ${reason}`, {
      extensions: { reason, input: input.slice(0, 40) },
    });
  }
}

export class InvalidIdNumberError extends CreditGatewayError {
  constructor(reason: string) {
    // The input is a personal identifier: it is never echoed back or logged.
    super('INVALID_ID_NUMBER', `Invalid resident ID number: ${reason}`, { extensions: { reason } });
  }
}

export class BatchTooLargeError extends CreditGatewayError {
  constructor(argument: string, size: number, maximum: number) {
    super('BATCH_TOO_LARGE', `'${argument}' holds ${size} items; at most ${maximum} are allowed in one request`, {
      extensions: { argument, size, maximum },
    });
  }
}

/** The department systems behind the subgraphs; `extensions.source` names one of them. */
export type SourceName = 'market' | 'tax' | 'courts' | 'social-security' | 'procurement';

export type SourceErrorCode = Extract<ErrorCode, 'SOURCE_UNAVAILABLE' | 'SOURCE_TIMEOUT' | 'SOURCE_BAD_RESPONSE'>;

const SOURCE_ERROR_MESSAGES: Record<SourceErrorCode, string> = {
  SOURCE_UNAVAILABLE: 'is unavailable',
  SOURCE_TIMEOUT: 'did not answer in time',
  SOURCE_BAD_RESPONSE: 'sent a response that could not be read',
};

/** A department system failed; the section it feeds is null and the rest of the profile is answered. */
export class SourceError extends CreditGatewayError {
  constructor(
    code: SourceErrorCode,
    /** A department system, or `credit` when the platform's own rules subgraph is out of reach. */
    readonly sourceName: SourceName | 'credit',
    options: { cause?: unknown } = {},
  ) {
    super(code, `The ${sourceName} department system ${SOURCE_ERROR_MESSAGES[code]}`, {
      extensions: { source: sourceName },
    });
    if (options.cause !== undefined) this.cause = options.cause;
  }
}

/**
 * A credit decision made while departments could not be read. It comes next to the decision's data,
 * at the same path: the decision is answered, but only from what was read, never in the subject's favour.
 */
export class DecisionIncompleteError extends CreditGatewayError {
  constructor(decision: string, missing: readonly SourceName[], options: { path?: readonly (string | number)[] } = {}) {
    super(
      'DECISION_INCOMPLETE',
      `${decision} was decided without the ${missing.join(', ')} department system${missing.length > 1 ? 's' : ''}: incomplete, not in the subject's favour`,
      { path: options.path, extensions: { source: [...missing] } },
    );
  }
}

/**
 * The one place that decides what an upstream HTTP status means. Used by source adapters for
 * department systems and by the gateway for subgraphs.
 */
export function errorCodeForHttpStatus(status: number): SourceErrorCode | null {
  if (status >= 200 && status < 300) return null;
  if (status === 408 || status === 504) return 'SOURCE_TIMEOUT';
  if (status === 429 || status >= 500) return 'SOURCE_UNAVAILABLE';
  // Any other status means the adapter and the source disagree on the protocol.
  return 'SOURCE_BAD_RESPONSE';
}

/**
 * Unexpected errors keep their place in the response (path, locations) but lose their message:
 * stack traces and internals never reach a client.
 */
export function maskUnexpectedError(error: GraphQLError): { masked: GraphQLError; unexpected: boolean } {
  if (isErrorCode(error.extensions['code'])) return { masked: error, unexpected: false };
  const masked = new GraphQLError('Unexpected error', {
    nodes: error.nodes,
    path: error.path,
    extensions: { code: 'INTERNAL_SERVER_ERROR' satisfies ErrorCode },
  });
  return { masked, unexpected: true };
}
