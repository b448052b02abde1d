import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { parse, print, type DocumentNode } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES as COMMON_ERROR_CODES } from '@credit-gateway/common';
import {
  ApprovalCheckDocument,
  createCreditClient,
  CreditGatewayError,
  CreditGatewayTransportError,
  ERROR_CODES,
  InitiateCaseDocument,
  isCreditGatewayError,
  LoopStatisticsDocument,
  MAX_ATTEMPTS,
  retryDelay,
  retryPolicy,
  safeToRepeat,
  prepare,
  type CreditClientOptions,
} from '../src/index.js';

const URL_ = 'http://gateway.test/graphql';
const CODE = '91500112MA60YD7K76';

interface Sent {
  headers: Record<string, string>;
  body: { query?: string; operationName?: string; variables?: unknown; extensions?: any };
}

type Answer = { status?: number; body?: unknown; headers?: Record<string, string> };
type Reply = Answer | 'network';

/** A fetch that records what was sent and answers from `reply`. */
function fakeFetch(reply: (sent: Sent, index: number) => Reply) {
  const sent: Sent[] = [];
  const fetch = (async (_url: string, init: RequestInit) => {
    const record: Sent = {
      headers: Object.fromEntries(Object.entries(init.headers as Record<string, string>)),
      body: JSON.parse(String(init.body)),
    };
    sent.push(record);
    const answer = reply(record, sent.length - 1);
    if (answer === 'network') throw new TypeError('fetch failed');
    const body = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? { data: {} });
    return new Response(body, {
      status: answer.status ?? 200,
      headers: { 'content-type': 'application/json', ...answer.headers },
    });
  }) as unknown as typeof globalThis.fetch;
  return { fetch, sent };
}

const noSleep = { sleep: async () => {}, random: () => 0.5 } satisfies Partial<CreditClientOptions>;
const ok = (data: unknown = { enterprise: null }): Answer => ({ body: { data } });
const refused = (code: string, status = 200, extra: Record<string, unknown> = {}): Answer => ({
  status,
  body: { errors: [{ message: code, extensions: { code, ...extra } }] },
});
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('headers', () => {
  it('sends the token, purpose and consents the gateway reads, and a request may override them', async () => {
    const { fetch, sent } = fakeFetch(() => ok());
    const client = createCreditClient({
      url: URL_,
      token: async () => 'tok-1',
      purpose: 'LOAN_APPROVAL',
      consents: ['c1', 'c2'],
      persisted: false,
      fetch,
    });
    await client.execute(ApprovalCheckDocument, { code: CODE });
    await client.execute(ApprovalCheckDocument, { code: CODE }, { purpose: null, consents: ['c3'] });
    expect(sent[0]!.headers).toEqual({
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      authorization: 'Bearer tok-1',
      'x-credit-purpose': 'LOAN_APPROVAL',
      'x-credit-consent': 'c1,c2',
    });
    expect(sent[1]!.headers['x-credit-purpose']).toBeUndefined();
    expect(sent[1]!.headers['x-credit-consent']).toBe('c3');
    expect(sent[0]!.body).toEqual({
      operationName: 'ApprovalCheck',
      variables: { code: CODE },
      query: print(ApprovalCheckDocument),
    });
  });

  it('sends no Authorization without a token: a PUBLIC caller', async () => {
    const { fetch, sent } = fakeFetch(() => ok());
    await createCreditClient({ url: URL_, fetch, persisted: false }).execute(ApprovalCheckDocument, { code: CODE });
    expect(Object.keys(sent[0]!.headers).sort()).toEqual(['accept', 'content-type']);
  });
});

describe('persisted operations', () => {
  /** A gateway that knows the queries registered with it, as the APQ protocol asks. */
  function apqGateway() {
    const known = new Map<string, string>();
    return fakeFetch(({ body }) => {
      const hash = body.extensions?.persistedQuery?.sha256Hash as string | undefined;
      if (hash === undefined) return ok();
      if (body.query !== undefined) {
        expect(sha256(body.query)).toBe(hash);
        known.set(hash, body.query);
        return ok();
      }
      return known.has(hash) ? ok() : refused('PERSISTED_QUERY_NOT_FOUND');
    });
  }

  it('sends the hash alone, the document once on PERSISTED_QUERY_NOT_FOUND, then the hash alone again', async () => {
    const { fetch, sent } = apqGateway();
    const client = createCreditClient({ url: URL_, fetch });
    await client.request(ApprovalCheckDocument, { code: CODE });
    await client.request(ApprovalCheckDocument, { code: CODE });
    const hash = sha256(print(ApprovalCheckDocument));
    const persistedQuery = { version: 1, sha256Hash: hash };
    expect(sent.map((s) => s.body)).toEqual([
      { operationName: 'ApprovalCheck', variables: { code: CODE }, extensions: { persistedQuery } },
      {
        operationName: 'ApprovalCheck',
        variables: { code: CODE },
        query: print(ApprovalCheckDocument),
        extensions: { persistedQuery },
      },
      { operationName: 'ApprovalCheck', variables: { code: CODE }, extensions: { persistedQuery } },
    ]);
    expect(await prepare(ApprovalCheckDocument).hash()).toBe(hash);
  });

  it('falls back to full documents for good when the gateway does not support them', async () => {
    const { fetch, sent } = fakeFetch(({ body }) =>
      body.extensions ? refused('PERSISTED_QUERY_NOT_SUPPORTED', 400) : ok(),
    );
    const client = createCreditClient({ url: URL_, fetch });
    await client.request(ApprovalCheckDocument, { code: CODE });
    await client.request(ApprovalCheckDocument, { code: CODE });
    expect(sent.map((s) => [s.body.query !== undefined, s.body.extensions !== undefined])).toEqual([
      [false, true],
      [true, false],
      [true, false],
    ]);
  });

  it('sends a mutation in full, once', async () => {
    const { fetch, sent } = apqGateway();
    await createCreditClient({ url: URL_, fetch }).execute(InitiateCaseDocument, {
      input: { code: CODE, listName: '失信被执行人名单', idempotencyKey: 'k' },
    });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body.query).toBe(print(InitiateCaseDocument));
    expect(sent[0]!.body.extensions).toBeUndefined();
  });
});

describe('errors', () => {
  it('are the gateway’s closed list of codes, the very list the gateway raises from', () => {
    expect([...ERROR_CODES]).toEqual([...COMMON_ERROR_CODES]);
  });

  it('raises a refusal as CreditGatewayError with its code, status and Retry-After', async () => {
    const { fetch } = fakeFetch(() => ({
      ...refused('RATE_LIMITED', 429, { scope: 'tier' }),
      headers: { 'retry-after': '120' },
    }));
    const client = createCreditClient({ url: URL_, fetch, persisted: false, ...noSleep });
    const error = await client.execute(ApprovalCheckDocument, { code: CODE }).catch((e: unknown) => e);
    expect(isCreditGatewayError(error, 'RATE_LIMITED')).toBe(true);
    expect(error).toMatchObject({
      name: 'CreditGatewayError',
      code: 'RATE_LIMITED',
      status: 429,
      retryAfterMs: 120_000,
      errors: [{ code: 'RATE_LIMITED', message: 'RATE_LIMITED', extensions: { code: 'RATE_LIMITED', scope: 'tier' } }],
    });
  });

  it('answers a field’s error beside the data with execute, and throws it with request', async () => {
    const partial: Reply = {
      body: {
        data: { enterprise: { code: CODE, tax: { creditGrades: null } } },
        errors: [
          {
            message: 'no consent',
            path: ['enterprise', 'tax', 'creditGrades'],
            extensions: { code: 'CONSENT_REQUIRED' },
          },
        ],
      },
    };
    const { fetch } = fakeFetch(() => partial);
    const client = createCreditClient({ url: URL_, fetch, persisted: false });
    const result = await client.execute(ApprovalCheckDocument, { code: CODE });
    expect(result.data?.enterprise?.code).toBe(CODE);
    expect(result.errors).toEqual([
      {
        message: 'no consent',
        code: 'CONSENT_REQUIRED',
        path: ['enterprise', 'tax', 'creditGrades'],
        extensions: { code: 'CONSENT_REQUIRED' },
      },
    ]);
    const error = await client.request(ApprovalCheckDocument, { code: CODE }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CreditGatewayError);
    expect((error as CreditGatewayError).code).toBe('CONSENT_REQUIRED');
    expect((error as CreditGatewayError).data).toEqual(result.data);
  });

  it('reads a code it does not know, or none, as INTERNAL_SERVER_ERROR and keeps what came', async () => {
    const { fetch } = fakeFetch(() => ({
      body: { errors: [{ message: 'new', extensions: { code: 'SOMETHING_NEWER' } }, { message: 'bare' }] },
    }));
    const error = (await createCreditClient({ url: URL_, fetch, persisted: false })
      .execute(ApprovalCheckDocument, { code: CODE })
      .catch((e: unknown) => e)) as CreditGatewayError;
    expect(error.errors.map((e) => [e.code, e.extensions['code']])).toEqual([
      ['INTERNAL_SERVER_ERROR', 'SOMETHING_NEWER'],
      ['INTERNAL_SERVER_ERROR', undefined],
    ]);
  });

  it('raises CreditGatewayTransportError for an answer that is not GraphQL, and for no answer', async () => {
    const html = fakeFetch(() => ({ status: 502, body: '<html>Bad Gateway</html>' }));
    await expect(
      createCreditClient({ url: URL_, fetch: html.fetch, persisted: false }).execute(ApprovalCheckDocument, {
        code: CODE,
      }),
    ).rejects.toMatchObject({ name: 'CreditGatewayTransportError', status: 502 });
    const down = fakeFetch(() => 'network');
    const error = await createCreditClient({ url: URL_, fetch: down.fetch, ...noSleep })
      .execute(ApprovalCheckDocument, { code: CODE })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CreditGatewayTransportError);
    expect((error as CreditGatewayTransportError).status).toBeUndefined();
    expect(down.sent).toHaveLength(3);
  });
});

describe('retries', () => {
  const WITHOUT_KEY = parse('mutation Remove { removeWebhookEndpoint(id: "WH-1") { id } }') as TypedDocumentNode<
    unknown,
    Record<string, never>
  >;
  const LITERAL_KEY = parse(
    'mutation { reportUncheckedApplication(input: { code: "x", matter: "m", context: LAND, applicationId: "a", reason: "r", idempotencyKey: "k" }) { id } }',
  ) as TypedDocumentNode<unknown, Record<string, never>>;

  it('repeats queries and the mutations whose every field carries an idempotency key, and nothing else', () => {
    const input = { code: CODE, listName: 'l', idempotencyKey: 'k' };
    expect(safeToRepeat(prepare(ApprovalCheckDocument as DocumentNode), { code: CODE })).toBe(true);
    expect(safeToRepeat(prepare(InitiateCaseDocument as DocumentNode), { input })).toBe(true);
    expect(
      safeToRepeat(prepare(InitiateCaseDocument as DocumentNode), { input: { ...input, idempotencyKey: '' } }),
    ).toBe(false);
    expect(safeToRepeat(prepare(LITERAL_KEY), {})).toBe(true);
    expect(safeToRepeat(prepare(WITHOUT_KEY), {})).toBe(false);
    const twoFields = parse(
      'mutation($i: InitiateCaseInput!) { initiateCase(input: $i) { id } removeWebhookEndpoint(id: "x") { id } }',
    );
    expect(safeToRepeat(prepare(twoFields), { i: input })).toBe(false);
  });

  const outcome = fc.oneof(
    fc.constant<Reply>('network'),
    fc.constant<Reply>(refused('REGISTER_UNAVAILABLE', 503)),
    fc.record({ s: fc.integer({ min: 0, max: 60 }) }).map(({ s }): Reply => ({
      ...refused('RATE_LIMITED', 429),
      headers: { 'retry-after': String(s) },
    })),
    fc.constant<Reply>(refused('RATE_LIMITED', 429)),
    fc.constant<Reply>(refused('BAD_USER_INPUT', 400)),
    fc.constant<Reply>(refused('REQUEST_TIMEOUT', 504)),
    fc.constant<Reply>(ok({ enterprise: null })),
  );
  const operations = [
    { kind: 'query', document: ApprovalCheckDocument as DocumentNode, variables: { code: CODE }, safe: true },
    { kind: 'query without variables', document: LoopStatisticsDocument as DocumentNode, variables: {}, safe: true },
    {
      kind: 'mutation with a key',
      document: InitiateCaseDocument as DocumentNode,
      variables: { input: { code: CODE, listName: 'l', idempotencyKey: 'k' } },
      safe: true,
    },
    { kind: 'mutation without a key', document: WITHOUT_KEY as DocumentNode, variables: {}, safe: false },
    {
      kind: 'mutation with an empty key',
      document: InitiateCaseDocument as DocumentNode,
      variables: { input: { code: CODE, listName: 'l', idempotencyKey: '' } },
      safe: false,
    },
  ];

  it('never sends a mutation twice without its key, and never sends anything more than the bound', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...operations),
        fc.array(outcome, { minLength: 1, maxLength: 15 }),
        fc.integer({ min: -2, max: 20 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        async (operation, replies, attempts, jitter) => {
          const { fetch, sent } = fakeFetch((_, i) => replies[Math.min(i, replies.length - 1)]!);
          const waits: number[] = [];
          const policy = retryPolicy({ attempts });
          const client = createCreditClient({
            url: URL_,
            fetch,
            persisted: false,
            retry: { attempts },
            sleep: async (ms) => void waits.push(ms),
            random: () => jitter,
          });
          await client
            .execute(operation.document as TypedDocumentNode<unknown, Record<string, unknown>>, operation.variables)
            .catch(() => undefined);
          // Bounded: never more sends than the policy allows, and never more than MAX_ATTEMPTS.
          expect(sent.length).toBeLessThanOrEqual(policy.attempts);
          expect(policy.attempts).toBeLessThanOrEqual(MAX_ATTEMPTS);
          expect(policy.attempts).toBeGreaterThanOrEqual(1);
          if (!operation.safe) expect(sent).toHaveLength(1);
          // Each send but the last followed an outcome that may be retried, after a bounded wait.
          expect(waits).toHaveLength(sent.length - 1);
          for (let i = 0; i < sent.length - 1; i++) {
            const reply = replies[Math.min(i, replies.length - 1)]!;
            if (reply === 'network') {
              expect(waits[i]).toBeLessThanOrEqual(policy.maxDelayMs);
              continue;
            }
            expect([429, 503]).toContain(reply.status);
            const retryAfter = reply.headers?.['retry-after'];
            if (reply.status === 429) expect(retryAfter).toBeDefined();
            const bound = Math.max(policy.maxDelayMs, retryAfter === undefined ? 0 : Number(retryAfter) * 1000);
            expect(waits[i]).toBeLessThanOrEqual(Math.min(bound, Math.max(policy.maxDelayMs, policy.maxRetryAfterMs)));
          }
          // It stopped because the answer was final, or the bound was reached.
          const last = replies[Math.min(sent.length - 1, replies.length - 1)]!;
          const retryable =
            last === 'network' ||
            last.status === 503 ||
            (last.status === 429 && last.headers?.['retry-after'] !== undefined);
          if (operation.safe && retryable && sent.length < policy.attempts) {
            // Only a Retry-After past the longest wait stops a safe retry early.
            expect(Number(last !== 'network' ? last.headers?.['retry-after'] : 0) * 1000).toBeGreaterThan(
              policy.maxRetryAfterMs,
            );
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('backs off exponentially, with jitter, up to the longest wait', () => {
    const policy = retryPolicy({ attempts: 10, baseDelayMs: 100, maxDelayMs: 1_000 });
    const network = { kind: 'network' } as const;
    expect([1, 2, 3, 4, 5].map((n) => retryDelay(policy, n, network, true, () => 0.999999))).toEqual([
      100, 200, 400, 800, 1_000,
    ]);
    expect(retryDelay(policy, 3, network, true, () => 0)).toBe(200);
    expect(retryDelay(policy, 10, network, true)).toBeNull();
    expect(retryDelay(policy, 1, network, false)).toBeNull();
    expect(retryDelay(policy, 1, { kind: 'status', status: 429, retryAfterMs: 3_000 }, true)).toBe(3_000);
    expect(retryDelay(policy, 1, { kind: 'status', status: 429, retryAfterMs: 60_000 }, true)).toBeNull();
    expect(retryDelay(policy, 1, { kind: 'status', status: 500, retryAfterMs: undefined }, true)).toBeNull();
  });
});
