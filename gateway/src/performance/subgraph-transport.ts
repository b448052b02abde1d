import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { GatewayGraphQLRequest, GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { OperationMerger, mergedVariables, splitAnswer, type MergeTemplate } from './operation-merging.js';

export interface SubgraphTransportOptions {
  timeoutMs: number;
  /** Most keep-alive connections to the subgraph. */
  connections: number;
  /** Identical fetches in flight share one request and one response. */
  dedupe: boolean;
  /**
   * Queries with the same text and access, started in the same turn of the event loop, go to the
   * subgraph as one request (operation-merging.ts).
   */
  merge: boolean;
  /** Most operations in one merged request; default 64. */
  mergeLimit?: number;
  /** Most requests of one merge key out at once before new operations wait to join; default no limit. */
  mergeMaxInFlight?: number;
}

/** What the transport has done, for /metrics. */
export interface TransportMetrics {
  /** HTTP requests sent to the subgraph. */
  requests: number;
  /** Operations answered (each fetch of each gateway request, before deduplication). */
  operations: number;
  /** Operations that shared an identical in-flight fetch. */
  deduplicated: number;
  /** Operations that went to the subgraph inside a merged request. */
  merged: number;
  /** Merged requests answered without data, whose operations were sent again one by one. */
  unmerged: number;
}

/**
 * Told when an operation goes to the subgraph merged with others, with each operation's
 * propagation headers (`headers`, those it was sent with besides the transport's own) and the
 * merged request's headers to add to; returns what to call once the merged request is done.
 */
export type MergeObserver = (
  operations: readonly Readonly<Record<string, string>>[],
  headers: Record<string, string>,
) => ((outcome: 'OK' | 'UNMERGED' | 'FAILED', durationMs: number) => void) | undefined;

/** Told what becomes of one operation beyond its own request: shared with another's, or merged. */
export interface TransportObserver {
  merged?: MergeObserver;
  /**
   * The operation shares the request of an identical one in flight: told that one's propagation
   * headers (what it was sent with besides the transport's own).
   */
  shared?(headers: Readonly<Record<string, string>>): void;
}

/** An operation's own headers: what it carries besides the request id and the internal token. */
function ownHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const { 'x-request-id': _id, authorization: _token, ...own } = headers;
  return own;
}

interface Queued {
  request: GatewayGraphQLRequest;
  headers: Record<string, string>;
  merged: MergeObserver | undefined;
  resolve: (response: GatewayGraphQLResponse) => void;
  reject: (error: unknown) => void;
}

interface Batch {
  query: string;
  template: MergeTemplate;
  operations: Queued[];
  /** Its turn of the event loop is over: it may be sent. */
  ready: boolean;
}

/** Longest x-request-id a merged request carries: the ids of its requests, joined. */
const MAX_REQUEST_IDS_LENGTH = 1_024;

/** What a subgraph answered, before parsing. */
interface RawResponse {
  status: number;
  statusText: string;
  contentType: string;
  text: string;
}

/** A subgraph's HTTP error status, in the shape the subgraph stage maps to a SOURCE_* code. */
export class SubgraphStatusError extends Error {
  readonly extensions: { response: { url: string; status: number; statusText: string } };

  constructor(url: string, status: number, statusText: string) {
    super(`${status}: ${statusText}`);
    this.name = 'SubgraphStatusError';
    this.extensions = { response: { url, status, statusText } };
  }
}

/**
 * POSTs GraphQL to one subgraph over a bounded pool of keep-alive connections, without the
 * node-fetch Request and Headers objects RemoteGraphQLDataSource builds for every call. Identical
 * fetches in flight are sent once; queries with the same text sent at once are merged.
 */
export class SubgraphTransport {
  private readonly agent: HttpAgent;
  private readonly target: URL;
  private readonly send: typeof httpRequest;
  private readonly inFlight = new Map<
    string,
    { result: Promise<GatewayGraphQLResponse>; callers: number; text?: string; headers: Record<string, string> }
  >();
  private readonly batches = new Map<string, Batch>();
  /** Requests out per merge key. */
  private readonly sending = new Map<string, number>();
  private readonly merger = new OperationMerger();
  readonly metrics: TransportMetrics = { requests: 0, operations: 0, deduplicated: 0, merged: 0, unmerged: 0 };

  constructor(
    readonly url: string,
    private readonly options: SubgraphTransportOptions,
  ) {
    this.target = new URL(url);
    const https = this.target.protocol === 'https:';
    const agentOptions = { keepAlive: true, maxSockets: options.connections, maxFreeSockets: options.connections };
    this.agent = https ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
    this.send = https ? httpsRequest : httpRequest;
  }

  /**
   * Sends one operation; throws on a transport failure, an error status or a body that is not JSON.
   * `access` names what the answer depends on besides the operation (the caller's access, as the
   * request context holds it): fetches are shared and merged only within the same access.
   */
  execute(
    request: GatewayGraphQLRequest,
    headers: Record<string, string>,
    access: string,
    observer?: TransportObserver,
  ): Promise<GatewayGraphQLResponse> {
    this.metrics.operations++;
    const merged = observer?.merged;
    if (!this.options.dedupe) return this.dispatch(request, headers, access, merged);
    // Same subgraph, same operation and variables, same access: the same answer.
    const key = `${access}\n${request.operationName ?? ''}\n${request.query ?? ''}\n${JSON.stringify(request.variables ?? null)}`;
    let entry = this.inFlight.get(key);
    if (entry) {
      this.metrics.deduplicated++;
      observer?.shared?.(ownHeaders(entry.headers));
    } else {
      entry = {
        result: this.dispatch(request, headers, access, merged).finally(() => this.inFlight.delete(key)),
        callers: 0,
        headers,
      };
      this.inFlight.set(key, entry);
    }
    entry.callers++;
    const shared = entry;
    // The planner merges each answer into its own result tree: sharers each get their own copy,
    // parsed from one serialization (cheaper than structuredClone for JSON data).
    return shared.result.then((response) => {
      if (shared.callers === 1) return response;
      shared.text ??= JSON.stringify(response);
      return JSON.parse(shared.text) as GatewayGraphQLResponse;
    });
  }

  /** Sends the operation alone, or queues it to be merged with the same query sent in this turn. */
  private dispatch(
    request: GatewayGraphQLRequest,
    headers: Record<string, string>,
    access: string,
    merged: MergeObserver | undefined,
  ): Promise<GatewayGraphQLResponse> {
    const query = request.query ?? '';
    const template = this.options.merge ? this.merger.template(query) : null;
    if (template === null) return this.single(request, headers);
    const key = `${access}\n${request.operationName ?? ''}\n${query}`;
    let batch = this.batches.get(key);
    if (!batch) {
      const created: Batch = { query, template, operations: [], ready: false };
      this.batches.set(key, created);
      // Everything the event loop runs before it polls again joins this batch.
      setImmediate(() => {
        created.ready = true;
        this.release(key);
      });
      batch = created;
    }
    const joined = batch;
    return new Promise<GatewayGraphQLResponse>((resolve, reject) => {
      joined.operations.push({ request, headers, merged, resolve, reject });
      if (joined.operations.length >= (this.options.mergeLimit ?? 64)) this.flush(key, joined);
    });
  }

  /**
   * Sends the key's batch once its turn is over, unless MERGE_MAX_IN_FLIGHT requests of the same
   * key are already out: then it keeps growing until one comes back. Under light load nothing
   * waits; under heavy load each request carries more operations, and the subgraph and its
   * department see fewer, larger calls.
   */
  private release(key: string): void {
    const batch = this.batches.get(key);
    if (!batch?.ready) return;
    if ((this.sending.get(key) ?? 0) >= (this.options.mergeMaxInFlight ?? Infinity)) return;
    this.flush(key, batch);
  }

  private flush(key: string, batch: Batch): void {
    if (this.batches.get(key) !== batch) return;
    this.batches.delete(key);
    this.sending.set(key, (this.sending.get(key) ?? 0) + 1);
    const done = (): void => {
      const left = (this.sending.get(key) ?? 1) - 1;
      if (left > 0) this.sending.set(key, left);
      else this.sending.delete(key);
      this.release(key);
    };
    const { operations } = batch;
    if (operations.length === 1) {
      const [only] = operations as [Queued];
      this.single(only.request, only.headers).then(only.resolve, only.reject).finally(done);
      return;
    }
    this.metrics.merged += operations.length;
    const [first] = operations as [Queued, ...Queued[]];
    const body = JSON.stringify({
      query: this.merger.query(batch.query, batch.template, operations.length),
      variables: mergedVariables(operations.map((operation) => operation.request.variables)),
      operationName: first.request.operationName,
    });
    const ids = operations.map((operation) => operation.headers['x-request-id']).filter(Boolean);
    const headers = {
      ...first.headers,
      ...(ids.length > 0 ? { 'x-request-id': ids.join(',').slice(0, MAX_REQUEST_IDS_LENGTH) } : {}),
    };
    const observed = first.merged && this.observeMerge(first.merged, operations, headers);
    this.post(body, headers)
      .then(
        (answer) => {
          const parts = splitAnswer(answer, operations.length);
          observed?.(parts === null ? 'UNMERGED' : 'OK');
          if (parts === null) return this.unmerge(operations);
          operations.forEach((operation, i) => operation.resolve(parts[i]!));
        },
        (error: unknown) => {
          // A refused document (400) may be one operation's bad variables: each is sent alone.
          const unmerge = error instanceof SubgraphStatusError && error.extensions.response.status === 400;
          observed?.(unmerge ? 'UNMERGED' : 'FAILED');
          if (unmerge) return this.unmerge(operations);
          for (const operation of operations) operation.reject(error);
        },
      )
      .finally(done);
  }

  /**
   * Tells the observer of the merge, with each operation's own propagation headers (what it
   * carries besides the request id the transport sets); the merged request's are added to `headers`.
   */
  private observeMerge(
    observer: MergeObserver,
    operations: readonly Queued[],
    headers: Record<string, string>,
  ): ((outcome: 'OK' | 'UNMERGED' | 'FAILED') => void) | undefined {
    const own = operations.map((operation) => ownHeaders(operation.headers));
    const propagation: Record<string, string> = {};
    const end = observer(own, propagation);
    Object.assign(headers, propagation);
    if (!end) return undefined;
    const started = performance.now();
    return (outcome) => end(outcome, performance.now() - started);
  }

  /** One merged operation spoilt the answer for all: each is sent alone and gets its own answer. */
  private unmerge(operations: readonly Queued[]): void {
    this.metrics.unmerged += operations.length;
    for (const operation of operations)
      this.single(operation.request, operation.headers).then(operation.resolve, operation.reject);
  }

  private single(request: GatewayGraphQLRequest, headers: Record<string, string>): Promise<GatewayGraphQLResponse> {
    const body = JSON.stringify({
      query: request.query,
      variables: request.variables,
      operationName: request.operationName,
      extensions: request.extensions,
    });
    return this.post(body, headers);
  }

  private async post(body: string, headers: Record<string, string>): Promise<GatewayGraphQLResponse> {
    this.metrics.requests++;
    const raw = await this.request(body, headers);
    if (raw.status < 200 || raw.status > 299) throw new SubgraphStatusError(this.url, raw.status, raw.statusText);
    const json =
      raw.contentType.startsWith('application/json') || raw.contentType.startsWith('application/graphql-response+json');
    const parsed: unknown = json ? JSON.parse(raw.text) : raw.text;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new Error(`Expected JSON response body, but received: ${raw.text.slice(0, 100)}`);
    }
    return parsed;
  }

  private request(body: string, headers: Record<string, string>): Promise<RawResponse> {
    return new Promise<RawResponse>((resolve, reject) => {
      const outgoing = this.send(
        this.target,
        {
          method: 'POST',
          agent: this.agent,
          headers: {
            ...headers,
            'content-type': 'application/json',
            // Plain JSON: GraphQL errors then come with 200, and the planner answers the other sections.
            accept: 'application/json',
            'content-length': Buffer.byteLength(body),
          },
          signal: AbortSignal.timeout(this.options.timeoutMs),
        },
        (response: IncomingMessage) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 0,
              statusText: response.statusMessage ?? '',
              contentType: String(response.headers['content-type'] ?? ''),
              text: Buffer.concat(chunks).toString('utf8'),
            }),
          );
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }

  /** Closes the pooled connections. */
  close(): void {
    this.agent.destroy();
  }
}
