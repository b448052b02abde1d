import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyDelivery } from '@credit-gateway/subgraph-credit';
import { startStack, type As, type Stack } from './support/stack.js';
import { readmeReceiver, type CheckDelivery } from './support/readme-receiver.js';

let stack: Stack;
let checkDelivery: CheckDelivery;
let snippetDir: string;
let receiver: Server;
let receiverUrl: string;
const received: { method: string; url: string; headers: IncomingHttpHeaders; body: Buffer }[] = [];
/** What the receiver answers, in turn; 200 once the list is used up. */
const answers: number[] = [];

beforeAll(async () => {
  ({ checkDelivery, dir: snippetDir } = await readmeReceiver());
  stack = await startStack({
    populationSize: 200,
    creditEnv: { OUTBOX_BACKOFF_BASE_MS: '10', OUTBOX_BACKOFF_MAX_MS: '50' },
  });
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        method: request.method ?? '',
        url: new URL(request.url ?? '/', receiverUrl).href,
        headers: request.headers,
        body: Buffer.concat(chunks),
      });
      response.writeHead(answers.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/credit-hooks?department=tax`;
});
afterAll(async () => {
  receiver?.closeAllConnections();
  await new Promise((resolve) => receiver?.close(resolve));
  await stack?.close();
  if (snippetDir) await rm(snippetDir, { recursive: true, force: true });
});

const TAX: As = {
  tier: 'GOVERNMENT',
  client: 'dongguan-tax-bureau',
  purpose: 'ADMINISTRATIVE_LICENSING',
  department: 'TAX',
};
const MARKET: As = {
  tier: 'GOVERNMENT',
  client: 'amr-portal',
  purpose: 'ADMINISTRATIVE_LICENSING',
  department: 'MARKET',
};
const NO_DEPARTMENT: As = { tier: 'GOVERNMENT', client: 'approval-system', purpose: 'ADMINISTRATIVE_LICENSING' };
const ANALYST: As = { tier: 'ANALYST', client: 'analyst-workbench', purpose: null };

const REGISTER = `mutation($input: RegisterWebhookEndpointInput!) {
  registerWebhookEndpoint(input: $input) { id department url topics registeredBy removedAt } }`;
const DELIVERIES = `query($department: String!, $state: DeliveryState) {
  outboxDeliveries(department: $department, state: $state) {
    id department topic idempotencyKey state attempts lastStatus lastError endpoint { id url } } }`;

async function until(check: () => Promise<boolean> | boolean): Promise<void> {
  for (let i = 0; !(await check()); i++) {
    if (i > 2_000) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('scenario: the tax department registers a webhook and receives a signed case it can verify', () => {
  let endpointId: string;

  it('refuses a caller acting for no department, a tier that may not register, and a bad URL', async () => {
    const input = { url: receiverUrl, topics: ['case.opened'], idempotencyKey: 'tax-hook-1' };
    const none = await stack.query(REGISTER, { input }, NO_DEPARTMENT);
    expect(none.body.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN_DEPARTMENT' } });
    const analyst = await stack.query(REGISTER, { input }, ANALYST);
    expect(analyst.body.errors?.[0]?.extensions?.code).toBe('UNAUTHORIZED_FIELD_OR_TYPE');
    const ftp = await stack.query(REGISTER, { input: { ...input, url: 'ftp://tax.example/hooks' } }, TAX);
    expect(ftp.body.errors?.[0]).toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', problems: ['url must be http or https'] },
    });
  });

  it('registers the endpoint with the department from the token, idempotently', async () => {
    const input = { url: receiverUrl, topics: ['case.opened', 'case.withdrawn'], idempotencyKey: 'tax-hook-1' };
    const first = await stack.query(REGISTER, { input }, TAX);
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data.registerWebhookEndpoint).toMatchObject({
      department: 'TAX',
      url: receiverUrl,
      topics: ['case.opened', 'case.withdrawn'],
      registeredBy: 'dongguan-tax-bureau',
      removedAt: null,
    });
    endpointId = first.body.data.registerWebhookEndpoint.id;
    const again = await stack.query(REGISTER, { input }, TAX);
    expect(again.body.data.registerWebhookEndpoint.id).toBe(endpointId);
    const listed = await stack.query('{ webhookEndpoints { id url } }', {}, TAX);
    expect(listed.body.data.webhookEndpoints).toEqual([{ id: endpointId, url: receiverUrl }]);
    expect((await stack.query('{ webhookEndpoints { id } }', {}, MARKET)).body.data.webhookEndpoints).toEqual([]);
  });

  it('delivers a message the credit subgraph enqueues, signed, retried after a 500, verifiable with the README receiver', async () => {
    answers.push(500);
    await stack.creditOutbox.enqueue([
      {
        department: 'TAX',
        topic: 'case.opened',
        idempotencyKey: 'case/JC-2026-0001/opened',
        payload: { caseId: 'JC-2026-0001', list: '重大税收违法失信主体' },
      },
    ]);
    await until(() => received.length === 2);
    const [failed, delivered] = received;
    expect(failed!.headers['idempotency-key']).toBe('case/JC-2026-0001/opened');
    expect(delivered!.headers['idempotency-key']).toBe('case/JC-2026-0001/opened');
    expect(delivered!.headers['credit-delivery-id']).toBe(failed!.headers['credit-delivery-id']);
    expect(JSON.parse(delivered!.body.toString('utf8'))).toMatchObject({
      department: 'TAX',
      topic: 'case.opened',
      payload: { caseId: 'JC-2026-0001', list: '重大税收违法失信主体' },
    });

    // The key is published: by GraphQL to anyone, and as the development key file.
    const published = await stack.query(
      '{ outboxSigningKey { keyId algorithm publicKeyPem publicKeyJwk } }',
      {},
      {
        anonymous: true,
      },
    );
    const key = published.body.data.outboxSigningKey;
    expect(key.algorithm).toBe('ed25519');
    expect(JSON.parse(readFileSync(stack.outboxPublicKeyFile, 'utf8'))).toMatchObject({
      x: JSON.parse(key.publicKeyJwk).x,
    });
    const publicKey = createPublicKey(key.publicKeyPem);
    expect(delivered!.headers['signature-input']).toContain(`keyid="${key.keyId}"`);

    expect(checkDelivery(delivered!, publicKey)).toBe(true);
    expect(verifyDelivery(delivered!, publicKey)).toMatchObject({
      ok: true,
      idempotencyKey: 'case/JC-2026-0001/opened',
    });
    const tampered = { ...delivered!, body: Buffer.from(delivered!.body.toString('utf8').replace('0001', '0002')) };
    expect(checkDelivery(tampered, publicKey)).toBe(false);
    expect(verifyDelivery(tampered, publicKey)).toEqual({ ok: false, reason: 'the body does not match its digest' });
    const later = new Date(Date.now() + 600_000);
    expect(verifyDelivery(delivered!, publicKey, { now: later })).toEqual({
      ok: false,
      reason: 'too old: a replayed delivery',
    });
  });

  it('shows analysts the delivery without its body, and the department its own body only', async () => {
    const analyst = await stack.query(DELIVERIES, { department: 'TAX', state: 'DELIVERED' }, ANALYST);
    expect(analyst.body.errors).toBeUndefined();
    expect(analyst.body.data.outboxDeliveries).toEqual([
      {
        id: expect.stringMatching(/^DLV-/),
        department: 'TAX',
        topic: 'case.opened',
        idempotencyKey: 'case/JC-2026-0001/opened',
        state: 'DELIVERED',
        attempts: 2,
        lastStatus: 200,
        lastError: null,
        endpoint: { id: endpointId, url: receiverUrl },
      },
    ]);
    const withBody = await stack.query('query { outboxDeliveries(department: "TAX") { id payload } }', {}, ANALYST);
    expect(withBody.body.errors?.[0]?.extensions?.code).toBe('UNAUTHORIZED_FIELD_OR_TYPE');
    const own = await stack.query('query { outboxDeliveries(department: "TAX") { payload } }', {}, TAX);
    expect(JSON.parse(own.body.data.outboxDeliveries[0].payload)).toEqual({
      caseId: 'JC-2026-0001',
      list: '重大税收违法失信主体',
    });
    const other = await stack.query('query { outboxDeliveries(department: "TAX") { id } }', {}, MARKET);
    expect(other.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN_DEPARTMENT');
  });

  it('dead-letters deliveries to a failing receiver, and redelivers them when the department asks', async () => {
    answers.push(...Array.from({ length: 8 }, () => 503));
    const before = received.length;
    const registered = await stack.query(
      REGISTER,
      { input: { url: `${receiverUrl}&to=market`, topics: ['*'], idempotencyKey: 'market-hook' } },
      MARKET,
    );
    expect(registered.body.errors).toBeUndefined();
    await stack.creditOutbox.enqueue([
      {
        department: 'MARKET',
        topic: 'objection.filed',
        idempotencyKey: 'objection/OBJ-1/filed',
        payload: { id: 'OBJ-1' },
      },
    ]);
    const dead = async () =>
      (await stack.query(DELIVERIES, { department: 'MARKET', state: 'DEAD_LETTER' }, ANALYST)).body.data
        .outboxDeliveries;
    await until(async () => (await dead()).length === 1);
    const [deadLetter] = await dead();
    expect(deadLetter).toMatchObject({ attempts: 8, lastStatus: 503, lastError: 'HTTP 503' });
    expect(received.length - before).toBe(8);

    const redeliver = 'mutation { redeliverDeadLetters { id state } }';
    const refused = await stack.query(redeliver, {}, NO_DEPARTMENT);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN_DEPARTMENT');
    const requeued = await stack.query(redeliver, {}, MARKET);
    expect(requeued.body.data.redeliverDeadLetters).toEqual([{ id: deadLetter.id, state: 'PENDING' }]);
    const delivered = async () =>
      (await stack.query(DELIVERIES, { department: 'MARKET', state: 'DELIVERED' }, ANALYST)).body.data.outboxDeliveries;
    await until(async () => (await delivered()).length === 1);
    expect((await delivered())[0]).toMatchObject({ attempts: 9, lastStatus: 200 });
    const keys = received.slice(before).map((r) => r.headers['idempotency-key']);
    expect(new Set(keys)).toEqual(new Set(['objection/OBJ-1/filed']));
  });

  it('lets only the department remove its endpoint', async () => {
    const remove = 'mutation($id: ID!) { removeWebhookEndpoint(id: $id) { id removedAt } }';
    const market = await stack.query(remove, { id: endpointId }, MARKET);
    expect(market.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN_DEPARTMENT');
    const tax = await stack.query(remove, { id: endpointId }, TAX);
    expect(tax.body.data.removeWebhookEndpoint).toMatchObject({ id: endpointId, removedAt: expect.any(String) });
    expect((await stack.query('{ webhookEndpoints { id } }', {}, TAX)).body.data.webhookEndpoints).toEqual([]);
  });
});
