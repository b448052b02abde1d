import { Agent, request as httpRequest, type IncomingMessage } from 'node:http';
import { listen, sendJson, type RunningServer } from '@credit-gateway/common';

/**
 * A small load balancer in front of gateway replicas, as a real one behaves: it asks each
 * replica's readiness URL often, sends each request to the next replica (round-robin) that is in
 * rotation, keeps connections to the replicas alive, and never retries: a request a replica drops
 * is a failed request for the client. Like a Kubernetes readiness probe, a replica enters rotation
 * on one 200 and leaves it after `failureThreshold` answers in a row that are not 200: one slow
 * probe on a busy machine does not take a healthy replica out.
 */
export interface BalancerBackend {
  name: string;
  /** Where requests go. */
  url: string;
  /** What the balancer polls: 200 is "send", anything else or no answer is "do not". */
  readyUrl: string;
}

/**
 * What a poll saw: `ready` (200), `draining` (503 saying draining), `unready` (another answer),
 * `down` (no answer: nothing listens).
 */
export type BackendState = 'ready' | 'draining' | 'unready' | 'down';

export interface Balancer {
  url: string;
  /** Each change of a backend's state as the polls saw it, oldest first (starting with the first poll). */
  history(name: string): BackendState[];
  /** Requests sent to each backend. */
  sent(): Record<string, number>;
  /** Resolves once a poll of `name` has seen `state`. */
  waitFor(name: string, state: BackendState): Promise<void>;
  close(): Promise<void>;
}

export interface BalancerOptions {
  /** Pause between two polls of one backend. */
  pollMs?: number;
  /** Polls in a row that are not 200 before a replica leaves rotation (Kubernetes' failureThreshold). */
  failureThreshold?: number;
}

export async function startBalancer(backends: BalancerBackend[], options: BalancerOptions = {}): Promise<Balancer> {
  const pollMs = options.pollMs ?? 50;
  const failureThreshold = options.failureThreshold ?? 3;
  /** Polls in a row that were not 200, by backend; a backend is in rotation while below the threshold. */
  const failures = new Map(backends.map((backend) => [backend.name, failureThreshold]));
  const states = new Map(backends.map((backend) => [backend.name, [] as BackendState[]]));
  const current = new Map<string, BackendState>();
  const sent = Object.fromEntries(backends.map((backend) => [backend.name, 0]));
  const waiters: { name: string; state: BackendState; resolve: () => void }[] = [];
  const agents = new Map(backends.map((backend) => [backend.name, new Agent({ keepAlive: true, maxSockets: 64 })]));
  let closed = false;
  let next = 0;

  const observe = (name: string, state: BackendState) => {
    failures.set(name, state === 'ready' ? 0 : failures.get(name)! + 1);
    if (current.get(name) !== state) {
      current.set(name, state);
      states.get(name)!.push(state);
    }
    for (const waiter of waiters.filter((candidate) => candidate.name === name && candidate.state === state)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  };

  // A new connection for each poll: "down" means the listener is closed, not that a kept connection was.
  const poll = (backend: BalancerBackend) =>
    new Promise<BackendState>((resolve) => {
      const probe = httpRequest(backend.readyUrl, { agent: false, timeout: 2_000 }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', () => resolve('down'));
        response.on('end', () => {
          if (response.statusCode === 200) return resolve('ready');
          let draining = false;
          try {
            draining = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { draining?: unknown }).draining === true;
          } catch {
            // Not JSON: merely unready.
          }
          resolve(draining ? 'draining' : 'unready');
        });
      });
      probe.on('timeout', () => probe.destroy(new Error('readiness probe timed out')));
      probe.on('error', () => resolve('down'));
      probe.end();
    });

  const loops = backends.map(async (backend) => {
    while (!closed) {
      observe(backend.name, await poll(backend));
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  });

  const pick = (): BalancerBackend | undefined => {
    for (let tried = 0; tried < backends.length; tried++) {
      const backend = backends[next++ % backends.length]!;
      if (failures.get(backend.name)! < failureThreshold) return backend;
    }
    return undefined;
  };

  const server: RunningServer = await listen((request, response) => {
    const backend = pick();
    if (!backend) {
      request.resume();
      return sendJson(response, 503, { errors: [{ message: 'no replica is ready' }] });
    }
    sent[backend.name]!++;
    const target = new URL(request.url ?? '/', backend.url);
    const upstream = httpRequest(
      target,
      { method: request.method, headers: { ...request.headers, host: target.host }, agent: agents.get(backend.name) },
      (answer: IncomingMessage) => {
        // Hop-by-hop: the client's connection to the balancer is the balancer's own business.
        const headers = { ...answer.headers };
        delete headers['connection'];
        delete headers['keep-alive'];
        response.writeHead(answer.statusCode ?? 502, headers);
        answer.pipe(response);
        answer.on('error', () => response.destroy());
      },
    );
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (response.headersSent) return void response.destroy();
      sendJson(response, 502, {
        errors: [{ message: `replica ${backend.name} failed: ${error.code ?? error.message}` }],
      });
    });
    request.pipe(upstream);
  }, 0);

  return {
    url: server.url,
    history: (name) => [...(states.get(name) ?? [])],
    sent: () => ({ ...sent }),
    waitFor: (name, state) =>
      current.get(name) === state
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiters.push({ name, state, resolve })),
    async close() {
      closed = true;
      await Promise.all(loops);
      await server.close();
      for (const agent of agents.values()) agent.destroy();
    },
  };
}
