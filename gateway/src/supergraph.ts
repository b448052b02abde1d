import { readFileSync } from 'node:fs';
import type { GraphQLDataSource, ServiceMap } from '@apollo/gateway';
import { Supergraph } from '@apollo/federation-internals';
import { isScalarType, parse, type GraphQLSchema } from 'graphql';
import {
  accessRules,
  personalFields,
  scalarResolvers,
  type AccessRule,
  type CreditCodePolicy,
  type InternalSigner,
  type LocalSubgraphName,
  type Logger,
  type PersonalKind,
  type SubgraphName,
} from '@credit-gateway/common';
import type { GatewayConfig } from './config.js';
import { EntityCache, entityKeyFields } from './cache/entity-cache.js';
import type { RedisProvider } from './redis/provider.js';
import type { TransportMetrics } from './performance/subgraph-transport.js';
import type { ExecutableSupergraph } from './pipeline/execute.js';
import { LocalSubgraphFetch, SubgraphFetch } from './pipeline/subgraph-fetch.js';

export interface LoadedSupergraph {
  schema: GraphQLSchema;
  /** `Type.field` → who may read it, from the `@access` directives composed into the supergraph. */
  accessRules: ReadonlyMap<string, AccessRule>;
  /** `Type.field` → kind of personal data, from the `@personal` declarations composed into the supergraph. */
  personalFields: ReadonlyMap<string, PersonalKind>;
  /** What the planner plans from, and each subgraph's data source (pipeline/execute.ts). */
  executable: ExecutableSupergraph;
  /** Subgraph name → URL the gateway calls. */
  subgraphs: ReadonlyMap<string, string>;
  /** Present when ENTITY_CACHE is on. */
  entityCache: EntityCache | undefined;
  /** Per subgraph: requests sent, operations answered, deduplicated and merged. */
  fetchMetrics(): Record<string, TransportMetrics>;
  stop(): Promise<void>;
}

/**
 * Gives the API schema's custom scalars their real parsing, so that a bad credit code or ID number
 * is refused at the gateway, with its precise reason, before any subgraph is called.
 */
function installScalars(schema: GraphQLSchema, policy: CreditCodePolicy): void {
  for (const scalar of Object.values(scalarResolvers(policy))) {
    const target = schema.getType(scalar.name);
    if (!isScalarType(target)) continue;
    target.serialize = scalar.serialize;
    target.parseValue = scalar.parseValue;
    target.parseLiteral = scalar.parseLiteral;
  }
}

/**
 * Loads the committed supergraph file; the gateway never introspects subgraphs. Like a production
 * ApolloGateway it does not validate the file again: `npm run compose` composed and validated it,
 * and `compose:check` keeps it so.
 */
export function loadSupergraph(
  config: GatewayConfig,
  policy: CreditCodePolicy,
  logger: Logger,
  /** Subgraphs served in this process, by name. */
  local: Readonly<Record<LocalSubgraphName, GraphQLDataSource>>,
  /** Where the entity cache's shared layer and evictions go. */
  redis: RedisProvider,
  /** Signs the token every remote subgraph fetch carries. */
  signer: InternalSigner,
): LoadedSupergraph {
  const supergraphSdl = readFileSync(config.supergraphFile, 'utf8');
  const subgraphs = new Map<string, string>();
  const remotes: SubgraphFetch[] = [];
  const rules = accessRules(parse(supergraphSdl));
  const entityCache = config.entityCache.enabled
    ? new EntityCache(
        config.entityCache,
        redis.keyspace('entities'),
        rules,
        logger.child({ component: 'entity-cache' }),
        Date.now,
        entityKeyFields(parse(supergraphSdl)),
        policy,
      )
    : undefined;
  const supergraph = Supergraph.build(supergraphSdl, { validateSupergraph: false });
  const services: ServiceMap = Object.create(null) as ServiceMap;
  for (const { name, url } of supergraph.subgraphsMetadata()) {
    if (name in local) {
      services[name] = new LocalSubgraphFetch(name, local[name as LocalSubgraphName]);
      continue;
    }
    const target = config.subgraphUrls[name as SubgraphName] ?? url;
    if (!target) throw new Error(`No URL for subgraph ${name}`);
    subgraphs.set(name, target);
    const source = new SubgraphFetch(name as SubgraphName, target, {
      timeoutMs: config.subgraphTimeoutMs,
      performance: config.performance,
      signer,
      entityCache,
    });
    remotes.push(source);
    services[name] = source;
  }
  const apiSchema = supergraph.apiSchema();
  const schema = apiSchema.toGraphQLJSSchema();
  installScalars(schema, policy);
  return {
    schema,
    executable: { supergraph, apiSchema, schema, supergraphSchema: supergraph.schema.toGraphQLJSSchema(), services },
    accessRules: rules,
    personalFields: personalFields(parse(supergraphSdl)),
    subgraphs,
    entityCache,
    fetchMetrics: () => Object.fromEntries(remotes.map((remote) => [remote.subgraph, { ...remote.metrics }])),
    stop: async () => {
      for (const remote of remotes) remote.close();
      await entityCache?.close();
    },
  };
}
