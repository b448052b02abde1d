/**
 * Stage 4, resolve the document: the GraphQL-over-HTTP parameters, persisted operations (APQ and
 * the safelist), parsing and validation once per query text (DocumentCache), the operation chosen
 * once, and the variables coerced once, with the product's scalars. Everything after works on this
 * stage's output and never looks the operation up or coerces the variables again.
 */
import {
  getOperationAST,
  getVariableValues,
  Kind,
  OperationTypeNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLError,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { CreditGatewayError, parseJsonInput } from '@credit-gateway/common';
import type { GatewayConfig } from '../config.js';
import { DocumentCache } from '../execution/document-cache.js';
import { checkQueryStringNesting } from '../execution/document-limits.js';
import { withCode, withoutPersonalValue } from '../execution/errors.js';
import { subjectsNamedInText } from '../execution/named-subjects.js';
import { selectsIntrospection } from '../execution/operation-shape.js';
import type { PersistedResolution } from '../performance/persisted-operations.js';
import type { GatewayServices } from '../services.js';
import { NO_DOCUMENT_HASH, refusal, RequestError, type Answer } from './answer.js';
import type { RequestContext } from './context.js';
import type { BodyRead } from './read-request.js';

export interface ResolvedDocument {
  /** The query text: sent, or found by its persisted hash. */
  readonly query: string;
  /** `operationName` as the request gave it. */
  readonly operationName: string | undefined;
  /** The variables as sent: what the subgraphs are passed. */
  readonly variables: Record<string, unknown>;
  /** The variables coerced by the product's scalars: what every check reads. */
  readonly coerced: Record<string, unknown>;
  readonly document: DocumentNode;
  /** sha256 of the query text. */
  readonly queryHash: string;
  readonly operation: OperationDefinitionNode;
  readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>;
}

export interface ResolveDocumentOptions {
  schema: GraphQLSchema;
  config: Pick<GatewayConfig, 'limits' | 'introspectionTiers'>;
  services: Pick<GatewayServices, 'persistedOperations' | 'subjects'>;
}

interface GraphQLParams {
  query: string;
  operationName: string | undefined;
  variables: Record<string, unknown>;
}

export class ResolveDocument {
  private readonly documents: DocumentCache;
  /** Fragments by name, found once per parsed document (documents are cached). */
  private readonly fragments = new WeakMap<DocumentNode, ReadonlyMap<string, FragmentDefinitionNode>>();

  constructor(private readonly options: ResolveDocumentOptions) {
    this.documents = new DocumentCache(options.schema, options.config.limits);
  }

  async run(context: RequestContext, body: BodyRead | undefined): Promise<ResolvedDocument | Answer> {
    const { schema, config, services } = this.options;
    const { request, url, logger, progress } = context;
    if (request.method !== 'GET' && request.method !== 'POST') {
      throw new RequestError(405, 'BAD_REQUEST', 'Use GET or POST for GraphQL requests');
    }
    if (body && !body.ok) throw body.error;
    const { supplied } = context;
    const get = request.method === 'GET' && !supplied;
    if (get) checkQueryStringNesting(url.searchParams);
    const fields = supplied ? { ...supplied } : get ? Object.fromEntries(url.searchParams) : body?.value;
    // A document the gateway supplies is its own, not a client's: the safelist is for clients.
    const persisted: PersistedResolution = supplied
      ? { ok: true }
      : await services.persistedOperations.resolve(isRecord(fields) ? fields : {});
    if (!persisted.ok) {
      return refusal(400, [persisted.error], logger, { operationHash: persisted.hash ?? NO_DOCUMENT_HASH });
    }
    if (!isRecord(fields)) throw new RequestError(400, 'BAD_REQUEST', 'The request body must be a JSON object');
    const params = paramsFrom(fields, get, persisted.query);
    const prepared = this.documents.prepare(params.query);
    progress.operationHash = prepared.queryHash;
    progress.operationName = params.operationName ?? null;
    if (!prepared.ok) return this.refuse(context, prepared.queryHash, params, prepared.errors);
    if (persisted.register) services.persistedOperations.remember(persisted.register, params.query);

    const operation = getOperationAST(prepared.document, params.operationName);
    if (!operation) {
      const message = params.operationName
        ? `Unknown operation '${params.operationName}'`
        : 'The document holds several operations: name one in operationName';
      return this.refuse(context, prepared.queryHash, params, [new CreditGatewayError('BAD_REQUEST', message)]);
    }
    if (operation.operation === OperationTypeNode.SUBSCRIPTION) {
      const error = new CreditGatewayError('OPERATION_NOT_SUPPORTED', 'Subscriptions are not supported');
      return this.refuse(context, prepared.queryHash, params, [error]);
    }
    if (operation.operation === OperationTypeNode.MUTATION && get) {
      throw new RequestError(405, 'BAD_REQUEST', 'Mutations must be sent with POST');
    }
    const fragments = this.fragmentsOf(prepared.document);
    const { tier } = context.caller;
    if (!config.introspectionTiers.has(tier) && selectsIntrospection(schema, operation, fragments)) {
      const error = new CreditGatewayError(
        'INTROSPECTION_NOT_ALLOWED',
        `Schema introspection is not available to ${tier} callers`,
        { extensions: { tier } },
      );
      return this.refuse(context, prepared.queryHash, params, [error]);
    }
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], params.variables);
    if (coerced.errors) {
      const errors = coerced.errors.map((e) => withoutPersonalValue(withCode(e, 'BAD_USER_INPUT')));
      return this.refuse(context, prepared.queryHash, params, errors);
    }
    context.hooks.onDocument?.(context, {
      operationName: operation.name?.value ?? null,
      operationType: operation.operation,
      operationHash: prepared.queryHash,
    });
    return {
      query: params.query,
      operationName: params.operationName,
      variables: params.variables,
      coerced: coerced.coerced,
      document: prepared.document,
      queryHash: prepared.queryHash,
      operation,
      fragments,
    };
  }

  /** A refusal of the document; it still names the subjects the request named, found in its text. */
  private refuse(
    context: RequestContext,
    operationHash: string,
    params: GraphQLParams,
    errors: readonly (GraphQLError | GraphQLFormattedError)[],
  ): Answer {
    const { schema, services } = this.options;
    const texts = [params.query, JSON.stringify(params.variables)];
    return refusal(400, errors, context.logger, {
      operationHash,
      operationName: params.operationName ?? null,
      subjects: services.subjects.keys(subjectsNamedInText(schema, texts)),
    });
  }

  private fragmentsOf(document: DocumentNode): ReadonlyMap<string, FragmentDefinitionNode> {
    let fragments = this.fragments.get(document);
    if (!fragments) {
      const found = new Map<string, FragmentDefinitionNode>();
      for (const definition of document.definitions) {
        if (definition.kind === Kind.FRAGMENT_DEFINITION) found.set(definition.name.value, definition);
      }
      this.fragments.set(document, (fragments = found));
    }
    return fragments;
  }
}

/** The GraphQL-over-HTTP parameters, from a POST body's fields or a GET's query string. */
function paramsFrom(fields: Record<string, unknown>, get: boolean, persistedQuery?: string): GraphQLParams {
  const { operationName } = fields;
  const query = persistedQuery ?? fields['query'];
  let { variables } = fields;
  if (typeof query !== 'string' || query.trim() === '') {
    throw new RequestError(400, 'BAD_REQUEST', "The request must carry a GraphQL document in 'query'");
  }
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') {
    throw new RequestError(400, 'BAD_REQUEST', "'operationName' must be a string");
  }
  if (get && typeof variables === 'string') variables = parseJsonInput(variables, "'variables'");
  if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) {
    throw new RequestError(400, 'BAD_REQUEST', "'variables' must be a JSON object");
  }
  return {
    query,
    operationName: typeof operationName === 'string' ? operationName : undefined,
    variables: (variables ?? {}) as Record<string, unknown>,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
