import {
  createLogger,
  isDepartmentId,
  buildSubgraph,
  listen,
  loadCreditCodePolicy,
  type Logger,
  type RunningServer,
} from '@credit-gateway/common';
import type { CreditConfig } from './config.js';
import type { SubgraphContext } from './context.js';
import { createLoaders } from './loaders.js';
import type { CreditStore, LinkageClient } from './models.js';
import type { Outbox } from './outbox/port.js';
import { createResolvers } from './resolvers/index.js';
import { loadCreditPolicy, type CreditPolicy } from './rules/policy.js';
import { RecordIndex } from './rules/record-index.js';
import { RepresentativeIndex } from './rules/representatives.js';
import { createLinkageSource } from './source/linkage.js';
import { openCreditStore } from './store/index.js';

export interface CreditSubgraphOptions {
  /** The clock the rules judge by; the system clock by default. */
  now?: () => Date;
  /** The durable store of objections, repairs and feedback. */
  store?: CreditStore;
  /** The courts' enforcement linkage interface. */
  linkage?: LinkageClient;
  /** The durable outbox the loop pushes cases through. */
  outbox?: Outbox;
}

export interface CreditSubgraph {
  schema: ReturnType<typeof buildSubgraph>['schema'];
  handler: ReturnType<typeof buildSubgraph>['handler'];
  close(): Promise<void>;
}

/**
 * Builds the credit subgraph: the platform's own rules over the departments' records. Reads and
 * validates every policy file first (unless given them), and fails with all their problems at once.
 * Opens nothing: the store and the linkage adapter are given, and stay the caller's to close.
 */
export function createCreditSubgraph(
  config: CreditConfig,
  logger: Logger = createLogger({ service: 'subgraph-credit', level: config.logLevel }),
  options: CreditSubgraphOptions = {},
  policy: CreditPolicy = loadCreditPolicy(config),
): CreditSubgraph {
  const now = options.now ?? (() => new Date());
  const { store, linkage, outbox } = options;
  const representatives = new RepresentativeIndex(config.representativeIndexSize);
  const records = new RecordIndex(config.representativeIndexSize);
  const resolvers = createResolvers(loadCreditCodePolicy(config.allowListFile));
  const { schema, handler } = buildSubgraph<Omit<SubgraphContext, 'access'>>({
    name: 'credit',
    resolvers,
    logger,
    internalAuth: config.internalAuth,
    notedErrors: (context) => context.notedErrors,
    createContext: (request) => ({
      caller: callerOf(request.access),
      logger: request.logger,
      catalog: policy.catalog,
      policy,
      now,
      loaders: createLoaders(store),
      representatives,
      records,
      notedErrors: [],
      ...(store ? { store } : {}),
      ...(linkage ? { linkage } : {}),
      ...(outbox ? { outbox } : {}),
    }),
  });
  // Nothing of its own to release; kept so that callers close every subgraph the same way.
  return { schema, handler, close: () => Promise.resolve() };
}

/** The gateway's token also names the calling system and its purpose. */
function callerOf(access: object): SubgraphContext['caller'] {
  const { client, purpose, department } = access as { client?: unknown; purpose?: unknown; department?: unknown };
  return {
    client: typeof client === 'string' ? client : null,
    purpose: typeof purpose === 'string' ? purpose : null,
    department: isDepartmentId(department) ? department : null,
  };
}

/**
 * Starts the credit subgraph: opens the durable store (PostgreSQL when CREDIT_DATABASE_URL is set,
 * files in CREDIT_STORE_DIR otherwise) and the courts' linkage adapter unless given, then listens.
 * Closing stops the server, then closes the store it opened.
 */
/**
 * Checks the policy files, opens the durable store and the courts' linkage adapter (unless given),
 * and builds the subgraph; closing it closes the store it opened.
 */
export async function openCreditSubgraph(
  config: CreditConfig,
  logger: Logger = createLogger({ service: 'subgraph-credit', level: config.logLevel }),
  options: CreditSubgraphOptions = {},
): Promise<CreditSubgraph> {
  // The policy files are checked before anything is opened.
  const policy = loadCreditPolicy(config);
  const ownStore = options.store
    ? undefined
    : await openCreditStore({ dir: config.storeDir, databaseUrl: config.storeDatabaseUrl }, logger);
  const store = options.store ?? ownStore;
  const linkage =
    options.linkage ?? createLinkageSource({ baseUrl: config.linkageUrl, timeoutMs: config.sourceTimeoutMs });
  try {
    const subgraph = createCreditSubgraph(config, logger, { ...options, store, linkage }, policy);
    return {
      ...subgraph,
      close: async () => {
        await subgraph.close();
        await ownStore?.close();
      },
    };
  } catch (error) {
    await ownStore?.close();
    throw error;
  }
}

export async function startCreditSubgraph(
  config: CreditConfig,
  logger?: Logger,
  options: CreditSubgraphOptions = {},
): Promise<RunningServer> {
  const subgraph = await openCreditSubgraph(config, logger, options);
  try {
    const server = await listen(subgraph.handler, config.port, config.host);
    return {
      ...server,
      close: async () => {
        await server.close();
        await subgraph.close();
      },
    };
  } catch (error) {
    await subgraph.close();
    throw error;
  }
}

export { loadConfig } from './config.js';
export type { Outbox, OutboxMessage } from './outbox/port.js';
export type { CreditConfig } from './config.js';
