import { CreditGatewayError } from '@credit-gateway/common';

/**
 * The register could not record a request in time, so its response must not be released. The
 * message is the same whatever went wrong; the cause is logged, never sent.
 */
export class RegisterUnavailableError extends CreditGatewayError {
  constructor(options: { cause?: unknown } = {}) {
    super('REGISTER_UNAVAILABLE', 'The query register could not record this request, so no data is returned');
    if (options.cause !== undefined) this.cause = options.cause;
  }
}

/**
 * The register refuses to start: its chain tail is damaged in a way a crash cannot explain, or
 * another process writes as the same writer. An operator must look before anything is appended.
 */
export class RegisterStartError extends Error {
  override readonly name = 'RegisterStartError';
}
