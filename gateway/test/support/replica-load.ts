import { Agent, request as httpRequest } from 'node:http';
import { isDeepStrictEqual } from 'node:util';

/**
 * Concurrent clients, each on its own kept-alive connection, asking one subject's registration
 * over and over. Each request carries its own `x-request-id` and operation name, so that the
 * query register's record of it can be found. A request is acknowledged only when it got a 200
 * with exactly the expected data and no error; anything else (a reset, a 502, an error) is a
 * failure, kept with what was seen.
 */
export interface ReplicaLoadOptions {
  /** Where the i-th request of client c goes: a balancer's URL, or one replica per request. */
  target(client: number, i: number): string;
  clients: number;
  /** Caller headers (a GOVERNMENT token with a purpose). */
  headers: Record<string, string>;
  code: string;
  /** Prefix of the request ids and operation names, unique to the test. */
  prefix: string;
  /** Requests per client; unbounded (until `stop`) when absent. */
  perClient?: number;
}

export interface Acknowledged {
  requestId: string;
  operationName: string;
  /** The URL the client sent it to. */
  target: string;
}

export interface ReplicaLoad {
  acknowledged(): Acknowledged[];
  failures(): string[];
  /** Resolves once `count` more requests than now have been acknowledged. */
  more(count: number): Promise<void>;
  /** Resolves when every client has sent its `perClient` requests. */
  done(): Promise<void>;
  /** Stops the clients after their request in flight and resolves when every one has stopped. */
  stop(): Promise<void>;
}

export const LOAD_QUERY = (name: string) =>
  `query ${name}($code: CreditCode!) { enterprise(code: $code) { code marketRegulation { known } } }`;

export function startReplicaLoad(options: ReplicaLoadOptions): ReplicaLoad {
  const acknowledged: Acknowledged[] = [];
  const failures: string[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const expected = { data: { enterprise: { code: options.code, marketRegulation: { known: true } } } };
  let stopped = false;
  let sequence = 0;

  const send = (target: string, requestId: string, operationName: string, agent: Agent) =>
    new Promise<string | null>((resolve) => {
      const body = JSON.stringify({
        query: LOAD_QUERY(operationName),
        operationName,
        variables: { code: options.code },
      });
      const request = httpRequest(
        new URL('/graphql', target),
        {
          method: 'POST',
          agent,
          headers: {
            ...options.headers,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            'x-request-id': requestId,
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', (error) => resolve(`answer cut: ${error.message}`));
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json: unknown;
            try {
              json = JSON.parse(text);
            } catch {
              return resolve(`status ${response.statusCode}, not JSON: ${text.slice(0, 200)}`);
            }
            if (response.statusCode === 200 && isDeepStrictEqual(json, expected)) return resolve(null);
            resolve(`status ${response.statusCode}: ${text.slice(0, 300)}`);
          });
        },
      );
      request.on('error', (error: NodeJS.ErrnoException) => resolve(`no answer: ${error.code ?? error.message}`));
      request.end(body);
    });

  const client = async (index: number) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let i = 0; !stopped && (options.perClient === undefined || i < options.perClient); i++) {
        const n = ++sequence;
        const requestId = `${options.prefix}-${n}`;
        const operationName = `${options.prefix.replace(/[^A-Za-z0-9]/g, '')}Load${n}`;
        const target = options.target(index, i);
        const failure = await send(target, requestId, operationName, agent);
        if (failure !== null) {
          failures.push(`${requestId} via ${target}: ${failure}`);
          continue;
        }
        acknowledged.push({ requestId, operationName, target });
        for (const waiter of waiters.filter((candidate) => acknowledged.length >= candidate.count)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    } finally {
      agent.destroy();
    }
  };
  const running = Promise.all(Array.from({ length: options.clients }, (_, index) => client(index)));

  return {
    acknowledged: () => [...acknowledged],
    failures: () => [...failures],
    more: (count) =>
      new Promise<void>((resolve) => {
        const target = acknowledged.length + count;
        void running.then(() => resolve());
        waiters.push({ count: target, resolve });
      }),
    async done() {
      await running;
    },
    async stop() {
      stopped = true;
      await running;
    },
  };
}
