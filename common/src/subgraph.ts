import { readFileSync } from 'node:fs';
import type { RequestListener } from 'node:http';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type DocumentNode, type GraphQLSchema } from 'graphql';
import { DEFAULT_ALLOW_LIST_FILE } from './allow-list.js';
import type { EnvReader } from './config.js';
import type { Logger } from './logger.js';
import { readServiceConfig, type ServiceConfig } from './service.js';
import { createSubgraphHttpHandler, type SubgraphRequest } from './subgraph-http.js';
import { STAND_IN_PORTS, SUBGRAPH_PORTS, type StandInName, type SubgraphName } from './topology.js';

/** The resolver map buildSubgraphSchema takes; @apollo/subgraph does not export its name. */
type SubgraphResolverMap = NonNullable<
  Extract<Parameters<typeof buildSubgraphSchema>[0], { typeDefs: unknown }>['resolvers']
>;

/** The subgraph's SDL, from schema/: the same file composition reads. */
export function subgraphTypeDefs(name: SubgraphName): DocumentNode {
  return parse(readFileSync(new URL(`../../schema/${name}.graphql`, import.meta.url), 'utf8'));
}

export interface SubgraphOptions<TContext> {
  name: SubgraphName;
  /** The subgraph's typed resolver map (generated `Resolvers` type). */
  resolvers: object;
  logger: Logger;
  createContext: (request: SubgraphRequest) => TContext;
  isReady?: () => boolean;
}

/** Builds a subgraph's schema from its SDL and resolvers, and its HTTP handler. No side effects. */
export function buildSubgraph<TContext>(options: SubgraphOptions<TContext>): {
  schema: GraphQLSchema;
  handler: RequestListener;
} {
  const schema = buildSubgraphSchema({
    typeDefs: subgraphTypeDefs(options.name),
    resolvers: options.resolvers as SubgraphResolverMap,
  });
  const handler = createSubgraphHttpHandler<TContext>({
    schema,
    logger: options.logger,
    createContext: options.createContext,
    isReady: options.isReady,
  });
  return { schema, handler };
}

/** Settings every subgraph has. */
export interface SubgraphConfig extends ServiceConfig {
  /** Bound on one call to the department system. */
  sourceTimeoutMs: number;
  allowListFile: string;
}

export function readSubgraphConfig(reader: EnvReader, name: SubgraphName): SubgraphConfig {
  return {
    ...readServiceConfig(reader, SUBGRAPH_PORTS[name]),
    sourceTimeoutMs: reader.int('SOURCE_TIMEOUT_MS', 2_000, { min: 1, max: 120_000 }),
    allowListFile: reader.string('CREDIT_CODE_ALLOWLIST_FILE', DEFAULT_ALLOW_LIST_FILE),
  };
}

/** Where a department's HTTP interface is; defaults to its local stand-in. */
export function readSourceUrl(reader: EnvReader, name: StandInName): string {
  return reader.url('SOURCE_URL', `http://127.0.0.1:${STAND_IN_PORTS[name]}`);
}
