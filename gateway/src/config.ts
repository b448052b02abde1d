import { fileURLToPath } from 'node:url';
import {
  DEFAULT_ALLOW_LIST_FILE,
  envName,
  EnvReader,
  GATEWAY_PORT,
  readServiceConfig,
  SUBGRAPH_NAMES,
  type Env,
  type ServiceConfig,
  type SubgraphName,
} from '@credit-gateway/common';

export const DEFAULT_SUPERGRAPH_FILE = fileURLToPath(new URL('../../schema/supergraph.graphql', import.meta.url));

export interface GatewayConfig extends ServiceConfig {
  /** The committed, composed supergraph; the gateway never introspects subgraphs. */
  supergraphFile: string;
  /** Where each subgraph is reached; a name missing here uses the URL composed into the supergraph. */
  subgraphUrls: Partial<Record<SubgraphName, string>>;
  /** A subgraph that has not answered by then is reported as SOURCE_TIMEOUT for its sections. */
  subgraphTimeoutMs: number;
  /** Most items a list argument of credit codes or ID numbers may hold in one request. */
  maxBatchSize: number;
  bodyLimitBytes: number;
  allowListFile: string;
  graphiql: boolean;
}

export function loadConfig(env: Env): GatewayConfig {
  const reader = new EnvReader(env);
  const subgraphUrls: Partial<Record<SubgraphName, string>> = {};
  for (const name of SUBGRAPH_NAMES) {
    const url = reader.url(`SUBGRAPH_${envName(name)}_URL`);
    if (url !== undefined) subgraphUrls[name] = url;
  }
  const config: GatewayConfig = {
    ...readServiceConfig(reader, GATEWAY_PORT),
    supergraphFile: reader.string('SUPERGRAPH_FILE', DEFAULT_SUPERGRAPH_FILE),
    subgraphUrls,
    subgraphTimeoutMs: reader.int('SUBGRAPH_TIMEOUT_MS', 5_000, { min: 1, max: 300_000 }),
    maxBatchSize: reader.int('MAX_BATCH_SIZE', 500, { min: 1, max: 10_000 }),
    bodyLimitBytes: reader.int('BODY_LIMIT_BYTES', 1024 * 1024, { min: 1024, max: 100 * 1024 * 1024 }),
    allowListFile: reader.string('CREDIT_CODE_ALLOWLIST_FILE', DEFAULT_ALLOW_LIST_FILE),
    graphiql: reader.bool('GRAPHIQL', true),
  };
  reader.done();
  return config;
}
