import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { Fetcher } from '@apollo/utils.fetcher';
import {
  errorCodeForHttpStatus,
  internalAuthorization,
  type AccessClaims,
  SourceError,
  type Logger,
  type SourceErrorCode,
  type SubgraphName,
} from '@credit-gateway/common';

/** What the gateway's HTTP layer hands to every subgraph fetch of one request. */
export interface GatewayRequestContext {
  requestId: string;
  logger: Logger;
  /** The gateway's signed word on who is calling and which subjects consented (internal-auth). */
  internalToken: string;
  /** The same, for subgraphs served in this process. */
  access: AccessClaims;
}

/**
 * A subgraph fetch that never throws: a subgraph that is down, slow or sends garbage becomes a
 * SOURCE_* error naming its department, and the planner answers every other section.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayRequestContext> {
  constructor(
    readonly subgraph: SubgraphName,
    url: string,
    timeoutMs: number,
  ) {
    super({
      url,
      // Node's own fetch keeps connections alive; the timeout bounds every subgraph call.
      fetcher: ((input: string, init?: RequestInit) =>
        fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) })) as unknown as Fetcher,
    });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayRequestContext>): void {
    // Health checks and schema loads run without a request context.
    const { requestId, internalToken } = context as Partial<GatewayRequestContext>;
    if (!request.http) return;
    if (requestId) request.http.headers.set('x-request-id', requestId);
    if (internalToken) request.http.headers.set('authorization', internalAuthorization(internalToken));
  }

  override async process(
    options: GraphQLDataSourceProcessOptions<GatewayRequestContext>,
  ): Promise<GatewayGraphQLResponse> {
    try {
      return await super.process(options);
    } catch (error) {
      const code = failureCode(error);
      (options.context as Partial<GatewayRequestContext>).logger?.warn(
        { subgraph: this.subgraph, code, err: error },
        'subgraph fetch failed',
      );
      return { errors: [new SourceError(code, this.subgraph, { cause: error }).toJSON()] };
    }
  }
}

function failureCode(error: unknown): SourceErrorCode {
  const seen = new Set<unknown>();
  for (let current = error; current instanceof Error && !seen.has(current); current = current.cause) {
    seen.add(current);
    if (current.name === 'TimeoutError' || current.name === 'AbortError') return 'SOURCE_TIMEOUT';
    const status = (current as { extensions?: { response?: { status?: unknown } } }).extensions?.response?.status;
    if (typeof status === 'number') return errorCodeForHttpStatus(status) ?? 'SOURCE_BAD_RESPONSE';
    if (current.name === 'SyntaxError' || /invalid json|unexpected token|expected json/i.test(current.message))
      return 'SOURCE_BAD_RESPONSE';
  }
  return 'SOURCE_UNAVAILABLE';
}
