import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Redis } from 'ioredis';
import { envName, silentLogger, type SubgraphName } from '@credit-gateway/common';
import { demoCode } from '@credit-gateway/sources';
import { loadConfig, startGateway } from '../../src/server.js';
import { entityCacheMetrics, serveMetrics } from '../support/metrics.js';
import { startStack, type Stack } from '../support/stack.js';

/**
 * The entity cache in the real Redis keys root fetches by the normalized codes, so padding,
 * letter case and full-width forms of one code reuse one entry; and it keeps to its byte bounds.
 */
const REDIS_URL = 'redis://127.0.0.1:6379';
const RUN = randomUUID();
const PREFIX = `test-cache-keys-${RUN}:`;
const SME = demoCode('clean-sme');
const DEBTOR = demoCode('partial-debtor');
const ONE =
  'query One($code: CreditCode!) { enterprise(code: $code) { code marketRegulation { registration { name } } } }';
const MANY =
  'query Many($codes: [CreditCode!]!) { enterprises(codes: $codes) { code marketRegulation { registration { name } } } }';

const cacheEnv = (prefix: string) => ({
  ENTITY_CACHE: 'true',
  CACHE_REDIS_URL: REDIS_URL,
  CACHE_PREFIX: prefix,
  CACHE_EVICT_CHANNEL: `${prefix}evict`,
});

let stack: Stack;
let redis: Redis;
const replicas: { close(): Promise<void> }[] = [];
/** Each replica's metrics page, by its URL. */
const metricsUrls = new Map<string, string>();

beforeAll(async () => {
  stack = await startStack({ populationSize: 200, gatewayEnv: cacheEnv(PREFIX) });
  redis = new Redis(REDIS_URL);
});
afterAll(async () => {
  for (const gateway of replicas) await gateway.close();
  await stack?.close();
  if (redis) {
    const keys = await redis.keys(`test-cache-keys-${RUN}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  }
});

async function replica(env: Record<string, string>): Promise<string> {
  const gateway = await startGateway(
    loadConfig({
      PORT: '0',
      ...stack.gatewayEnv,
      REGISTER_DIR: `${stack.gatewayEnv['REGISTER_DIR']}-${replicas.length}`,
      ...Object.fromEntries(
        Object.entries(stack.subgraphUrls).map(([name, url]) => [`SUBGRAPH_${envName(name as SubgraphName)}_URL`, url]),
      ),
      ...env,
    }),
    silentLogger(),
  );
  replicas.push(gateway);
  const metricsServer = await serveMetrics(gateway.gateway.metrics);
  replicas.push(metricsServer);
  metricsUrls.set(gateway.url, metricsServer.metricsUrl);
  return gateway.url;
}

async function ask(url: string, query: string, variables: Record<string, unknown>) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await stack.headers({ anonymous: true })) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: any; errors?: any[] };
}

function metrics(url: string) {
  return entityCacheMetrics(metricsUrls.get(url) ?? stack.metricsUrl);
}

/** Root entries of the market subgraph under a prefix (not their eviction index sets). */
const rootEntries = (prefix: string) => redis.keys(`${prefix}market:{root:*`);

/** The same code as a caller might type it: padded, lower case, in full-width characters. */
const fullWidth = (code: string) => code.replace(/[0-9A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
const variants = (code: string) => [code, `  ${code} `, code.toLowerCase(), fullWidth(code), `\t${code.toLowerCase()}`];

describe('entity cache keys and bounds (real Redis)', () => {
  it('reuses one entry for padded, lower-case and full-width forms of one code', async () => {
    // Started first, so that its Redis connection is up when it is asked.
    const other = await replica(cacheEnv(PREFIX));
    await stack.resetStats();
    for (const code of variants(SME)) {
      const answer = await ask(stack.gatewayUrl, ONE, { code });
      expect(answer.errors).toBeUndefined();
      expect(answer.data.enterprise.code).toBe(SME);
    }
    expect(stack.subgraphRequests().market).toBe(1);
    await vi.waitFor(async () => expect(await rootEntries(PREFIX)).toHaveLength(1), { timeout: 10_000 });
    // A second replica, its in-process layer empty, finds that one entry in Redis for every form.
    for (const code of variants(SME)) expect((await ask(other, ONE, { code })).data.enterprise.code).toBe(SME);
    expect(stack.subgraphRequests().market).toBe(1);
    expect(await rootEntries(PREFIX)).toHaveLength(1);
  });

  it('keys a list by its normalized codes in the order asked, answering each order in its own', async () => {
    const before = (await rootEntries(PREFIX)).length;
    await stack.resetStats();
    const asked = [
      [SME, DEBTOR],
      [` ${SME.toLowerCase()}`, fullWidth(DEBTOR)],
      [SME, `${DEBTOR.toLowerCase()}  `],
    ];
    for (const codes of asked) {
      const answer = await ask(stack.gatewayUrl, MANY, { codes });
      expect(answer.data.enterprises.map((e: { code: string }) => e.code)).toEqual([SME, DEBTOR]);
    }
    expect(stack.subgraphRequests().market).toBe(1);
    const reversed = await ask(stack.gatewayUrl, MANY, { codes: [DEBTOR.toLowerCase(), SME] });
    expect(reversed.data.enterprises.map((e: { code: string }) => e.code)).toEqual([DEBTOR, SME]);
    expect(stack.subgraphRequests().market).toBe(2);
    await vi.waitFor(async () => expect(await rootEntries(PREFIX)).toHaveLength(before + 2), { timeout: 10_000 });
  });

  it('writes nothing to a Redis that holds CACHE_REDIS_MAX_BYTES, still answering', async () => {
    const prefix = `${PREFIX}full:`;
    const url = await replica({ ...cacheEnv(prefix), CACHE_REDIS_MAX_BYTES: '1' });
    for (const code of [SME, DEBTOR]) expect((await ask(url, ONE, { code })).data.enterprise.code).toBe(code);
    await vi.waitFor(async () => expect((await metrics(url)).redisFull).toBe(2), { timeout: 10_000 });
    expect(await redis.keys(`${prefix}*`)).toEqual([]);
    // The in-process layer still answers the repeat.
    await stack.resetStats();
    expect((await ask(url, ONE, { code: SME })).data.enterprise.code).toBe(SME);
    expect(stack.subgraphRequests().market).toBe(0);
  });

  it('does not cache an answer larger than CACHE_ENTRY_MAX_BYTES', async () => {
    const prefix = `${PREFIX}small:`;
    const url = await replica({ ...cacheEnv(prefix), CACHE_ENTRY_MAX_BYTES: '256' });
    const codes = [SME, DEBTOR, demoCode('wage-arrears')];
    const answer = await ask(url, MANY, { codes });
    expect(JSON.stringify(answer.data).length).toBeGreaterThan(256);
    expect((await metrics(url)).oversized).toBe(1);
    await stack.resetStats();
    await ask(url, MANY, { codes });
    expect(stack.subgraphRequests().market).toBe(1);
    expect(await redis.keys(`${prefix}*`)).toEqual([]);
  });
});
