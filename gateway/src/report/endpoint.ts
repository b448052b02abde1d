/**
 * The credit report endpoints.
 * - GET|POST /report?code=…&format=pdf|html&sections=…&from=…&to=…: the report of one subject,
 *   made from a GraphQL query run through the /graphql pipeline with the caller's own headers
 *   (token, purpose, consents), so the caller's tier and the subject's consents decide what it holds
 *   and the query is registered like any other; then signed and entered in the issued-report
 *   register before it is handed out.
 * - GET|POST /report/verify: public. With `number` and `code` (the verification code), or with the
 *   document uploaded (its bytes, or one file of a multipart form), whether the report is
 *   authentic, whom it is about (code and name), who issued it, when, for which sections and
 *   period, the issued file's SHA-256, the signed record, and whether the same caller has a newer
 *   one; never what it says.
 * - GET /report/public-key: the public half of the key reports are signed with now (a JWK).
 * - GET /report/keys: every key a report still verifies with, the current one and those rotated out (a JWK set).
 */
import { createHmac, createPublicKey, hkdfSync, type KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  TypeInfo,
  parse,
  print,
  visit,
  visitWithTypeInfo,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import {
  BodyError,
  CreditGatewayError,
  readBodyBytes,
  readJsonBody,
  type BodyPace,
  sendJson,
  type AccessRule,
  type ErrorCode,
  type Logger,
  type Tier,
} from '@credit-gateway/common';
import { canonicalJson } from '@credit-gateway/common/durable-log';
import type { GatewayConfig } from '../config.js';
import { wantsHtml } from '../http/graphiql.js';
import type { GraphQLPipeline } from '../pipeline/index.js';
import { BodyBudgetExceeded, type BodyAccount, type BodyBudget } from '../limits/body-budget.js';
import type { ClientAddresses } from '../http/client-address.js';
import { PURPOSE_HEADER } from '../pipeline/read-request.js';
import { rateLimitedError, retryAfterSeconds, type RateLimiter } from '../limits/rate-limit.js';
import {
  createIssuedReports,
  keyIdOf,
  newReportNumber,
  newVerificationCode,
  reportRegisterUnavailable,
  sha256,
  type IssuedReports,
  type Verdict,
} from './issued.js';
import { uploadedFile } from './form-upload.js';
import { buildReport, learnEnumWords } from './model.js';
import { renderHtml, renderVerdictHtml } from './html.js';
import { renderPdf } from './pdf.js';
import { createRenderLine, RENDERS_WAITING_PER_CALLER } from './render-line.js';
import { reportPurpose } from './purposes.js';
import { parseReportRequest, type ReportRequest } from './scope.js';
import { REPORT_OPERATION, reportQuery } from './sections.js';

export interface ReportEndpointsOptions {
  graphql: GraphQLPipeline;
  schema: GraphQLSchema;
  accessRules: ReadonlyMap<string, AccessRule>;
  config: GatewayConfig;
  logger: Logger;
  /** The gateway's rate limits: verification spends the asking address's PUBLIC budget. */
  rateLimiter: RateLimiter;
  /** What request bodies may hold in memory at once, shared with /graphql: parameters and uploads alike. */
  bodies: BodyBudget;
  /**
   * Each request's client address (TRUSTED_PROXIES), as /graphql counts it: verification budgets,
   * upload slots and body shares go by it.
   */
  addresses: ClientAddresses;
}

export interface ReportEndpoints {
  /** Answers /report and /report/verify; false for any other path. */
  handle(request: IncomingMessage, response: ServerResponse, url: URL): boolean;
  close(): Promise<void>;
}

/** The HTTP status of an error a report is refused with, by its code: the one place it is decided. */
export function reportStatus(code: ErrorCode | undefined, fallback: number): number {
  switch (code) {
    case 'BAD_REQUEST':
    case 'BAD_USER_INPUT':
    case 'INVALID_CREDIT_CODE':
    case 'GRAPHQL_PARSE_FAILED':
    case 'GRAPHQL_VALIDATION_FAILED':
    case 'PURPOSE_REQUIRED':
      return 400;
    case 'UNAUTHENTICATED':
      return 401;
    case 'CONSENT_REQUIRED':
    case 'UNAUTHORIZED_FIELD_OR_TYPE':
      return 403;
    case 'RECORD_NOT_FOUND':
      return 404;
    case 'RATE_LIMITED':
      return 429;
    case 'SOURCE_UNAVAILABLE':
    case 'SOURCE_BAD_RESPONSE':
      return 502;
    case 'REGISTER_UNAVAILABLE':
      return 503;
    case 'SOURCE_TIMEOUT':
    case 'REQUEST_TIMEOUT':
      return 504;
    default:
      return fallback >= 400 ? fallback : 500;
  }
}

function sendErrors(response: ServerResponse, status: number, errors: readonly GraphQLFormattedError[]): void {
  if (!response.headersSent) sendJson(response, status, { errors });
}

function refuse(response: ServerResponse, error: CreditGatewayError, headers: Record<string, string> = {}): void {
  for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
  sendErrors(response, reportStatus(error.code, 400), [error.toJSON()]);
}

/**
 * Whose reports are rendered first when several wait: those decisions hang on (government and court
 * systems), then identified callers, then anonymous ones.
 */
const RENDER_PRIORITY: Readonly<Record<Tier, number>> = {
  GOVERNMENT: 3,
  JUDICIAL: 3,
  AUTHORIZED: 2,
  ANALYST: 2,
  PUBLIC: 1,
};

/** 405, with the methods the path takes. */
function wrongMethod(response: ServerResponse, path: string): void {
  response.setHeader('allow', 'GET, POST');
  sendErrors(response, 405, [new CreditGatewayError('BAD_REQUEST', `Use GET or POST for ${path}`).toJSON()]);
}

/**
 * The report's query as the tier may read it: the fields it may not read left out, and a parent
 * they emptied too; with the response paths left out, which the report says it withholds.
 */
export function queryForTier(
  schema: GraphQLSchema,
  rules: ReadonlyMap<string, AccessRule>,
  query: string,
  tier: Tier,
): { query: string; withheld: string[] } {
  const typeInfo = new TypeInfo(schema);
  const path: string[] = [];
  const withheld = new Set<string>();
  const document = visit(
    parse(query),
    visitWithTypeInfo(typeInfo, {
      Field: {
        enter(node) {
          const parent = typeInfo.getParentType();
          const rule = parent ? rules.get(`${parent.name}.${node.name.value}`) : undefined;
          const key = node.alias?.value ?? node.name.value;
          if (rule && !rule.tiers.has(tier)) {
            withheld.add([...path, key].join('.'));
            return null;
          }
          path.push(key);
          return undefined;
        },
        leave(node) {
          path.pop();
          return node.selectionSet && node.selectionSet.selections.length === 0 ? null : undefined;
        },
      },
    }),
  );
  return { query: print(document), withheld: [...withheld].sort() };
}

/** What a newer report's data is compared by: the records, without the times they were read. */
export function recordsDigest(enterprise: Record<string, unknown>): string {
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(strip);
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>).filter(
      ([key]) => key !== 'readAt' && !(key === 'asOf' && 'complete' in value),
    );
    return Object.fromEntries(entries.map(([key, item]) => [key, strip(item)]));
  };
  return sha256(canonicalJson(strip(enterprise)));
}

/**
 * What, besides the subject's records, decided a report's data: the caller, its purpose and
 * department, the subject's consents, and what could not be read (by path and code, list places
 * aside). Two reports' data say whether the records changed only when this is the same;
 * otherwise they differ because the callers saw differently. Keyed (`secret`): the digest is in
 * the payload a verdict discloses, and its inputs are few enough to guess one by one, which would
 * tell a verifier the department, purpose and consents the report was issued under.
 */
export function viewDigest(
  secret: Buffer,
  view: {
    tier: Tier;
    client: string | null;
    purpose: string | null;
    department: string | null;
    consentGroups: readonly string[];
    errors: readonly GraphQLFormattedError[];
  },
): string {
  const unread = view.errors
    .map((error) => {
      const path = (error.path ?? []).filter((key) => typeof key === 'string').join('.');
      const code = error.extensions?.['code'];
      return `${path} ${typeof code === 'string' ? code : ''}`;
    })
    .sort();
  return createHmac('sha256', secret)
    .update(canonicalJson({ ...view, consentGroups: [...view.consentGroups].sort(), errors: unread }))
    .digest('hex');
}

/**
 * The HTML report and the verdict page load nothing and run nothing: their style is inline and the
 * QR code an inline SVG. Should a record ever carry markup past the escaping, it still runs nowhere.
 */
const HTML_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
/** The verdict page's one form uploads the document to /report/verify, on this origin only. */
const VERDICT_POLICY = HTML_POLICY.replace("form-action 'none'", "form-action 'self'");

function sendVerdictPage(response: ServerResponse, verdict: Verdict, by: 'code' | 'document'): void {
  response.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': VERDICT_POLICY,
    'x-content-type-options': 'nosniff',
  });
  response.end(renderVerdictHtml(verdict, by));
}

function isForm(request: IncomingMessage): boolean {
  return (request.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/form-data');
}

/** An upload refused because the process, or the asking address, reads as many as it may at once. */
/** What each refusal for places held at once says: uploads being read, reports waiting to be rendered. */
const SLOTS_REFUSED: Readonly<Record<'uploads' | 'address-uploads' | 'report-renders', (limit: number) => string>> = {
  uploads: () => 'Too many documents are being verified just now; retry shortly',
  'address-uploads': (limit) =>
    `This address is already uploading ${limit} document${limit > 1 ? 's' : ''} for verification; retry once done`,
  'report-renders': (limit) =>
    `This caller already has ${limit} reports waiting to be rendered, as many as it may; retry shortly`,
};

/** RATE_LIMITED for a place held at once that is not free: retried a second later. */
function slotsRefused(scope: keyof typeof SLOTS_REFUSED, limit: number): CreditGatewayError {
  return new CreditGatewayError('RATE_LIMITED', SLOTS_REFUSED[scope](limit), {
    extensions: { scope, limit, retryAfterSeconds: 1 },
  });
}

function unidentified(): CreditGatewayError {
  return new CreditGatewayError(
    'UNAUTHENTICATED',
    'A credit report is issued to an identified caller: send its bearer token',
  );
}

function withoutConsent(): CreditGatewayError {
  return new CreditGatewayError(
    'CONSENT_REQUIRED',
    "An AUTHORIZED caller's report needs the subject's consent (x-credit-consent) for this caller and purpose",
    { extensions: { header: 'x-credit-consent' } },
  );
}

function isJson(request: IncomingMessage): boolean {
  return (request.headers['content-type'] ?? '').toLowerCase().startsWith('application/json');
}

export function createReportEndpoints(options: ReportEndpointsOptions): ReportEndpoints {
  const { graphql, schema, accessRules, config, logger, rateLimiter, bodies, addresses } = options;
  /** Documents being read for verification right now, in all and by client address. */
  let uploading = 0;
  const uploadingBy = new Map<string, number>();
  learnEnumWords(schema);
  const { store } = config.register;
  const issued: IssuedReports = createIssuedReports({
    dir: config.report.dir,
    ...(store.kind === 'postgres'
      ? {
          postgres: {
            url: store.url,
            poolSize: 2,
            writer: config.register.writer,
            timeoutMs: config.register.timeoutMs,
          },
        }
      : {}),
    signingKey: config.report.signingKey,
    earlierKeys: config.report.earlierKeys,
    logger: logger.child({ component: 'reports' }),
  });
  const jwkOf = (key: KeyObject) => ({
    ...createPublicKey(key).export({ format: 'jwk' }),
    alg: 'EdDSA',
    use: 'sig',
    kid: keyIdOf(key),
  });
  const currentJwk = jwkOf(config.report.signingKey);
  // The view digests' key, derived from the signing key: a rotation starts new digests, so a report
  // from before it is compared with none (recordsChangedSince null), never wrongly.
  const viewSecret = Buffer.from(
    hkdfSync(
      'sha256',
      config.report.signingKey.export({ format: 'der', type: 'pkcs8' }),
      'credit-gateway report views',
      'viewSha256',
      32,
    ),
  );
  // The current key first, then those rotated out, so that a verifier finds every report's `kid`.
  const keySet = { keys: [currentJwk, ...config.report.earlierKeys.map(jwkOf)] };
  const queries = new Map<string, { query: string; withheld: string[] }>();
  // Rendering is CPU-bound and runs after the pipeline has given up its admission place: its own
  // line keeps a flood of reports from holding the event loop from everyone else.
  const renders = createRenderLine(config.report.maxConcurrentRenders, config.performance.requestTimeoutMs);
  // A body trickled in holds its connection no longer than a /graphql body may.
  const pace: BodyPace = {
    timeoutMs: config.performance.bodyTimeoutMs,
    minBytesPerSecond: config.performance.bodyMinBytesPerSecond,
  };

  function tierQuery(request: ReportRequest, tier: Tier): { query: string; withheld: string[] } {
    const key = `${tier}\n${request.scope.sections.join(',')}`;
    let query = queries.get(key);
    if (query === undefined) {
      query = queryForTier(schema, accessRules, reportQuery(request.scope.sections), tier);
      queries.set(key, query);
    }
    return query;
  }

  /** A body's account in the budget, given back once the answer is sent or the connection is gone. */
  function bodyAccount(request: IncomingMessage, response: ServerResponse): BodyAccount {
    const account = bodies.open(addresses.of(request));
    response.once('close', () => account.release());
    return account;
  }

  async function fields(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
  ): Promise<Record<string, unknown>> {
    if (request.method === 'POST') {
      const allowance = bodyAccount(request, response);
      const body = await readJsonBody(request, config.bodyLimitBytes, { pace, allowance });
      if (body === null || typeof body !== 'object' || Array.isArray(body))
        throw new CreditGatewayError('BAD_REQUEST', 'The request body must be a JSON object');
      return body as Record<string, unknown>;
    }
    // A parameter given twice has no one meaning: whatever sits in front may have read the other.
    const names = [...url.searchParams.keys()];
    const repeated = names.find((name, at) => names.indexOf(name) !== at);
    if (repeated !== undefined)
      throw new CreditGatewayError('BAD_REQUEST', `'${repeated.slice(0, 40)}' is given more than once`, {
        extensions: { parameter: repeated.slice(0, 40) },
      });
    return Object.fromEntries(url.searchParams);
  }

  async function report(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    if (request.method !== 'GET' && request.method !== 'POST') {
      return wrongMethod(response, '/report');
    }
    let given: Record<string, unknown> = {};
    let malformed: CreditGatewayError | undefined;
    try {
      given = await fields(request, response, url);
    } catch (error) {
      // Over the body budget is answered at once, as a body that cannot be read is: never queued.
      if (!(error instanceof CreditGatewayError) || error instanceof BodyBudgetExceeded) throw error;
      malformed = error;
    }
    // Refusals are decided inside the pipeline, so that each is registered like a refused query.
    let asked: ReportRequest | undefined;
    let withheld: string[] = [];
    const { answer, context } = await graphql.supplied(request, response, url, (caller) => {
      if (malformed) return malformed;
      try {
        asked = parseReportRequest(given);
      } catch (error) {
        if (error instanceof CreditGatewayError) return error;
        throw error;
      }
      if (request.headers.authorization === undefined) return unidentified();
      try {
        // Checked before the query runs, so that a refused purpose is registered as refused.
        const stated = request.headers[PURPOSE_HEADER];
        reportPurpose((Array.isArray(stated) ? stated[0] : stated)?.trim() || null, config.report.purposes);
      } catch (error) {
        if (error instanceof CreditGatewayError) return error;
        throw error;
      }
      if (caller.tier === 'AUTHORIZED' && request.headers['x-credit-consent'] === undefined) return withoutConsent();
      const tiered = tierQuery(asked, caller.tier);
      withheld = tiered.withheld;
      return { query: tiered.query, operationName: REPORT_OPERATION, variables: { code: asked.code } };
    });
    const errors = answer.body.errors ?? [];
    const data = answer.body.data as { enterprise?: Record<string, unknown> | null } | null | undefined;
    if (answer.status !== 200 || !data || data.enterprise === undefined) {
      const code = errors[0]?.extensions?.['code'] as ErrorCode | undefined;
      for (const [name, value] of Object.entries(answer.headers ?? {})) response.setHeader(name, value);
      if (code === 'UNAUTHENTICATED') response.setHeader('www-authenticate', 'Bearer');
      return sendErrors(response, reportStatus(code, answer.status), errors);
    }
    if (asked === undefined) throw new Error('The report was answered without being asked for');
    const { scope, format } = asked;
    const enterprise = data.enterprise;
    if (enterprise === null) {
      const error = errors[0];
      if (error) return sendErrors(response, reportStatus(error.extensions?.['code'] as ErrorCode, 500), errors);
      return refuse(
        response,
        new CreditGatewayError(
          'RECORD_NOT_FOUND',
          'No department system has registered this unified social credit code',
        ),
      );
    }
    const subject = String(enterprise['code']);
    const { caller } = context;
    if (caller.tier === 'AUTHORIZED' && (context.access?.consents[subject] ?? []).length === 0) {
      return refuse(response, withoutConsent());
    }
    const issuedAt = new Date().toISOString();
    const number = newReportNumber(issuedAt);
    const verificationCode = newVerificationCode();
    const verifyUrl = `${config.report.publicUrl}/report/verify?number=${number}&code=${verificationCode}`;
    const model = buildReport({
      header: {
        number,
        verificationCode,
        issuedAt,
        verifyUrl,
        issuer: { client: caller.client, tier: caller.tier },
        purpose: reportPurpose(context.purpose, config.report.purposes),
      },
      scope,
      enterprise,
      errors,
      withheld,
    });
    // Each caller waits in a lane of its own: an anonymous caller's is its address's.
    const lane = { key: caller.client ?? `address ${context.address}`, priority: RENDER_PRIORITY[caller.tier] };
    const rendered = await renders.run(
      context.startedAt,
      async () => (format === 'pdf' ? await renderPdf(model) : Buffer.from(await renderHtml(model), 'utf8')),
      lane,
    );
    if ('refused' in rendered) {
      return rendered.refused === 'busy'
        ? refuse(response, slotsRefused('report-renders', RENDERS_WAITING_PER_CALLER), { 'retry-after': '1' })
        : refuse(
            response,
            new CreditGatewayError(
              'REQUEST_TIMEOUT',
              `The report was not rendered within ${config.performance.requestTimeoutMs} ms: too many reports are being rendered`,
            ),
          );
    }
    const document = rendered.rendered;
    let stored;
    try {
      stored = await issued.issue({
        number,
        verificationCode,
        issuedAt,
        subject,
        subjectName: model.subject.name ?? null,
        sections: scope.sections,
        from: scope.from,
        to: scope.to,
        special: scope.special,
        format,
        issuer: { client: caller.client, tier: caller.tier },
        requestId: context.requestId,
        documentSha256: sha256(document),
        dataSha256: recordsDigest(enterprise),
        viewSha256: viewDigest(viewSecret, {
          tier: caller.tier,
          client: caller.client,
          purpose: context.purpose,
          department: context.access?.department ?? null,
          consentGroups: context.access?.consents[subject] ?? [],
          errors,
        }),
      });
    } catch (error) {
      logger.error({ err: error }, 'issued-report register unavailable');
      return refuse(response, reportRegisterUnavailable());
    }
    response.writeHead(200, {
      'content-type': format === 'pdf' ? 'application/pdf' : 'text/html; charset=utf-8',
      ...(format === 'html' ? { 'content-security-policy': HTML_POLICY } : {}),
      'x-content-type-options': 'nosniff',
      'content-length': String(document.length),
      'content-disposition': `attachment; filename="${number}.${format}"`,
      'cache-control': 'no-store',
      'x-report-number': number,
      // Printed on the report too: the caller files it with the document.
      'x-report-verification-code': verificationCode,
      'x-report-sha256': stored.documentSha256,
      'x-report-signature': stored.signature,
    });
    response.end(document);
  }

  /** A verdict from the issued-report register; a register that cannot answer is said as such, 503. */
  async function consulted(verdict: () => Promise<Verdict>): Promise<Verdict> {
    try {
      return await verdict();
    } catch (error) {
      logger.error({ err: error }, 'issued-report register unavailable for a verification');
      throw new CreditGatewayError(
        'REGISTER_UNAVAILABLE',
        'The issued-report register cannot be read just now, so the report cannot be verified; try again later',
      );
    }
  }

  async function verifyReport(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    if (request.method === 'GET' || (request.method === 'POST' && isJson(request))) {
      const given = await fields(request, response, url);
      const number = given['number'];
      const code = given['code'];
      if (
        typeof number !== 'string' ||
        typeof code !== 'string' ||
        number === '' ||
        code === '' ||
        number.length > 64 ||
        code.length > 64
      ) {
        return refuse(
          response,
          new CreditGatewayError(
            'BAD_REQUEST',
            "Give the report's 'number' and its verification 'code', or POST the document itself",
          ),
        );
      }
      const verdict = await consulted(() => issued.verifyCode(number, code));
      if (request.method === 'GET' && wantsHtml(request.headers.accept))
        return sendVerdictPage(response, verdict, 'code');
      return sendJson(response, 200, verdict);
    }
    if (request.method !== 'POST') {
      return wrongMethod(response, '/report/verify');
    }
    // What uploads may hold in memory is bounded: one more than the process takes, or than one
    // address may send at once, is refused, and what it still sends is dropped unkept, as /graphql
    // drops the body of a refused request. The address's share keeps a few slow uploaders from
    // taking every slot from the other verifiers.
    const address = addresses.of(request);
    const { maxConcurrentUploads, maxUploadsPerAddress } = config.report;
    const mine = uploadingBy.get(address) ?? 0;
    if (maxUploadsPerAddress > 0 && mine >= maxUploadsPerAddress)
      return refuse(response, slotsRefused('address-uploads', maxUploadsPerAddress), { 'retry-after': '1' });
    if (uploading >= maxConcurrentUploads)
      return refuse(response, slotsRefused('uploads', maxConcurrentUploads), { 'retry-after': '1' });
    uploading++;
    uploadingBy.set(address, mine + 1);
    const account = bodyAccount(request, response);
    let verdict: Verdict;
    try {
      let bytes: Buffer;
      try {
        bytes = await readBodyBytes(request, config.report.uploadLimitBytes, { pace, allowance: account });
      } finally {
        uploading--;
        const left = (uploadingBy.get(address) ?? 1) - 1;
        if (left > 0) uploadingBy.set(address, left);
        else uploadingBy.delete(address);
      }
      const document = isForm(request) ? await uploadedFile(bytes, request.headers['content-type']!) : bytes;
      if (document.length === 0)
        return refuse(response, new CreditGatewayError('BAD_REQUEST', 'The uploaded document is empty'));
      verdict = await consulted(() => issued.verifyDocument(document));
    } finally {
      // The upload's bytes are no longer needed once it is verified or refused, whichever way:
      // they go back to the budget now, not once the answer has gone out.
      account.release();
    }
    // A browser form's upload is answered as a page, like the QR code's verdict.
    if (wantsHtml(request.headers.accept)) return sendVerdictPage(response, verdict, 'document');
    sendJson(response, 200, verdict);
  }

  /**
   * Verification is public: each check spends the asking address's PUBLIC budget, as an anonymous
   * /graphql request does, so the endpoint cannot be used to flood the register's look-ups.
   */
  async function withinBudget(request: IncomingMessage, response: ServerResponse): Promise<boolean> {
    const decision = await rateLimiter.check({ tier: 'PUBLIC', client: null, ip: addresses.of(request) });
    if (decision.allowed) return true;
    // A refused upload is read and dropped, never kept: closing on a client still sending would
    // reset it before it reads why.
    request.resume();
    refuse(response, rateLimitedError(decision), { 'retry-after': String(retryAfterSeconds(decision)) });
    return false;
  }

  function failed(response: ServerResponse) {
    return (error: unknown) => {
      if (error instanceof BodyBudgetExceeded) return refuse(response, error, error.headers);
      if (error instanceof CreditGatewayError) return refuse(response, error);
      if (error instanceof BodyError) {
        const code: ErrorCode = error.status === 408 ? 'REQUEST_TIMEOUT' : 'BAD_REQUEST';
        // The rest of a body too slow to wait for is never read: the connection goes with the answer.
        // A body too large is dropped as it arrives, as /graphql does, so the client reads the 413.
        if (error.status === 408) response.setHeader('connection', 'close');
        return sendErrors(response, error.status, [new CreditGatewayError(code, error.message).toJSON()]);
      }
      logger.error({ err: error }, 'report failed');
      if (response.headersSent) return void response.destroy();
      sendErrors(response, 500, [new CreditGatewayError('INTERNAL_SERVER_ERROR', 'Unexpected error').toJSON()]);
    };
  }

  return {
    handle(request, response, url) {
      if (url.pathname === '/report') {
        report(request, response, url).catch(failed(response));
        return true;
      }
      if (url.pathname === '/report/public-key' && request.method === 'GET') {
        // The key reports are signed with now, for a verifier who checks a record's signature itself.
        sendJson(response, 200, currentJwk);
        return true;
      }
      if (url.pathname === '/report/keys' && request.method === 'GET') {
        // Every key a report still verifies with, by `kid`: the current one and those rotated out.
        sendJson(response, 200, keySet);
        return true;
      }
      if (url.pathname === '/report/verify') {
        withinBudget(request, response)
          .then((allowed) => (allowed ? verifyReport(request, response, url) : undefined))
          .catch(failed(response));
        return true;
      }
      return false;
    },
    close: () => issued.close(),
  };
}
