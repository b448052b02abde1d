import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { OperationTypeNode } from 'graphql';
import {
  CreditGatewayError,
  CreditGatewayTransportError,
  toErrorDetail,
  type ErrorCode,
  type GatewayErrorDetail,
} from './errors.js';
import { prepare, safeToRepeat, type PreparedOperation } from './operation.js';
import { parseRetryAfter, retryDelay, retryPolicy, type RetryPolicy, type SendOutcome } from './retry.js';

/** The header a caller states its purpose in (查询目的); AUTHORIZED, GOVERNMENT and JUDICIAL callers must. */
export const PURPOSE_HEADER = 'x-credit-purpose';
/** The header subjects' consents travel in, comma-separated (授权). */
export const CONSENT_HEADER = 'x-credit-consent';

export interface CreditClientOptions {
  /** The gateway's GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql. */
  url: string | URL;
  /** The caller's token (sent as `Authorization: Bearer …`), or a function asked before every send. None: PUBLIC. */
  token?: string | (() => string | Promise<string>);
  /** The purpose stated on every request (x-credit-purpose), e.g. ADMINISTRATIVE_LICENSING. */
  purpose?: string;
  /** Consents sent on every request (x-credit-consent). */
  consents?: readonly string[];
  /** Further headers on every request. */
  headers?: Readonly<Record<string, string>>;
  /**
   * Automatic persisted queries (default true): a query is sent as its SHA-256 alone, and in full
   * only when the gateway answers PERSISTED_QUERY_NOT_FOUND. Mutations are always sent in full.
   */
  persisted?: boolean;
  /** Retries of what is safe to send again; false sends everything once. */
  retry?: Partial<RetryPolicy> | false;
  /** The fetch to send with (default: the global one). */
  fetch?: typeof fetch;
  /** How to wait between retries (default: a timer). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Jitter for the backoff, in [0, 1) (default: Math.random). */
  random?: () => number;
}

export interface RequestOptions {
  /** This request's purpose, instead of the client's; null sends none. */
  purpose?: string | null;
  /** This request's consents, instead of the client's. */
  consents?: readonly string[];
  headers?: Readonly<Record<string, string>>;
  signal?: AbortSignal;
}

/** A GraphQL answer: data, and the errors of the fields that could not be answered. */
export interface CreditResult<TData> {
  data: TData | null;
  errors: readonly GatewayErrorDetail[];
  status: number;
}

/** The variables, then the options; the variables may be left out when none is required. */
export type OperationArgs<TVariables> =
  Record<string, never> extends TVariables
    ? [variables?: TVariables, options?: RequestOptions]
    : [variables: TVariables, options?: RequestOptions];

export interface CreditClient {
  /**
   * Sends an operation and answers its data with the errors of the fields left null (a field the
   * tier may not read, a subject without consent, a department down). Throws CreditGatewayError
   * when the gateway answered no data at all, and CreditGatewayTransportError when no GraphQL
   * answer came.
   */
  execute<TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables>,
    ...args: OperationArgs<TVariables>
  ): Promise<CreditResult<TData>>;
  /** Like execute, but any error, a field's included, throws CreditGatewayError. */
  request<TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables>,
    ...args: OperationArgs<TVariables>
  ): Promise<TData>;
}

interface Answer {
  status: number;
  retryAfterMs: number | undefined;
  body: { data?: unknown; errors?: unknown } | null;
}

const defaultSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', abort);
      resolve();
    }, ms);
    const abort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', abort, { once: true });
  });

function errorsOf(body: Answer['body']): GatewayErrorDetail[] {
  return Array.isArray(body?.errors) ? body.errors.map(toErrorDetail) : [];
}

const firstCode = (answer: Answer): ErrorCode | undefined => errorsOf(answer.body)[0]?.code;

export function createCreditClient(options: CreditClientOptions): CreditClient {
  const url = String(options.url);
  const send = options.fetch ?? globalThis.fetch.bind(globalThis);
  const sleep = options.sleep ?? defaultSleep;
  const policy = retryPolicy(options.retry);
  let persisted = options.persisted ?? true;

  async function headersFor(request: RequestOptions): Promise<Record<string, string>> {
    const token = typeof options.token === 'function' ? await options.token() : options.token;
    const purpose = request.purpose === undefined ? options.purpose : request.purpose;
    const consents = request.consents ?? options.consents ?? [];
    return {
      ...options.headers,
      ...request.headers,
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(purpose ? { [PURPOSE_HEADER]: purpose } : {}),
      ...(consents.length > 0 ? { [CONSENT_HEADER]: consents.join(',') } : {}),
    };
  }

  async function post(body: Record<string, unknown>, request: RequestOptions): Promise<Answer> {
    let response: Response;
    try {
      response = await send(url, {
        method: 'POST',
        headers: await headersFor(request),
        body: JSON.stringify(body),
        ...(request.signal ? { signal: request.signal } : {}),
      });
    } catch (error) {
      if (request.signal?.aborted) throw error;
      throw new CreditGatewayTransportError(`No answer from ${url}`, { cause: error });
    }
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
    const graphql =
      typeof parsed === 'object' && parsed !== null && ('data' in parsed || 'errors' in parsed)
        ? (parsed as Answer['body'])
        : null;
    return { status: response.status, retryAfterMs, body: graphql };
  }

  /** One send of the operation, with the persisted-query exchange it may take. */
  async function sendOnce(
    operation: PreparedOperation,
    variables: Record<string, unknown>,
    request: RequestOptions,
  ): Promise<Answer> {
    const base = {
      ...(operation.name ? { operationName: operation.name } : {}),
      variables,
    };
    if (!persisted || operation.type !== OperationTypeNode.QUERY)
      return post({ ...base, query: operation.text }, request);
    const extensions = { persistedQuery: { version: 1, sha256Hash: await operation.hash() } };
    const byHash = await post({ ...base, extensions }, request);
    switch (firstCode(byHash)) {
      case 'PERSISTED_QUERY_NOT_FOUND':
        // Registers the query: the next send of it goes by hash alone.
        return post({ ...base, query: operation.text, extensions }, request);
      case 'PERSISTED_QUERY_NOT_SUPPORTED':
        persisted = false;
        return post({ ...base, query: operation.text }, request);
      default:
        return byHash;
    }
  }

  async function execute<TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables>,
    variables: TVariables | undefined,
    request: RequestOptions,
  ): Promise<CreditResult<TData>> {
    const operation = prepare(document);
    const values = (variables ?? {}) as Record<string, unknown>;
    const safe = safeToRepeat(operation, values);
    for (let attempt = 1; ; attempt++) {
      let answer: Answer | undefined;
      let outcome: SendOutcome;
      let failure: unknown;
      try {
        answer = await sendOnce(operation, values, request);
        outcome = { kind: 'status', status: answer.status, retryAfterMs: answer.retryAfterMs };
      } catch (error) {
        if (!(error instanceof CreditGatewayTransportError)) throw error;
        failure = error;
        outcome = { kind: 'network' };
      }
      const retrying = answer === undefined || answer.status === 429 || answer.status === 503;
      const delay = retrying ? retryDelay(policy, attempt, outcome, safe, options.random) : null;
      if (delay !== null) {
        await sleep(delay, request.signal);
        continue;
      }
      if (answer === undefined) throw failure;
      return settle<TData>(answer);
    }
  }

  function settle<TData>(answer: Answer): CreditResult<TData> {
    const { body, status } = answer;
    if (body === null) {
      throw new CreditGatewayTransportError(`The gateway answered HTTP ${status} without a GraphQL response`, {
        status,
      });
    }
    const errors = errorsOf(body);
    const data = (body.data ?? null) as TData | null;
    if (data === null && errors.length > 0) {
      throw new CreditGatewayError(errors, {
        status,
        ...(answer.retryAfterMs === undefined ? {} : { retryAfterMs: answer.retryAfterMs }),
      });
    }
    if (data === null) {
      throw new CreditGatewayTransportError(`The gateway answered HTTP ${status} with neither data nor errors`, {
        status,
      });
    }
    return { data, errors, status };
  }

  return {
    execute: (document, ...[variables, request]) => execute(document, variables, request ?? {}),
    async request(document, ...[variables, request]) {
      const result = await execute(document, variables, request ?? {});
      if (result.errors.length > 0)
        throw new CreditGatewayError(result.errors, { status: result.status, data: result.data });
      return result.data as NonNullable<typeof result.data>;
    },
  };
}
