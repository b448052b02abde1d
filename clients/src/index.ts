export {
  createCreditClient,
  CONSENT_HEADER,
  PURPOSE_HEADER,
  type CreditClient,
  type CreditClientOptions,
  type CreditResult,
  type OperationArgs,
  type RequestOptions,
} from './client.js';
export {
  CreditGatewayError,
  CreditGatewayTransportError,
  ERROR_CODES,
  isCreditGatewayError,
  isErrorCode,
  toErrorDetail,
  type ErrorCode,
  type GatewayErrorDetail,
} from './errors.js';
export { prepare, safeToRepeat, sha256Hex, type PreparedOperation } from './operation.js';
export {
  DEFAULT_RETRY_POLICY,
  MAX_ATTEMPTS,
  parseRetryAfter,
  retryDelay,
  retryPolicy,
  type RetryPolicy,
  type SendOutcome,
} from './retry.js';
/** The users' operations as typed documents, with their result, variable and input types. */
export * from './__generated__/graphql.js';
