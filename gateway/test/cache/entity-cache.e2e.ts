import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { envName, silentLogger, type SubgraphName } from '@credit-gateway/common';
import { DEMO_SUBJECTS, demoCode } from '@credit-gateway/sources';
import { startTcpProxy, type TcpProxy } from '../../../common/test/support/tcp-proxy.js';
import { loadConfig, startGateway, type RunningGateway } from '../../src/server.js';
import { entityCacheMetrics as metrics, serveMetrics } from '../support/metrics.js';
import { startStack, type As, type Stack } from '../support/stack.js';

const REDIS_URL = 'redis://127.0.0.1:6379';
const PREFIX = `test-entity-cache-${randomUUID()}:`;
const CHANNEL = `${PREFIX}evict`;
const SME = demoCode('clean-sme');
const DEBTOR = demoCode('partial-debtor');
const LENDER = 'xinyidai-bank-001';
const OTHER_LENDER = 'other-bank-002';
const PURPOSE = 'LOAN_APPROVAL';

const cacheEnv = {
  ENTITY_CACHE: 'true',
  // The credit rules are cached here too, to prove their tier-dependent answers stay apart.
  CACHE_TTLS: 'market=600,tax=86400,courts=60,social-security=3600,procurement=3600,credit=60',
  CACHE_REDIS_URL: REDIS_URL,
  CACHE_PREFIX: PREFIX,
  CACHE_EVICT_CHANNEL: CHANNEL,
};

let stack: Stack;
let redis: Redis;
const extra: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  stack = await startStack({ populationSize: 200, gatewayEnv: cacheEnv });
  redis = new Redis(REDIS_URL);
});
afterAll(async () => {
  for (const gateway of extra) await gateway.close();
  await stack?.close();
  if (redis) {
    const keys = await redis.keys(`${PREFIX}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  }
});

/** Another gateway replica in front of the same subgraphs. */
async function replica(env: Record<string, string>): Promise<RunningGateway & { metricsUrl: string }> {
  const gateway = await startGateway(
    loadConfig({
      PORT: '0',
      ...stack.gatewayEnv,
      REGISTER_DIR: `${stack.gatewayEnv['REGISTER_DIR']}-${extra.length}`,
      ...Object.fromEntries(
        Object.entries(stack.subgraphUrls).map(([name, url]) => [`SUBGRAPH_${envName(name as SubgraphName)}_URL`, url]),
      ),
      ...env,
    }),
    silentLogger(),
  );
  extra.push(gateway);
  const metricsServer = await serveMetrics(gateway.gateway.metrics);
  extra.push(metricsServer);
  return { ...gateway, metricsUrl: metricsServer.metricsUrl };
}

async function query(url: string, text: string, variables: Record<string, unknown>, as?: As) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await stack.headers(as)) },
    body: JSON.stringify({ query: text, variables }),
  });
  return (await response.json()) as { data?: any; errors?: any[]; extensions?: any };
}

const PROFILE = /* GraphQL */ `
  query Profile($code: CreditCode!) {
    enterprise(code: $code) {
      tax {
        publishedGrades {
          year
          grade
        }
        creditGrades {
          year
          grade
        }
        payments {
          period
          amount
        }
      }
      courts {
        dishonestDebtorRecords {
          caseNumber
          status
        }
      }
      socialSecurity {
        wageArrearsListings {
          listedOn
        }
        insuredHeadcount
      }
      procurement {
        banned
        contracts {
          signedOn
        }
      }
    }
  }
`;

const PUBLIC_PROFILE = /* GraphQL */ `
  query PublicProfile($code: CreditCode!) {
    enterprise(code: $code) {
      tax {
        publishedGrades {
          year
          grade
        }
      }
      courts {
        dishonestDebtorRecords {
          caseNumber
          status
        }
      }
      procurement {
        banned
      }
    }
  }
`;

const PEOPLE = /* GraphQL */ `
  query People($code: CreditCode!) {
    enterprise(code: $code) {
      courts {
        consumptionRestrictions {
          caseNumber
          boundPersons {
            name
            person {
              idNumber
            }
          }
        }
      }
    }
  }
`;

function sorted(value: unknown) {
  return JSON.parse(JSON.stringify(value)) as unknown;
}

describe('the entity cache', () => {
  it('answers a repeated profile from the cache, without calling the department subgraphs again', async () => {
    const first = await stack.query(PUBLIC_PROFILE, { code: DEBTOR });
    expect(first.body.errors).toBeUndefined();
    await stack.resetStats();
    const second = await stack.query(PUBLIC_PROFILE, { code: DEBTOR });
    expect(second.body).toEqual(first.body);
    // The root field's fetch (market's enterprise(code:)) is cached whole, the sections as entities.
    const requests = stack.subgraphRequests();
    expect([requests.market, requests.tax, requests.courts, requests.procurement]).toEqual([0, 0, 0, 0]);
    expect((await metrics(stack.metricsUrl)).hits).toBeGreaterThanOrEqual(4);
  });

  it('never lets GOVERNMENT data warm into PUBLIC or ANALYST answers', async () => {
    const publicBefore = await stack.query(PROFILE, { code: SME }, { anonymous: true });
    const analystBefore = await stack.query(PROFILE, { code: SME }, { tier: 'ANALYST', purpose: 'STATISTICS' });
    const government = await stack.query(PROFILE, { code: SME });
    expect(government.body.errors).toBeUndefined();
    expect(government.body.data.enterprise.tax.payments.length).toBeGreaterThan(0);
    expect(government.body.data.enterprise.socialSecurity.insuredHeadcount).not.toBeNull();
    // Twice: once for each layer the answer could come from.
    for (let round = 0; round < 2; round++) {
      const publicAfter = await stack.query(PROFILE, { code: SME }, { anonymous: true });
      const analystAfter = await stack.query(PROFILE, { code: SME }, { tier: 'ANALYST', purpose: 'STATISTICS' });
      expect(sorted(publicAfter.body)).toEqual(sorted(publicBefore.body));
      expect(sorted(analystAfter.body)).toEqual(sorted(analystBefore.body));
      expect(publicAfter.body.data.enterprise.tax.payments).toBeNull();
      expect(publicAfter.body.data.enterprise.socialSecurity.insuredHeadcount).toBeNull();
      expect(analystAfter.body.data.enterprise.tax.payments).toBeNull();
    }
  });

  it("keeps the credit rules' tier-dependent answers apart: GOVERNMENT sees unpublished records, PUBLIC never", async () => {
    const RECORDS = /* GraphQL */ `
      query Records($codes: [CreditCode!]!) {
        enterprises(codes: $codes) {
          code
          creditRecords {
            id
            state
          }
        }
      }
    `;
    const codes = [...DEMO_SUBJECTS.keys()];
    const publicBefore = await stack.query(RECORDS, { codes }, { anonymous: true });
    const government = await stack.query(RECORDS, { codes });
    expect(government.body.errors).toBeUndefined();
    const count = (body: { data?: any }) =>
      (body.data.enterprises as ({ creditRecords: unknown[] } | null)[]).reduce(
        (sum, e) => sum + (e?.creditRecords.length ?? 0),
        0,
      );
    // Otherwise the test would prove nothing.
    expect(count(government.body)).toBeGreaterThan(count(publicBefore.body));
    for (let round = 0; round < 2; round++) {
      const publicAfter = await stack.query(RECORDS, { codes }, { anonymous: true });
      expect(publicAfter.body).toEqual(publicBefore.body);
    }
  });

  it("never lets one lender's consent open a subject's protected fields to another lender", async () => {
    const consent = await stack.consent({
      subject: SME,
      grantee: LENDER,
      purpose: PURPOSE,
      groups: ['TAX_CREDIT', 'TAX_PAYMENTS', 'SOCIAL_SECURITY', 'PROCUREMENT_CONTRACTS'],
    });
    const withConsent = await stack.query(
      PROFILE,
      { code: SME },
      { tier: 'AUTHORIZED', client: LENDER, purpose: PURPOSE, consents: [consent] },
    );
    expect(withConsent.body.errors).toBeUndefined();
    expect(withConsent.body.data.enterprise.tax.payments.length).toBeGreaterThan(0);
    for (let round = 0; round < 2; round++) {
      const without = await stack.query(
        PROFILE,
        { code: SME },
        { tier: 'AUTHORIZED', client: OTHER_LENDER, purpose: PURPOSE },
      );
      const enterprise = without.body.data.enterprise;
      expect([
        enterprise.tax.payments,
        enterprise.tax.creditGrades,
        enterprise.socialSecurity.insuredHeadcount,
        enterprise.procurement.contracts,
      ]).toEqual([null, null, null, null]);
      const codes = new Set(without.body.errors?.map((e) => e.extensions.code));
      expect([...codes]).toEqual(['CONSENT_REQUIRED']);
      // The same lender's public fields still come from the cache.
      expect(enterprise.courts).toEqual(withConsent.body.data.enterprise.courts);
    }
  });

  it('masks ID numbers in cached data for the tiers that may not see them', async () => {
    const judicial = await stack.query(PEOPLE, { code: DEBTOR }, { tier: 'JUDICIAL', purpose: 'ENFORCEMENT' });
    const ids = JSON.stringify(judicial.body.data).match(/"idNumber":"([^"]+)"/g) ?? [];
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.join()).not.toContain('****');
    for (const as of [{ anonymous: true }, { tier: 'ANALYST', purpose: 'STATISTICS' }] as As[]) {
      const masked = await stack.query(PEOPLE, { code: DEBTOR }, as);
      const maskedIds = JSON.stringify(masked.body.data).match(/"idNumber":"([^"]+)"/g) ?? [];
      expect(maskedIds.length).toBe(ids.length);
      for (const id of maskedIds) expect(id).toContain('****');
    }
    // And the cached entry itself was not masked in place.
    const again = await stack.query(PEOPLE, { code: DEBTOR }, { tier: 'JUDICIAL', purpose: 'ENFORCEMENT' });
    expect(again.body).toEqual(judicial.body);
  });
});

describe('stale-if-error', () => {
  it('answers a failing department from its last entry past the TTL, marked in extensions.staleSources', async () => {
    const gateway = await replica({
      ...cacheEnv,
      CACHE_PREFIX: `${PREFIX}stale:`,
      CACHE_TTLS: 'tax=1,courts=1',
    });
    const fresh = await query(gateway.url, PUBLIC_PROFILE, { code: SME });
    expect(fresh.errors).toBeUndefined();
    expect(fresh.extensions).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await stack.setFaults('tax', { errorRate: 1 });
    try {
      const stale = await query(gateway.url, PUBLIC_PROFILE, { code: SME });
      expect(stale.errors).toBeUndefined();
      expect(stale.data).toEqual(fresh.data);
      expect(stale.extensions).toEqual({ staleSources: ['tax'] });
      // A subject never cached has no stale entry: the failure shows.
      const uncached = await query(gateway.url, PUBLIC_PROFILE, { code: DEBTOR });
      expect(uncached.errors?.map((e) => e.extensions.code)).toContain('SOURCE_UNAVAILABLE');
      expect(uncached.extensions).toBeUndefined();
    } finally {
      await stack.clearFaults();
    }
  });
});

describe('evictions over Redis pub/sub', () => {
  it('drops an entity, then a whole source, from every replica and from Redis', async () => {
    const env = { ...cacheEnv, CACHE_PREFIX: `${PREFIX}evict:`, CACHE_EVICT_CHANNEL: `${CHANNEL}:two` };
    const a = await replica(env);
    const b = await replica(env);
    await query(a.url, PUBLIC_PROFILE, { code: SME });
    await stack.resetStats();
    // B shares A's entries through Redis.
    const fromRedis = await query(b.url, PUBLIC_PROFILE, { code: SME });
    expect(fromRedis.errors).toBeUndefined();
    expect(stack.subgraphRequests().tax).toBe(0);

    const waitForEvictions = async (count: number) => {
      for (let i = 0; i < 200; i++) {
        const [ma, mb] = await Promise.all([metrics(a.metricsUrl), metrics(b.metricsUrl)]);
        if (ma.evictions >= count && mb.evictions >= count) return;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error('evictions were not applied');
    };
    await redis.publish(env.CACHE_EVICT_CHANNEL, JSON.stringify({ typename: 'Enterprise', key: { code: SME } }));
    await waitForEvictions(1);
    expect(await redis.keys(`${env.CACHE_PREFIX}*`)).toEqual([]);
    for (const gateway of [a, b]) {
      await stack.resetStats();
      await query(gateway.url, PUBLIC_PROFILE, { code: SME });
      // The root fetch that held the enterprise went with it.
      expect(stack.subgraphRequests()).toMatchObject(gateway === a ? { market: 1, tax: 1 } : { market: 0, tax: 0 });
    }

    await redis.publish(env.CACHE_EVICT_CHANNEL, JSON.stringify({ source: 'tax' }));
    await waitForEvictions(2);
    expect((await redis.keys(`${env.CACHE_PREFIX}tax:*`)).length).toBe(0);
    expect((await redis.keys(`${env.CACHE_PREFIX}courts:*`)).length).toBeGreaterThan(0);
    await stack.resetStats();
    await query(b.url, PUBLIC_PROFILE, { code: SME });
    expect(stack.subgraphRequests()).toMatchObject({ tax: 1, courts: 0, procurement: 0 });
  });
});

describe('Redis down', () => {
  let proxy: TcpProxy;
  beforeAll(async () => {
    proxy = await startTcpProxy({ host: '127.0.0.1', port: 6379 });
  });
  afterAll(async () => {
    await proxy?.close();
  });

  for (const mode of ['refuse', 'hang'] as const) {
    it(`keeps answering from memory and the sources when Redis ${mode === 'refuse' ? 'refuses' : 'hangs'}`, async () => {
      const gateway = await replica({
        ...cacheEnv,
        CACHE_REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
        CACHE_PREFIX: `${PREFIX}down-${mode}:`,
        CACHE_EVICT_CHANNEL: `${CHANNEL}:down-${mode}`,
      });
      proxy.setMode('pass');
      const warm = await query(gateway.url, PUBLIC_PROFILE, { code: SME });
      expect(warm.errors).toBeUndefined();
      proxy.setMode(mode);
      await stack.resetStats();
      const cached = await query(gateway.url, PUBLIC_PROFILE, { code: SME });
      expect(cached).toEqual(warm);
      expect(stack.subgraphRequests().tax).toBe(0);
      const fromSources = await query(gateway.url, PUBLIC_PROFILE, { code: DEBTOR });
      expect(fromSources.errors).toBeUndefined();
      expect(fromSources.data.enterprise.courts.dishonestDebtorRecords.length).toBeGreaterThan(0);
      proxy.setMode('pass');
    });
  }
});
