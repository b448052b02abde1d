import { ERROR_CODES, type ErrorCode } from './__generated__/error-codes.js';

export { ERROR_CODES, type ErrorCode };

const KNOWN: ReadonlySet<string> = new Set(ERROR_CODES);

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && KNOWN.has(value);
}

/** One error of a gateway answer, its code narrowed to the closed list. */
export interface GatewayErrorDetail {
  readonly message: string;
  /**
   * The error's `extensions.code`. A code this version of the package does not know (a newer
   * gateway's) or none at all reads as INTERNAL_SERVER_ERROR; `extensions.code` keeps what came.
   */
  readonly code: ErrorCode;
  readonly path?: readonly (string | number)[];
  readonly extensions: Readonly<Record<string, unknown>>;
}

/** Reads one entry of a GraphQL response's `errors`, whatever its shape. */
export function toErrorDetail(raw: unknown): GatewayErrorDetail {
  const error = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const extensions =
    typeof error['extensions'] === 'object' && error['extensions'] !== null
      ? (error['extensions'] as Record<string, unknown>)
      : {};
  const code = extensions['code'];
  const path = Array.isArray(error['path'])
    ? (error['path'] as unknown[]).filter((part): part is string | number => ['string', 'number'].includes(typeof part))
    : undefined;
  return {
    message: typeof error['message'] === 'string' ? error['message'] : 'Unexpected error',
    code: isErrorCode(code) ? code : 'INTERNAL_SERVER_ERROR',
    ...(path ? { path } : {}),
    extensions,
  };
}

/**
 * The gateway refused a request, or answered it with errors and no data: `code` is the first
 * error's, `errors` all of them, from the closed list of codes (switch on `code`).
 */
export class CreditGatewayError extends Error {
  override readonly name = 'CreditGatewayError';
  readonly code: ErrorCode;
  readonly errors: readonly GatewayErrorDetail[];
  /** The HTTP status of the answer. */
  readonly status: number;
  /** From `Retry-After`, on a 429 or 503 the client did not (or no longer) retry. */
  readonly retryAfterMs: number | undefined;
  /** What data came with the errors, when `request` refused a partial answer. */
  readonly data: unknown;

  constructor(
    errors: readonly GatewayErrorDetail[],
    options: { status: number; retryAfterMs?: number; data?: unknown },
  ) {
    const first = errors[0] ?? { code: 'INTERNAL_SERVER_ERROR' as const, message: 'Unexpected error', extensions: {} };
    super(`${first.code}: ${first.message}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`);
    this.code = first.code;
    this.errors = errors.length > 0 ? errors : [first];
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.data = options.data ?? null;
  }

  /** Whether any of the errors has this code. */
  has(code: ErrorCode): boolean {
    return this.errors.some((error) => error.code === code);
  }
}

/** Whether `error` is a gateway refusal, and, given a code, one with that code first. */
export function isCreditGatewayError<C extends ErrorCode>(
  error: unknown,
  code?: C,
): error is CreditGatewayError & { readonly code: C } {
  return error instanceof CreditGatewayError && (code === undefined || error.code === code);
}

/**
 * The request got no GraphQL answer: the network failed (`status` undefined), or something in
 * between (a proxy, a load balancer) answered with a body that is not a GraphQL response.
 */
export class CreditGatewayTransportError extends Error {
  override readonly name = 'CreditGatewayTransportError';
  readonly status: number | undefined;

  constructor(message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = options.status;
  }
}
