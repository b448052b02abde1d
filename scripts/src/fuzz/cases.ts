/**
 * One fuzz case: who calls (tier token, garbage token, consents, purpose, huge headers), how
 * (method, content type, body framing, batches, persisted-query extensions) and what (a document
 * walked from the schema, a hostile document, a mutation with hostile input).
 */
import { createHash } from 'node:crypto';
import type { OutgoingHttpHeaders } from 'node:http';
import { TIERS, type Tier } from '@credit-gateway/common';
import { REPORT_SECTIONS } from '@credit-gateway/gateway';
import type { Exchange } from '../harness/http.js';
import { hostileOperation, schemaOperation, type Operation } from './documents.js';
import type { Rng } from './rng.js';
import type { FuzzSchema } from './schema.js';
import { deepListText, hostileString, type ValuePools } from './values.js';

export interface Credentials {
  /** A valid token per tier; PUBLIC callers may also send none. */
  tokens: Record<Tier, string>;
  /** The client_id of each tier's token. */
  clients: Record<Tier, string>;
  /** A well-formed token signed by a key the gateway does not trust. */
  foreignToken: string;
  /** Consents of some subjects for the AUTHORIZED client. */
  consents: string[];
}

export interface FuzzCase {
  /** What kind of case, for the report: `document/exponential-fragments`, `http/truncated-json`, … */
  family: string;
  exchange: Exchange;
  /** Sent to the gateway with the shipped rate limits rather than the one with high limits. */
  normalLimits: boolean;
}

const PURPOSES = ['ADMINISTRATIVE_LICENSING', 'LOAN_APPROVAL', 'ENFORCEMENT', 'GOVERNMENT_PROCUREMENT'];

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}

function callerHeaders(
  rng: Rng,
  pools: ValuePools,
  credentials: Credentials,
): { family: string; headers: OutgoingHttpHeaders } {
  const tier = rng.pick(TIERS);
  const headers: OutgoingHttpHeaders = {};
  const good = () => {
    if (tier !== 'PUBLIC' || rng.chance(0.5)) headers['authorization'] = `Bearer ${credentials.tokens[tier]}`;
    if (tier !== 'PUBLIC' && rng.chance(0.95)) headers['x-credit-purpose'] = rng.pick(PURPOSES);
    if (tier === 'AUTHORIZED' && rng.chance(0.5))
      headers['x-credit-consent'] = credentials.consents.filter(() => rng.chance(0.5)).join(',');
    return `caller/${tier}`;
  };
  const family = rng.weighted<() => string>([
    [40, good],
    [
      1,
      () => {
        headers['authorization'] = rng.pick([
          'Bearer',
          'Bearer ',
          'Basic dXNlcjpwYXNz',
          'bearer x.y.z',
          'Token abc',
          '',
          'Bearer a.b.c',
          'Bearer ....',
        ]);
        return 'auth/garbage';
      },
    ],
    [
      1,
      () => {
        const header = base64url(JSON.stringify({ alg: 'none', typ: 'JWT' }));
        const payload = base64url(
          JSON.stringify({ tier: 'GOVERNMENT', client_id: 'x', aud: 'credit-gateway', exp: 4_000_000_000 }),
        );
        headers['authorization'] = `Bearer ${header}.${payload}.`;
        return 'auth/alg-none';
      },
    ],
    [
      1,
      () => {
        const [head, , signature] = credentials.tokens.PUBLIC.split('.');
        const payload = base64url(
          JSON.stringify({ tier: 'GOVERNMENT', client_id: 'forged', aud: 'credit-gateway', exp: 4_000_000_000 }),
        );
        headers['authorization'] = `Bearer ${head}.${payload}.${signature}`;
        return 'auth/tampered';
      },
    ],
    [
      1,
      () => {
        headers['authorization'] = `Bearer ${credentials.foreignToken}`;
        return 'auth/foreign-key';
      },
    ],
    [
      1,
      () => {
        headers['authorization'] = `Bearer ${'A'.repeat(rng.pick([4_000, 15_000, 40_000]))}`;
        return 'auth/huge';
      },
    ],
    [
      1,
      () => {
        headers['authorization'] = `Bearer ${hostileString(rng, pools)
          .replace(/[^\t\x20-\x7e]/g, '')
          .slice(0, 2_000)}`;
        return 'auth/random';
      },
    ],
    [
      1,
      () => {
        good();
        const many = rng.pick([10, 500, 501, 3_000]);
        headers['x-credit-consent'] = Array.from({ length: many }, (_, i) =>
          rng.chance(0.3) ? credentials.consents[i % credentials.consents.length] : rng.pick(['x', 'a.b.c', '', '..']),
        ).join(',');
        return 'consent/many';
      },
    ],
    [
      1,
      () => {
        good();
        headers['x-credit-consent'] = rng.pick([
          ',,,',
          'eyJ.eyJ.sig',
          credentials.tokens.AUTHORIZED,
          ' ',
          'a'.repeat(10_000),
        ]);
        return 'consent/garbage';
      },
    ],
    [
      1,
      () => {
        good();
        headers['x-credit-purpose'] = rng.pick([
          '',
          ' ',
          'x'.repeat(201),
          'x'.repeat(5_000),
          '\t',
          '执行联动',
          'LOAN_APPROVAL,ENFORCEMENT',
          '<script>',
        ]);
        return 'purpose/garbage';
      },
    ],
    [
      1,
      () => {
        good();
        for (let i = 0; i < rng.pick([50, 200]); i++) headers[`x-fuzz-${i}`] = 'y'.repeat(rng.pick([10, 200]));
        return 'headers/many';
      },
    ],
    [
      1,
      () => {
        good();
        headers['x-request-id'] = rng.pick(['', 'a'.repeat(65), '../../x', 'id with spaces', 'ok-id-1', '\u00e9']);
        return 'headers/request-id';
      },
    ],
    [
      1,
      () => {
        // Addresses a caller claims: believed only from a trusted proxy, and then walked from the right.
        good();
        const hop = () =>
          rng.pick([
            `10.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(0, 255)}`,
            '127.0.0.1',
            '::ffff:127.0.0.1',
            '2001:db8::1',
            'unknown',
            '',
            '999.1.1.1',
            '1.2.3.4:5678',
            '[::1]',
            'a'.repeat(300),
          ]);
        headers['x-forwarded-for'] = Array.from({ length: rng.pick([1, 2, 5, 40, 1_000]) }, hop).join(
          rng.pick([', ', ',', ' , ']),
        );
        return 'headers/forwarded-for';
      },
    ],
  ])();
  return { family, headers };
}

function jsonRequest(operation: Operation, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ ...operation, ...extra });
}

/** The document part of a case: what the request asks. */
function operationFor(rng: Rng, pools: ValuePools, schema: FuzzSchema): { family: string; operation: Operation } {
  return rng.weighted<() => { family: string; operation: Operation }>([
    [30, () => ({ family: 'document/schema-valid', operation: schemaOperation(rng, pools, schema, { valid: true }) })],
    [
      25,
      () => ({ family: 'document/schema-hostile', operation: schemaOperation(rng, pools, schema, { valid: false }) }),
    ],
    [
      15,
      () => {
        const { shape, operation } = hostileOperation(rng, pools);
        return { family: `document/${shape}`, operation };
      },
    ],
    [
      10,
      () => ({
        family: 'mutation/hostile',
        operation: schemaOperation(rng, pools, schema, { valid: rng.chance(0.3), mutation: true, maxDepth: 2 }),
      }),
    ],
  ])();
}

/** Something a report parameter may hold: a good value, a hostile string, or an odd shape. */
function reportValue(rng: Rng, pools: ValuePools, good: () => string): string {
  return rng.weighted<() => string>([
    [6, good],
    [2, () => rng.pick(pools.hostileStrings)],
    [1, () => rng.pick(['', ' ', '%', '\u0000', 'x'.repeat(rng.pick([100, 10_000])), '../../etc/passwd', '<b>x</b>'])],
  ])();
}

/**
 * The credit report, its public verification and the dashboard's files: hostile parameters,
 * repeated ones, odd methods, bodies of any size and type. They must answer coded like /graphql.
 */
function reportExchange(
  rng: Rng,
  pools: ValuePools,
  headers: OutgoingHttpHeaders,
): { family: string; exchange: Exchange } {
  const sections = () =>
    Array.from({ length: rng.int(0, 4) }, () =>
      rng.chance(0.8) ? rng.pick(REPORT_SECTIONS) : rng.pick(pools.hostileStrings),
    ).join(rng.pick([',', ', ', ';']));
  const date = () =>
    rng.pick(['2024-01-01', '2025-12-31', '2024-02-30', '20240101', '1900-01-01', '9999-12-31', 'yesterday']);
  const params = () => {
    const query = new URLSearchParams();
    query.set(
      'code',
      reportValue(rng, pools, () => rng.pick(pools.validCodes)),
    );
    if (rng.chance(0.5))
      query.set(
        'format',
        reportValue(rng, pools, () => rng.pick(['pdf', 'html', 'PDF', 'docx'])),
      );
    if (rng.chance(0.4)) query.set('sections', reportValue(rng, pools, sections));
    if (rng.chance(0.3)) query.set('from', reportValue(rng, pools, date));
    if (rng.chance(0.3)) query.set('to', reportValue(rng, pools, date));
    if (rng.chance(0.1)) query.append(rng.pick(['code', 'format', 'sections']), 'html');
    return query;
  };
  return rng.weighted<() => { family: string; exchange: Exchange }>([
    [
      4,
      () => ({
        family: 'report/get',
        exchange: {
          method: rng.chance(0.95) ? 'GET' : rng.pick(['PUT', 'DELETE', 'HEAD']),
          path: `/report?${params().toString()}`.slice(0, 60_000),
          headers,
        },
      }),
    ],
    [
      1,
      () => ({
        family: 'report/post',
        exchange: {
          method: 'POST',
          path: '/report',
          headers: { ...headers, 'content-type': 'application/json' },
          body: rng.chance(0.7)
            ? JSON.stringify(Object.fromEntries(params()))
            : JSON.stringify(rng.pick(pools.hostileJson)),
        },
      }),
    ],
    [
      2,
      () => {
        const query = new URLSearchParams();
        if (rng.chance(0.9))
          query.set(
            'number',
            reportValue(rng, pools, () => `CGR-2026120${rng.int(1, 9)}-${'A'.repeat(10)}`),
          );
        if (rng.chance(0.9))
          query.set(
            'code',
            reportValue(rng, pools, () => 'AAAA-BBBB-CCCC'),
          );
        return {
          family: 'report/verify-code',
          exchange: {
            method: 'GET',
            path: `/report/verify?${query.toString()}`.slice(0, 60_000),
            headers: rng.chance(0.5) ? { accept: 'text/html' } : {},
          },
        };
      },
    ],
    [
      2,
      () => {
        const size = rng.pick([0, 1, 100, 50_000, 1_000_000, 5_000_000]);
        const body = Buffer.alloc(size);
        for (let i = 0; i < Math.min(size, 4_096); i++) body[i] = rng.int(0, 255);
        if (rng.chance(0.3) && size >= 5) body.write('%PDF-', 0, 'latin1');
        return {
          family: 'report/verify-upload',
          exchange: {
            method: 'POST',
            path: '/report/verify',
            headers: {
              'content-type': rng.pick([
                'application/pdf',
                'text/html',
                'application/octet-stream',
                'application/json',
                'multipart/form-data',
              ]),
            },
            body,
          },
        };
      },
    ],
    [
      2,
      () => {
        // Browser-form uploads: one file part or none or several, parts without headers or
        // disposition, odd boundaries, cut short or whole.
        const boundary = rng.pick(['b', '----fuzz', 'x'.repeat(70), '"quoted"', '']);
        const part = () => {
          const size = rng.pick([0, 10, 20_000, 70_000]);
          const content = Buffer.alloc(size, rng.pick(['a', '-', '\r\n', '%PDF-']));
          const head = rng.pick([
            'Content-Disposition: form-data; name="file"; filename="report.pdf"\r\nContent-Type: application/pdf\r\n',
            'Content-Disposition: form-data; name="note"\r\n',
            'Content-Disposition: attachment; filename="x"\r\n',
            'Content-Type: text/plain\r\n',
            '',
          ]);
          return Buffer.concat([Buffer.from(`--${boundary}\r\n${head}\r\n`), content, Buffer.from('\r\n')]);
        };
        const parts = Array.from({ length: rng.int(0, 4) }, part);
        let body = Buffer.concat([...parts, Buffer.from(rng.chance(0.8) ? `--${boundary}--\r\n` : '')]);
        if (rng.chance(0.2)) body = body.subarray(0, rng.int(0, body.length));
        return {
          family: 'report/verify-form',
          exchange: {
            method: 'POST',
            path: '/report/verify',
            headers: {
              'content-type': rng.chance(0.9) ? `multipart/form-data; boundary=${boundary}` : 'multipart/form-data',
              ...(rng.chance(0.5) ? { accept: 'text/html' } : {}),
            },
            body,
          },
        };
      },
    ],
    [
      1,
      () => ({
        family: 'dashboard/files',
        exchange: {
          method: 'GET',
          path: rng.pick([
            '/dashboard',
            '/dashboard/',
            '/dashboard/echarts.min.js',
            '/dashboard/dashboard.js',
            '/dashboard/../package.json',
            '/dashboard/%2e%2e/%2e%2e/package.json',
            '/dashboard/index.html',
            '/dashboard/noto-sans-sc.ttf',
            `/dashboard/${'a'.repeat(5_000)}`,
            '/report/public-key',
            '/report/keys',
          ]),
          headers,
        },
      }),
    ],
  ])();
}

export function fuzzCase(rng: Rng, pools: ValuePools, schema: FuzzSchema, credentials: Credentials): FuzzCase {
  const caller = callerHeaders(rng, pools, credentials);
  const { family: documentFamily, operation } = operationFor(rng, pools, schema);
  const headers: OutgoingHttpHeaders = { ...caller.headers };
  const json = { 'content-type': 'application/json' };
  const transport = rng.weighted<() => { family: string; exchange: Exchange }>([
    [5, () => reportExchange(rng, pools, headers)],
    [
      60,
      () => ({
        family: 'post',
        exchange: { method: 'POST', path: '/graphql', headers: { ...headers, ...json }, body: jsonRequest(operation) },
      }),
    ],
    [
      5,
      () => {
        const params = new URLSearchParams({ query: operation.query });
        if (operation.variables) params.set('variables', JSON.stringify(operation.variables));
        if (rng.chance(0.2)) params.set('variables', rng.pick(['{', '[]', 'null', '"x"']));
        return {
          family: 'get',
          exchange: { method: 'GET', path: `/graphql?${params.toString()}`.slice(0, 60_000), headers },
        };
      },
    ],
    [
      2,
      () => ({
        family: 'http/invalid-json',
        exchange: {
          method: 'POST',
          path: '/graphql',
          headers: { ...headers, ...json },
          body: rng.pick([
            '{',
            '{"query":',
            "{'query': '{ __typename }'}",
            'undefined',
            '\u0000',
            '{"query":"{ __typename }"}}',
          ]),
        },
      }),
    ],
    [
      2,
      () => ({
        family: 'http/json-not-object',
        exchange: {
          method: 'POST',
          path: '/graphql',
          headers: { ...headers, ...json },
          body: rng.pick(['[]', 'null', '42', '"{ __typename }"', 'true', `[${jsonRequest(operation)}]`]),
        },
      }),
    ],
    [
      2,
      () => ({
        family: 'http/batch',
        exchange: {
          method: 'POST',
          path: '/graphql',
          headers: { ...headers, ...json },
          // Copies of one request, bounded in bytes: the batch must stress the gateway, not the fuzzer.
          body: `[${Array.from({ length: Math.max(1, Math.min(rng.pick([2, 10, 1_000]), Math.floor(2_000_000 / jsonRequest(operation).length))) }, () => jsonRequest(operation)).join(',')}]`,
        },
      }),
    ],
    [
      2,
      () => {
        const body = jsonRequest(operation);
        return {
          family: 'http/truncated-json',
          exchange: {
            method: 'POST',
            path: '/graphql',
            headers: { ...headers, ...json },
            body: body.slice(0, rng.int(0, Math.max(0, body.length - 1))),
          },
        };
      },
    ],
    [
      1,
      () => ({
        family: 'http/huge-body',
        exchange: {
          method: 'POST',
          path: '/graphql',
          headers: { ...headers, ...json },
          body: jsonRequest(operation, { padding: 'x'.repeat(rng.pick([1_100_000, 3_000_000])) }),
        },
      }),
    ],
    [
      1,
      () => ({
        family: 'http/deep-json',
        exchange: {
          method: 'POST',
          path: '/graphql',
          headers: { ...headers, ...json },
          body: `{"query":${JSON.stringify(operation.query)},"variables":{"v":${deepListText(rng.pick([1_000, 10_000, 100_000]), '1')}}}`,
        },
      }),
    ],
    [
      3,
      () => ({
        family: 'http/content-type',
        exchange: {
          method: 'POST',
          path: '/graphql',
          headers: {
            ...headers,
            'content-type': rng.pick([
              'text/plain',
              'application/x-www-form-urlencoded',
              'multipart/form-data; boundary=x',
              'application/graphql',
              'application/json; charset=utf-16',
              'application/jsonx',
              '',
            ]),
          },
          body: rng.chance(0.5) ? jsonRequest(operation) : operation.query,
        },
      }),
    ],
    [
      1,
      () => ({
        family: 'http/no-content-type',
        exchange: { method: 'POST', path: '/graphql', headers, body: jsonRequest(operation) },
      }),
    ],
    [
      1,
      () => ({
        family: 'http/content-encoding',
        exchange: {
          method: 'POST',
          path: '/graphql',
          headers: { ...headers, ...json, 'content-encoding': rng.pick(['gzip', 'br', 'deflate', 'identity, gzip']) },
          body: jsonRequest(operation),
        },
      }),
    ],
    [
      2,
      () => ({
        family: 'http/method',
        exchange: {
          method: rng.pick(['PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND']),
          path: '/graphql',
          headers: { ...headers, ...json },
          body: jsonRequest(operation),
        },
      }),
    ],
    [
      1,
      () => ({
        family: 'http/path',
        exchange: {
          method: 'POST',
          path: rng.pick([
            '/graphql/',
            '/GRAPHQL',
            '/graphql?query=%',
            '/%2e%2e/graphql',
            '/graphql;x',
            '/',
            '/metrics',
            '/nope',
            `/graphql?${'a=1&'.repeat(2_000)}`,
          ]),
          headers: { ...headers, ...json },
          body: jsonRequest(operation),
        },
      }),
    ],
    [
      1,
      () => ({
        family: 'http/variables-type',
        exchange: {
          method: 'POST',
          path: '/graphql',
          headers: { ...headers, ...json },
          body: JSON.stringify({
            query: operation.query,
            variables: rng.pick(['{}', [], 1, 'x', true]),
            operationName: rng.pick([1, [], {}, null, 'X']),
          }),
        },
      }),
    ],
    [
      3,
      () => {
        const hash = rng.weighted<() => unknown>([
          [3, () => createHash('sha256').update(`${rng.next()}`).digest('hex')],
          [1, () => 'z'.repeat(64)],
          [1, () => 'a'.repeat(rng.pick([65, 10_000, 500_000]))],
          [1, () => rng.pick([null, 1, [], {}, ''])],
          [1, () => createHash('sha256').update(operation.query).digest('hex')],
        ])();
        const persistedQuery = rng.chance(0.8)
          ? { version: rng.pick([1, 1, 1, 2, 0, '1']), sha256Hash: hash }
          : rng.pick(['x', [], null]);
        const withQuery = rng.chance(0.4);
        const body = JSON.stringify({
          ...(withQuery ? { query: operation.query } : {}),
          ...(operation.variables ? { variables: operation.variables } : {}),
          extensions: rng.chance(0.9) ? { persistedQuery } : rng.pick(['x', [], 1]),
        });
        return {
          family: 'apq',
          exchange: { method: 'POST', path: '/graphql', headers: { ...headers, ...json }, body },
        };
      },
    ],
  ])();
  const family =
    transport.family === 'post'
      ? `${documentFamily}`
      : transport.family === 'get'
        ? `${documentFamily}+get`
        : transport.family;
  return { family: `${family} ${caller.family}`, exchange: transport.exchange, normalLimits: rng.chance(0.05) };
}
