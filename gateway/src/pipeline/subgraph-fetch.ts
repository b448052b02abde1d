/**
 * Stage 8, the subgraph transport: every fetch the plan makes of a remote subgraph, in order:
 * - the entity cache answers the `_entities` and root fields it holds, and stands in for a failed
 *   source (cache/entity-cache.ts);
 * - identical fetches in flight are sent once, and queries with the same text sent at once are
 *   merged (performance/subgraph-transport.ts), keyed by the access in the request context;
 * - the request is signed: the gateway's internal token for that access, made once per request.
 * A fetch never throws: a subgraph that is down, slow or sends garbage becomes a SOURCE_* error
 * naming its department, and the planner answers every other section.
 */
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLRequest, GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { Kind, parse, type SelectionSetNode } from 'graphql';
import {
  ConsentRequiredError,
  errorCodeForHttpStatus,
  internalAuthorization,
  LruCache,
  SourceError,
  type InternalSigner,
  type SourceErrorCode,
  type SubgraphName,
} from '@credit-gateway/common';
import type { EntityCache } from '../cache/entity-cache.js';
import type { PerformanceConfig } from '../performance/config.js';
import { SubgraphTransport, type TransportMetrics, type TransportObserver } from '../performance/subgraph-transport.js';
import { accessKey, type RequestContext } from './context.js';

export interface SubgraphFetchOptions {
  timeoutMs: number;
  performance: Pick<PerformanceConfig, 'dedupe' | 'mergeFetches' | 'subgraphConnections'> &
    Partial<Pick<PerformanceConfig, 'mergeMaxInFlight'>>;
  /** Signs the internal token subgraphs trust. */
  signer: InternalSigner;
  /** Present when ENTITY_CACHE is on (gateway/src/cache). */
  entityCache?: EntityCache | undefined;
}

/** One remote subgraph, as the planner calls it. */
export class SubgraphFetch implements GraphQLDataSource<RequestContext> {
  private readonly transport: SubgraphTransport;

  constructor(
    readonly subgraph: SubgraphName,
    url: string,
    private readonly options: SubgraphFetchOptions,
  ) {
    const { performance } = options;
    this.transport = new SubgraphTransport(url, {
      timeoutMs: options.timeoutMs,
      connections: performance.subgraphConnections,
      dedupe: performance.dedupe,
      merge: performance.mergeFetches,
      mergeMaxInFlight: performance.mergeMaxInFlight || Infinity,
    });
  }

  process(options: GraphQLDataSourceProcessOptions<RequestContext>): Promise<GatewayGraphQLResponse> {
    const context = options.context as RequestContext;
    return observed(this.subgraph, options.request, context, async (note) =>
      answerFailedEntities(await this.cached(options.request, context, note), options.request),
    );
  }

  /** Entity cache: answers the `_entities` it holds, sends the rest, stands in for a failed source. */
  private cached(
    request: GatewayGraphQLRequest,
    context: RequestContext,
    note: FetchNote | undefined,
  ): Promise<GatewayGraphQLResponse> {
    const { entityCache } = this.options;
    const { query, variables } = request;
    if (!entityCache || !context.access || !query || !variables) return this.fetch(request, context, note);
    return entityCache.fetch(
      { subgraph: this.subgraph, query, variables, tier: context.access.tier, staleSources: context.staleSources },
      (representations) =>
        this.fetch(
          representations ? { ...request, variables: { ...variables, representations } } : request,
          context,
          note,
        ),
    );
  }

  private async fetch(
    request: GatewayGraphQLRequest,
    context: RequestContext,
    note: FetchNote | undefined,
  ): Promise<GatewayGraphQLResponse> {
    try {
      if (!request.query) throw new Error('Missing query');
      const headers: Record<string, string> = note
        ? { ...note.propagation, 'x-request-id': context.requestId }
        : { 'x-request-id': context.requestId };
      let key = '';
      if (context.access) {
        // Signed once per request, on its first fetch: a request that fetches nothing signs nothing.
        context.internalToken ??= this.options.signer.sign(context.access);
        headers['authorization'] = internalAuthorization(await context.internalToken);
        key = context.accessKey ??= accessKey(context.access);
      }
      const { hooks } = context;
      const observer: TransportObserver | undefined = note && {
        shared: (sharedWith) => (note.sharedWith = sharedWith),
        ...(hooks.onSubgraphMerge && {
          merged: (operations, headers) => {
            const end = hooks.onSubgraphMerge?.({ subgraph: this.subgraph, operations, propagation: headers });
            return end && ((outcome, durationMs) => end({ outcome, durationMs }));
          },
        }),
      };
      return await this.transport.execute(request, headers, key, observer);
    } catch (error) {
      const code = failureCode(error);
      context.logger.warn({ subgraph: this.subgraph, code, err: error }, 'subgraph fetch failed');
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

/** A subgraph served in this process (the register): no transport, the same hooks and notes. */
export class LocalSubgraphFetch implements GraphQLDataSource<RequestContext> {
  constructor(
    readonly subgraph: string,
    private readonly source: GraphQLDataSource<RequestContext>,
  ) {}

  process(options: GraphQLDataSourceProcessOptions<RequestContext>): Promise<GatewayGraphQLResponse> {
    return observed(this.subgraph, options.request, options.context as RequestContext, () =>
      this.source.process(options),
    );
  }
}

/**
 * What a fetch observed by a plugin carries down to the transport and back: the propagation headers
 * the plugin filled, and those of the identical fetch whose request it shared, if it did.
 */
interface FetchNote {
  propagation: Record<string, string>;
  sharedWith?: Readonly<Record<string, string>>;
}

/** One fetch as the hooks see it, with the consent denials its answer carries noted in the context. */
async function observed(
  subgraph: string,
  request: GatewayGraphQLRequest,
  context: RequestContext,
  fetch: (note: FetchNote | undefined) => Promise<GatewayGraphQLResponse>,
): Promise<GatewayGraphQLResponse> {
  const { hooks } = context;
  const note: FetchNote | undefined = hooks.onSubgraphFetch ? { propagation: {} } : undefined;
  const end =
    note &&
    hooks.onSubgraphFetch?.(context, {
      subgraph,
      operationName: request.operationName ?? null,
      propagation: note.propagation,
    });
  const started = end ? performance.now() : 0;
  const response = await fetch(note);
  // Consent is decided in the subgraph, row by row: its denials are noted here, where they arrive.
  if (response.errors) {
    for (const error of response.errors) {
      const denial = ConsentRequiredError.read(error);
      if (denial) (context.consentDenials ??= []).push(denial);
    }
  }
  end?.({
    durationMs: performance.now() - started,
    outcome: outcomeOf(response),
    errors: response.errors?.length ?? 0,
    ...(note?.sharedWith && { sharedWith: note.sharedWith }),
  });
  return response;
}

/** A fetch that failed as a whole carries one SOURCE_* error without a path (see `fetch`). */
function outcomeOf(response: GatewayGraphQLResponse): 'OK' | SourceErrorCode {
  for (const error of response.errors ?? []) {
    const code = error.extensions?.['code'];
    if (
      error.path === undefined &&
      (code === 'SOURCE_UNAVAILABLE' || code === 'SOURCE_TIMEOUT' || code === 'SOURCE_BAD_RESPONSE')
    )
      return code;
  }
  return 'OK';
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
