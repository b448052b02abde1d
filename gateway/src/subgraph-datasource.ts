import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse, GatewayGraphQLRequest } from '@apollo/server-gateway-interface';
import { Kind, parse, type SelectionSetNode } from 'graphql';
import {
  errorCodeForHttpStatus,
  internalAuthorization,
  LruCache,
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
    if (!this.entityCache || !context.access || !query || !variables)
      return answerFailedEntities(await this.fetch(options), options.request);
    const response = await this.entityCache.fetch(
      { subgraph: this.subgraph, query, variables, tier: context.access.tier, staleSources: context.staleSources },
      (representations) =>
        this.fetch(
          representations
            ? { ...options, request: { ...options.request, variables: { ...variables, representations } } }
            : options,
        ),
    );
    return answerFailedEntities(response, options.request);
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

const entityFieldsByQuery = new LruCache<string, readonly string[] | null>(500);

/** The fields an `_entities` fetch asks of each entity (response names), or null for another fetch. */
function entityFields(query: string): readonly string[] | null {
  const known = entityFieldsByQuery.get(query);
  if (known !== undefined) return known;
  let fields: string[] | null = null;
  try {
    const operation = parse(query).definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
    const root = operation?.kind === Kind.OPERATION_DEFINITION ? operation.selectionSet.selections : [];
    const entities = root.find((s) => s.kind === Kind.FIELD && s.name.value === '_entities');
    if (entities?.kind === Kind.FIELD && entities.selectionSet)
      fields = [...new Set(responseNames(entities.selectionSet))];
  } catch {
    fields = null;
  }
  entityFieldsByQuery.set(query, fields);
  return fields;
}

function responseNames(selectionSet: SelectionSetNode): string[] {
  return selectionSet.selections.flatMap((selection) => {
    if (selection.kind === Kind.FIELD)
      return selection.name.value === '__typename' ? [] : [selection.alias?.value ?? selection.name.value];
    return selection.kind === Kind.INLINE_FRAGMENT ? responseNames(selection.selectionSet) : [];
  });
}

/**
 * An `_entities` fetch that failed as a whole answers its fields as null, next to its SOURCE_*
 * error. Left out instead, @apollo/gateway would send no representation of those entities to a
 * subgraph that `@requires` the fields (the credit rules), and the rules could not say which
 * department was missing: a failed section must look the same whether its source or its subgraph failed.
 */
function answerFailedEntities(
  response: GatewayGraphQLResponse,
  request: GatewayGraphQLRequest,
): GatewayGraphQLResponse {
  const representations: unknown = request.variables?.['representations'];
  if (response.data != null || !response.errors?.length || !request.query || !Array.isArray(representations))
    return response;
  const fields = entityFields(request.query);
  if (!fields) return response;
  const entities = (representations as unknown[]).map((representation) => ({
    __typename: (representation as { __typename?: unknown } | null)?.__typename,
    ...Object.fromEntries(fields.map((field) => [field, null])),
  }));
  return { ...response, data: { _entities: entities } };
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
