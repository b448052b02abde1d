import { readFileSync } from 'node:fs';
import { EnvReader, type Env, readSubgraphConfig, type SubgraphConfig, STAND_IN_PORTS } from '@credit-gateway/common';
import { DEFAULT_MEASURES_FILE } from './rules/catalog.js';
import { DEFAULT_EVALUATION_FILE } from './rules/evaluation.js';
import { DEFAULT_PUBLICITY_FILE } from './rules/publicity.js';
import { DEFAULT_REPAIR_FILE } from './rules/repair.js';
import { DEFAULT_STORE_DIR } from './store/event-store.js';
import { DEFAULT_DISPATCHER_SETTINGS, type DispatcherSettings } from './outbox/dispatcher.js';

export interface CreditConfig extends SubgraphConfig {
  /** The measures catalog and the lists it targets (CREDIT_MEASURES_FILE). */
  measuresFile: string;
  /** Publicity periods and severity rules (CREDIT_PUBLICITY_PERIODS_FILE). */
  publicityPeriodsFile: string;
  /** The comprehensive evaluation model (CREDIT_EVALUATION_MODEL_FILE). */
  evaluationModelFile: string;
  /** Credit repair: conditions, target, records the platform never repairs (CREDIT_REPAIR_POLICY_FILE). */
  repairPolicyFile: string;
  /** Enterprises remembered for 落实到人 (CREDIT_REPRESENTATIVE_INDEX_SIZE). */
  representativeIndexSize: number;
  /**
   * Key of the durable person index (CREDIT_PERSON_INDEX_KEY): people are kept under HMAC digests
   * of their ID numbers. Without it the index lives in memory only.
   */
  personIndexKey: string | undefined;
  /** The durable store's directory, when no database is configured (CREDIT_STORE_DIR). */
  storeDir: string;
  /** The durable store in PostgreSQL (CREDIT_DATABASE_URL); the file store otherwise. */
  storeDatabaseUrl: string | undefined;
  /** The courts' enforcement linkage interface (LINKAGE_URL), served by the courts stand-in locally. */
  linkageUrl: string;
  /** The platform's Ed25519 key that signs webhook deliveries (OUTBOX_SIGNING_KEY_FILE). */
  outboxSigningKeyFile: string | undefined;
  /** How the outbox delivers to departments' webhook endpoints (OUTBOX_*). */
  outbox: DispatcherSettings;
  /** Hosts departments' webhook endpoints may be at (OUTBOX_ALLOWED_HOSTS); any when empty. */
  outboxAllowedHosts: string[];
}

/** The outbox dispatcher's settings: attempts, backoff, the per-attempt timeout, concurrency. */
export function readOutboxSettings(reader: EnvReader): DispatcherSettings {
  const defaults = DEFAULT_DISPATCHER_SETTINGS;
  const settings: DispatcherSettings = {
    maxAttempts: reader.int(
      'OUTBOX_MAX_ATTEMPTS',
      defaults.maxAttempts,
      { min: 1, max: 100 },
      'Attempts at one webhook delivery before it becomes a dead letter, redelivered only on request',
    ),
    backoffBaseMs: reader.int(
      'OUTBOX_BACKOFF_BASE_MS',
      defaults.backoffBaseMs,
      { min: 1, max: 3_600_000 },
      'Wait before the second attempt at a failed delivery; doubled for each further one, with jitter (half to all of it)',
    ),
    backoffMaxMs: reader.int(
      'OUTBOX_BACKOFF_MAX_MS',
      defaults.backoffMaxMs,
      { min: 1, max: 86_400_000 },
      'Longest wait between two attempts at a delivery',
    ),
    attemptTimeoutMs: reader.int(
      'OUTBOX_ATTEMPT_TIMEOUT_MS',
      defaults.attemptTimeoutMs,
      { min: 100, max: 300_000 },
      "How long one delivery attempt may take, to the receiver's status line; then it counts as failed",
    ),
    concurrency: reader.int(
      'OUTBOX_CONCURRENCY',
      defaults.concurrency,
      { min: 1, max: 256 },
      'Delivery attempts in flight at once, over every endpoint (one at a time per endpoint)',
    ),
  };
  if (settings.backoffBaseMs > settings.backoffMaxMs) {
    reader.problem('OUTBOX_BACKOFF_BASE_MS must not be more than OUTBOX_BACKOFF_MAX_MS');
  }
  return settings;
}

/** Where the durable store is: read by the subgraph, and by the store's verify command on its own. */
export function readStoreLocation(reader: EnvReader): Pick<CreditConfig, 'storeDir' | 'storeDatabaseUrl'> {
  return {
    storeDir: reader.string(
      'CREDIT_STORE_DIR',
      DEFAULT_STORE_DIR,
      'Directory of the durable store of objections and repairs when CREDIT_DATABASE_URL is unset',
    ),
    storeDatabaseUrl: reader.optionalString(
      'CREDIT_DATABASE_URL',
      'The durable store of objections and repairs in PostgreSQL; the files in CREDIT_STORE_DIR when unset',
    ),
  };
}

export function loadConfig(env: Env): CreditConfig {
  const reader = new EnvReader(env);
  const config: CreditConfig = {
    ...readSubgraphConfig(reader, 'credit'),
    measuresFile: reader.string(
      'CREDIT_MEASURES_FILE',
      DEFAULT_MEASURES_FILE,
      'The joint measures catalog and the lists it targets',
    ),
    publicityPeriodsFile: reader.string(
      'CREDIT_PUBLICITY_PERIODS_FILE',
      DEFAULT_PUBLICITY_FILE,
      'Publicity periods and severity rules',
    ),
    evaluationModelFile: reader.string(
      'CREDIT_EVALUATION_MODEL_FILE',
      DEFAULT_EVALUATION_FILE,
      'The comprehensive evaluation model',
    ),
    repairPolicyFile: reader.string(
      'CREDIT_REPAIR_POLICY_FILE',
      DEFAULT_REPAIR_FILE,
      'Credit repair: its conditions, its decision target, and the records only their department removes',
    ),
    representativeIndexSize: reader.int(
      'CREDIT_REPRESENTATIVE_INDEX_SIZE',
      100_000,
      { min: 1, max: 10_000_000 },
      'Enterprises remembered with their legal representative, for measures that bind the person (落实到人)',
    ),
    personIndexKey: readPersonIndexKey(reader),
    ...readStoreLocation(reader),
    linkageUrl: reader.url(
      'LINKAGE_URL',
      `http://127.0.0.1:${STAND_IN_PORTS.courts}`,
      "The courts' enforcement linkage interface the court feed reads; the courts stand-in by default",
    ),
    outboxSigningKeyFile: reader.optionalString(
      'OUTBOX_SIGNING_KEY_FILE',
      "The platform's Ed25519 private key (JWK or PKCS8 PEM) that signs webhook deliveries to departments; " +
        'when unset, a key made at start and lost at exit (receivers then cannot check deliveries across restarts)',
    ),
    outbox: readOutboxSettings(reader),
    outboxAllowedHosts: reader.list(
      'OUTBOX_ALLOWED_HOSTS',
      [],
      'Hosts webhook endpoints may be registered at and delivered to: a host name (tax.example.gov.cn) or a ' +
        'suffix starting with a dot (.gov.cn), comma-separated; any host when unset',
    ),
  };
  if (config.personIndexKey !== undefined && config.personIndexKey.length < 32) {
    reader.problem('CREDIT_PERSON_INDEX_KEY must be at least 32 characters');
  }
  reader.done();
  return config;
}

/**
 * The person index's secret: CREDIT_PERSON_INDEX_KEY, or the file CREDIT_PERSON_INDEX_KEY_FILE
 * names (a mounted secret; the development key set writes one). Unset, the index stays in memory.
 */
function readPersonIndexKey(reader: EnvReader): string | undefined {
  const key = reader.optionalString(
    'CREDIT_PERSON_INDEX_KEY',
    'Secret (at least 32 characters) under which the durable person index (落实到人) keeps ID numbers as HMAC digests; the index is kept in memory only when neither this nor CREDIT_PERSON_INDEX_KEY_FILE is set',
  );
  const file = reader.optionalString(
    'CREDIT_PERSON_INDEX_KEY_FILE',
    "A file holding the person index secret instead of CREDIT_PERSON_INDEX_KEY (a mounted secret); `npm start` uses the development key set's",
  );
  if (key !== undefined || file === undefined) return key;
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    reader.problem(`CREDIT_PERSON_INDEX_KEY_FILE cannot be read: ${file}`);
    return undefined;
  }
}
