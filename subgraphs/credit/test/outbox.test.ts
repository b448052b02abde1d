import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateInternalKeyPair, internalKeyEnv, silentLogger } from '@credit-gateway/common';
import { openEventStore, type EventStore } from '../src/store/index.js';
import {
  checkEndpointUrl,
  ephemeralSigningKey,
  openOutbox,
  OutboxInputError,
  readSigningKey,
  verifyDelivery,
  type DispatcherSettings,
  type DurableOutbox,
  type OutboxSigningKey,
} from '../src/outbox/index.js';
import { loadConfig } from '../src/config.js';
import { openCreditSubgraph } from '../src/server.js';
import { STORES, tempDir, type StoreUnderTest } from './store-support.js';
import { deadUrl, startReceiver, until, type Receiver } from './outbox-support.js';

const FAST: Partial<DispatcherSettings> = {
  maxAttempts: 3,
  backoffBaseMs: 5,
  backoffMaxMs: 20,
  attemptTimeoutMs: 300,
  concurrency: 4,
};

const key: OutboxSigningKey = ephemeralSigningKey();
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function received(receiver: Receiver) {
  return receiver.received;
}

describe.each(STORES)('the outbox on the $name', (kind) => {
  let where: StoreUnderTest;

  async function open(
    settings: Partial<DispatcherSettings> = FAST,
  ): Promise<{ outbox: DurableOutbox; events: EventStore; close(): Promise<void> }> {
    const events = await openEventStore(where.config, silentLogger());
    const outbox = openOutbox(events, { signingKey: key, settings, logger: silentLogger() });
    let closed = false;
    const close = async () => {
      if (closed) return;
      closed = true;
      await outbox.close();
      await events.close();
    };
    cleanups.push(close);
    return { outbox, events, close };
  }

  async function setup() {
    where = await kind.setup();
    cleanups.push(() => where.cleanup());
  }

  async function receiver(behaviour?: Parameters<typeof startReceiver>[0]) {
    const r = await startReceiver(behaviour);
    cleanups.push(() => r.close());
    return r;
  }

  it('delivers a message signed, once, and a second enqueue with the same key is a no-op', async () => {
    await setup();
    const hook = await receiver();
    const { outbox } = await open();
    await outbox.registerEndpoint('TAX', 'tax-bureau', {
      url: hook.url,
      topics: ['case.opened'],
      idempotencyKey: 'ep-1',
    });
    const message = {
      department: 'TAX',
      topic: 'case.opened',
      idempotencyKey: 'case-1/opened',
      payload: { caseId: 'C-1' },
    };
    await outbox.enqueue([message]);
    await outbox.enqueue([{ ...message, payload: { caseId: 'other' } }]);
    await until(() => outbox.deliveries('TAX', 'DELIVERED', 10).length === 1, 'the delivery');

    expect(received(hook)).toHaveLength(1);
    const [request] = received(hook);
    const verified = verifyDelivery(request!, key.publicKey);
    expect(verified).toMatchObject({ ok: true, idempotencyKey: 'case-1/opened', topic: 'case.opened' });
    expect(JSON.parse(request!.body)).toMatchObject({
      department: 'TAX',
      topic: 'case.opened',
      idempotencyKey: 'case-1/opened',
      payload: { caseId: 'C-1' },
    });
    expect(outbox.deliveries('TAX', null, 10)).toHaveLength(1);
    expect(outbox.deliveries('TAX', null, 10)[0]).toMatchObject({ state: 'DELIVERED', attempts: 1, lastError: null });

    // A changed body, and the same delivery replayed later than the window, fail.
    expect(verifyDelivery({ ...request!, body: request!.body.replace('C-1', 'C-2') }, key.publicKey)).toEqual({
      ok: false,
      reason: 'the body does not match its digest',
    });
    expect(verifyDelivery(request!, key.publicKey, { now: new Date(Date.now() + 301_000) })).toEqual({
      ok: false,
      reason: 'too old: a replayed delivery',
    });
    expect(verifyDelivery({ ...request!, url: `${request!.url}?x=1` }, key.publicKey)).toEqual({
      ok: false,
      reason: 'bad signature',
    });
    expect(verifyDelivery(request!, ephemeralSigningKey().publicPem)).toEqual({ ok: false, reason: 'bad signature' });
  });

  it('retries a receiver answering 500, then delivers with the same idempotency key and delivery id', async () => {
    await setup();
    const hook = await receiver((n) => (n === 1 ? 500 : 200));
    const { outbox } = await open();
    await outbox.registerEndpoint('MARKET', 'amr', { url: hook.url, topics: ['*'], idempotencyKey: 'ep' });
    await outbox.enqueue([{ department: 'MARKET', topic: 'case.opened', idempotencyKey: 'k1', payload: { n: 1 } }]);
    await until(() => outbox.deliveries('MARKET', 'DELIVERED', 10).length === 1, 'the delivery');
    const requests = received(hook);
    expect(requests).toHaveLength(2);
    expect(new Set(requests.map((r) => r.headers['idempotency-key']))).toEqual(new Set(['k1']));
    expect(new Set(requests.map((r) => r.headers['credit-delivery-id'])).size).toBe(1);
    expect(requests.map((r) => r.headers['credit-delivery-attempt'])).toEqual(['1', '2']);
    expect(requests.every((r) => verifyDelivery(r, key.publicKey).ok)).toBe(true);
    expect(outbox.deliveries('MARKET', null, 10)[0]).toMatchObject({
      state: 'DELIVERED',
      attempts: 2,
      lastStatus: 200,
    });
  });

  it('dead-letters a receiver that is down without holding up another, and redelivers on request', async () => {
    await setup();
    const good = await receiver();
    let answer = 503;
    const flaky = await receiver(() => answer);
    const { outbox } = await open();
    await outbox.registerEndpoint('TAX', 'tax', {
      url: await deadUrl(),
      topics: ['case.opened'],
      idempotencyKey: 'down',
    });
    await outbox.registerEndpoint('COURTS', 'courts', { url: flaky.url, topics: ['case.opened'], idempotencyKey: 'a' });
    await outbox.registerEndpoint('MARKET', 'amr', { url: good.url, topics: ['case.opened'], idempotencyKey: 'b' });
    await outbox.enqueue([
      { department: 'TAX', topic: 'case.opened', idempotencyKey: 'x', payload: {} },
      { department: 'COURTS', topic: 'case.opened', idempotencyKey: 'x', payload: {} },
      { department: 'MARKET', topic: 'case.opened', idempotencyKey: 'x', payload: {} },
    ]);
    await until(() => outbox.deliveries('TAX', 'DEAD_LETTER', 10).length === 1, 'the dead letter');
    await until(() => outbox.deliveries('COURTS', 'DEAD_LETTER', 10).length === 1, 'the dead letter');
    expect(outbox.deliveries('MARKET', 'DELIVERED', 10)).toHaveLength(1);
    expect(outbox.deliveries('TAX', null, 10)[0]).toMatchObject({
      state: 'DEAD_LETTER',
      attempts: 3,
      lastError: 'connection refused',
      lastStatus: null,
      nextAttemptAt: null,
    });
    expect(outbox.deliveries('COURTS', null, 10)[0]).toMatchObject({
      attempts: 3,
      lastError: 'HTTP 503',
      lastStatus: 503,
    });

    answer = 200;
    expect(await outbox.redeliver('MARKET', 'amr', null)).toEqual([]);
    const requeued = await outbox.redeliver('COURTS', 'courts', null);
    expect(requeued.map((d) => d.state)).toEqual(['PENDING']);
    // Redelivering again before it is dead again is a no-op.
    expect(await outbox.redeliver('COURTS', 'courts', null)).toEqual([]);
    await until(() => outbox.deliveries('COURTS', 'DELIVERED', 10).length === 1, 'the redelivery');
    expect(outbox.deliveries('COURTS', null, 10)[0]).toMatchObject({ attempts: 4, lastStatus: 200 });
    expect(new Set(received(flaky).map((r) => r.headers['idempotency-key']))).toEqual(new Set(['x']));
  });

  it('cuts a slow receiver off at the attempt timeout, while others are delivered and enqueue answers', async () => {
    await setup();
    const slow = await receiver(() => 'hang');
    const fast = await receiver();
    const { outbox } = await open({ ...FAST, maxAttempts: 2, concurrency: 2 });
    await outbox.registerEndpoint('TAX', 'tax', { url: slow.url, topics: ['*'], idempotencyKey: 'slow' });
    await outbox.registerEndpoint('MARKET', 'amr', { url: fast.url, topics: ['*'], idempotencyKey: 'fast' });
    await outbox.enqueue(
      Array.from({ length: 5 }, (_, i) => ({
        department: 'TAX',
        topic: 'case.opened',
        idempotencyKey: `t${i}`,
        payload: {},
      })),
    );
    await until(() => received(slow).length >= 1, 'the slow receiver to be reached');
    // The slow receiver holds one attempt; the rest still flows.
    await outbox.enqueue(
      Array.from({ length: 5 }, (_, i) => ({
        department: 'MARKET',
        topic: 'case.opened',
        idempotencyKey: `m${i}`,
        payload: {},
      })),
    );
    await until(() => outbox.deliveries('MARKET', 'DELIVERED', 10).length === 5, 'the fast deliveries');
    await until(() => outbox.deliveries('TAX', 'DEAD_LETTER', 10).length === 5, 'the slow dead letters');
    expect(outbox.deliveries('TAX', null, 1)[0]!.lastError).toBe('no answer within 300 ms');
    // Newest first, page by page.
    const page1 = outbox.deliveries('MARKET', null, 2);
    const page2 = outbox.deliveries('MARKET', null, 2, page1[1]!.id);
    const page3 = outbox.deliveries('MARKET', null, 2, page2[1]!.id);
    expect([...page1, ...page2, ...page3].map((d) => d.message.idempotencyKey)).toEqual(['m4', 'm3', 'm2', 'm1', 'm0']);
  });

  it('resumes a delivery after a restart mid-retry, and sends nothing again once delivered', async () => {
    await setup();
    let answer = 500;
    const hook = await receiver(() => answer);
    const first = await open({ ...FAST, backoffBaseMs: 60_000, backoffMaxMs: 60_000 });
    await first.outbox.registerEndpoint('TAX', 'tax', { url: hook.url, topics: ['case.opened'], idempotencyKey: 'ep' });
    await first.outbox.enqueue([{ department: 'TAX', topic: 'case.opened', idempotencyKey: 'k', payload: { a: 1 } }]);
    await until(() => first.outbox.deliveries('TAX', 'RETRYING', 10).length === 1, 'the first failure');
    await first.close();

    answer = 200;
    // The next attempt is due in a minute: a clock a minute ahead makes it due now.
    const events = await openEventStore(where.config, silentLogger());
    const later = () => new Date(Date.now() + 61_000);
    const second = openOutbox(events, { signingKey: key, settings: FAST, logger: silentLogger(), now: later });
    cleanups.push(async () => {
      await second.close();
      await events.close();
    });
    expect(second.deliveries('TAX', null, 10)[0]).toMatchObject({ state: 'RETRYING', attempts: 1, lastStatus: 500 });
    await until(() => second.deliveries('TAX', 'DELIVERED', 10).length === 1, 'the delivery after the restart');
    expect(received(hook).map((r) => r.headers['idempotency-key'])).toEqual(['k', 'k']);
    await second.close();
    await events.close();

    const third = await open();
    expect(third.outbox.deliveries('TAX', null, 10)[0]).toMatchObject({ state: 'DELIVERED', attempts: 2 });
    expect([...third.outbox.book.activeDeliveries()]).toEqual([]);
    await third.outbox.enqueue([{ department: 'TAX', topic: 'case.opened', idempotencyKey: 'k', payload: { a: 1 } }]);
    expect(third.outbox.deliveries('TAX', null, 10)).toHaveLength(1);
  });

  it('keeps a message with no endpoint until one subscribes, and hands a removed endpoint’s back', async () => {
    await setup();
    const hook = await receiver(() => 503);
    const other = await receiver();
    const { outbox } = await open({ ...FAST, maxAttempts: 1 });
    await outbox.enqueue([{ department: 'PROCUREMENT', topic: 'objection.filed', idempotencyKey: 'o1', payload: {} }]);
    expect(outbox.deliveries('PROCUREMENT', null, 10)).toMatchObject([{ state: 'PENDING', endpoint: null }]);
    await outbox.registerEndpoint('PROCUREMENT', 'gp', {
      url: other.url,
      topics: ['case.opened'],
      idempotencyKey: 'e0',
    });
    expect(outbox.deliveries('PROCUREMENT', null, 10)).toMatchObject([{ state: 'PENDING', endpoint: null }]);
    const failing = await outbox.registerEndpoint('PROCUREMENT', 'gp', {
      url: hook.url,
      topics: ['objection.filed'],
      idempotencyKey: 'e1',
    });
    await until(() => outbox.deliveries('PROCUREMENT', 'DEAD_LETTER', 10).length === 1, 'the dead letter');
    await outbox.removeEndpoint('PROCUREMENT', 'gp', failing.id);
    expect(outbox.deliveries('PROCUREMENT', null, 10)).toMatchObject([{ state: 'PENDING', endpoint: null }]);
    await outbox.registerEndpoint('PROCUREMENT', 'gp', {
      url: other.url.replace('/hooks', '/v2/hooks'),
      topics: ['*'],
      idempotencyKey: 'e2',
    });
    await until(() => outbox.deliveries('PROCUREMENT', 'DELIVERED', 10).length === 1, 'the delivery');
    expect(received(other)).toHaveLength(1);
  });
});

describe('endpoint registration bounds', () => {
  it('takes http and https URLs only, without credentials', () => {
    expect(checkEndpointUrl('https://tax.example.gov.cn/hooks?x=1')).toEqual({
      url: 'https://tax.example.gov.cn/hooks?x=1',
    });
    expect(checkEndpointUrl('ftp://x/y')).toEqual({ problem: 'url must be http or https' });
    expect(checkEndpointUrl('file:///etc/passwd')).toEqual({ problem: 'url must be http or https' });
    expect(checkEndpointUrl('https://user:pw@x/')).toEqual({ problem: 'url must not hold credentials' });
    expect(checkEndpointUrl(`https://x/${'a'.repeat(2100)}`)).toEqual({ problem: 'url must be 1 to 2048 characters' });
    expect(checkEndpointUrl('not a url')).toEqual({ problem: 'url is not a URL' });
    const allowed = ['.gov.cn', '127.0.0.1'];
    expect(checkEndpointUrl('https://tax.example.gov.cn/hooks', allowed)).toEqual({
      url: 'https://tax.example.gov.cn/hooks',
    });
    expect(checkEndpointUrl('http://127.0.0.1:8080/hooks', allowed)).toEqual({ url: 'http://127.0.0.1:8080/hooks' });
    expect(checkEndpointUrl('http://169.254.169.254/latest', allowed)).toEqual({
      problem: "url's host 169.254.169.254 is not one the platform delivers to (OUTBOX_ALLOWED_HOSTS)",
    });
    expect(checkEndpointUrl('https://gov.cn.attacker.example/', allowed)).toMatchObject({
      problem: expect.any(String),
    });
  });

  it('refuses bad topics, too many endpoints, and a URL registered twice', async () => {
    const where = await STORES[0]!.setup();
    cleanups.push(() => where.cleanup());
    const events = await openEventStore(where.config, silentLogger());
    const outbox = openOutbox(events, { signingKey: key, logger: silentLogger() });
    cleanups.push(async () => {
      await outbox.close();
      await events.close();
    });
    const register = (url: string, topics: string[], idempotencyKey: string) =>
      outbox.registerEndpoint('TAX', 'tax', { url, topics, idempotencyKey });
    await expect(register('https://x/', [], 'k')).rejects.toThrow(OutboxInputError);
    await expect(register('https://x/', ['Case Opened'], 'k')).rejects.toThrow("topic 'Case Opened' is not a topic");
    await expect(
      register(
        'https://x/',
        Array.from({ length: 33 }, (_, i) => `t${i}`),
        'k',
      ),
    ).rejects.toThrow('topics must name 1 to 32 topics');
    const first = await register('https://x/0', ['*'], 'k0');
    expect(await register('https://x/0', ['*'], 'k0')).toEqual(first);
    await expect(register('https://x/0', ['*'], 'k-other')).rejects.toThrow('already registered');
    for (let i = 1; i < 10; i++) await register(`https://x/${i}`, ['*'], `k${i}`);
    await expect(register('https://x/10', ['*'], 'k10')).rejects.toThrow('the most a department may have');
    await expect(outbox.removeEndpoint('MARKET', 'amr', first.id)).rejects.toThrow('MARKET has no endpoint');
    await expect(
      outbox.enqueue([{ department: 'tax', topic: 'case.opened', idempotencyKey: 'k', payload: {} }]),
    ).rejects.toThrow('department must be a department id');
    await expect(
      outbox.enqueue([
        { department: 'TAX', topic: 'case.opened', idempotencyKey: 'k', payload: { big: 'x'.repeat(70_000) } },
      ]),
    ).rejects.toThrow('payload is larger than 65536 bytes');
  });
});

describe('outbox configuration', () => {
  it('reads the dispatcher settings, and refuses a base backoff above the longest', () => {
    const trust = { GATEWAY_PUBLIC_KEY: internalKeyEnv(generateInternalKeyPair()).GATEWAY_PUBLIC_KEY };
    const config = loadConfig({
      ...trust,
      OUTBOX_MAX_ATTEMPTS: '5',
      OUTBOX_BACKOFF_BASE_MS: '100',
      OUTBOX_BACKOFF_MAX_MS: '1000',
      OUTBOX_ATTEMPT_TIMEOUT_MS: '2000',
      OUTBOX_CONCURRENCY: '3',
    });
    expect(config.outbox).toEqual({
      maxAttempts: 5,
      backoffBaseMs: 100,
      backoffMaxMs: 1000,
      attemptTimeoutMs: 2000,
      concurrency: 3,
    });
    expect(() => loadConfig({ ...trust, OUTBOX_BACKOFF_BASE_MS: '5000', OUTBOX_BACKOFF_MAX_MS: '1000' })).toThrow(
      'OUTBOX_BACKOFF_BASE_MS must not be more than OUTBOX_BACKOFF_MAX_MS',
    );
    expect(() => loadConfig({ ...trust, OUTBOX_MAX_ATTEMPTS: '0' })).toThrow('OUTBOX_MAX_ATTEMPTS');
  });

  it('reads the signing key as a private JWK or PEM, and refuses a public key', async () => {
    const { dir, remove } = await tempDir();
    cleanups.push(remove);
    const pair = generateKeyPairSync('ed25519');
    writeFileSync(join(dir, 'key.jwk.json'), JSON.stringify(pair.privateKey.export({ format: 'jwk' })));
    writeFileSync(join(dir, 'key.pem'), pair.privateKey.export({ format: 'pem', type: 'pkcs8' }));
    writeFileSync(join(dir, 'public.pem'), pair.publicKey.export({ format: 'pem', type: 'spki' }));
    const fromJwk = readSigningKey(join(dir, 'key.jwk.json'));
    expect(readSigningKey(join(dir, 'key.pem')).keyId).toBe(fromJwk.keyId);
    expect(fromJwk.publicJwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', kid: fromJwk.keyId, alg: 'EdDSA' });
    writeFileSync(join(dir, 'public.jwk.json'), JSON.stringify(pair.publicKey.export({ format: 'jwk' })));
    expect(() => readSigningKey(join(dir, 'public.pem'))).toThrow('a private key was expected, got a public one');
    expect(() => readSigningKey(join(dir, 'public.jwk.json'))).toThrow('a private key was expected, got a public one');
    expect(() => readSigningKey(join(dir, 'missing.pem'))).toThrow('cannot be read');
  });
});

describe('the outbox in the credit subgraph', () => {
  it('is opened over the store, stops on close, and resumes a delivery after a restart mid-retry', async () => {
    const { dir, remove } = await tempDir();
    cleanups.push(remove);
    let answer = 500;
    const hook = await startReceiver(() => answer);
    cleanups.push(() => hook.close());
    const env = {
      GATEWAY_PUBLIC_KEY: internalKeyEnv(generateInternalKeyPair()).GATEWAY_PUBLIC_KEY,
      CREDIT_STORE_DIR: dir,
      OUTBOX_BACKOFF_BASE_MS: '20',
      OUTBOX_BACKOFF_MAX_MS: '20',
      OUTBOX_MAX_ATTEMPTS: '100',
    };
    const first = await openCreditSubgraph(loadConfig(env), silentLogger());
    let firstOpen = true;
    cleanups.push(async () => {
      if (firstOpen) await first.close();
    });
    const outbox = first.outbox!;
    await outbox.registerEndpoint('TAX', 'tax', { url: hook.url, topics: ['*'], idempotencyKey: 'ep' });
    await outbox.enqueue([{ department: 'TAX', topic: 'case.opened', idempotencyKey: 'case-9', payload: {} }]);
    await until(() => outbox.deliveries('TAX', 'RETRYING', 1).length === 1, 'a failed attempt');
    await first.close();
    firstOpen = false;
    const attemptsBefore = hook.received.length;

    answer = 200;
    const second = await openCreditSubgraph(loadConfig(env), silentLogger());
    cleanups.push(() => second.close());
    expect(second.outbox!.deliveries('TAX', null, 1)[0]!.state).toBe('RETRYING');
    await until(() => second.outbox!.deliveries('TAX', 'DELIVERED', 1).length === 1, 'the delivery after the restart');
    expect(hook.received.length).toBeGreaterThan(attemptsBefore);
    expect(new Set(hook.received.map((r) => r.headers['idempotency-key']))).toEqual(new Set(['case-9']));
  });
});
