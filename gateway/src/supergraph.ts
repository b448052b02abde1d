import { readFileSync } from 'node:fs';
import { ApolloGateway, type GraphQLDataSource } from '@apollo/gateway';
import type { GatewayExecutor } from '@apollo/server-gateway-interface';
import { isScalarType, parse, type GraphQLSchema } from 'graphql';
import {
  accessRules,
  personalFields,
  scalarResolvers,
  type AccessRule,
  type CreditCodePolicy,
  type LocalSubgraphName,
  type Logger,
  type PersonalKind,
  type SubgraphName,
} from '@credit-gateway/common';
import type { GatewayConfig } from './config.js';
import { EntityCache, entityKeyFields } from './cache/entity-cache.js';
import type { RedisProvider } from './redis/provider.js';
import type { TransportMetrics } from './performance/subgraph-transport.js';
import { SubgraphDataSource } from './subgraph-datasource.js';

export interface LoadedSupergraph {
  schema: GraphQLSchema;
  /** `Type.field` → who may read it, from the `@access` directives composed into the supergraph. */
  accessRules: ReadonlyMap<string, AccessRule>;
  /** `Type.field` → kind of personal data, from the `@personal` declarations composed into the supergraph. */
  personalFields: ReadonlyMap<string, PersonalKind>;
  executor: GatewayExecutor;
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

/** Loads the committed supergraph file; the gateway never introspects subgraphs in production. */
export async function loadSupergraph(
  config: GatewayConfig,
  policy: CreditCodePolicy,
  logger: Logger,
  /** Subgraphs served in this process, by name. */
  local: Readonly<Record<LocalSubgraphName, GraphQLDataSource>>,
  /** Where the entity cache's shared layer and evictions go. */
  redis: RedisProvider,
): Promise<LoadedSupergraph> {
  const supergraphSdl = readFileSync(config.supergraphFile, 'utf8');
  const subgraphs = new Map<string, string>();
  const remotes: SubgraphDataSource[] = [];
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
  const gateway = new ApolloGateway({
    supergraphSdl,
    logger: logger.child({ component: 'apollo-gateway' }),
    buildService: ({ name, url }) => {
      if (name in local) return local[name as LocalSubgraphName];
      const target = config.subgraphUrls[name as SubgraphName] ?? url;
      if (!target) throw new Error(`No URL for subgraph ${name}`);
      subgraphs.set(name, target);
      const source = new SubgraphDataSource(name as SubgraphName, target, config.subgraphTimeoutMs, config.performance);
      source.entityCache = entityCache;
      remotes.push(source);
      return source;
    },
  });
  const { schema, executor } = await gateway.load();
  installScalars(schema, policy);
  return {
    schema,
    executor,
    accessRules: rules,
    personalFields: personalFields(parse(supergraphSdl)),
    subgraphs,
    entityCache,
    fetchMetrics: () => Object.fromEntries(remotes.map((remote) => [remote.subgraph, { ...remote.metrics }])),
    stop: async () => {
      await gateway.stop();
      for (const remote of remotes) remote.close();
      await entityCache?.close();
    },
  };
}
