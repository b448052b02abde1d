/**
 * A Redis Cluster of the test's own, made of the machine's redis-server: six nodes (three
 * primaries, each with a replica) on ports chosen at run time, each in a temporary directory of
 * its own, nothing saved to disk. Without redis-server and redis-cli the caller fails, never skips.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export interface ClusterNode {
  port: number;
  /** Whether its process has been killed. */
  killed: boolean;
}

export interface LocalRedisCluster {
  /** `redis://127.0.0.1:<port>` of each node, primaries first as the cluster was formed. */
  urls: string[];
  nodes: ClusterNode[];
  /** A plain client on one node, for CLUSTER and INFO commands; closed with the cluster. */
  admin(port: number): Redis;
  /** The port of the primary serving `slot` now. */
  primaryOf(slot: number): Promise<number>;
  /** CLUSTER KEYSLOT of each key, as the cluster computes it. */
  keySlots(keys: readonly string[]): Promise<number[]>;
  /** Every key matching `pattern` on every live primary. */
  keys(pattern: string): Promise<string[]>;
  /**
   * Kills the primary on `port` (SIGKILL, as a crash would) and waits until one of its replicas
   * has taken its slots and every live node reports `cluster_state:ok`; returns the new primary.
   */
  killPrimary(port: number): Promise<number>;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';
/** How long the cluster takes a silent node for failed: short, so a failover takes seconds. */
const NODE_TIMEOUT_MS = 1_000;

/** Throws a clear error unless both programs are on the PATH. */
function requirePrograms(): void {
  for (const program of ['redis-server', 'redis-cli']) {
    const found = spawnSync(program, ['--version'], { encoding: 'utf8' });
    if (found.error || found.status !== 0)
      throw new Error(
        `The Redis Cluster tests need ${program} on the PATH (Redis 7, e.g. the redis-server package): ${found.error?.message ?? found.stderr}`,
      );
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, HOST, () => server.close(() => resolve(true)));
  });
}

/** Ports whose cluster bus port (port + 10000) is free too, below the ephemeral range. */
async function sparePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  for (let tries = 0; ports.length < count && tries < 1_000; tries++) {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    if (ports.some((taken) => Math.abs(taken - port) <= 1 || Math.abs(taken + 10_000 - port) <= 1)) continue;
    if ((await portFree(port)) && (await portFree(port + 10_000))) ports.push(port);
  }
  if (ports.length < count) throw new Error('No spare ports for a Redis Cluster');
  return ports;
}

/** Polls `check` until it holds; throws `what` with the last reason after `deadlineMs`. */
async function until(what: string, check: () => Promise<string | true>, deadlineMs = 60_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  let reason = '';
  while (Date.now() < deadline) {
    try {
      const result = await check();
      if (result === true) return;
      reason = result;
    } catch (error) {
      reason = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Redis Cluster: ${what} did not happen (${reason})`);
}

function runCli(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const cli = spawn('redis-cli', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    cli.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    cli.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    cli.once('error', reject);
    cli.once('exit', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`redis-cli ${args.join(' ')} exited ${code}: ${output}`)),
    );
  });
}

type ClusterSlots = [start: number, end: number, primary: [host: string, port: number, ...rest: unknown[]]][];

export async function startRedisCluster(): Promise<LocalRedisCluster> {
  requirePrograms();
  const ports = await sparePorts(6);
  const processes = new Map<number, ChildProcess>();
  const dirs: string[] = [];
  const admins = new Map<number, Redis>();
  const nodes: ClusterNode[] = ports.map((port) => ({ port, killed: false }));

  const admin = (port: number): Redis => {
    let client = admins.get(port);
    if (!client) {
      client = new Redis(port, HOST, { maxRetriesPerRequest: 0, retryStrategy: () => 100, lazyConnect: true });
      client.on('error', () => undefined);
      admins.set(port, client);
    }
    return client;
  };
  const live = () => nodes.filter((node) => !node.killed);
  const clusterInfo = async (port: number) =>
    Object.fromEntries(
      ((await admin(port).call('CLUSTER', 'INFO')) as string)
        .split(/\r?\n/)
        .filter((line) => line.includes(':'))
        .map((line) => line.split(':') as [string, string]),
    );
  const slots = async () => {
    for (const node of live()) {
      try {
        return (await admin(node.port).call('CLUSTER', 'SLOTS')) as ClusterSlots;
      } catch {
        // The next node answers.
      }
    }
    throw new Error('no node answers CLUSTER SLOTS');
  };
  const kill = async (port: number) => {
    const running = processes.get(port);
    processes.delete(port);
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = once(running, 'exit');
    running.kill('SIGKILL');
    await exited;
  };
  const close = async () => {
    for (const client of admins.values()) client.disconnect();
    await Promise.all([...processes.keys()].map(kill));
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  };

  try {
    for (const port of ports) {
      const dir = await mkdtemp(join(tmpdir(), `credit-gateway-redis-cluster-${port}-`));
      dirs.push(dir);
      // The arguments come from this file only: the ports were chosen above, the directory made.
      const server = spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          HOST,
          '--dir',
          dir,
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(dir, 'nodes.conf'),
          '--cluster-node-timeout',
          String(NODE_TIMEOUT_MS),
          '--appendonly',
          'no',
          '--save',
          '',
          '--logfile',
          join(dir, 'redis.log'),
        ],
        { stdio: 'ignore' },
      );
      processes.set(port, server);
    }
    for (const port of ports)
      await until(`node ${port} answering`, async () => ((await admin(port).ping()) === 'PONG' ? true : 'no PONG'));
    await runCli([
      '--cluster',
      'create',
      ...ports.map((port) => `${HOST}:${port}`),
      '--cluster-replicas',
      '1',
      '--cluster-yes',
    ]);
    const settled = async (): Promise<string | true> => {
      for (const node of live()) {
        const info = await clusterInfo(node.port);
        if (info['cluster_state'] !== 'ok') return `${node.port}: cluster_state:${info['cluster_state']}`;
        if (info['cluster_slots_ok'] !== '16384') return `${node.port}: ${info['cluster_slots_ok']} slots ok`;
      }
      // Every replica has its primary's data, so that a failover can follow.
      for (const node of live()) {
        const replication = await admin(node.port).info('replication');
        if (/^role:slave/m.test(replication) && !/^master_link_status:up/m.test(replication))
          return `${node.port}: replica not in sync`;
      }
      return true;
    };
    await until('cluster_state:ok on every node', settled);

    return {
      urls: ports.map((port) => `redis://${HOST}:${port}`),
      nodes,
      admin,
      async primaryOf(slot) {
        const range = (await slots()).find(([start, end]) => start <= slot && slot <= end);
        if (!range) throw new Error(`No primary serves slot ${slot}`);
        return range[2][1];
      },
      async keySlots(keys) {
        const port = live()[0]!.port;
        return Promise.all(keys.map(async (key) => (await admin(port).call('CLUSTER', 'KEYSLOT', key)) as number));
      },
      async keys(pattern) {
        const primaries = new Set((await slots()).map(([, , primary]) => primary[1]));
        const found: string[] = [];
        for (const port of primaries) found.push(...(await admin(port).keys(pattern)));
        return found;
      },
      async killPrimary(port) {
        const before = (await slots()).filter(([, , primary]) => primary[1] === port);
        if (before.length === 0) throw new Error(`${port} is not a primary`);
        const node = nodes.find((each) => each.port === port)!;
        node.killed = true;
        admins.get(port)?.disconnect();
        admins.delete(port);
        await kill(port);
        let promoted = 0;
        await until(
          `a replica taking over from ${port}`,
          async () => {
            const now = await slots();
            const owner = now.find(([start]) => start === before[0]![0])?.[2][1];
            if (owner === undefined || owner === port) return `slot ${before[0]![0]} still on ${port}`;
            promoted = owner;
            return settled();
          },
          30_000,
        );
        return promoted;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
