import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { GatewayGraphQLRequest, GatewayGraphQLResponse } from '@apollo/server-gateway-interface';

export interface SubgraphTransportOptions {
  timeoutMs: number;
  /** Most keep-alive connections to the subgraph. */
  connections: number;
  /** Identical fetches in flight share one request and one response. */
  dedupe: boolean;
}

/** What a subgraph answered, before parsing: each caller parses its own copy. */
interface RawResponse {
  status: number;
  statusText: string;
  contentType: string;
  text: string;
}

/** Claims of the internal token that name one request or one signing, not who may read what. */
const PER_REQUEST_CLAIMS = new Set(['requestId', 'iat', 'exp', 'nbf', 'jti']);

/**
 * What a subgraph's answer depends on in the gateway's internal token: tier, client, purpose and
 * consents. Two requests with the same access share a fetch even though each has its own token.
 * A credential that is not such a token is compared whole.
 */
export function accessKey(authorization: string | undefined): string {
  if (authorization === undefined) return '';
  const payload = authorization.split('.')[1];
  if (payload === undefined) return authorization;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) return authorization;
    return JSON.stringify(Object.entries(claims).filter(([name]) => !PER_REQUEST_CLAIMS.has(name)));
  } catch {
    return authorization;
  }
}

/** A subgraph's HTTP error status, in the shape SubgraphDataSource maps to a SOURCE_* code. */
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
 * node-fetch Request and Headers objects RemoteGraphQLDataSource builds for every call.
 */
export class SubgraphTransport {
  private readonly agent: HttpAgent;
  private readonly target: URL;
  private readonly send: typeof httpRequest;
  private readonly inFlight = new Map<string, Promise<RawResponse>>();

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

  /** Sends one operation; throws on a transport failure, an error status or a body that is not JSON. */
  async execute(request: GatewayGraphQLRequest, headers: Record<string, string>): Promise<GatewayGraphQLResponse> {
    const body = JSON.stringify({
      query: request.query,
      variables: request.variables,
      operationName: request.operationName,
      extensions: request.extensions,
    });
    const raw = await this.post(body, headers);
    if (raw.status < 200 || raw.status > 299) throw new SubgraphStatusError(this.url, raw.status, raw.statusText);
    const json =
      raw.contentType.startsWith('application/json') || raw.contentType.startsWith('application/graphql-response+json');
    const parsed: unknown = json ? JSON.parse(raw.text) : raw.text;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new Error(`Expected JSON response body, but received: ${raw.text.slice(0, 100)}`);
    }
    return parsed;
  }

  private post(body: string, headers: Record<string, string>): Promise<RawResponse> {
    if (!this.options.dedupe) return this.request(body, headers);
    // Same subgraph, same operation and variables, same access: the same answer.
    const key = `${accessKey(headers['authorization'])}\n${body}`;
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const started = this.request(body, headers).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, started);
    return started;
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
