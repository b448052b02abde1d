import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayGraphQLRequestContext, GatewaySchemaHash } from '@apollo/server-gateway-interface';
import {
  getOperationAST,
  getVariableValues,
  OperationTypeNode,
  parse,
  validate,
  type DocumentNode,
  type GraphQLError,
  type GraphQLFormattedError,
  type OperationDefinitionNode,
} from 'graphql';
import {
  BodyError,
  CreditGatewayError,
  LruCache,
  readJsonBody,
  sendJson,
  type ErrorCode,
  type Logger,
} from '@credit-gateway/common';
import type { GatewayConfig } from '../config.js';
import { findOversizedBatch } from '../execution/batch-limit.js';
import { formatErrors, withCode, withoutPersonalValue } from '../execution/errors.js';
import type { GatewayRequestContext } from '../subgraph-datasource.js';
import type { LoadedSupergraph } from '../supergraph.js';

interface GraphQLParams {
  query: string;
  operationName: string | undefined;
  variables: Record<string, unknown>;
}

/** A parsed and validated document, kept per query text. */
type PreparedDocument =
  { ok: true; document: DocumentNode; queryHash: string } | { ok: false; errors: readonly GraphQLError[] };

const JSON_TYPE = 'application/json; charset=utf-8';
const GRAPHQL_RESPONSE_TYPE = 'application/graphql-response+json; charset=utf-8';

/** Thrown for requests that are not well-formed GraphQL-over-HTTP requests. */
class RequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

function paramsFrom(method: string, url: URL, body: unknown): GraphQLParams {
  const isObject = typeof body === 'object' && body !== null && !Array.isArray(body);
  if (method === 'POST' && !isObject)
    throw new RequestError(400, 'BAD_REQUEST', 'The request body must be a JSON object');
  const source = method === 'GET' ? Object.fromEntries(url.searchParams) : (body as Record<string, unknown>);
  const { query, operationName } = source;
  let { variables } = source;
  if (typeof query !== 'string' || query.trim() === '') {
    throw new RequestError(400, 'BAD_REQUEST', "The request must carry a GraphQL document in 'query'");
  }
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') {
    throw new RequestError(400, 'BAD_REQUEST', "'operationName' must be a string");
  }
  if (method === 'GET' && typeof variables === 'string') {
    try {
      variables = JSON.parse(variables) as unknown;
    } catch {
      throw new RequestError(400, 'BAD_REQUEST', "'variables' must be a JSON object");
    }
  }
  if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) {
    throw new RequestError(400, 'BAD_REQUEST', "'variables' must be a JSON object");
  }
  return {
    query,
    operationName: typeof operationName === 'string' ? operationName : undefined,
    variables: (variables ?? {}) as Record<string, unknown>,
  };
}

/** The executor's key-value cache is unused: query plans have their own store. */
const emptyCache = {
  get: () => Promise.resolve(undefined),
  set: () => Promise.resolve(),
  delete: () => Promise.resolve(true),
};

export interface GraphQLHandlerOptions {
  supergraph: LoadedSupergraph;
  config: GatewayConfig;
  logger: Logger;
}

/**
 * GraphQL over HTTP (GET and POST) in front of the query planner: parse and validate once per
 * query text, coerce variables with the product's scalars, refuse oversized batches, then hand
 * the operation to @apollo/gateway's executor.
 */
export function createGraphQLHandler({ supergraph, config, logger }: GraphQLHandlerOptions) {
  const { schema, executor } = supergraph;
  const documents = new LruCache<string, PreparedDocument>(1_000);

  function prepare(query: string): PreparedDocument {
    const cached = documents.get(query);
    if (cached) return cached;
    let prepared: PreparedDocument;
    try {
      const document = parse(query, { maxTokens: 10_000 });
      const errors = validate(schema, document);
      prepared =
        errors.length > 0
          ? { ok: false, errors: errors.map((e) => withCode(e, 'GRAPHQL_VALIDATION_FAILED')) }
          : { ok: true, document, queryHash: createHash('sha256').update(query).digest('hex') };
    } catch (error) {
      prepared = { ok: false, errors: [withCode(error as GraphQLError, 'GRAPHQL_PARSE_FAILED')] };
    }
    documents.set(query, prepared);
    return prepared;
  }

  async function execute(
    request: IncomingMessage,
    params: GraphQLParams,
    requestLogger: Logger,
    requestId: string,
  ): Promise<{ status: number; body: { data?: unknown; errors?: GraphQLFormattedError[]; extensions?: unknown } }> {
    const requestErrors = (errors: readonly GraphQLError[]) => ({
      status: 400,
      body: { errors: formatErrors(errors, requestLogger) },
    });
    const prepared = prepare(params.query);
    if (!prepared.ok) return requestErrors(prepared.errors);
    const operation: OperationDefinitionNode | null = getOperationAST(prepared.document, params.operationName) ?? null;
    if (!operation) {
      const message = params.operationName
        ? `Unknown operation '${params.operationName}'`
        : 'The document holds several operations: name one in operationName';
      return requestErrors([new CreditGatewayError('BAD_REQUEST', message)]);
    }
    if (operation.operation === OperationTypeNode.SUBSCRIPTION) {
      return requestErrors([new CreditGatewayError('OPERATION_NOT_SUPPORTED', 'Subscriptions are not supported')]);
    }
    if (operation.operation === OperationTypeNode.MUTATION && request.method === 'GET') {
      throw new RequestError(405, 'BAD_REQUEST', 'Mutations must be sent with POST');
    }
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], params.variables);
    if (coerced.errors)
      return requestErrors(coerced.errors.map((e) => withoutPersonalValue(withCode(e, 'BAD_USER_INPUT'))));
    const oversized = findOversizedBatch(schema, prepared.document, coerced.coerced, config.maxBatchSize);
    if (oversized) return requestErrors([oversized]);

    const context: GatewayRequestContext = { requestId, logger: requestLogger };
    const requestContext: GatewayGraphQLRequestContext<GatewayRequestContext> = {
      request: { query: params.query, operationName: params.operationName, variables: params.variables },
      logger: requestLogger,
      schema,
      schemaHash: '' as GatewaySchemaHash,
      context,
      cache: emptyCache,
      queryHash: prepared.queryHash,
      document: prepared.document,
      source: params.query,
      operationName: operation.name?.value ?? null,
      operation,
      metrics: { captureTraces: false },
      overallCachePolicy: {},
    };
    const result = await executor(requestContext as GatewayGraphQLRequestContext);
    const body: { data?: unknown; errors?: GraphQLFormattedError[]; extensions?: unknown } = {
      data: result.data ?? null,
    };
    if (result.errors?.length) body.errors = formatErrors(result.errors, requestLogger);
    return { status: 200, body };
  }

  return async function handleGraphQL(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const accept = request.headers.accept ?? '';
    const graphqlResponse = accept.includes('application/graphql-response+json');
    const contentType = graphqlResponse ? GRAPHQL_RESPONSE_TYPE : JSON_TYPE;
    const requestId = validRequestId(request.headers['x-request-id']) ?? randomUUID();
    const requestLogger = logger.child({ requestId });
    response.setHeader('x-request-id', requestId);
    try {
      if (request.method !== 'GET' && request.method !== 'POST') {
        response.setHeader('allow', 'GET, POST');
        throw new RequestError(405, 'BAD_REQUEST', 'Use GET or POST for GraphQL requests');
      }
      const body = request.method === 'POST' ? await readJsonBody(request, config.bodyLimitBytes) : undefined;
      const params = paramsFrom(request.method, url, body);
      const { status, body: result } = await execute(request, params, requestLogger, requestId);
      // With application/json every well-formed request answers 200 (GraphQL over HTTP).
      sendJson(response, graphqlResponse ? status : 200, result, contentType);
    } catch (error) {
      if (error instanceof BodyError) {
        return sendJson(
          response,
          error.status,
          { errors: [new CreditGatewayError('BAD_REQUEST', error.message).toJSON()] },
          contentType,
        );
      }
      if (error instanceof RequestError) {
        return sendJson(
          response,
          error.status,
          { errors: [new CreditGatewayError(error.code, error.message).toJSON()] },
          contentType,
        );
      }
      requestLogger.error({ err: error }, 'request failed');
      sendJson(
        response,
        500,
        { errors: [new CreditGatewayError('INTERNAL_SERVER_ERROR', 'Unexpected error').toJSON()] },
        contentType,
      );
    }
  };
}

/** A caller's request id is echoed only when it is short and plain, never arbitrary text. */
function validRequestId(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(value) ? value : undefined;
}
