import { subgraphSchema, type CreditCodePolicy } from '@credit-gateway/common';
import type { GraphQLSchema } from 'graphql';
import { createResolvers } from './resolvers/index.js';

/** The query register subgraph, served in process by the gateway. */
export function createRegisterSubgraphSchema(policy: CreditCodePolicy): GraphQLSchema {
  return subgraphSchema('register', createResolvers(policy));
}
