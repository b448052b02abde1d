import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayGraphQLRequestContext, GatewaySchemaHash } from '@apollo/server-gateway-interface';
import {
  getOperationAST,
  getVariableValues,
  Kind,
  OperationTypeNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLError,
  type GraphQLFormattedError,
} from 'graphql';
import {
  BodyError,
  CreditGatewayError,
  LruCache,
  PURPOSE_TIERS,
  TIERS,
  parseJsonInput,
  readBody,
  readJsonBody,
  sendJson,
  type BodyPace,
  type ErrorCode,
  type Logger,
  type Tier,
} from '@credit-gateway/common';
import { filterOperation, type FilteredOperation } from '../access/filter.js';
import { shapeResponse } from '../access/response.js';
import { consentsClaim, PUBLIC_CALLER, type Caller } from '../auth/index.js';
import type { GatewayConfig } from '../config.js';
import { findOversizedBatch } from '../execution/batch-limit.js';
import { DocumentCache } from '../execution/document-cache.js';
import { checkQueryStringNesting } from '../execution/document-limits.js';
import { formatErrors, withCode, withoutPersonalValue } from '../execution/errors.js';
import { identifierArguments } from '../execution/identifier-arguments.js';
import { reachedIdentifiers, subjectsNamedInRequest, subjectsNamedInText } from '../execution/named-subjects.js';
import { isProbe, selectsIntrospection } from '../execution/operation-shape.js';
import { countSubjects, findTooManySubjects } from '../execution/subject-limit.js';
import { checkOperationCost } from '../limits/operation-limits.js';
import { RefusalSampler, retryAfterSeconds, type RateDecision } from '../limits/rate-limit.js';
import { Admission } from '../performance/admission.js';
import type { QueryOutcome } from '../register/index.js';
import type { GatewayServices } from '../services.js';
import type { GatewayRequestContext } from '../subgraph-datasource.js';
import type { LoadedSupergraph } from '../supergraph.js';

interface GraphQLParams {
  query: string;
  operationName: string | undefined;
  variables: Record<string, unknown>;
}

type ResponseBody = { data?: unknown; errors?: GraphQLFormattedError[]; extensions?: Record<string, unknown> };

/** What one request produced: the response, and what the query register records of it. */
interface Answer {
  status: number;
  /**
   * A refusal of the HTTP request itself (malformed, unauthenticated, throttled): its status holds
   * for every client. Other refusals are GraphQL request errors: 400 only for clients that accept
   * application/graphql-response+json, 200 with application/json (GraphQL over HTTP).
   */
  transport?: boolean;
  body: ResponseBody;
  headers?: Record<string, string>;
  outcome: QueryOutcome;
  operationName?: string | null;
  operationHash?: string;
  subjects?: readonly string[];
  fieldsReturned?: readonly string[];
  fieldsDenied?: readonly string[];
  /**
   * The operation selected nothing but `__typename`: a liveness probe, which reads no credit
   * information and so is not a query the register records (查询使用登记).
   */
  probe?: boolean;
  /** A throttled failed-authentication refusal beyond the first of its period (RefusalSampler). */
  unregistered?: boolean;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const GRAPHQL_RESPONSE_TYPE = 'application/graphql-response+json; charset=utf-8';
export const PURPOSE_HEADER = 'x-credit-purpose';
/** What the register records as the operation of a request that carried no readable document. */
const NO_DOCUMENT_HASH = createHash('sha256').update('').digest('hex');

/** A POST body, read before the request is admitted: its value, or why it could not be read. */
type BodyRead = { ok: true; value: unknown } | { ok: false; error: unknown };

async function settled(reading: Promise<unknown>): Promise<BodyRead> {
  try {
    return { ok: true, value: await reading };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * `work`'s result, or `late()`'s once `signal` aborts first. The work is not stopped, only no
 * longer waited for; its eventual result or error is dropped.
 */
async function withinDeadline<T>(signal: AbortSignal, late: () => T, work: () => Promise<T>): Promise<T> {
  if (signal.aborted) return late();
  const expired = Symbol('expired');
  let onAbort = () => {};
  const expiry = new Promise<typeof expired>((resolve) => {
    onAbort = () => resolve(expired);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const first = await Promise.race([work(), expiry]);
    return first === expired ? late() : first;
  } catch (error) {
    if (signal.aborted) return late();
    throw error;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

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

function refusal(
  status: number,
  errors: readonly (GraphQLError | GraphQLFormattedError)[],
  logger: Logger,
  transport = false,
): Answer {
  return { status, body: { errors: formatErrors(errors, logger) }, outcome: 'REJECTED', transport };
}

function paramsFrom(method: string, url: URL, body: unknown, persistedQuery?: string): GraphQLParams {
  const isObject = typeof body === 'object' && body !== null && !Array.isArray(body);
  if (method === 'POST' && !isObject)
    throw new RequestError(400, 'BAD_REQUEST', 'The request body must be a JSON object');
  const source = method === 'GET' ? Object.fromEntries(url.searchParams) : (body as Record<string, unknown>);
  const { operationName } = source;
  const query = persistedQuery ?? source['query'];
  let { variables } = source;
  if (typeof query !== 'string' || query.trim() === '') {
    throw new RequestError(400, 'BAD_REQUEST', "The request must carry a GraphQL document in 'query'");
  }
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') {
    throw new RequestError(400, 'BAD_REQUEST', "'operationName' must be a string");
  }
  if (method === 'GET' && typeof variables === 'string') variables = parseJsonInput(variables, "'variables'");
  if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) {
    throw new RequestError(400, 'BAD_REQUEST', "'variables' must be a JSON object");
  }
  return {
    query,
    operationName: typeof operationName === 'string' ? operationName : undefined,
    variables: (variables ?? {}) as Record<string, unknown>,
  };
}

/** A stated purpose: one line of printable text, bounded; anything else is no purpose. */
function purposeOf(request: IncomingMessage): string | null {
  const value = request.headers[PURPOSE_HEADER];
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  return text && text.length <= 200 && !/[\u0000-\u001f]/.test(text) ? text : null;
}

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return fragments;
}

const emptyCache = {
  get: () => Promise.resolve(undefined),
  set: () => Promise.resolve(),
  delete: () => Promise.resolve(true),
};

export interface GraphQLHandlerOptions {
  supergraph: LoadedSupergraph;
  config: GatewayConfig;
  services: GatewayServices;
  logger: Logger;
}

/**
 * GraphQL over HTTP (GET and POST) in front of the query planner. For every request, in order:
 * who is calling (token), why (purpose), how often (rate limit); parse and validate once per query
 * text; coerce variables with the product's scalars; refuse oversized or costly operations; remove
 * the fields the caller's tier may not read (plans cached per operation and tier); verify the
 * subjects' consents; plan and execute; null the removed fields with their errors and mask personal
 * identifiers; register the query durably; only then answer.
 */
export function createGraphQLHandler({ supergraph, config, services, logger }: GraphQLHandlerOptions) {
  const { schema, executor, accessRules, personalFields } = supergraph;
  const documents = new DocumentCache(schema, config.limits);
  const { persistedOperations } = services;
  // Filtered operations per tier and query text; each carries the hash its query plan is cached by.
  const filtered = new Map<Tier, LruCache<string, FilteredOperation>>(
    TIERS.map((tier) => [tier, new LruCache<string, FilteredOperation>(1_000)]),
  );

  function filterFor(queryHash: string, document: DocumentNode, tier: Tier): FilteredOperation {
    const byQuery = filtered.get(tier)!;
    let result = byQuery.get(queryHash);
    if (!result) {
      result = filterOperation(schema, document, accessRules, tier);
      byQuery.set(queryHash, result);
    }
    return result;
  }

  async function answer(
    request: IncomingMessage,
    url: URL,
    caller: Caller,
    purpose: string | null,
    requestId: string,
    requestLogger: Logger,
    read: BodyRead | undefined,
    /** What is known of the request so far, for the register should the deadline pass first. */
    progress: Partial<Answer>,
  ): Promise<Answer> {
    if (request.method !== 'GET' && request.method !== 'POST') {
      throw new RequestError(405, 'BAD_REQUEST', 'Use GET or POST for GraphQL requests');
    }
    if (read && !read.ok) throw read.error;
    const body = read?.value;
    if (request.method === 'GET') checkQueryStringNesting(url.searchParams);
    const persisted = await persistedOperations.resolve(
      request.method === 'GET' ? Object.fromEntries(url.searchParams) : isRecord(body) ? body : {},
    );
    if (!persisted.ok) {
      return { ...refusal(400, [persisted.error], requestLogger), operationHash: persisted.hash ?? NO_DOCUMENT_HASH };
    }
    const params = paramsFrom(request.method, url, body, persisted.query);
    const prepared = documents.prepare(params.query);
    // A refusal still names the subjects the request named, found in its text (best effort); only
    // a refusal reads them.
    const base = {
      operationHash: prepared.queryHash,
      operationName: params.operationName ?? null,
      get subjects() {
        return services.subjects.keys(subjectsNamedInText(schema, [params.query, JSON.stringify(params.variables)]));
      },
    };
    progress.operationHash = base.operationHash;
    progress.operationName = base.operationName;
    if (!prepared.ok) return { ...refusal(400, prepared.errors, requestLogger), ...base };
    if (persisted.register) persistedOperations.remember(persisted.register, params.query);

    const operation = getOperationAST(prepared.document, params.operationName) ?? null;
    if (!operation) {
      const message = params.operationName
        ? `Unknown operation '${params.operationName}'`
        : 'The document holds several operations: name one in operationName';
      return { ...refusal(400, [new CreditGatewayError('BAD_REQUEST', message)], requestLogger), ...base };
    }
    if (operation.operation === OperationTypeNode.SUBSCRIPTION) {
      const error = new CreditGatewayError('OPERATION_NOT_SUPPORTED', 'Subscriptions are not supported');
      return { ...refusal(400, [error], requestLogger), ...base };
    }
    if (operation.operation === OperationTypeNode.MUTATION && request.method === 'GET') {
      throw new RequestError(405, 'BAD_REQUEST', 'Mutations must be sent with POST');
    }
    const fragments = fragmentsOf(prepared.document);
    if (!config.introspectionTiers.has(caller.tier) && selectsIntrospection(schema, operation, fragments)) {
      const error = new CreditGatewayError(
        'INTROSPECTION_NOT_ALLOWED',
        `Schema introspection is not available to ${caller.tier} callers`,
        { extensions: { tier: caller.tier } },
      );
      return { ...refusal(400, [error], requestLogger), ...base };
    }

    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], params.variables);
    if (coerced.errors) {
      return {
        ...refusal(
          400,
          coerced.errors.map((e) => withoutPersonalValue(withCode(e, 'BAD_USER_INPUT'))),
          requestLogger,
        ),
        ...base,
      };
    }
    const identifiers = identifierArguments(schema, prepared.document, coerced.coerced);
    const subjects = services.subjects.keys(identifiers);
    const withSubjects = { operationHash: base.operationHash, operationName: base.operationName, subjects };
    Object.assign(progress, withSubjects);
    const oversized = findOversizedBatch(identifiers, config.maxBatchSize);
    if (oversized) return { ...refusal(400, [oversized], requestLogger), ...withSubjects };
    const tooMany = findTooManySubjects(identifiers, caller.tier, config.maxSubjectsPerRequest);
    if (tooMany) return { ...refusal(400, [tooMany], requestLogger), ...withSubjects };
    const costly = checkOperationCost(schema, prepared.document, params.operationName, coerced.coerced, config.limits);
    if (costly) return { ...refusal(400, [costly], requestLogger), ...withSubjects };
    // 查询量: the subjects named count against the caller's budget, before anything is fetched.
    const spent = await services.rateLimiter.consume(
      { tier: caller.tier, client: caller.client, ip: request.socket.remoteAddress ?? 'unknown' },
      countSubjects(identifiers),
    );
    if (spent && !spent.allowed) return { ...throttled(spent, requestLogger), ...withSubjects };

    const allowed = filterFor(prepared.queryHash, prepared.document, caller.tier);
    const denied = [...allowed.denied];
    if (denied.length > 0 && config.rejectUnauthorized) {
      const errors = denied.map(
        (coordinate) =>
          new CreditGatewayError(
            'UNAUTHORIZED_FIELD_OR_TYPE',
            `Not authorized to read ${coordinate} as a ${caller.tier} caller`,
            {
              extensions: { field: coordinate, tier: caller.tier },
            },
          ),
      );
      return { ...refusal(403, errors, requestLogger), ...withSubjects, outcome: 'DENIED', fieldsDenied: denied };
    }

    let consents: ReturnType<typeof consentsClaim> = {};
    if (caller.tier === 'AUTHORIZED') {
      try {
        consents = consentsClaim(
          (await services.consents.verify(request.headers['x-credit-consent'], { caller, purpose })).granted,
        );
      } catch (error) {
        // Too many consents, or too many bytes of them: the caller's to fix, never a 500.
        if (!(error instanceof CreditGatewayError)) throw error;
        return { ...refusal(400, [error], requestLogger, true), ...withSubjects };
      }
    }
    const internalToken = await services.internalSigner.sign({
      tier: caller.tier,
      client: caller.client,
      purpose,
      consents,
      department: caller.department ?? null,
    });
    const context: GatewayRequestContext = {
      requestId,
      logger: requestLogger,
      internalToken,
      access: { tier: caller.tier, consents },
      staleSources: new Set(),
    };
    const requestContext: GatewayGraphQLRequestContext<GatewayRequestContext> = {
      request: { query: params.query, operationName: params.operationName, variables: params.variables },
      logger: requestLogger,
      schema,
      schemaHash: '' as GatewaySchemaHash,
      context,
      cache: emptyCache,
      queryHash: allowed.queryHash,
      document: allowed.document,
      source: params.query,
      operationName: operation.name?.value ?? null,
      operation: getOperationAST(allowed.document, params.operationName) ?? operation,
      metrics: { captureTraces: false },
      overallCachePolicy: {},
    };
    const result = await executor(requestContext as GatewayGraphQLRequestContext);
    const data = (result.data ?? null) as Record<string, unknown> | null;
    const shaped = shapeResponse(data, {
      schema,
      operation,
      fragments,
      denied: allowed.denied,
      tier: caller.tier,
      personal: personalFields,
      variables: coerced.coerced,
    });
    const errors = [...shaped.errors, ...formatErrors(result.errors ?? [], requestLogger)];
    const consentDenied = errors.flatMap((error) =>
      error.extensions?.['code'] === 'CONSENT_REQUIRED' && typeof error.extensions['field'] === 'string'
        ? [error.extensions['field']]
        : [],
    );
    const outcome: QueryOutcome =
      errors.length === 0
        ? 'OK'
        : data === null
          ? 'ERROR'
          : shaped.returned.size === 0 && denied.length > 0
            ? 'DENIED'
            : 'PARTIAL';
    // Sections answered from the entity cache past their TTL because their source failed.
    const extensions = context.staleSources?.size ? { extensions: { staleSources: [...context.staleSources] } } : {};
    return {
      status: 200,
      body: errors.length > 0 ? { data, errors, ...extensions } : { data, ...extensions },
      outcome,
      probe: outcome === 'OK' && isProbe(schema, operation, fragments),
      ...withSubjects,
      subjects: [...new Set([...subjects, ...services.subjects.keys(reachedIdentifiers(shaped.reached))])],
      fieldsReturned: [...shaped.returned],
      fieldsDenied: [...new Set([...denied, ...consentDenied])],
    };
  }

  const admission = new Admission(config.performance.maxConcurrentRequests);
  const pace: BodyPace = {
    timeoutMs: config.performance.bodyTimeoutMs,
    minBytesPerSecond: config.performance.bodyMinBytesPerSecond,
  };

  /**
   * `work` once admitted, or `late()` once the deadline passes first. The place is given up when
   * the work is done or at the deadline: what still runs then only waits for subgraph fetches, each
   * ended by SUBGRAPH_TIMEOUT_MS, and must not hold up the line.
   */
  function admittedBefore(deadline: AbortSignal, late: () => Answer, work: () => Promise<Answer>): Promise<Answer> {
    return withinDeadline(deadline, late, async () => {
      const leave = await admission.enter(deadline);
      deadline.addEventListener('abort', leave, { once: true });
      try {
        return await work();
      } finally {
        deadline.removeEventListener('abort', leave);
        leave();
      }
    });
  }

  const authRefusals = new RefusalSampler(config.rateLimit.limits.authFailures?.periodMs ?? 60_000);

  /** HTTP 429 with Retry-After, for every client: the request itself is refused. */
  function throttled(decision: RateDecision, requestLogger: Logger): Answer {
    return {
      ...refusal(429, [services.rateLimitedError(decision)], requestLogger, true),
      headers: { 'retry-after': String(retryAfterSeconds(decision)) },
    };
  }

  async function handleGraphQL(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const time = new Date().toISOString();
    // The deadline runs from arrival. The body is read before admission, so that a client slow to
    // send it holds no place a ready request could use.
    const deadline = new AbortController();
    // Cleared once answered: thousands of requests a second would otherwise each leave a timer.
    const timer = setTimeout(() => deadline.abort(new Error('deadline')), config.performance.requestTimeoutMs);
    try {
      // A body sent with any other method is read too (and dropped): answered unread, it would be
      // cut off with the connection while the client still sends it.
      const read =
        request.method === 'POST'
          ? await settled(readJsonBody(request, config.bodyLimitBytes, pace))
          : request.method !== 'GET' && hasBody(request)
            ? await settled(readBody(request, config.bodyLimitBytes, pace).then(() => undefined))
            : undefined;
      await handleAdmitted(request, response, url, time, read, deadline.signal);
    } finally {
      clearTimeout(timer);
    }
  }

  async function handleAdmitted(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    time: string,
    read: BodyRead | undefined,
    deadline: AbortSignal,
  ): Promise<void> {
    const accept = request.headers.accept ?? '';
    const graphqlResponse = accept.includes('application/graphql-response+json');
    const contentType = graphqlResponse ? GRAPHQL_RESPONSE_TYPE : JSON_TYPE;
    const requestId = validRequestId(request.headers['x-request-id']) ?? randomUUID();
    const requestLogger = logger.child({ requestId });
    response.setHeader('x-request-id', requestId);

    let caller: Caller = PUBLIC_CALLER;
    const purpose = purposeOf(request);
    const namedSubjects = () =>
      services.subjects.keys(subjectsNamedInRequest(schema, url, read?.ok ? read.value : undefined));
    let result: Answer;
    const progress: Partial<Answer> = {};
    const late = (): Answer => ({
      ...progress,
      ...refusal(
        504,
        [
          new CreditGatewayError(
            'REQUEST_TIMEOUT',
            `The request was not answered within ${config.performance.requestTimeoutMs} ms`,
          ),
        ],
        requestLogger,
        true,
      ),
      outcome: 'ERROR',
    });
    try {
      result = await admittedBefore(deadline, late, async (): Promise<Answer> => {
        const address = request.socket.remoteAddress ?? 'unknown';
        if (request.headers.authorization !== undefined) {
          // An address past its failed authentications has no token verified until it recovers.
          const failures = await services.rateLimiter.checkAuthFailures(address);
          if (failures && !failures.allowed) {
            const sample = authRefusals.take(address);
            if (sample.skipped > 0)
              requestLogger.warn({ skipped: sample.skipped }, 'throttled authentication refusals not registered');
            return sample.register
              ? { ...throttled(failures, requestLogger), subjects: namedSubjects() }
              : { ...throttled(failures, requestLogger), unregistered: true };
          }
        }
        try {
          caller = await services.callers.verify(request.headers.authorization);
        } catch (error) {
          if (error instanceof CreditGatewayError) {
            await services.rateLimiter.recordAuthFailure(address);
            return {
              ...refusal(401, [error], requestLogger, true),
              subjects: namedSubjects(),
              headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
            };
          }
          throw error;
        }
        if (PURPOSE_TIERS.has(caller.tier) && purpose === null) {
          const error = new CreditGatewayError(
            'PURPOSE_REQUIRED',
            `${caller.tier} callers must state the purpose of the query in the ${PURPOSE_HEADER} header`,
            { extensions: { header: PURPOSE_HEADER } },
          );
          return { ...refusal(400, [error], requestLogger, true), subjects: namedSubjects() };
        }
        const decision = await services.rateLimiter.check({ tier: caller.tier, client: caller.client, ip: address });
        if (!decision.allowed) return { ...throttled(decision, requestLogger), subjects: namedSubjects() };
        return answer(request, url, caller, purpose, requestId, requestLogger, read, progress);
      });
    } catch (error) {
      if (error instanceof BodyError || error instanceof RequestError) {
        const status = error.status;
        if (status === 405) response.setHeader('allow', 'GET, POST');
        const code = error instanceof RequestError ? error.code : status === 408 ? 'REQUEST_TIMEOUT' : 'BAD_REQUEST';
        result = refusal(status, [new CreditGatewayError(code, error.message)], requestLogger, true);
        // The rest of a body too slow to wait for is never read: the connection goes with the answer.
        if (status === 408) result.headers = { connection: 'close' };
      } else {
        requestLogger.error({ err: error }, 'request failed');
        result = {
          status: 500,
          body: { errors: [new CreditGatewayError('INTERNAL_SERVER_ERROR', 'Unexpected error').toJSON()] },
          outcome: 'ERROR',
          transport: true,
        };
      }
    }

    try {
      // Nothing is released before its record is durable (查询使用登记).
      if (!result.probe && !result.unregistered)
        await services.register.append({
          time,
          requestId,
          caller: caller.subject,
          client: caller.client,
          tier: caller.tier,
          purpose,
          operationName: result.operationName ?? null,
          operationHash: result.operationHash ?? NO_DOCUMENT_HASH,
          subjects: result.subjects ?? [],
          fieldsReturned: result.fieldsReturned ?? [],
          fieldsDenied: result.fieldsDenied ?? [],
          outcome: result.outcome,
          errorCodes: [...new Set((result.body.errors ?? []).map((e) => String(e.extensions?.['code'])))],
        });
    } catch (error) {
      requestLogger.error({ err: error }, 'query register unavailable');
      const unavailable = new CreditGatewayError(
        'REGISTER_UNAVAILABLE',
        'The query register cannot record this request, so it is not answered; try again later',
      );
      return sendJson(response, 503, { errors: [unavailable.toJSON()] }, contentType);
    }
    for (const [name, value] of Object.entries(result.headers ?? {})) response.setHeader(name, value);
    sendJson(response, result.transport || graphqlResponse ? result.status : 200, result.body, contentType);
  }
  return Object.assign(handleGraphQL, {
    admission: () => ({ ...admission.state, oldestWaitMs: Math.round(admission.oldestWaitMs()) }),
  });
}

function hasBody(request: IncomingMessage): boolean {
  return request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A caller's request id is echoed only when it is short and plain, never arbitrary text. */
function validRequestId(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(value) ? value : undefined;
}
