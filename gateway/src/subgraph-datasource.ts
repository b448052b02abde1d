import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import {
  errorCodeForHttpStatus,
  internalAuthorization,
  type AccessClaims,
  SourceError,
  type Logger,
  type SourceErrorCode,
  type SubgraphName,
} from '@credit-gateway/common';
import type { EntityCache } from './cache/entity-cache.js';
import type { PerformanceConfig } from './performance/config.js';
import { SubgraphTransport, type TransportMetrics } from './performance/subgraph-transport.js';

/** What the gateway's HTTP layer hands to every subgraph fetch of one request. */
export interface GatewayRequestContext {
  requestId: string;
  logger: Logger;
  /** The gateway's signed word on who is calling and which subjects consented (internal-auth). */
  internalToken: string;
  /** The same, for subgraphs served in this process. */
  access: AccessClaims;
  /** Sources this request was answered for from stale cache entries (entity cache). */
  staleSources?: Set<SubgraphName>;
}

/**
 * A subgraph fetch that never throws: a subgraph that is down, slow or sends garbage becomes a
 * SOURCE_* error naming its department, and the planner answers every other section.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayRequestContext> {
  private readonly transport: SubgraphTransport;
  /** Set when ENTITY_CACHE is on (gateway/src/cache). */
  entityCache: EntityCache | undefined;

  constructor(
    readonly subgraph: SubgraphName,
    url: string,
    timeoutMs: number,
    performance: Pick<PerformanceConfig, 'dedupe' | 'mergeFetches' | 'subgraphConnections'> &
      Partial<Pick<PerformanceConfig, 'mergeMaxInFlight'>> = {
      dedupe: true,
      mergeFetches: true,
      subgraphConnections: 64,
    },
  ) {
    super({ url });
    this.transport = new SubgraphTransport(url, {
      timeoutMs,
      connections: performance.subgraphConnections,
      dedupe: performance.dedupe,
      merge: performance.mergeFetches,
      mergeMaxInFlight: performance.mergeMaxInFlight || Infinity,
    });
  }

  /** The headers every fetch of one request carries: its id and the gateway's signed word. */
  private headersFor(context: Partial<GatewayRequestContext>): Record<string, string> {
    // Health checks and schema loads run without a request context.
    const headers: Record<string, string> = {};
    if (context.requestId) headers['x-request-id'] = context.requestId;
    if (context.internalToken) headers['authorization'] = internalAuthorization(context.internalToken);
    return headers;
  }

  override async process(
    options: GraphQLDataSourceProcessOptions<GatewayRequestContext>,
  ): Promise<GatewayGraphQLResponse> {
    // Entity cache: answers the `_entities` it holds, sends the rest, stands in for a failed source.
    const context = options.context as Partial<GatewayRequestContext>;
    const { query, variables } = options.request;
    if (!this.entityCache || !context.access || !query || !variables) return this.fetch(options);
    return this.entityCache.fetch(
      { subgraph: this.subgraph, query, variables, tier: context.access.tier, staleSources: context.staleSources },
      (representations) =>
        this.fetch(
          representations
            ? { ...options, request: { ...options.request, variables: { ...variables, representations } } }
            : options,
        ),
    );
  }

  private async fetch(
    options: GraphQLDataSourceProcessOptions<GatewayRequestContext>,
  ): Promise<GatewayGraphQLResponse> {
    try {
      const { request, context } = options;
      if (!request.query) throw new Error('Missing query');
      return await this.transport.execute(request, this.headersFor(context as Partial<GatewayRequestContext>));
    } catch (error) {
      const code = failureCode(error);
      (options.context as Partial<GatewayRequestContext>).logger?.warn(
        { subgraph: this.subgraph, code, err: error },
        'subgraph fetch failed',
      );
      return { errors: [new SourceError(code, this.subgraph, { cause: error }).toJSON()] };
    }
  }

  /** What the transport has sent, for /metrics. */
  get metrics(): TransportMetrics {
    return this.transport.metrics;
  }

  /** Closes the pooled connections to the subgraph. */
  close(): void {
    this.transport.close();
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
