import type { AccessClaims, DepartmentId, Logger } from '@credit-gateway/common';
import type { RecordIndex } from './rules/record-index.js';
import type { GraphQLError } from 'graphql';
import type { Loaders } from './loaders.js';
import type { DurableOutbox } from './outbox/index.js';
import type { CreditStore, LinkageClient } from './models.js';
import type { MeasuresCatalog } from './rules/catalog.js';
import type { CreditPolicy } from './rules/policy.js';
import type { RepresentativeIndex } from './rules/representatives.js';

/** What a resolver of the credit subgraph has: the caller, the policy data, the clock, the stores. */
export interface SubgraphContext {
  /** The caller as the gateway vouches for it (tier and consents), checked by @access. */
  access: AccessClaims;
  /** The calling system (`client_id`) and its declared purpose, from the same gateway token. */
  caller: { client: string | null; purpose: string | null; department: DepartmentId | null };
  /** Every subject's credit records as last assessed, for mutations to check what they name. */
  records: RecordIndex;
  logger: Logger;
  /** The closed measures catalog and the lists it targets. */
  catalog: MeasuresCatalog;
  /** Every policy file: the catalog, publicity periods, the evaluation model. */
  policy: CreditPolicy;
  /** The clock the rules judge by; dates are China dates of it. */
  now: () => Date;
  loaders: Loaders;
  /** Enterprise → legal representative, for 落实到人 (shared by requests, bounded). */
  representatives: RepresentativeIndex;
  /** The durable store of objections, repairs and feedback; without it records carry no overlays. */
  store?: CreditStore;
  /**
   * What the platform pushes to departments (信息推送): `outbox.enqueue(messages)` resolves once
   * they are durable; delivery to the departments' webhook endpoints follows. Present whenever the
   * store is.
   */
  outbox?: DurableOutbox;
  /** The courts' enforcement linkage interface, for the feed. */
  linkage?: LinkageClient;
  /** Errors noted beside answered data (DECISION_INCOMPLETE); they join the response's errors. */
  notedErrors: GraphQLError[];
}
