import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@credit-gateway/common';
import { demoCode } from '@credit-gateway/sources';
import { loadConfig, startGateway } from '../src/server.js';
import { startStack, type Stack } from './support/stack.js';

let stack: Stack;

// A short source timeout keeps the hang cases quick; the gateway's own timeout stays above it.
beforeAll(async () => {
  stack = await startStack({ populationSize: 200, sourceTimeoutMs: 400 });
});
afterAll(async () => {
  await stack?.close();
});
afterEach(async () => {
  await stack.clearFaults();
});

const SECTIONS = /* GraphQL */ `
  query Sections($code: CreditCode!) {
    enterprise(code: $code) {
      code
      marketRegulation {
        registration {
          name
        }
      }
      tax {
        taxpayerNumber
      }
      courts {
        dishonestDebtorRecords {
          status
        }
      }
      socialSecurity {
        unitNumber
      }
      procurement {
        banned
      }
    }
  }
`;

const FIELD = {
  market: 'marketRegulation',
  tax: 'tax',
  courts: 'courts',
  'social-security': 'socialSecurity',
  procurement: 'procurement',
} as const;

const FAULTS = [
  ['errorRate', { errorRate: 1 }, 'SOURCE_UNAVAILABLE'],
  ['garbageRate', { garbageRate: 1 }, 'SOURCE_BAD_RESPONSE'],
  ['hang', { hang: true }, 'SOURCE_TIMEOUT'],
] as const;

describe.each(Object.keys(FIELD) as (keyof typeof FIELD)[])('when the %s department system fails', (source) => {
  it.each(FAULTS)('%s: only its section is null, with an error naming it', async (_, faults, code) => {
    await stack.setFaults(source, faults);
    const { status, body } = await stack.query(SECTIONS, { code: demoCode('clean-sme') });
    expect(status).toBe(200);
    const enterprise = body.data.enterprise;
    expect(enterprise.code).toBe(demoCode('clean-sme'));
    expect(enterprise[FIELD[source]]).toBeNull();
    for (const [other, field] of Object.entries(FIELD)) {
      if (other !== source) expect(enterprise[field], `${field} is answered`).not.toBeNull();
    }
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]).toMatchObject({ extensions: { code, source } });
    // No internals reach the client.
    expect(JSON.stringify(body.errors)).not.toMatch(/stack|at .*\.(ts|js):\d+|Error:/);
  });
});

describe('when a whole subgraph is unreachable', () => {
  it('answers the other sections and names the missing one; readiness reports it', async () => {
    const gateway = await startGateway(
      loadConfig({
        PORT: '0',
        ...stack.gatewayEnv,
        SUBGRAPH_MARKET_URL: stack.subgraphUrls.market,
        SUBGRAPH_TAX_URL: 'http://127.0.0.1:1/graphql',
        SUBGRAPH_COURTS_URL: stack.subgraphUrls.courts,
        SUBGRAPH_SOCIAL_SECURITY_URL: stack.subgraphUrls['social-security'],
        SUBGRAPH_PROCUREMENT_URL: stack.subgraphUrls.procurement,
        SUBGRAPH_CREDIT_URL: stack.subgraphUrls.credit,
      }),
      silentLogger(),
    );
    try {
      const response = await fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(await stack.headers()) },
        body: JSON.stringify({ query: SECTIONS, variables: { code: demoCode('clean-sme') } }),
      });
      const body = (await response.json()) as any;
      expect(response.status).toBe(200);
      expect(body.data.enterprise.tax).toBeNull();
      expect(body.data.enterprise.marketRegulation.registration.name).toBe('重庆清泉精密机械有限公司');
      expect(body.errors).toEqual([
        {
          message: 'The tax department system is unavailable',
          extensions: { code: 'SOURCE_UNAVAILABLE', source: 'tax' },
        },
      ]);
      const ready = await fetch(`${gateway.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ ready: false, subgraphs: { tax: 'down', market: 'up' } });
    } finally {
      await gateway.close();
    }
  });

  it('is ready when every subgraph answers', async () => {
    const ready = await fetch(`${stack.gatewayUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      ready: true,
      supergraph: 'loaded',
      subgraphs: { market: 'up', tax: 'up', courts: 'up', 'social-security': 'up', procurement: 'up', credit: 'up' },
      admission: { active: 0, waiting: 0, oldestWaitMs: 0, saturated: false },
    });
    expect((await fetch(`${stack.gatewayUrl}/healthz`)).status).toBe(200);
  });
});
