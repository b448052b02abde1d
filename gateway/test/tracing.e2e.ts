import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTracing, SpanKind, SpanStatusCode, type SubgraphName, type Tracing } from '@credit-gateway/common';
import { DEMO_PEOPLE, demoCode } from '@credit-gateway/sources';
import { startStack, type Stack } from './support/stack.js';

/**
 * Tracing end to end: the gateway and the subgraphs of the test stack run in this process, so one
 * in-memory exporter receives every span of a request, from the gateway's down to each
 * department call, and the spans' contents can be read whole.
 */
let stack: Stack;
let tracing: Tracing;
const exporter = new InMemorySpanExporter();

beforeAll(async () => {
  tracing = startTracing({ service: 'credit-gateway-test', exporter })!;
  stack = await startStack({ populationSize: 200 });
});
afterAll(async () => {
  await stack?.close();
  await tracing?.shutdown();
});
beforeEach(async () => {
  await tracing.flush();
  exporter.reset();
  await stack.resetStats();
});

const PROFILE = /* GraphQL */ `
  query Profile($code: CreditCode!) {
    enterprise(code: $code) {
      code
      marketRegulation {
        registration {
          name
          legalRepresentative {
            name
            person {
              idNumber
            }
          }
        }
      }
      tax {
        creditGrades {
          year
          grade
        }
        majorViolations {
          caseNature
          responsibleFinanceOfficer {
            name
            person {
              idNumber
            }
          }
        }
      }
      courts {
        dishonestDebtorRecords {
          caseNumber
          status
        }
      }
      socialSecurity {
        insuredHeadcount
        contributionStatus
      }
      procurement {
        banned
      }
      measures(context: GOVERNMENT_PROCUREMENT) {
        measure {
          id
        }
        status
      }
    }
  }
`;

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

/** The finished spans of one trace. */
async function trace(traceId: string): Promise<ReadableSpan[]> {
  await tracing.flush();
  return exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
}

const idOf = (span: ReadableSpan) => span.spanContext().spanId;
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

function childrenOf(spans: readonly ReadableSpan[], parent: ReadableSpan): ReadableSpan[] {
  return spans.filter((span) => parentOf(span) === idOf(parent));
}

describe('the span tree of one profile query', () => {
  it("continues the caller's trace through every stage, each subgraph fetch, the subgraphs and their departments", async () => {
    const { status, body } = await stack.query(
      PROFILE,
      { code: demoCode('partial-debtor') },
      {},
      { traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01`, tracestate: 'province=cq' },
    );
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const spans = await trace(TRACE_ID);

    // The request: the caller's trace id kept, the caller's span its parent, its trace state kept.
    const roots = spans.filter((span) => span.name === 'POST /graphql');
    expect(roots).toHaveLength(1);
    const root = roots[0]!;
    expect(root.kind).toBe(SpanKind.SERVER);
    expect(parentOf(root)).toBe(CALLER_SPAN);
    expect(root.spanContext().traceState?.serialize()).toBe('province=cq');
    expect(root.attributes).toMatchObject({
      'http.response.status_code': 200,
      'credit.outcome': 'OK',
      'credit.registered': true,
      'credit.tier': 'GOVERNMENT',
      'graphql.operation.name': 'Profile',
      'graphql.operation.type': 'query',
    });

    // The stages, each a child of the request, in the order they ran.
    const stages = childrenOf(spans, root).sort(
      (a, b) => (a.startTime[0] - b.startTime[0]) * 1e9 + a.startTime[1] - b.startTime[1],
    );
    expect(stages.map((span) => [span.name, span.attributes['credit.authorize.step']])).toEqual([
      ['authorize', 'identify'],
      ['parse', undefined],
      ['limits', undefined],
      ['authorize', 'policy'],
      ['execute', undefined],
      ['register commit', undefined],
    ]);
    expect(stages.every((span) => span.attributes['credit.refused'] !== true)).toBe(true);
    const execute = stages.find((span) => span.name === 'execute')!;
    expect(stages.find((span) => span.name === 'register commit')!.attributes['credit.register.committed']).toBe(true);

    // Under execute: the plan and one span per subgraph fetch.
    const underExecute = childrenOf(spans, execute);
    expect(underExecute.filter((span) => span.name === 'plan')).toHaveLength(1);
    const fetches = underExecute.filter((span) => span.name.startsWith('fetch '));
    expect(fetches.length + 1).toBe(underExecute.length);
    expect(fetches.every((span) => span.kind === SpanKind.CLIENT)).toBe(true);
    const fetched = new Set(fetches.map((span) => span.attributes['credit.subgraph']));
    expect([...fetched].sort()).toEqual(['courts', 'credit', 'market', 'procurement', 'social-security', 'tax']);

    // Each subgraph continues the trace under the fetch that called it: one server span per
    // request the subgraph received, whether the fetch went alone or merged with another.
    const received = stack.subgraphRequests();
    const served = spans.filter((span) => span.name.startsWith('subgraph '));
    expect(served).toHaveLength(Object.values(received).reduce((sum, n) => sum + n, 0));
    const merged = spans.filter((span) => span.name.endsWith(' merged'));
    const callers = new Map([...fetches, ...merged].map((span) => [idOf(span), span]));
    for (const span of served) {
      expect(span.kind).toBe(SpanKind.SERVER);
      const subgraph = span.attributes['credit.subgraph'] as SubgraphName;
      expect(callers.get(parentOf(span)!)?.attributes['credit.subgraph'], span.name).toBe(subgraph);
    }
    for (const span of merged) expect(fetches.some((fetch) => idOf(fetch) === parentOf(span))).toBe(true);

    // Each department call under the subgraph request that made it.
    const sources = spans.filter((span) => span.name.startsWith('source '));
    expect(new Set(sources.map((span) => span.attributes['credit.source']))).toEqual(
      new Set(['market', 'tax', 'courts', 'procurement', 'social-security']),
    );
    const servedIds = new Map(served.map((span) => [idOf(span), span]));
    for (const span of sources) {
      expect(span.kind).toBe(SpanKind.CLIENT);
      expect(servedIds.get(parentOf(span)!), span.name).toBeDefined();
    }

    // Nothing else in the trace, and every span closed.
    expect(spans).toHaveLength(
      1 + stages.length + underExecute.length + merged.length + served.length + sources.length,
    );
  });

  it('starts a trace of its own for a malformed traceparent, and answers as always', async () => {
    for (const traceparent of [
      'not a trace context',
      `00-${'0'.repeat(32)}-${CALLER_SPAN}-01`,
      `ff-${TRACE_ID}-${CALLER_SPAN}-01`,
      `00-${TRACE_ID.toUpperCase()}-${CALLER_SPAN}-01-extra`,
    ]) {
      exporter.reset();
      const { status, body } = await stack.query(
        PROFILE,
        { code: demoCode('clean-sme') },
        {},
        { traceparent, tracestate: '=%%%' },
      );
      expect(status, traceparent).toBe(200);
      expect(body.errors).toBeUndefined();
      await tracing.flush();
      const roots = exporter.getFinishedSpans().filter((span) => span.name === 'POST /graphql');
      expect(roots).toHaveLength(1);
      expect(roots[0]!.parentSpanContext, traceparent).toBeUndefined();
      expect(roots[0]!.spanContext().traceId).not.toBe(TRACE_ID);
      const spans = await trace(roots[0]!.spanContext().traceId);
      expect(spans.some((span) => span.name === 'execute')).toBe(true);
      expect(spans.some((span) => span.name.startsWith('source '))).toBe(true);
    }
  });
});

describe('the request id on the root span', () => {
  it("carries every id the gateway made whole, and drops a caller's id that may hold personal data", async () => {
    const send = async (headers: Record<string, string>) => {
      const response = await fetch(`${stack.gatewayUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(await stack.headers({ tier: 'GOVERNMENT' })), ...headers },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      await response.arrayBuffer();
      return response.headers.get('x-request-id')!;
    };
    // Random UUIDs: about one in four holds a run of six digits, which a caller's name may not.
    const made = [];
    for (let i = 0; i < 40; i++) made.push(await send({}));
    const callerSafe = await send({ 'x-request-id': 'approval-batch-a' });
    const callerPersonal = await send({ 'x-request-id': `check-${Object.values(DEMO_PEOPLE)[0]!.idNumber}` });
    await tracing.flush();
    const ids = exporter
      .getFinishedSpans()
      .filter((span) => span.name === 'POST /graphql')
      .map((span) => span.attributes['credit.request_id'] ?? null);
    expect(made.some((id) => /\d{6}/.test(id))).toBe(true);
    expect(ids).toEqual([...made, callerSafe, null]);
    expect(callerPersonal).toContain('check-');
  });
});

describe('a refused request', () => {
  it('ends at the stage that refused it, and is still registered', async () => {
    const traceId = '8bf92f3577b34da6a3ce929d0e0e4730';
    const { status } = await stack.query(
      PROFILE,
      { code: demoCode('clean-sme') },
      { anonymous: true },
      { authorization: 'Bearer not-a-token', traceparent: `00-${traceId}-${CALLER_SPAN}-01` },
    );
    expect(status).toBe(401);
    const spans = await trace(traceId);
    const root = spans.find((span) => span.name === 'POST /graphql')!;
    expect(root.attributes).toMatchObject({ 'http.response.status_code': 401, 'credit.outcome': 'REJECTED' });
    expect(childrenOf(spans, root).map((span) => [span.name, span.attributes['credit.refused'] ?? null])).toEqual([
      ['authorize', true],
      ['register commit', null],
    ]);
    expect(spans).toHaveLength(3);
  });
});

describe('a department that fails', () => {
  it('marks its call and nothing of its message: the span fails with the error code only', async () => {
    await stack.setFaults('courts', { errorRate: 1 });
    try {
      const traceId = '7bf92f3577b34da6a3ce929d0e0e4739';
      const { status, body } = await stack.query(
        PROFILE,
        { code: demoCode('partial-debtor') },
        {},
        { traceparent: `00-${traceId}-${CALLER_SPAN}-01` },
      );
      expect(status).toBe(200);
      expect(body.errors?.map((error: { extensions: { code: string } }) => error.extensions.code)).toContain(
        'SOURCE_UNAVAILABLE',
      );
      const spans = await trace(traceId);
      const courts = spans.filter((span) => span.name === 'source courts');
      expect(courts.length).toBeGreaterThan(0);
      for (const span of courts) {
        expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'SOURCE_UNAVAILABLE' });
        expect(span.attributes['credit.error.code']).toBe('SOURCE_UNAVAILABLE');
        expect(span.events).toEqual([]);
      }
      // The other departments answered, and their calls say so.
      const market = spans.filter((span) => span.name === 'source market');
      expect(market.length).toBeGreaterThan(0);
      expect(market.every((span) => span.status.code === SpanStatusCode.UNSET)).toBe(true);
      expect(spans.find((span) => span.name === 'POST /graphql')!.attributes['credit.outcome']).toBe('PARTIAL');
    } finally {
      await stack.clearFaults();
    }
  });
});

/** Every text a span carries: its name, attributes, events, links' attributes and status message. */
function texts(span: ReadableSpan): string[] {
  const out = [span.name, span.status.message ?? ''];
  const add = (attributes: Record<string, unknown> | undefined) => {
    for (const [key, value] of Object.entries(attributes ?? {})) out.push(key, JSON.stringify(value));
  };
  add(span.attributes);
  for (const event of span.events) {
    out.push(event.name);
    add(event.attributes);
  }
  for (const link of span.links) add(link.attributes);
  add(span.resource.attributes);
  return out;
}

/** An identity card number (GB 11643): 17 digits and a check digit or X. */
const ID_NUMBER = /\d{17}[\dX]/i;
const JWT = /eyJ[\w-]{4,}\.[\w-]{4,}/;

describe('no personal data in spans', () => {
  it('carries no ID number, no variable, no token of real profile queries through the whole stack', async () => {
    const codes = [
      demoCode('clean-sme'),
      demoCode('partial-debtor'),
      demoCode('rep-is-debtor'),
      demoCode('major-tax-violator'),
    ];
    const people = Object.values(DEMO_PEOPLE);
    const lender = 'lender-bank';
    const consent = await stack.consent({
      subject: codes[0]!,
      grantee: lender,
      purpose: 'LOAN_APPROVAL',
      groups: ['TAX_CREDIT', 'SOCIAL_SECURITY'],
    });
    const secrets: string[] = [...codes, ...people.map((p) => p.idNumber), ...people.map((p) => p.name), consent];
    const answers: unknown[] = [];
    const send = async (...[query, variables, as, extra]: Parameters<Stack['query']>) => {
      // The caller's own headers, made here so that the exact tokens sent are looked for.
      const headers = { ...(await stack.headers(as)), ...extra };
      const { status, body } = await stack.query(query, variables, as, headers);
      expect(status).toBe(200);
      answers.push(body);
      secrets.push(...Object.values(headers).map((value) => value.replace(/^Bearer /, '')));
    };
    for (const code of codes) await send(PROFILE, { code }, { tier: 'GOVERNMENT' });
    await send(
      PROFILE,
      { code: codes[0] },
      { tier: 'AUTHORIZED', client: lender, purpose: 'LOAN_APPROVAL', consents: [consent] },
    );
    for (const { idNumber } of people) {
      // By variable and by literal, under an operation name and a request id that carry the number.
      await send(
        'query Person($id: IdNumber!) { person(idNumber: $id) { idNumber courts { dishonestDebtorRecords { caseNumber } } } }',
        { id: idNumber },
      );
      await send(
        `query P${idNumber} { person(idNumber: "${idNumber}") { idNumber courts { dishonestDebtorRecords { caseNumber } } } }`,
        {},
        { tier: 'GOVERNMENT' },
        { 'x-request-id': idNumber },
      );
    }
    // The answers hold full ID numbers (a GOVERNMENT caller reads them in clear): the scan has
    // something to find should a span copy an answer.
    const answered = JSON.stringify(answers);
    for (const { idNumber } of people) expect(answered).toContain(idNumber);

    await tracing.flush();
    const spans = exporter.getFinishedSpans();
    expect(spans.filter((span) => span.name === 'POST /graphql')).toHaveLength(answers.length);
    expect(spans.filter((span) => span.name.startsWith('source ')).length).toBeGreaterThan(answers.length);
    for (const span of spans) {
      for (const text of texts(span)) {
        expect(text, span.name).not.toMatch(ID_NUMBER);
        expect(text, span.name).not.toMatch(JWT);
        for (const secret of secrets) expect(text.includes(secret), `${span.name}: ${secret}`).toBe(false);
      }
    }
  });
});
