import { mkdtemp, rm } from 'node:fs/promises';
import type { RequestListener } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
/**
 * The whole system in one test process, every server on a free port: the department stand-ins,
 * the five subgraphs (social security on its embedded front-end database, or on PostgreSQL) and
 * the gateway. Tests reach it only over HTTP, except for the stand-ins' control endpoints.
 */
import {
  envName,
  listen,
  silentLogger,
  STAND_IN_NAMES,
  type RunningServer,
  type StandInName,
  SubgraphMetrics,
  type SubgraphName,
  type Tier,
} from '@credit-gateway/common';
import {
  NO_FAULTS,
  openEmbeddedFrontDb,
  startStandIn,
  type EmbeddedFrontDb,
  type Faults,
  type RunningStandIn,
  type StandInStats,
} from '@credit-gateway/sources';
import { createMarketSubgraph, loadConfig as marketConfig } from '@credit-gateway/subgraph-market';
import { createTaxSubgraph, loadConfig as taxConfig } from '@credit-gateway/subgraph-tax';
import { createCourtsSubgraph, loadConfig as courtsConfig } from '@credit-gateway/subgraph-courts';
import { createProcurementSubgraph, loadConfig as procurementConfig } from '@credit-gateway/subgraph-procurement';
import {
  openCreditSubgraph,
  loadConfig as creditConfig,
  type CreditSubgraph,
  type CreditSubgraphOptions,
  type Outbox,
} from '@credit-gateway/subgraph-credit';
import {
  createSocialSecuritySubgraph,
  loadConfig as socialSecurityConfig,
  type FrontDb,
} from '@credit-gateway/subgraph-social-security';
import { generateDevKeys, mintCallerToken, mintConsent } from '../../src/auth/index.js';
import { loadConfig as gatewayConfig, startGateway } from '../../src/server.js';
import { serveMetrics } from './metrics.js';

export interface StackOptions {
  /** Registered subjects the courts index and the front-end database hold, besides the demo subjects. */
  populationSize?: number;
  sourceTimeoutMs?: number;
  /** PostgreSQL for the social security front-end database; embedded when absent. */
  frontDbUrl?: string;
  /** Extra gateway environment, e.g. MAX_BATCH_SIZE. */
  gatewayEnv?: Record<string, string>;
  /** Extra credit subgraph environment. */
  creditEnv?: Record<string, string>;
  /** The credit subgraph's options: its clock, its outbox. */
  creditOptions?: CreditSubgraphOptions;
}

/** Who a test request comes from. Default: a GOVERNMENT approval system stating its purpose. */
export interface As {
  tier?: Tier;
  client?: string;
  purpose?: string | null;
  /** Consent tokens for the x-credit-consent header. */
  consents?: string[];
  /** No Authorization header at all: an anonymous PUBLIC caller. */
  anonymous?: boolean;
  /** The department a GOVERNMENT caller acts for (its token's `department` claim). */
  department?: string;
}

export interface GraphQLResponse {
  status: number;
  body: { data?: any; errors?: any[] };
}

export interface Stack {
  gatewayUrl: string;
  /** The gateway's /metrics, on its metrics port. */
  metricsUrl: string;
  /** Each subgraph's /metrics, on its metrics port. */
  subgraphMetricsUrls: Record<SubgraphName, string>;
  subgraphUrls: Record<SubgraphName, string>;
  frontDb: FrontDb;
  /** The credit subgraph's outbox, as the platform's own workflows enqueue on it (the current one after a restart). */
  readonly creditOutbox: Outbox;
  /** The public key file receivers check webhook deliveries with (the development outbox key). */
  outboxPublicKeyFile: string;
  /** HTTP requests each subgraph received since the last reset. */
  subgraphRequests(): Record<SubgraphName, number>;
  query(
    query: string,
    variables?: Record<string, unknown>,
    as?: As,
    headers?: Record<string, string>,
  ): Promise<GraphQLResponse>;
  /** Headers for a caller: Authorization, purpose and consents. */
  headers(as?: As): Promise<Record<string, string>>;
  /** A caller token signed by the development identity key; a GOVERNMENT caller may name its department. */
  token(tier: Tier, client?: string, department?: string): Promise<string>;
  /** A consent signed by the development consent key. */
  consent(options: {
    subject: string;
    grantee: string;
    purpose: string;
    groups: string[];
    ttl?: string;
  }): Promise<string>;
  /** The gateway's query register directory (file store). */
  registerDir: string;
  keysDir: string;
  /** Environment for another gateway in front of the same subgraphs (keys, register). */
  gatewayEnv: Record<string, string>;
  /** Source calls counted at each department since the last reset. */
  sourceCalls(): Promise<Record<StandInName | 'social-security', number>>;
  standInStats(name: StandInName): Promise<StandInStats>;
  standInUrl(name: StandInName): string;
  /** The credit subgraph's store directory (file store). */
  creditStoreDir: string;
  /**
   * Closes the credit subgraph and opens a new one on the same store and options, behind the same
   * address: a restart. `whileDown` runs in between, with the store closed.
   */
  restartCredit(whileDown?: () => Promise<void>): Promise<void>;
  resetStats(): Promise<void>;
  setFaults(name: StandInName | 'social-security', faults: Partial<Faults>): Promise<void>;
  clearFaults(): Promise<void>;
  close(): Promise<void>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const logger = silentLogger();
  const populationSize = options.populationSize ?? 2_000;
  const timeout = String(options.sourceTimeoutMs ?? 2_000);
  const closers: (() => Promise<void>)[] = [];
  const workDir = await mkdtemp(join(tmpdir(), 'credit-gateway-stack-'));
  closers.push(() => rm(workDir, { recursive: true, force: true }));
  const keys = await generateDevKeys(join(workDir, 'keys'));
  const registerDir = join(workDir, 'register');
  const trustGateway = { GATEWAY_PUBLIC_KEY_FILE: keys.files.gatewayPublicKey };
  try {
    const standIns = {} as Record<StandInName, RunningStandIn>;
    for (const name of STAND_IN_NAMES) {
      standIns[name] = await startStandIn(name, { logger, populationSize, port: 0 });
      closers.push(() => standIns[name].close());
    }
    const sourceEnv = (name: StandInName) => ({
      PORT: '0',
      SOURCE_URL: standIns[name].url,
      SOURCE_TIMEOUT_MS: timeout,
      ...trustGateway,
    });
    // The simulator's embedded front-end database unless the test names a PostgreSQL one.
    const embedded: EmbeddedFrontDb | null = options.frontDbUrl
      ? null
      : await openEmbeddedFrontDb({ population: populationSize, faults: NO_FAULTS, logger });
    const socialSecurity = createSocialSecuritySubgraph(
      socialSecurityConfig(
        {
          PORT: '0',
          SOURCE_TIMEOUT_MS: timeout,
          ...trustGateway,
          ...(options.frontDbUrl ? { FRONT_DB_URL: options.frontDbUrl } : {}),
        },
        { frontDb: embedded ? 'supplied' : 'postgres' },
      ),
      logger,
      embedded ?? undefined,
    );
    closers.push(() => socialSecurity.close());
    const creditStoreDir = options.creditEnv?.['CREDIT_STORE_DIR'] ?? join(workDir, 'credit');
    // One registry across restarts of the credit subgraph, as a scraper sees one service.
    const creditMetrics = options.creditOptions?.metrics ?? new SubgraphMetrics('credit');
    const openCredit = () =>
      openCreditSubgraph(
        creditConfig({
          PORT: '0',
          ...trustGateway,
          LINKAGE_URL: standIns.courts.url,
          CREDIT_STORE_DIR: creditStoreDir,
          ...keys.creditEnv,
          ...options.creditEnv,
        }),
        logger,
        { ...options.creditOptions, metrics: creditMetrics },
      );
    let credit: CreditSubgraph | null = await openCredit();
    closers.push(() => credit?.close() ?? Promise.resolve());
    const subgraphs: Record<SubgraphName, { handler: RequestListener; metrics: SubgraphMetrics }> = {
      market: createMarketSubgraph(marketConfig(sourceEnv('market')), logger),
      tax: createTaxSubgraph(taxConfig(sourceEnv('tax')), logger),
      courts: createCourtsSubgraph(courtsConfig(sourceEnv('courts')), logger),
      procurement: createProcurementSubgraph(procurementConfig(sourceEnv('procurement')), logger),
      'social-security': socialSecurity,
      // Through the current subgraph, so that a restart keeps the address.
      credit: {
        handler: (request, response) => {
          if (credit) credit.handler(request, response);
          else response.writeHead(503).end();
        },
        metrics: creditMetrics,
      },
    };
    const handlers = Object.fromEntries(
      Object.entries(subgraphs).map(([name, subgraph]) => [name, subgraph.handler]),
    ) as Record<SubgraphName, RequestListener>;
    const subgraphMetricsUrls = {} as Record<SubgraphName, string>;
    for (const [name, subgraph] of Object.entries(subgraphs) as [SubgraphName, (typeof subgraphs)[SubgraphName]][]) {
      const server = await serveMetrics(subgraph.metrics.registry);
      closers.push(() => server.close());
      subgraphMetricsUrls[name] = server.metricsUrl;
    }
    // Counts what reaches each subgraph, to prove one request per subgraph whatever the batch.
    const requests = Object.fromEntries(Object.keys(handlers).map((name) => [name, 0])) as Record<SubgraphName, number>;
    const servers = {} as Record<SubgraphName, RunningServer>;
    for (const [name, handler] of Object.entries(handlers) as [SubgraphName, RequestListener][]) {
      servers[name] = await listen((request, response) => {
        if (request.url?.startsWith('/graphql')) requests[name]++;
        handler(request, response);
      }, 0);
      closers.push(() => servers[name].close());
    }
    const frontDb = socialSecurity.frontDb;
    const gateway = await startGateway(
      gatewayConfig({
        PORT: '0',
        ...keys.env,
        ...(options.gatewayEnv?.['REGISTER_DATABASE_URL'] ? {} : { REGISTER_DIR: registerDir }),
        REPORT_DIR: join(workDir, 'reports'),
        ...Object.fromEntries(
          Object.entries(servers).map(([name, server]) => [`SUBGRAPH_${envName(name)}_URL`, `${server.url}/graphql`]),
        ),
        ...options.gatewayEnv,
      }),
      logger,
    );
    closers.push(() => gateway.close());
    const gatewayMetrics = await serveMetrics(gateway.gateway.metrics);
    closers.push(() => gatewayMetrics.close());

    const token = (tier: Tier, client = 'approval-system-test', department?: string) =>
      mintCallerToken({
        tier,
        client: tier === 'PUBLIC' ? null : client,
        subject: 'tester',
        department: department ?? null,
        dir: keys.dir,
      });
    async function callerHeaders(as: As = {}): Promise<Record<string, string>> {
      if (as.anonymous) return {};
      const tier = as.tier ?? 'GOVERNMENT';
      const purpose = as.purpose === undefined ? 'ADMINISTRATIVE_LICENSING' : as.purpose;
      return {
        authorization: `Bearer ${await token(tier, as.client, as.department)}`,
        ...(purpose === null ? {} : { 'x-credit-purpose': purpose }),
        ...(as.consents?.length ? { 'x-credit-consent': as.consents.join(',') } : {}),
      };
    }
    const control = async (name: StandInName, method: string, path: string, body?: unknown) => {
      const response = await fetch(`${standIns[name].url}${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`${name} ${path}: ${response.status}`);
      return (await response.json()) as unknown;
    };

    return {
      gatewayUrl: gateway.url,
      metricsUrl: gatewayMetrics.metricsUrl,
      subgraphMetricsUrls,
      subgraphUrls: Object.fromEntries(
        Object.entries(servers).map(([name, server]) => [name, `${server.url}/graphql`]),
      ) as Record<SubgraphName, string>,
      frontDb,
      get creditOutbox(): Outbox {
        return credit!.outbox!;
      },
      outboxPublicKeyFile: keys.files.outboxPublicKey,
      subgraphRequests: () => ({ ...requests }),
      registerDir,
      keysDir: keys.dir,
      gatewayEnv: { ...keys.env, REGISTER_DIR: join(workDir, 'register-2'), REPORT_DIR: join(workDir, 'reports-2') },
      token,
      consent: (options) => mintConsent({ ...options, dir: keys.dir }),
      headers: callerHeaders,
      async query(query, variables, as, headers = {}) {
        const response = await fetch(`${gateway.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(await callerHeaders(as)), ...headers },
          body: JSON.stringify({ query, variables }),
        });
        return { status: response.status, body: (await response.json()) as GraphQLResponse['body'] };
      },
      standInStats: (name) => control(name, 'GET', '/_sim/stats') as Promise<StandInStats>,
      standInUrl: (name) => standIns[name].url,
      creditStoreDir,
      async restartCredit(whileDown) {
        const running = credit;
        credit = null;
        await running?.close();
        await whileDown?.();
        credit = await openCredit();
      },
      async sourceCalls() {
        const calls = { 'social-security': frontDb.stats().queries } as Record<StandInName | 'social-security', number>;
        for (const name of STAND_IN_NAMES)
          calls[name] = ((await control(name, 'GET', '/_sim/stats')) as StandInStats).requests;
        return calls;
      },
      async resetStats() {
        for (const name of Object.keys(requests) as SubgraphName[]) requests[name] = 0;
        frontDb.resetStats();
        for (const name of STAND_IN_NAMES) await control(name, 'POST', '/_sim/reset');
      },
      async setFaults(name, faults) {
        if (name !== 'social-security') {
          await control(name, 'PUT', '/_sim/faults', faults);
          return;
        }
        if (!embedded) throw new Error('faults are simulated by the embedded front-end database only');
        embedded.setFaults(faults);
      },
      async clearFaults() {
        for (const name of STAND_IN_NAMES) await control(name, 'PUT', '/_sim/faults', NO_FAULTS);
        embedded?.setFaults(NO_FAULTS);
      },
      async close() {
        for (const close of closers.reverse()) await close();
      },
    };
  } catch (error) {
    for (const close of closers.reverse()) await close();
    throw error;
  }
}
