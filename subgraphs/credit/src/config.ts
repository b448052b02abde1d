import { EnvReader, type Env, readSubgraphConfig, type SubgraphConfig, STAND_IN_PORTS } from '@credit-gateway/common';
import { DEFAULT_MEASURES_FILE } from './rules/catalog.js';
import { DEFAULT_EVALUATION_FILE } from './rules/evaluation.js';
import { DEFAULT_PUBLICITY_FILE } from './rules/publicity.js';
import { DEFAULT_REPAIR_FILE } from './rules/repair.js';
import { DEFAULT_STORE_DIR } from './store/event-store.js';

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
    personIndexKey: reader.optionalString(
      'CREDIT_PERSON_INDEX_KEY',
      'Secret (at least 32 characters) under which the durable person index (落实到人) keeps ID numbers as HMAC digests; the index is kept in memory only when unset',
    ),
    ...readStoreLocation(reader),
    linkageUrl: reader.url(
      'LINKAGE_URL',
      `http://127.0.0.1:${STAND_IN_PORTS.courts}`,
      "The courts' enforcement linkage interface the court feed reads; the courts stand-in by default",
    ),
  };
  if (config.personIndexKey !== undefined && config.personIndexKey.length < 32) {
    reader.problem('CREDIT_PERSON_INDEX_KEY must be at least 32 characters');
  }
  reader.done();
  return config;
}
