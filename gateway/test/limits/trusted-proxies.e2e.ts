import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { envName, silentLogger, type SubgraphName } from '@credit-gateway/common';
import { loadConfig, startGateway, type RunningGateway } from '../../src/server.js';
import { scrape } from '../support/metrics.js';
import { startStack, type Stack } from '../support/stack.js';

/**
 * Callers behind a proxy, through HTTP. The stack's gateway trusts 127.0.0.1 as its proxy
 * (TRUSTED_PROXIES), so a request from 127.0.0.1 is counted by the address its X-Forwarded-For
 * names; a second gateway in front of the same subgraphs trusts no proxy, as by default. Clients
 * are told apart by their source address on the loopback network: 127.0.0.1 plays the proxy,
 * 127.0.0.2 and up play callers reaching a gateway directly.
 */
const PROXY = '127.0.0.1';
/** PUBLIC callers' budget here: the `tier` budget of a caller without a client name is its address's. */
const PUBLIC_LIMIT = 3;
/** Each address's share of request-body bytes: one stalled body of this size fills it. */
const SHARE = 65_536;

let stack: Stack;
let direct: RunningGateway;

beforeAll(async () => {
  const env = {
    RATE_LIMITS: `PUBLIC=${PUBLIC_LIMIT}/1m`,
    RATE_LIMIT_ADDRESS: 'PUBLIC=100/1m',
    RATE_LIMIT_TIER_TOTAL: 'PUBLIC=1000/1m',
    RATE_LIMIT_AUTH_FAILURES: '2/1m',
    BODY_LIMIT_BYTES: String(SHARE),
    REPORT_UPLOAD_LIMIT_BYTES: String(SHARE),
    BODY_BUDGET_BYTES: String(8 * SHARE),
    BODY_BUDGET_PER_ADDRESS_BYTES: String(SHARE),
    // The stalled body waits until the test lets it go.
    BODY_TIMEOUT_MS: '120000',
    BODY_MIN_BYTES_PER_SECOND: '0',
  };
  stack = await startStack({ populationSize: 50, gatewayEnv: { ...env, TRUSTED_PROXIES: PROXY } });
  direct = await startGateway(
    loadConfig({
      PORT: '0',
      ...stack.gatewayEnv,
      ...Object.fromEntries(
        Object.entries(stack.subgraphUrls).map(([name, url]) => [`SUBGRAPH_${envName(name as SubgraphName)}_URL`, url]),
      ),
      ...env,
    }),
    silentLogger(),
  );
});

afterAll(async () => {
  await direct?.close();
  await stack?.close();
});

interface Reply {
  status: number;
  body: { data?: unknown; errors?: { message: string; extensions: Record<string, unknown> }[] };
}

/** A GraphQL request to `gateway` from source address `from`, with `headers`. */
function post(gateway: string, from: string, headers: Record<string, string>, query = '{ __typename }') {
  const url = new URL(gateway);
  const body = JSON.stringify({ query });
  return new Promise<Reply>((resolve, reject) => {
    const request = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: '/graphql',
        method: 'POST',
        localAddress: from,
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Reply['body'],
          }),
        );
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** A GET of `path` from source address `from`: its status. */
function get(gateway: string, from: string, path: string, headers: Record<string, string>) {
  const url = new URL(gateway);
  return new Promise<{ status: number }>((resolve, reject) => {
    const request = httpRequest(
      { host: url.hostname, port: url.port, path, localAddress: from, agent: false, headers },
      (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode ?? 0 }));
      },
    );
    request.on('error', reject);
    request.end();
  });
}

/** Anonymous requests through the proxy on behalf of `forwardedFor`, until `count` were answered. */
async function statuses(gateway: string, from: string, forwardedFor: string, count: number): Promise<number[]> {
  const seen: number[] = [];
  for (let i = 0; i < count; i++) seen.push((await post(gateway, from, { 'x-forwarded-for': forwardedFor })).status);
  return seen;
}

const spent = (served: number, refused: number) => [
  ...Array.from({ length: served }, () => 200),
  ...Array.from({ length: refused }, () => 429),
];

describe('callers behind a trusted proxy', () => {
  it('have a PUBLIC budget each: one caller spending its own leaves the others served', async () => {
    expect(await statuses(stack.gatewayUrl, PROXY, '198.51.100.1', PUBLIC_LIMIT + 2)).toEqual(spent(PUBLIC_LIMIT, 2));
    const refused = await post(stack.gatewayUrl, PROXY, { 'x-forwarded-for': '198.51.100.1' });
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', scope: 'tier', limit: 3 });
    // Another caller behind the same proxy is served, and so is the proxy's own request.
    expect(await statuses(stack.gatewayUrl, PROXY, '198.51.100.2', 1)).toEqual([200]);
    expect((await post(stack.gatewayUrl, PROXY, {})).status).toBe(200);
  });

  it('charge a spoofed left-most X-Forwarded-For entry to the address the proxy saw', async () => {
    // The caller at 198.51.100.1, out of budget, names a fresh address before its own: still refused.
    expect(await statuses(stack.gatewayUrl, PROXY, '203.0.113.50, 198.51.100.1', 2)).toEqual([429, 429]);
    // A fresh caller naming the spent one before its own spends its own budget, not the other's.
    expect(await statuses(stack.gatewayUrl, PROXY, '198.51.100.1, 198.51.100.3', PUBLIC_LIMIT + 1)).toEqual(
      spent(PUBLIC_LIMIT, 1),
    );
    expect(await statuses(stack.gatewayUrl, PROXY, '198.51.100.3', 1)).toEqual([429]);
  });

  it('fail authentication on their own budget: one sending bad tokens does not lock out the rest', async () => {
    const bad = (forwardedFor: string) =>
      post(stack.gatewayUrl, PROXY, { 'x-forwarded-for': forwardedFor, authorization: 'Bearer a.b.c' });
    const abuser: number[] = [];
    for (let i = 0; i < 4; i++) abuser.push((await bad('198.51.100.20')).status);
    expect(abuser).toEqual([401, 401, 429, 429]);
    // Another caller's token is still verified: its bad one is a 401, its good one is served.
    expect((await bad('198.51.100.21')).status).toBe(401);
    const good = await post(stack.gatewayUrl, PROXY, {
      'x-forwarded-for': '198.51.100.21',
      ...(await stack.headers({ tier: 'GOVERNMENT', client: 'proxied-approvals' })),
    });
    expect(good.status).toBe(200);
  });

  it('verify reports on their own PUBLIC budget', async () => {
    const verify = (forwardedFor: string) =>
      get(stack.gatewayUrl, PROXY, '/report/verify?number=R-0000&code=000000', { 'x-forwarded-for': forwardedFor });
    // The caller that spent its budget on /graphql has none left for verification; another has.
    expect((await verify('198.51.100.1')).status).toBe(429);
    expect((await verify('198.51.100.40')).status).toBe(200);
  });

  it('hold their own share of request-body bytes', async () => {
    const held = async () => (await scrape(stack.metricsUrl)).value('credit_gateway_request_body_bytes_held');
    const before = await held();
    // A caller sending all but the last byte of a whole share and stalling holds it...
    const stalled = stall(Number(new URL(stack.gatewayUrl).port), '198.51.100.30');
    try {
      await vi.waitFor(
        async () => {
          if ((await held()) !== before + SHARE - 1) throw new Error('not held yet');
        },
        { timeout: 10_000, interval: 20 },
      );
      const government = await stack.headers({ tier: 'GOVERNMENT', client: 'proxied-bodies' });
      // ...so its next body is refused, while another caller's, through the same proxy, is read.
      const same = await post(stack.gatewayUrl, PROXY, { 'x-forwarded-for': '198.51.100.30', ...government });
      expect(same.status).toBe(429);
      expect(same.body.errors?.[0]?.extensions).toMatchObject({ scope: 'address-body-bytes', limit: SHARE });
      const other = await post(stack.gatewayUrl, PROXY, { 'x-forwarded-for': '198.51.100.31', ...government });
      expect(other.status).toBe(200);
    } finally {
      stalled.destroy();
    }
  });
});

/** A POST through the proxy for `forwardedFor` that announces SHARE bytes, sends all but the last and stalls. */
function stall(port: number, forwardedFor: string): Socket {
  const socket = connect({ port, host: '127.0.0.1', localAddress: PROXY });
  socket.on('error', () => undefined);
  socket.once('connect', () => {
    socket.write(
      `POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n` +
        `content-length: ${SHARE}\r\nx-forwarded-for: ${forwardedFor}\r\n\r\n`,
    );
    socket.write('{"query":"{ __typename }"}'.padEnd(SHARE - 1, ' '));
  });
  return socket;
}

describe('callers reaching a gateway directly', () => {
  it('cannot leave their budget by sending X-Forwarded-For to a gateway that trusts no proxy', async () => {
    const seen: number[] = [];
    for (let i = 0; i < PUBLIC_LIMIT + 2; i++)
      seen.push((await post(direct.url, '127.0.0.2', { 'x-forwarded-for': `198.51.100.${100 + i}` })).status);
    expect(seen).toEqual(spent(PUBLIC_LIMIT, 2));
    expect((await post(direct.url, '127.0.0.2', {})).status).toBe(429);
  });

  it('cannot leave their budget by sending X-Forwarded-For from an address that is not a trusted proxy', async () => {
    const seen: number[] = [];
    for (let i = 0; i < PUBLIC_LIMIT + 2; i++)
      seen.push((await post(stack.gatewayUrl, '127.0.0.3', { 'x-forwarded-for': `198.51.100.${150 + i}` })).status);
    expect(seen).toEqual(spent(PUBLIC_LIMIT, 2));
  });

  it('behind a proxy the gateway does not trust, share one budget, as before TRUSTED_PROXIES', async () => {
    // The second gateway sees every caller of the proxy as the proxy: the first caller spends it for all.
    expect(await statuses(direct.url, PROXY, '198.51.100.200', PUBLIC_LIMIT)).toEqual(spent(PUBLIC_LIMIT, 0));
    expect(await statuses(direct.url, PROXY, '198.51.100.201', 1)).toEqual([429]);
  });
});
