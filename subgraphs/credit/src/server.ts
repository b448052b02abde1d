import {
  createLogger,
  isDepartmentId,
  buildSubgraph,
  listenSubgraph,
  loadCreditCodePolicy,
  SubgraphMetrics,
  type Logger,
  type RunningServer,
} from '@credit-gateway/common';
import type { CreditConfig } from './config.js';
import type { SubgraphContext } from './context.js';
import { createLoaders } from './loaders.js';
import type { CreditStore, LinkageClient } from './models.js';
import { createResolvers } from './resolvers/index.js';
import { loadCreditPolicy, type CreditPolicy } from './rules/policy.js';
import { RecordIndex } from './rules/record-index.js';
import { RepresentativeIndex } from './rules/representatives.js';
import { createLinkageSource } from './source/linkage.js';
import { openCreditStore } from './store/index.js';
import { ephemeralSigningKey, openOutbox, readSigningKey, type DurableOutbox } from './outbox/index.js';
import { peopleJournal } from './store/people.js';

export interface CreditSubgraphOptions {
  /** The clock the rules judge by; the system clock by default. */
  now?: () => Date;
  /** The durable store of objections, repairs and feedback. */
  store?: CreditStore;
  /** The courts' enforcement linkage interface. */
  linkage?: LinkageClient;
  /** What the platform pushes to departments; opened over the store when not given. */
  outbox?: DurableOutbox;
  /** Where the linkage calls and incomplete decisions are counted; the subgraph's own otherwise. */
  metrics?: SubgraphMetrics;
}

export interface CreditSubgraph {
  schema: ReturnType<typeof buildSubgraph>['schema'];
  handler: ReturnType<typeof buildSubgraph>['handler'];
  /** The outbox resolvers enqueue on, when the subgraph has a store. */
  outbox?: DurableOutbox;
  metrics: SubgraphMetrics;
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
  // Durable on the store when a key is configured; in memory otherwise.
  const representatives =
    store && config.personIndexKey !== undefined
      ? new RepresentativeIndex(config.representativeIndexSize, peopleJournal(store.events, now), config.personIndexKey)
      : new RepresentativeIndex(config.representativeIndexSize);
  const records = new RecordIndex(config.representativeIndexSize);
  const resolvers = createResolvers(loadCreditCodePolicy(config.allowListFile));
  const { schema, handler, metrics } = buildSubgraph<Omit<SubgraphContext, 'access'>>({
    ...(options.metrics ? { metrics: options.metrics } : {}),
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
  return { schema, handler, metrics, ...(outbox ? { outbox } : {}), close: () => Promise.resolve() };
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
    : await openCreditStore({ dir: config.storeDir, databaseUrl: config.storeDatabaseUrl }, logger, {
        repairPolicy: policy.repair,
      });
  const store = options.store ?? ownStore;
  const metrics = options.metrics ?? new SubgraphMetrics('credit');
  const linkage =
    options.linkage ??
    createLinkageSource({
      baseUrl: config.linkageUrl,
      timeoutMs: config.sourceTimeoutMs,
      metrics: metrics.sourceCalls,
    });
  let ownOutbox: DurableOutbox | undefined;
  try {
    ownOutbox = options.outbox || !store ? undefined : openOutboxOf(config, store, logger);
    const outbox = options.outbox ?? ownOutbox;
    const subgraph = createCreditSubgraph(config, logger, { ...options, store, linkage, outbox, metrics }, policy);
    return {
      ...subgraph,
      close: async () => {
        await subgraph.close();
        // The dispatcher stops before the store it records in closes.
        await ownOutbox?.close();
        await ownStore?.close();
      },
    };
  } catch (error) {
    await ownOutbox?.close();
    await ownStore?.close();
    throw error;
  }
}

/** The outbox over the store's events, signing with OUTBOX_SIGNING_KEY_FILE (or a key of this process). */
function openOutboxOf(config: CreditConfig, store: CreditStore, logger: Logger): DurableOutbox {
  let signingKey;
  if (config.outboxSigningKeyFile) signingKey = readSigningKey(config.outboxSigningKeyFile);
  else {
    signingKey = ephemeralSigningKey();
    logger.warn(
      { keyId: signingKey.keyId },
      'outbox: OUTBOX_SIGNING_KEY_FILE is unset; deliveries are signed with a key that lasts until exit',
    );
  }
  return openOutbox(store.events, {
    signingKey,
    settings: config.outbox,
    allowedHosts: config.outboxAllowedHosts,
    logger,
  });
}

export async function startCreditSubgraph(
  config: CreditConfig,
  logger: Logger = createLogger({ service: 'subgraph-credit', level: config.logLevel }),
  options: CreditSubgraphOptions = {},
): Promise<RunningServer> {
  const subgraph = await openCreditSubgraph(config, logger, options);
  try {
    const server = await listenSubgraph(subgraph, config, logger);
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
export type { CreditConfig } from './config.js';
export {
  verifyDelivery,
  type DurableOutbox,
  type Outbox,
  type OutboxMessage,
  type ReceivedDelivery,
  type VerifiedDelivery,
} from './outbox/index.js';
