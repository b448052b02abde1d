/**
 * One HTTP exchange with a bound, judged the way a client would: did it answer, with what status,
 * and does every error carry a code from the closed list. Uses node:http directly so that bodies,
 * methods and headers can be anything, and a reset or a hang is seen as such.
 */
import { Agent, request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { isErrorCode } from '@credit-gateway/common';

export interface Exchange {
  method: string;
  path: string;
  headers: OutgoingHttpHeaders;
  body?: string | Buffer;
}

/**
 * - `ok`: answered, and every error (if any) carries a known code;
 * - `uncoded`: answered, but an error has no `extensions.code`, an unknown one, or the body of a
 *   failed answer is not GraphQL JSON;
 * - `hang`: no complete answer within the bound;
 * - `reset`: the connection was reset or closed before a complete answer.
 */
export type Verdict = 'ok' | 'uncoded' | 'hang' | 'reset';

export interface Outcome {
  verdict: Verdict;
  status: number | null;
  /** The codes of the answer's errors, in order. */
  codes: string[];
  /** Why an answer is `uncoded`, or the socket error of a reset. */
  detail?: string;
  latencyMs: number;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body, when it was JSON. */
  json?: unknown;
}

export function createAgent(maxSockets: number): Agent {
  return new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
}

interface GraphQLBody {
  data?: unknown;
  errors?: unknown;
}

/** What is wrong with an answer's body, or null when every error carries a known code. */
export function judgeBody(status: number, text: string): { problem: string | null; codes: string[]; json?: unknown } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // A non-JSON success (GraphiQL's page, say) is not an error answer.
    return { problem: status >= 400 ? `non-JSON body: ${text.slice(0, 80)}` : null, codes: [] };
  }
  const body = json as GraphQLBody;
  if (typeof body !== 'object' || body === null) return { problem: 'body is not an object', codes: [], json };
  const errors = body.errors;
  if (errors === undefined) {
    return { problem: status >= 400 ? `status ${status} without errors` : null, codes: [], json };
  }
  if (!Array.isArray(errors) || errors.length === 0)
    return { problem: 'errors is not a non-empty list', codes: [], json };
  const codes: string[] = [];
  for (const error of errors as { message?: unknown; extensions?: { code?: unknown } }[]) {
    const code = error?.extensions?.code;
    if (code === undefined)
      return { problem: `error without code: ${String(error?.message).slice(0, 120)}`, codes, json };
    if (!isErrorCode(code)) return { problem: `unknown code ${JSON.stringify(code)}`, codes, json };
    codes.push(code);
  }
  return { problem: null, codes, json };
}

export function send(baseUrl: string, exchange: Exchange, options: { agent: Agent; hangMs: number }): Promise<Outcome> {
  const started = performance.now();
  const url = new URL(exchange.path, baseUrl);
  return new Promise<Outcome>((resolve) => {
    let settled = false;
    const finish = (outcome: Omit<Outcome, 'latencyMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...outcome, latencyMs: performance.now() - started });
    };
    const request = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: exchange.method,
        headers: exchange.headers,
        agent: options.agent,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', (error) =>
          finish({
            verdict: 'reset',
            status: response.statusCode ?? null,
            codes: [],
            detail: error.message,
            headers: {},
          }),
        );
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          if (!response.complete) {
            finish({ verdict: 'reset', status, codes: [], detail: 'answer cut short', headers: response.headers });
            return;
          }
          // A HEAD answer has no body by definition (RFC 9110 §9.3.2): its status is all there is to judge.
          const judged =
            exchange.method === 'HEAD'
              ? { problem: null, codes: [] }
              : judgeBody(status, Buffer.concat(chunks).toString('utf8'));
          finish({
            verdict: judged.problem === null ? 'ok' : 'uncoded',
            status,
            codes: judged.codes,
            ...(judged.problem === null ? {} : { detail: judged.problem }),
            headers: response.headers,
            json: judged.json,
          });
        });
      },
    );
    const timer = setTimeout(() => {
      finish({ verdict: 'hang', status: null, codes: [], detail: `no answer in ${options.hangMs} ms`, headers: {} });
      request.destroy();
    }, options.hangMs);
    // A socket can fail after its answer was read (a body still being sent when the server closes):
    // the request's own handler no longer hears it, and an unheard socket error would end the runner.
    request.on('socket', (socket) => {
      // A kept-alive socket serves many exchanges: one listener is enough.
      if (!socket.listeners('error').includes(ignoreSocketError)) socket.on('error', ignoreSocketError);
    });
    request.on('error', (error: NodeJS.ErrnoException) =>
      finish({ verdict: 'reset', status: null, codes: [], detail: error.code ?? error.message, headers: {} }),
    );
    if (exchange.body === undefined) request.end();
    else request.end(exchange.body);
  });
}

/** Socket errors after an answer are the exchange's business only while it lasts; see `send`. */
function ignoreSocketError(): void {}
