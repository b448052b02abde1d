import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { envName, silentLogger, type SubgraphName } from '@credit-gateway/common';
import { demoCode } from '@credit-gateway/sources';
import { loadConfig, startGateway, type GatewayPlugin, type RunningGateway } from '../../src/server.js';
import { startStack, type Stack } from '../support/stack.js';

/**
 * A metrics-like plugin added from outside the pipeline: it sees every hook point a metrics or
 * tracing feature needs, and no stage was edited for it.
 */
type Event = [string, ...unknown[]];

function recorder(events: Event[]): GatewayPlugin {
  return {
    name: 'recorder',
    onRequest(context) {
      events.push(['request', context.requestId]);
      return (end) => events.push(['request end', end.status, end.outcome, end.registered, end.durationMs >= 0]);
    },
    onDocument(_context, document) {
      events.push(['document', document.operationName, document.operationType, document.operationHash.length]);
    },
    onExecute(_context, execution) {
      events.push(['execute', execution.operationName]);
      return (end) => events.push(['execute end', end.errors, end.durationMs >= 0]);
    },
    onSubgraphFetch(_context, fetch) {
      return (end) => events.push(['fetch', fetch.subgraph, end.outcome, end.errors, end.durationMs >= 0]);
    },
    onRegister(context, record) {
      events.push(['register', record.requestId === context.requestId, record.outcome]);
      return (end) => events.push(['register end', end.committed, end.durationMs >= 0]);
    },
  };
}

/** A plugin whose every hook throws: it is logged, and the request is answered all the same. */
const faulty: GatewayPlugin = {
  name: 'faulty',
  onRequest: () => {
    throw new Error('request hook');
  },
  onExecute: () => () => {
    throw new Error('execute end hook');
  },
  onSubgraphFetch: () => {
    throw new Error('fetch hook');
  },
};

const CODE = demoCode('partial-debtor');
const REGISTRATION =
  'query Registration($code: CreditCode!) { enterprise(code: $code) { code marketRegulation { registration { name } } } }';
const BANNED = 'query Banned($code: CreditCode!) { enterprise(code: $code) { code procurement { banned } } }';

let stack: Stack;
let workDir: string;
let gateway: RunningGateway;
const events: Event[] = [];

beforeAll(async () => {
  stack = await startStack({ populationSize: 100 });
  workDir = await mkdtemp(join(tmpdir(), 'credit-gateway-hooks-'));
  const subgraphs = Object.entries(stack.subgraphUrls) as [SubgraphName, string][];
  gateway = await startGateway(
    loadConfig({
      PORT: '0',
      ...stack.gatewayEnv,
      REGISTER_DIR: join(workDir, 'register'),
      ...Object.fromEntries(subgraphs.map(([name, url]) => [`SUBGRAPH_${envName(name)}_URL`, url])),
      // Nothing listens there: procurement's fetches fail as a whole.
      SUBGRAPH_PROCUREMENT_URL: 'http://127.0.0.1:9/graphql',
    }),
    silentLogger(),
    { plugins: [faulty, recorder(events)] },
  );
});

afterAll(async () => {
  await gateway?.close();
  await stack?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

beforeEach(() => {
  events.length = 0;
});

async function post(query: string, variables: Record<string, unknown>, headers: Record<string, string>) {
  const response = await fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': 'hooked', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as { data?: any; errors?: any[] } };
}

describe('plugin hooks', () => {
  it('see a request from arrival to answer: document, execution, each subgraph fetch, the register', async () => {
    const answer = await post(REGISTRATION, { code: CODE }, await stack.headers());
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    expect(events).toEqual([
      ['request', 'hooked'],
      ['document', 'Registration', 'query', 64],
      ['execute', 'Registration'],
      ['fetch', 'market', 'OK', 0, true],
      ['execute end', 0, true],
      ['register', true, 'OK'],
      ['register end', true, true],
      ['request end', 200, 'OK', true, true],
    ]);
  });

  it('see a subgraph that cannot be reached as its fetch outcome, and the partial answer', async () => {
    const answer = await post(BANNED, { code: CODE }, await stack.headers());
    expect(answer.body.errors?.map((error) => error.extensions.code)).toEqual(['SOURCE_UNAVAILABLE']);
    expect(events.filter(([name]) => name === 'fetch')).toEqual([
      ['fetch', 'market', 'OK', 0, true],
      ['fetch', 'procurement', 'SOURCE_UNAVAILABLE', 1, true],
    ]);
    expect(events.at(-1)).toEqual(['request end', 200, 'PARTIAL', true, true]);
  });

  it('see a refusal end the request before any document, and a liveness probe go unregistered', async () => {
    const refused = await post(REGISTRATION, { code: CODE }, { authorization: 'Bearer not-a-token' });
    expect(refused.status).toBe(401);
    expect(events).toEqual([
      ['request', 'hooked'],
      ['register', true, 'REJECTED'],
      ['register end', true, true],
      ['request end', 401, 'REJECTED', true, true],
    ]);
    events.length = 0;
    const probe = await post('{ __typename }', {}, {});
    expect(probe.body).toEqual({ data: { __typename: 'Query' } });
    expect(events).toEqual([
      ['request', 'hooked'],
      ['document', null, 'query', 64],
      ['execute', null],
      ['execute end', 0, true],
      ['request end', 200, 'OK', false, true],
    ]);
  });
});
