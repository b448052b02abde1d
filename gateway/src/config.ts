import { createHash, type KeyObject } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_ALLOW_LIST_FILE,
  envName,
  EnvReader,
  GATEWAY_PORT,
  readServiceConfig,
  readTracingConfig,
  SUBGRAPH_NAMES,
  type Env,
  type ServiceConfig,
  type SubgraphName,
  type Tier,
  type TracingConfig,
  isTier,
  TIERS,
} from '@credit-gateway/common';
import { readGatewayAuthConfig, type GatewayAuthConfig } from './auth/index.js';
import { readSubjectLimitConfig } from './execution/subject-limit.js';
import { bodyBudgetProblem, readBodyBudgetConfig, type BodyBudgetConfig } from './limits/body-budget.js';
import { readOperationLimitsConfig, type OperationLimits } from './limits/operation-limits.js';
import { readRateLimitConfig, type RateLimitConfig } from './limits/rate-limit.js';
import { readTrustedProxies, type TrustedProxies } from './http/client-address.js';
import { readRegisterConfig, type RegisterConfig } from './register/index.js';
import { readReportConfig, type ReportConfig } from './report/config.js';
import { readEntityCacheConfig, type EntityCacheConfig } from './cache/config.js';
import { readPerformanceConfig, type PerformanceConfig } from './performance/config.js';
import { readRedisConfig, type RedisConfig } from './redis/config.js';
import { readGatewayMetricsConfig, type GatewayMetricsConfig } from './observability/metrics/config.js';

export const DEFAULT_SUPERGRAPH_FILE = fileURLToPath(new URL('../../schema/supergraph.graphql', import.meta.url));

export interface GatewayConfig extends ServiceConfig {
  /** OpenTelemetry export (common/src/tracing.ts); off unless an OTLP endpoint is set. */
  tracing: TracingConfig;
  /** The committed, composed supergraph; the gateway never introspects subgraphs. */
  supergraphFile: string;
  /** Where each subgraph is reached; a name missing here uses the URL composed into the supergraph. */
  subgraphUrls: Partial<Record<SubgraphName, string>>;
  /** A subgraph that has not answered by then is reported as SOURCE_TIMEOUT for its sections. */
  subgraphTimeoutMs: number;
  /** Most items a list argument of credit codes or ID numbers may hold in one request. */
  maxBatchSize: number;
  /** Most distinct subjects one request may name, per tier (MAX_SUBJECTS_PER_REQUEST). */
  maxSubjectsPerRequest: Readonly<Record<Tier, number>>;
  bodyLimitBytes: number;
  /** Request-body bytes one process holds at once, and one client address's share (BODY_BUDGET_*). */
  bodyBudget: BodyBudgetConfig;
  allowListFile: string;
  graphiql: boolean;
  /** Serve the analyst dashboard at /dashboard (DASHBOARD). */
  dashboard: boolean;
  auth: GatewayAuthConfig;
  limits: OperationLimits;
  rateLimit: RateLimitConfig;
  /**
   * The proxies whose X-Forwarded-For names the client a request is counted by (TRUSTED_PROXIES);
   * none by default, when it is the TCP peer.
   */
  trustedProxies: TrustedProxies;
  register: RegisterConfig;
  /** Tiers that may introspect the schema (GraphiQL's docs need it). */
  introspectionTiers: ReadonlySet<Tier>;
  /** Refuse a whole operation that asks for a field the tier may not read, instead of nulling it. */
  rejectUnauthorized: boolean;
  /** Key of the register's pseudonyms for people (REGISTER_PSEUDONYM_KEY); derived from the signing key by default. */
  pseudonymKey: Buffer;
  /** Deduplication, subgraph connections, persisted operations, workers. */
  performance: PerformanceConfig;
  /** Entity cache of subgraph data (ENTITY_CACHE, CACHE_*). */
  entityCache: EntityCacheConfig;
  /** Redis, the only state shared by the replicas: its two roles and the keyspaces in them. */
  redis: RedisConfig;
  /** Prometheus metrics on their own port (METRICS_*). */
  metrics: GatewayMetricsConfig;
  /** Credit reports: their register, signing key and verify URL (REPORT_*). */
  report: ReportConfig;
}

function tierList(reader: EnvReader, name: string, fallback: readonly Tier[], doc: string): Tier[] {
  const tiers = reader.list(name, fallback, { text: doc, values: `comma-separated tiers of ${TIERS.join(', ')}` });
  for (const tier of tiers)
    if (!isTier(tier)) reader.problem(`${name} lists an unknown tier '${tier}': use ${TIERS.join(', ')}`);
  return tiers.filter(isTier);
}

function pseudonymKey(reader: EnvReader, signingKey: KeyObject): Buffer {
  const configured = reader.optionalString('REGISTER_PSEUDONYM_KEY', {
    text: "Key of the register's pseudonyms for the people a request names; keep it as long as the register",
    default: 'derived from the signing key',
  });
  if (configured !== undefined) return Buffer.from(configured, 'utf8');
  // Stable for as long as the signing key is, without another secret to manage.
  return createHash('sha256')
    .update('register-pseudonym')
    .update(signingKey.export({ format: 'der', type: 'pkcs8' }))
    .digest();
}

export function loadConfig(env: Env): GatewayConfig {
  const reader = new EnvReader(env);
  const auth = readGatewayAuthConfig(reader);
  const subgraphUrls: Partial<Record<SubgraphName, string>> = {};
  for (const name of SUBGRAPH_NAMES) {
    const url = reader.url(
      `SUBGRAPH_${envName(name)}_URL`,
      undefined,
      'Where the gateway reaches that subgraph; the URL composed into the supergraph when unset',
    );
    if (url !== undefined) subgraphUrls[name] = url;
  }
  const config: GatewayConfig = {
    ...readServiceConfig(reader, GATEWAY_PORT),
    supergraphFile: reader.string(
      'SUPERGRAPH_FILE',
      DEFAULT_SUPERGRAPH_FILE,
      'The composed supergraph the gateway serves (npm run compose writes it); subgraphs are never introspected',
    ),
    subgraphUrls,
    subgraphTimeoutMs: reader.int(
      'SUBGRAPH_TIMEOUT_MS',
      5_000,
      { min: 1, max: 300_000 },
      'A subgraph that has not answered by then is SOURCE_TIMEOUT for its sections',
    ),
    maxBatchSize: reader.int(
      'MAX_BATCH_SIZE',
      500,
      { min: 1, max: 10_000 },
      'Most items a list argument of credit codes or ID numbers may hold; more is BATCH_TOO_LARGE',
    ),
    maxSubjectsPerRequest: readSubjectLimitConfig(reader),
    bodyLimitBytes: reader.int(
      'BODY_LIMIT_BYTES',
      1024 * 1024,
      { min: 1024, max: 100 * 1024 * 1024 },
      'Largest request body; a larger one is refused with 413 before it is read whole',
    ),
    bodyBudget: readBodyBudgetConfig(reader),
    allowListFile: reader.string(
      'CREDIT_CODE_ALLOWLIST_FILE',
      DEFAULT_ALLOW_LIST_FILE,
      'Legally issued credit codes accepted although their check characters fail, one per line',
    ),
    graphiql: reader.bool('GRAPHIQL', true, 'Serve GraphiQL to a browser that opens /graphql'),
    dashboard: reader.bool(
      'DASHBOARD',
      true,
      "Serve the analyst dashboard at /dashboard: charts read through /graphql with the analyst's own token",
    ),
    auth,
    limits: readOperationLimitsConfig(reader),
    rateLimit: readRateLimitConfig(reader),
    trustedProxies: readTrustedProxies(reader),
    register: readRegisterConfig(reader),
    introspectionTiers: new Set(
      tierList(
        reader,
        'INTROSPECTION_TIERS',
        ['AUTHORIZED', 'GOVERNMENT', 'JUDICIAL', 'ANALYST'],
        "Tiers that may introspect the schema (GraphiQL's docs need it)",
      ),
    ),
    rejectUnauthorized: reader.bool(
      'REJECT_UNAUTHORIZED_FIELDS',
      false,
      'Refuse a whole operation that asks for a field the tier may not read, instead of answering that field null',
    ),
    pseudonymKey: pseudonymKey(reader.section('query register'), auth.internal.signingKey),
    tracing: readTracingConfig(reader),
    performance: readPerformanceConfig(reader),
    entityCache: readEntityCacheConfig(reader),
    redis: readRedisConfig(reader),
    metrics: readGatewayMetricsConfig(reader),
    report: readReportConfig(reader, auth.internal.signingKey),
  };
  const largestBody =
    config.report.uploadLimitBytes > config.bodyLimitBytes
      ? { name: 'REPORT_UPLOAD_LIMIT_BYTES', bytes: config.report.uploadLimitBytes }
      : { name: 'BODY_LIMIT_BYTES', bytes: config.bodyLimitBytes };
  const budgetProblem = bodyBudgetProblem(config.bodyBudget, largestBody);
  if (budgetProblem) reader.problem(budgetProblem);
  reader.done();
  return config;
}
