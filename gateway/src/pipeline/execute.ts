/**
 * Stage 7, plan and execute: the operation as the policy left it is planned once per filtered text
 * and operation, and its plan executed by @apollo/gateway's executor, each fetch through the subgraph stage
 * (8). Planning works on what the earlier stages decided: the operation already chosen and its
 * variables already coerced, so neither is looked up or coerced again (ApolloGateway's own executor
 * would do both, and hash the query for its plan cache, on every request).
 */
import { executeQueryPlan, type ServiceMap } from '@apollo/gateway';
import type {
  GatewayExecutionResult,
  GatewayGraphQLRequestContext,
  GatewaySchemaHash,
} from '@apollo/server-gateway-interface';
import { operationFromDocument, type Schema, type Supergraph } from '@apollo/federation-internals';
import { QueryPlanner, type QueryPlan } from '@apollo/query-planner';
import { Kind, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { LruCache } from '@credit-gateway/common';
import type { FilteredOperation } from '../access/filter.js';
import type { RequestContext } from './context.js';
import type { AccessDecision } from './policy.js';
import type { ResolvedDocument } from './resolve-document.js';

/** What plans are built from and executed against, loaded once from the supergraph (supergraph.ts). */
export interface ExecutableSupergraph {
  readonly supergraph: Supergraph;
  /** The API schema as the planner reads it. */
  readonly apiSchema: Schema;
  /** The API schema as graphql-js reads it, with the product's scalars: what requests are checked against. */
  readonly schema: GraphQLSchema;
  /** The whole supergraph, join directives and all, as graphql-js reads it. */
  readonly supergraphSchema: GraphQLSchema;
  /** Subgraph name → its data source (stage 8). */
  readonly services: ServiceMap;
}

/** One operation of one filtered document, ready to execute: what the executor is handed. */
interface Prepared {
  operation: OperationDefinitionNode;
  operationContext: { schema: GraphQLSchema; operation: OperationDefinitionNode; fragments: FragmentMap };
  plan: QueryPlan;
}

type FragmentMap = Record<string, FragmentDefinitionNode>;

const emptyCache = {
  get: () => Promise.resolve(undefined),
  set: () => Promise.resolve(),
  delete: () => Promise.resolve(true),
};

export class Execute {
  private readonly planner: QueryPlanner;
  /**
   * Plans by the hash of the filtered text (policy.ts) and the operation's name, which is unique in
   * a valid document: tiers whose filtered operations read the same share a plan. Bounded, like
   * every per-document cache here.
   */
  private readonly prepared = new LruCache<string, Prepared>(1_000);

  constructor(private readonly executable: ExecutableSupergraph) {
    this.planner = new QueryPlanner(executable.supergraph);
  }

  async run(
    context: RequestContext,
    document: ResolvedDocument,
    decision: AccessDecision,
  ): Promise<GatewayExecutionResult> {
    const { filtered } = decision;
    const end = context.hooks.onExecute?.(context, {
      operationName: document.operation.name?.value ?? null,
      queryHash: filtered.queryHash,
    });
    const started = end ? performance.now() : 0;
    const prepared = this.planned(context, filtered, document);
    const requestContext = {
      request: { query: document.query, operationName: document.operationName, variables: document.variables },
      logger: context.logger,
      schema: this.executable.schema,
      schemaHash: '' as GatewaySchemaHash,
      context,
      cache: emptyCache,
      queryHash: filtered.queryHash,
      document: filtered.document,
      source: document.query,
      operationName: document.operation.name?.value ?? null,
      operation: prepared.operation,
      metrics: { captureTraces: false },
      overallCachePolicy: {},
    } as unknown as GatewayGraphQLRequestContext<RequestContext>;
    const { services, supergraphSchema, apiSchema } = this.executable;
    const result = await executeQueryPlan(
      prepared.plan,
      services,
      requestContext as GatewayGraphQLRequestContext,
      prepared.operationContext,
      supergraphSchema,
      apiSchema,
    );
    end?.({ durationMs: performance.now() - started, errors: result.errors?.length ?? 0 });
    return result;
  }

  /** `prepare`, told to the `onStage` hook as the `plan` stage. */
  private planned(context: RequestContext, filtered: FilteredOperation, document: ResolvedDocument): Prepared {
    const end = context.hooks.onStage?.(context, { stage: 'plan' });
    if (!end) return this.prepare(filtered, document);
    const started = performance.now();
    const cached = this.prepared.get(this.key(filtered, document)) !== undefined;
    try {
      const prepared = this.prepare(filtered, document);
      end({ durationMs: performance.now() - started, refused: false, cached });
      return prepared;
    } catch (error) {
      end({ durationMs: performance.now() - started, refused: true, cached });
      throw error;
    }
  }

  private key(filtered: FilteredOperation, document: ResolvedDocument): string {
    return `${filtered.queryHash}:${document.operation.name?.value ?? ''}`;
  }

  /** The operation's plan: built the first time this filtered text runs this operation. */
  private prepare(filtered: FilteredOperation, document: ResolvedDocument): Prepared {
    const key = this.key(filtered, document);
    let prepared = this.prepared.get(key);
    if (prepared) return prepared;
    // Filtering removes fields, never definitions: the operation keeps its place in the document.
    const index = document.document.definitions.indexOf(document.operation);
    const operation = filtered.document.definitions[index] as OperationDefinitionNode;
    const fragments: FragmentMap = Object.create(null) as FragmentMap;
    for (const definition of filtered.document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
    }
    const { apiSchema, schema } = this.executable;
    const plan = this.planner.buildQueryPlan(
      operationFromDocument(apiSchema, { kind: Kind.DOCUMENT, definitions: [operation, ...Object.values(fragments)] }),
    );
    prepared = { operation, operationContext: { schema, operation, fragments }, plan };
    this.prepared.set(key, prepared);
    return prepared;
  }
}
