import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { execute, type GraphQLError, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { AccessClaims } from './access-enforcement.js';
import { CreditGatewayError, maskUnexpectedError } from './errors.js';
import { BodyError, readJsonBody, sendJson } from './http.js';
import type { Logger } from './logger.js';
import { LruCache } from './lru.js';
import {
  activeTracer,
  endSpanFailed,
  extractTraceContext,
  screenedName,
  SpanKind,
  trace,
  withTraceContext,
  type Span,
} from './tracing.js';

export interface SubgraphRequest {
  requestId: string;
  logger: Logger;
  headers: IncomingMessage['headers'];
  /** The caller as the gateway vouches for it. */
  access: AccessClaims;
}

export interface SubgraphHttpOptions<TContext> {
  /** The subgraph's name, as its spans carry it. */
  name?: string;
  schema: GraphQLSchema;
  logger: Logger;
  createContext(request: SubgraphRequest): TContext;
  /**
   * Checks the gateway's signature on a request and returns what it says of the caller; throws
   * UNAUTHENTICATED otherwise. Subgraphs trust only the gateway.
   */
  authenticate: (authorization: string | undefined) => Promise<AccessClaims>;
  /** Whether the subgraph can serve: its source adapter is set up. */
  isReady?(): boolean;
  bodyLimitBytes?: number;
  /**
   * Errors the resolvers noted beside the data they answered (an incomplete decision, say): they
   * join the response's errors, at their own paths.
   */
  notedErrors?(context: TContext): readonly GraphQLError[];
}

type Prepared =
  | { document: DocumentNode }
  | { errors: readonly GraphQLError[]; code: 'GRAPHQL_PARSE_FAILED' | 'GRAPHQL_VALIDATION_FAILED' };

function requestError(code: 'BAD_REQUEST' | 'INTERNAL_SERVER_ERROR', message: string) {
  return { errors: [new CreditGatewayError(code, message).toJSON()] };
}

/**
 * A lean GraphQL-over-HTTP endpoint for one subgraph: POST /graphql, /healthz and /readyz.
 * Parsing and validation are cached per query text, since the gateway sends the same few
 * operations over and over.
 */
export function createSubgraphHttpHandler<TContext>(options: SubgraphHttpOptions<TContext>): RequestListener {
  const { schema, logger } = options;
  const prepared = new LruCache<string, Prepared>(500);

  function prepare(query: string): Prepared {
    const cached = prepared.get(query);
    if (cached) return cached;
    let result: Prepared;
    try {
      const document = parse(query);
      const errors = validate(schema, document);
      result = errors.length > 0 ? { errors, code: 'GRAPHQL_VALIDATION_FAILED' } : { document };
    } catch (error) {
      result = { errors: [error as GraphQLError], code: 'GRAPHQL_PARSE_FAILED' };
    }
    prepared.set(query, result);
    return result;
  }

  /**
   * With tracing on, the request is served in a span continuing the gateway's trace (its
   * `traceparent`), active for the resolvers, loaders and department calls it makes.
   */
  function traced(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const tracer = activeTracer();
    if (!tracer) return handleGraphQL(request, response, undefined);
    const parent = extractTraceContext(request.headers);
    const span = tracer.startSpan(
      `subgraph ${options.name ?? 'graphql'}`,
      {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': 'POST', 'url.path': '/graphql', 'credit.subgraph': options.name ?? '' },
      },
      parent,
    );
    return withTraceContext(trace.setSpan(parent, span), () => handleGraphQL(request, response, span)).then(
      () => {
        span.setAttribute('http.response.status_code', response.statusCode);
        if (response.statusCode >= 400) endSpanFailed(span, `HTTP_${response.statusCode}`);
        else span.end();
      },
      (error: unknown) => {
        endSpanFailed(span, error instanceof BodyError ? 'BAD_REQUEST' : 'INTERNAL_SERVER_ERROR');
        throw error;
      },
    );
  }

  async function handleGraphQL(
    request: IncomingMessage,
    response: ServerResponse,
    span: Span | undefined,
  ): Promise<void> {
    let access: AccessClaims;
    try {
      access = await options.authenticate(request.headers.authorization);
    } catch (error) {
      // Refused before the body is read: a direct call never reaches a resolver.
      const message = error instanceof CreditGatewayError ? error.message : 'Only the gateway may call this subgraph';
      response.setHeader('www-authenticate', 'Bearer');
      return sendJson(response, 401, { errors: [new CreditGatewayError('UNAUTHENTICATED', message).toJSON()] });
    }
    const body = (await readJsonBody(request, options.bodyLimitBytes ?? 10 * 1024 * 1024)) as Record<string, unknown>;
    const { query, variables, operationName } = body ?? {};
    if (typeof query !== 'string')
      return sendJson(response, 400, requestError('BAD_REQUEST', 'query must be a string'));
    const ready = prepare(query);
    if ('errors' in ready) {
      return sendJson(response, 400, {
        // A scalar's own error (INVALID_CREDIT_CODE, say) keeps its code; graphql-js's get the phase's.
        errors: ready.errors.map((e) => ({ ...e.toJSON(), extensions: { code: ready.code, ...e.extensions } })),
      });
    }
    if (span) {
      const name = screenedName(typeof operationName === 'string' ? operationName : undefined);
      if (name) span.setAttribute('graphql.operation.name', name);
      span.setAttribute('credit.tier', access.tier);
    }
    const requestId = String(request.headers['x-request-id'] ?? randomUUID());
    const requestLogger = logger.child({ requestId });
    const contextValue = options.createContext({ requestId, logger: requestLogger, headers: request.headers, access });
    const result = await execute({
      schema,
      document: ready.document,
      variableValues: (variables ?? undefined) as Record<string, unknown> | undefined,
      operationName: typeof operationName === 'string' ? operationName : undefined,
      contextValue,
    });
    const noted = options.notedErrors?.(contextValue) ?? [];
    if (noted.length > 0) result.errors = [...(result.errors ?? []), ...noted];
    if (result.errors) {
      result.errors = result.errors.map((error) => {
        const { masked, unexpected } = maskUnexpectedError(error);
        if (unexpected)
          requestLogger.error({ err: error.originalError ?? error, path: error.path }, 'unexpected error');
        return masked;
      });
    }
    sendJson(response, 200, result);
  }

  return (request, response) => {
    const path = (request.url ?? '/').split('?', 1)[0];
    if (request.method === 'GET' && path === '/healthz') return sendJson(response, 200, { status: 'ok' });
    if (request.method === 'GET' && path === '/readyz') {
      const ready = options.isReady?.() ?? true;
      return sendJson(response, ready ? 200 : 503, { status: ready ? 'ready' : 'starting' });
    }
    if (path !== '/graphql') return sendJson(response, 404, requestError('BAD_REQUEST', 'Not found: use /graphql'));
    if (request.method !== 'POST') {
      response.setHeader('allow', 'POST');
      return sendJson(response, 405, requestError('BAD_REQUEST', 'Subgraphs accept POST only'));
    }
    traced(request, response).catch((error: unknown) => {
      if (error instanceof BodyError)
        return sendJson(response, error.status, requestError('BAD_REQUEST', error.message));
      logger.error({ err: error }, 'subgraph request failed');
      if (!response.headersSent) sendJson(response, 500, requestError('INTERNAL_SERVER_ERROR', 'Unexpected error'));
    });
  };
}
