/**
 * The whole system as separate processes on free ports of 127.0.0.1, as `npm start` runs it, for
 * the fuzz and chaos runners: a crash, a hang or a kill -9 of one process shows up to the client
 * as it would in production, and the runner itself stays alive to count it. Runs the built
 * `dist/` entry points (`tsc -b` first).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STAND_IN_NAMES, SUBGRAPH_NAMES, envName, type StandInName, type SubgraphName } from '@credit-gateway/common';
import { GATEWAY_NODE_FLAGS, generateDevKeys, type DevKeySet } from '@credit-gateway/gateway';
import { subgraphEntry } from '@credit-gateway/sources';

export const REPOSITORY = fileURLToPath(new URL('../../../', import.meta.url));

const handedOut = new Set<number>();

/** A port nothing listens on now, never the same one twice in this process. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await anyFreePort();
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

async function anyFreePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no free port');
  return address.port;
}

/** Polls `url` until it answers 200, or throws after `timeoutMs`. */
export async function waitUntilReady(url: string, timeoutMs = 120_000, alive?: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (alive && !alive()) throw new Error(`the process behind ${url} exited`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not become ready in ${timeoutMs} ms`);
}

interface Service {
  name: string;
  entry: string;
  args: string[];
  nodeFlags: readonly string[];
  env: Record<string, string>;
  port: number;
  health: string;
  child?: ChildProcess;
}

export interface SystemOptions {
  /** Subjects the courts index and the front-end database hold besides the demo subjects (2,000). */
  populationSize?: number;
  /** Extra environment of every gateway process. */
  gatewayEnv?: Record<string, string>;
  /** Extra environment per subgraph. */
  subgraphEnv?: Partial<Record<SubgraphName, Record<string, string>>>;
  /** Gateway processes over the same subgraphs, each with its own extra environment (default one). */
  gateways?: Record<string, string>[];
  logLevel?: string;
}

export interface GatewayProcess {
  url: string;
  port: number;
  pid(): number | undefined;
  /** Sends `signal` and waits for the process to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port with the same environment, and waits for /readyz. */
  restart(): Promise<void>;
  /** The gateway's environment, without the runner's own. */
  env: Record<string, string>;
}

export interface RunningSystem {
  dir: string;
  keys: DevKeySet;
  gateways: GatewayProcess[];
  standInUrl(name: StandInName): string;
  subgraphUrl(name: SubgraphName): string;
  /** Restarts a subgraph with extra environment (e.g. FAULT_* for the embedded front-end database). */
  restartSubgraph(name: SubgraphName, env?: Record<string, string>): Promise<void>;
  stopSubgraph(name: SubgraphName): Promise<void>;
  close(): Promise<void>;
}

async function stop(service: Service, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const child = service.child;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

function launch(service: Service, logLevel: string, output: (line: string) => void): void {
  const child = spawn(process.execPath, [...service.nodeFlags, service.entry, ...service.args], {
    cwd: REPOSITORY,
    env: { ...process.env, LOG_LEVEL: logLevel, ...service.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => output(`[${service.name}] ${chunk}`));
  service.child = child;
  running.add(child);
  child.once('exit', () => running.delete(child));
  killOnExit();
}

/** Children still running, killed if the runner itself exits without closing the system. */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function killOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      for (const child of running) child.kill('SIGKILL');
      process.exit(130);
    });
}

const alive = (service: Service) => () =>
  service.child !== undefined && service.child.exitCode === null && service.child.signalCode === null;

/**
 * Starts the system; tries again (three times in all) when a process could not start, e.g. because
 * another program took its port between choosing and listening.
 */
export async function startSystem(options: SystemOptions = {}): Promise<RunningSystem> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startSystemOnce(options);
    } catch (error) {
      if (attempt >= 3) throw error;
      process.stderr.write(`starting the system failed (${(error as Error).message}); trying again\n`);
    }
  }
}

async function startSystemOnce(options: SystemOptions): Promise<RunningSystem> {
  const dir = await mkdtemp(join(tmpdir(), 'credit-gateway-system-'));
  const keys = await generateDevKeys(join(dir, 'keys'));
  const logLevel = options.logLevel ?? 'error';
  const population = String(options.populationSize ?? 2_000);
  const output = (line: string) => process.stderr.write(line);
  const services: Service[] = [];
  try {
    const standIns = new Map<StandInName, Service>();
    for (const name of STAND_IN_NAMES) {
      const port = await freePort();
      const service: Service = {
        name: `stand-in ${name}`,
        entry: 'sources/dist/main.js',
        args: [name],
        nodeFlags: [],
        env: { PORT: String(port), POPULATION_SIZE: population },
        port,
        health: `http://127.0.0.1:${port}/healthz`,
      };
      standIns.set(name, service);
    }
    const subgraphs = new Map<SubgraphName, Service>();
    for (const name of SUBGRAPH_NAMES) {
      const port = await freePort();
      const standIn = standIns.get(name as StandInName);
      const env: Record<string, string> = {
        PORT: String(port),
        // Metrics ports are fixed by default: off here, where many systems run side by side.
        METRICS_PORT: '0',
        GATEWAY_PUBLIC_KEY_FILE: keys.files.gatewayPublicKey,
        ...(standIn ? { SOURCE_URL: `http://127.0.0.1:${standIn.port}` } : {}),
        ...(name === 'social-security' ? { FRONT_DB_POPULATION: population } : {}),
        ...(name === 'credit'
          ? {
              LINKAGE_URL: `http://127.0.0.1:${standIns.get('courts')!.port}`,
              CREDIT_STORE_DIR: join(dir, 'credit'),
              ...keys.creditEnv,
            }
          : {}),
        ...options.subgraphEnv?.[name],
      };
      subgraphs.set(name, {
        name: `subgraph ${name}`,
        entry: subgraphEntry(name),
        args: [],
        nodeFlags: [],
        env,
        port,
        health: `http://127.0.0.1:${port}/readyz`,
      });
    }
    const backends = [...standIns.values(), ...subgraphs.values()];
    services.push(...backends);
    for (const service of backends) launch(service, logLevel, output);
    await Promise.all(backends.map((service) => waitUntilReady(service.health, 120_000, alive(service))));

    const gateways: GatewayProcess[] = [];
    for (const [index, extra] of (options.gateways ?? [{}]).entries()) {
      const port = await freePort();
      const env: Record<string, string> = {
        PORT: String(port),
        METRICS_PORT: '0',
        ...keys.env,
        WORKERS: '1',
        // The file register unless the run puts it on PostgreSQL.
        ...(options.gatewayEnv?.['REGISTER_DATABASE_URL'] ? {} : { REGISTER_DIR: join(dir, `register-${index}`) }),
        REGISTER_WRITER_ID: `gateway-${index}`,
        ...Object.fromEntries(
          [...subgraphs].map(([name, service]) => [
            `SUBGRAPH_${envName(name)}_URL`,
            `http://127.0.0.1:${service.port}/graphql`,
          ]),
        ),
        ...options.gatewayEnv,
        ...extra,
      };
      const service: Service = {
        name: `gateway ${index}`,
        entry: 'gateway/dist/index.js',
        args: [],
        nodeFlags: GATEWAY_NODE_FLAGS,
        env,
        port,
        health: `http://127.0.0.1:${port}/readyz`,
      };
      services.push(service);
      launch(service, logLevel, output);
      await waitUntilReady(service.health, 120_000, alive(service));
      gateways.push({
        url: `http://127.0.0.1:${port}`,
        port,
        env,
        pid: () => service.child?.pid,
        kill: (signal = 'SIGTERM') => stop(service, signal),
        async restart() {
          await stop(service);
          launch(service, logLevel, output);
          await waitUntilReady(service.health, 120_000, alive(service));
        },
      });
    }
    return {
      dir,
      keys,
      gateways,
      standInUrl: (name) => `http://127.0.0.1:${standIns.get(name)!.port}`,
      subgraphUrl: (name) => `http://127.0.0.1:${subgraphs.get(name)!.port}/graphql`,
      async restartSubgraph(name, env = {}) {
        const service = subgraphs.get(name)!;
        await stop(service);
        service.env = { ...service.env, ...env };
        launch(service, logLevel, output);
        await waitUntilReady(service.health, 120_000, alive(service));
      },
      stopSubgraph: (name) => stop(subgraphs.get(name)!),
      async close() {
        await Promise.all(services.map((service) => stop(service)));
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await Promise.all(services.map((service) => stop(service)));
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
