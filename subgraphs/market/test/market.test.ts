import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, silentLogger, type RunningServer } from '@credit-gateway/common';
import { startStandIn, demoCode, unregisteredCodes, type RunningStandIn } from '@credit-gateway/sources';
import { GATEWAY_KEYS, gatewayHeaders } from '../../../common/test/support/gateway-identity.js';
import { createMarketSubgraph, loadConfig } from '../src/server.js';

let standIn: RunningStandIn;
let subgraph: RunningServer;

async function query(query: string, variables?: Record<string, unknown>) {
  const response = await fetch(`${subgraph.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await gatewayHeaders()) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: any; errors?: any[] };
}

beforeAll(async () => {
  standIn = await startStandIn('market', { logger: silentLogger(), populationSize: 0, port: 0 });
  const config = loadConfig({
    PORT: '0',
    SOURCE_URL: standIn.url,
    SOURCE_TIMEOUT_MS: '500',
    GATEWAY_PUBLIC_KEY: GATEWAY_KEYS.GATEWAY_PUBLIC_KEY,
  });
  subgraph = await listen(createMarketSubgraph(config, silentLogger()).handler, 0);
});

afterAll(async () => {
  await subgraph?.close();
  await standIn?.close();
});

describe('market subgraph over the GSXT stand-in', () => {
  it('translates a demo subject', async () => {
    const result = await query(
      `query($code: CreditCode!) { enterprise(code: $code) { code codeInfo { registrationAuthority organizationCategory divisionCode organizationCode }
      marketRegulation { registration { name status statusText kind registeredCapital { amount currency } legalRepresentative { name person { idNumber } } provenance { source recordId asOf } }
      honours { name year } abnormalOperations { listedOn removedOn } } } }`,
      { code: demoCode('clean-sme') },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data.enterprise.marketRegulation.registration).toMatchObject({
      name: '重庆清泉精密机械有限公司',
      status: 'EXISTING',
      kind: 'ENTERPRISE',
      registeredCapital: { amount: 8_000_000, currency: 'CNY' },
    });
  });

  it('returns null for unknown codes and keeps batch order', async () => {
    const unknown = unregisteredCodes().next().value!;
    const codes = [demoCode('abnormal-removed'), unknown, demoCode('clean-sme')];
    const result = await query(`query($codes: [CreditCode!]!) { enterprises(codes: $codes) { code } }`, { codes });
    expect(result.errors).toBeUndefined();
    expect(result.data.enterprises).toEqual([{ code: codes[0] }, null, { code: codes[2] }]);
  });

  it('answers a section saying known: false, not null, for a subject reached by reference that GSXT does not hold', async () => {
    const unknown = unregisteredCodes().next().value!;
    const result = await query(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Enterprise {
        marketRegulation { known readAt registration { name } penalties { decisionNumber } honours { name } }
      } } }`,
      { r: [unknown, demoCode('clean-sme')].map((code) => ({ __typename: 'Enterprise', code })) },
    );
    expect(result.errors).toBeUndefined();
    const [missing, known] = result.data._entities.map((e: any) => e.marketRegulation);
    expect(missing).toMatchObject({ known: false, registration: null, penalties: [], honours: [] });
    expect(known).toMatchObject({ known: true, registration: { name: '重庆清泉精密机械有限公司' } });
    expect(Number.isNaN(Date.parse(missing.readAt))).toBe(false);
  });
});
