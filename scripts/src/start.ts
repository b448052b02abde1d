/**
 * `npm start`: the whole system on one machine with embedded defaults: the four department
 * stand-ins, the six subgraphs (social security on its embedded front-end database, which the
 * simulator hosts) and the gateway, each in its own process as docker-compose runs them. Ctrl-C
 * stops everything.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STAND_IN_NAMES, STAND_IN_PORTS, SUBGRAPH_NAMES, SUBGRAPH_PORTS, envName } from '@credit-gateway/common';
import { GATEWAY_NODE_FLAGS, generateDevKeys } from '@credit-gateway/gateway';
import { DEMO_SUBJECTS, subgraphEntry } from '@credit-gateway/sources';
import { loadLauncherConfig } from './launcher-config.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const { logLevel, gatewayPort } = loadLauncherConfig(process.env);
// A local development key set: the identity and consent keys the token CLI signs with, and the
// gateway's own key that subgraphs trust. Kept in .data/ so tokens survive a restart.
const keys = await generateDevKeys(join(root, '.data/dev-keys'));

interface Service {
  name: string;
  entry: string;
  /** Flags for Node itself, before the entry. */
  nodeFlags?: readonly string[];
  args?: string[];
  env: Record<string, string>;
  health: string;
}

const standIns: Service[] = STAND_IN_NAMES.map((name) => ({
  name: `stand-in ${name}`,
  entry: 'sources/dist/main.js',
  args: [name],
  env: { PORT: String(STAND_IN_PORTS[name]) },
  health: `http://127.0.0.1:${STAND_IN_PORTS[name]}/healthz`,
}));

const subgraphs: Service[] = SUBGRAPH_NAMES.map((name) => ({
  name: `subgraph ${name}`,
  entry: subgraphEntry(name),
  env: {
    PORT: String(SUBGRAPH_PORTS[name]),
    GATEWAY_PUBLIC_KEY_FILE: keys.files.gatewayPublicKey,
    ...(name in STAND_IN_PORTS
      ? { SOURCE_URL: `http://127.0.0.1:${STAND_IN_PORTS[name as keyof typeof STAND_IN_PORTS]}` }
      : {}),
    // The credit rules read the courts' enforcement linkage interface for the court feed.
    // …and signs its webhook deliveries to departments with the development outbox key.
    ...(name === 'credit' ? { LINKAGE_URL: `http://127.0.0.1:${STAND_IN_PORTS.courts}`, ...keys.creditEnv } : {}),
  },
  health: `http://127.0.0.1:${SUBGRAPH_PORTS[name]}/readyz`,
}));

const gateway: Service = {
  name: 'gateway',
  entry: 'gateway/dist/index.js',
  nodeFlags: GATEWAY_NODE_FLAGS,
  env: {
    PORT: String(gatewayPort),
    ...keys.env,
    ...Object.fromEntries(
      SUBGRAPH_NAMES.map((name) => [
        `SUBGRAPH_${envName(name)}_URL`,
        `http://127.0.0.1:${SUBGRAPH_PORTS[name]}/graphql`,
      ]),
    ),
  },
  health: `http://127.0.0.1:${gatewayPort}/readyz`,
};

const children: ChildProcess[] = [];
let stopping = false;
/**
 * How long the services get to stop: past the gateway's drain (SHUTDOWN_DRAIN_DELAY_MS, 2 s), its
 * grace for requests in flight (SHUTDOWN_GRACE_MS, 10 s) and the time its primary gives workers to
 * flush the register (5 s).
 */
const STOP_GRACE_MS = 20_000;

function running(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/**
 * Stops every service and exits once they have all exited. Each service runs in its own process
 * group, so that what is still running after the grace (a gateway worker whose event loop is
 * blocked, say) is killed with its whole group: nothing is left holding a port or a register lock
 * for the next `npm start`.
 */
function stopAll(code: number): void {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  setTimeout(() => {
    for (const child of children) {
      if (child.pid === undefined) continue;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // The group is gone already.
      }
    }
    process.exit(code === 0 ? 1 : code);
  }, STOP_GRACE_MS).unref();
  Promise.all(
    children.map((child) => new Promise((resolve) => (running(child) ? child.once('exit', resolve) : resolve(null)))),
  ).then(
    () => process.exit(code),
    () => process.exit(code),
  );
}

function launch(service: Service): void {
  const child = spawn(process.execPath, [...(service.nodeFlags ?? []), service.entry, ...(service.args ?? [])], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: logLevel, ...service.env },
    stdio: ['ignore', 'inherit', 'inherit'],
    // Its own process group: Ctrl-C reaches it through stopAll, and stopAll can end all of it.
    detached: true,
  });
  children.push(child);
  child.once('exit', (code, signal) => {
    if (stopping) return;
    process.stderr.write(`${service.name} exited (${signal ?? code}); stopping everything\n`);
    stopAll(1);
  });
}

async function waitUntilHealthy(service: Service, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (stopping) throw new Error('stopped');
    try {
      const response = await fetch(service.health, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${service.name} did not become healthy at ${service.health}`);
}

process.once('SIGINT', () => stopAll(0));
process.once('SIGTERM', () => stopAll(0));
// A closed terminal: the services, in their own process groups, would not hear of it otherwise.
process.once('SIGHUP', () => stopAll(0));

const started = Date.now();
try {
  for (const service of [...standIns, ...subgraphs]) launch(service);
  await Promise.all([...standIns, ...subgraphs].map((service) => waitUntilHealthy(service)));
  launch(gateway);
  await waitUntilHealthy(gateway);
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  stopAll(1);
}

if (!stopping) {
  const demo = [...DEMO_SUBJECTS.values()].map(
    (subject) => `  ${subject.facts.code}  ${subject.facts.name} — ${subject.scenario}`,
  );
  process.stdout.write(
    [
      '',
      `credit-gateway is up in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      `  GraphQL and GraphiQL: http://127.0.0.1:${gatewayPort}/graphql`,
      `  health: http://127.0.0.1:${gatewayPort}/healthz, readiness: http://127.0.0.1:${gatewayPort}/readyz`,
      '',
      'Tokens for the tiers (paste into GraphiQL\'s Headers as {"Authorization": "Bearer <token>", "x-credit-purpose": "..."}):',
      '  npm run -s auth -- token --tier GOVERNMENT --client approval-system',
      '  npm run -s auth -- consent --subject 91500155MA5UQ01CXD --grantee xinyidai-bank --purpose LOAN_APPROVAL --groups TAX_PAYMENTS',
      '',
      'Demo subjects:',
      ...demo,
      '',
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
}
