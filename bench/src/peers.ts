/**
 * The peer gateways, each started as its own process by the bench:
 *   node peers.mjs apollo <port> <supergraph file>
 *   node peers.mjs hive <port> <supergraph file>
 *   node peers.mjs hive-rust <port> <supergraph file>
 * (`hive-rust` is Hive Gateway with the Rust query planner of Hive Router as its unified graph handler.)
 * All are configured as their documentation shows, with one addition our subgraphs require:
 * they forward the caller's Authorization header, which the bench fills with an internal token
 * signed by the gateway key, since the subgraphs only trust the gateway's signature.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { createGatewayRuntime } from '@graphql-hive/gateway';
import { unifiedGraphHandler } from '@graphql-hive/router-runtime';

interface PeerContext {
  authorization: string;
}

class AuthorizedDataSource extends RemoteGraphQLDataSource<PeerContext> {
  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<PeerContext>): void {
    // Apollo also calls this for its own health checks, without a request context.
    const authorization: unknown = (context as Partial<PeerContext>).authorization;
    if (typeof authorization === 'string') request.http?.headers.set('authorization', authorization);
  }
}

async function startApollo(port: number, supergraphSdl: string): Promise<void> {
  // https://www.apollographql.com/docs/apollo-server/using-federation/apollo-gateway-setup
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ url }) => new AuthorizedDataSource({ url }),
  });
  const server = new ApolloServer<PeerContext>({ gateway });
  await startStandaloneServer(server, {
    listen: { port, host: '127.0.0.1' },
    context: ({ req }) => Promise.resolve({ authorization: req.headers.authorization ?? '' }),
  });
}

function startHive(port: number, supergraphFile: string, rustPlanner: boolean): Promise<void> {
  // https://the-guild.dev/graphql/hive/docs/gateway/deployment/node-frameworks/node-http
  // https://the-guild.dev/graphql/hive/docs/gateway/other-features/rust-query-planner
  const gateway = createGatewayRuntime({
    supergraph: supergraphFile,
    ...(rustPlanner ? { unifiedGraphHandler } : {}),
    logging: false,
    propagateHeaders: {
      fromClientToSubgraphs: ({ request }) => ({ authorization: request.headers.get('authorization') }),
    },
  });
  const server = createServer(gateway.requestListener);
  return new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
}

const [kind, portText, supergraphFile] = process.argv.slice(2);
if (supergraphFile === undefined || portText === undefined)
  throw new Error('usage: peers.mjs apollo|hive|hive-rust <port> <file>');
const port = Number(portText);
if (kind === 'apollo') await startApollo(port, readFileSync(supergraphFile, 'utf8'));
else if (kind === 'hive' || kind === 'hive-rust') await startHive(port, supergraphFile, kind === 'hive-rust');
else throw new Error(`unknown peer '${kind}'`);
process.stdout.write(`${kind} listening on ${port}\n`);
