import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '@credit-gateway/common';
import type { RedisConfig, RedisKeyspaceConfig, RedisKeyspaceName, RedisRoleConfig, RedisRoleName } from './config.js';

export type RedisClient = Redis | Cluster;

export interface RedisClientOptions {
  url: string;
  /** `url` names one node of a Redis Cluster. */
  cluster: boolean;
  /** Further Cluster nodes (`host:port`) to start from. */
  clusterSeeds?: readonly string[];
  /** Bound on one command; ignored for a subscriber. */
  commandTimeoutMs: number;
  /**
   * A subscriber waits for its connection and queues its SUBSCRIBE; every other client fails a
   * command at once while disconnected, so the caller answers from its in-memory layer instead.
   */
  subscriber: boolean;
}

/** Makes a client: ioredis, or in tests a stand-in (the rules of a Cluster over one Redis, say). */
export type RedisConnector = (options: RedisClientOptions) => RedisClient;

const retry = (attempt: number) => Math.min(attempt * 200, 2_000);

/**
 * Fails fast and reconnects for ever, so that Redis going away never hangs a request. On a
 * Cluster, failing fast is the Cluster's own offline queue; each node's connection keeps
 * ioredis's defaults (it queues until connected, and a node lost for good is dropped and the
 * slots read again rather than reconnected for ever), bounded by the same command timeout.
 */
export const connectRedis: RedisConnector = ({ url, cluster, clusterSeeds = [], commandTimeoutMs, subscriber }) => {
  if (!cluster) {
    const options: RedisOptions = subscriber
      ? { retryStrategy: retry }
      : {
          enableOfflineQueue: false,
          maxRetriesPerRequest: 0,
          commandTimeout: commandTimeoutMs,
          connectTimeout: 2_000,
          retryStrategy: retry,
        };
    return new Redis(url, options);
  }
  const parsed = new URL(url);
  const seeds = [`${parsed.hostname}:${parsed.port || 6379}`, ...clusterSeeds].map((node) => {
    const at = node.lastIndexOf(':');
    return { host: node.slice(0, at).replace(/^\[(.*)\]$/, '$1'), port: Number(node.slice(at + 1)) };
  });
  return new Cluster(seeds, {
    enableOfflineQueue: subscriber,
    clusterRetryStrategy: retry,
    redisOptions: {
      ...(subscriber ? {} : { maxRetriesPerRequest: 0, commandTimeout: commandTimeoutMs }),
      connectTimeout: 2_000,
      username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
      password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
      tls: parsed.protocol === 'rediss:' ? {} : undefined,
    },
  });
};

/**
 * A key part that decides the key's Redis Cluster slot: keys that one command or script touches
 * together must carry the same tag.
 */
export function hashTag(value: string): string {
  if (/[{}]/.test(value)) throw new Error('A hash tag cannot hold a brace');
  // An empty tag is no tag: Redis would hash the whole key.
  if (value === '') throw new Error('A hash tag cannot be empty');
  return `{${value}}`;
}

const SLOT_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[byte] = crc;
  }
  return table;
})();

/**
 * The Redis Cluster slot of a key, as CLUSTER KEYSLOT computes it: CRC16 (XMODEM) modulo 16384
 * of the key's hash tag (what lies between its first `{` and the next `}`, if not empty) or else
 * of the whole key.
 */
export function keySlot(key: string): number {
  let bytes = Buffer.from(key);
  const open = bytes.indexOf(0x7b);
  if (open !== -1) {
    const close = bytes.indexOf(0x7d, open + 1);
    if (close > open + 1) bytes = bytes.subarray(open + 1, close);
  }
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) & 0xffff) ^ SLOT_TABLE[((crc >> 8) ^ byte) & 0xff]!;
  return crc & 0x3fff;
}

/** A command on one key: its name, the key, then its arguments. */
export type RedisKeyCommand = [name: string, key: string, ...args: (string | number)[]];

/** A command's error, or null and its reply. */
export type RedisReply = [error: Error | null, reply: unknown];

/** Redis's glob characters, read as themselves in a SCAN pattern. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/** Closes a connection and waits until it has ended; one still (re)connecting is dropped at once. */
async function quit(client: RedisClient): Promise<void> {
  if (client.status !== 'ready') return client.disconnect();
  const ended = new Promise((resolve) => client.once('end', resolve));
  await client.quit().catch(() => client.disconnect());
  await ended;
}

/** What a subscriber is given; a promise it returns is awaited only on a delivery within the process. */
export type RedisMessageListener = (message: string) => void | Promise<void>;

export interface RedisRoleHealth {
  /**
   * `memory`: no URL, each process keeps its own; `idle`: nothing in this process has needed it
   * yet; `up` or `down`: its command connection; `closed`: the provider is closed.
   */
  status: 'memory' | 'idle' | 'up' | 'down' | 'closed';
  cluster: boolean;
  /** The connection for pub/sub, once something subscribed. */
  subscriber?: 'up' | 'down';
  /** The keyspaces this role holds, with their prefixes. */
  keyspaces: Partial<Record<RedisKeyspaceName, string>>;
}

export type RedisHealth = Record<RedisRoleName, RedisRoleHealth>;

/** One role's connections: opened on first use, closed once. */
class Role {
  private client: RedisClient | undefined;
  private subscriber: RedisClient | undefined;
  private readonly listeners = new Map<string, Set<RedisMessageListener>>();
  private closing: Promise<void> | undefined;

  constructor(
    readonly config: RedisRoleConfig,
    private readonly connect: RedisConnector,
    private readonly logger: Logger,
  ) {}

  command(): RedisClient | undefined {
    const { url, cluster, clusterSeeds, commandTimeoutMs } = this.config;
    if (this.client || url === undefined || this.closing) return this.client;
    this.client = this.connect({ url, cluster, clusterSeeds, commandTimeoutMs, subscriber: false });
    // Each command fails on its own and its caller decides; an outage is not an unhandled 'error'.
    this.client.on('error', () => undefined);
    return this.client;
  }

  private subscriberClient(): RedisClient | undefined {
    const { url, cluster, clusterSeeds, commandTimeoutMs } = this.config;
    if (this.subscriber || url === undefined || this.closing) return this.subscriber;
    const subscriber = this.connect({ url, cluster, clusterSeeds, commandTimeoutMs, subscriber: true });
    subscriber.on('error', () => undefined);
    subscriber.on('message', (channel: string, message: string) => {
      for (const listener of this.listeners.get(channel) ?? []) void this.deliver(listener, message);
    });
    this.subscriber = subscriber;
    return subscriber;
  }

  private deliver(listener: RedisMessageListener, message: string): Promise<void> {
    const failed = (error: unknown) =>
      this.logger.error({ err: error }, 'Redis: a subscriber failed on a message; the others still got it');
    try {
      return Promise.resolve(listener(message)).catch(failed);
    } catch (error) {
      failed(error);
      return Promise.resolve();
    }
  }

  subscribe(channel: string, listener: RedisMessageListener): () => void {
    let listeners = this.listeners.get(channel);
    if (!listeners) {
      listeners = new Set();
      this.listeners.set(channel, listeners);
      // Queued until connected, and subscribed again after every reconnection.
      this.subscriberClient()
        ?.subscribe(channel)
        .catch((error: unknown) => this.logger.warn({ err: error, channel }, 'Redis: cannot subscribe'));
    }
    listeners.add(listener);
    return () => {
      if (!listeners.delete(listener) || listeners.size > 0) return;
      this.listeners.delete(channel);
      if (!this.closing) this.subscriber?.unsubscribe(channel).catch(() => undefined);
    };
  }

  async publish(channel: string, message: string): Promise<void> {
    if (this.config.url === undefined) {
      // No Redis: the only subscribers are in this process.
      await Promise.all([...(this.listeners.get(channel) ?? [])].map((listener) => this.deliver(listener, message)));
      return;
    }
    const client = this.command();
    if (!client) throw new Error('Redis is closed');
    await client.publish(channel, message);
  }

  /** The role's nodes that hold keys: every master of a Cluster, or the one Redis. */
  nodes(): Redis[] {
    const client = this.command();
    if (!client) return [];
    return this.config.cluster ? (client as Cluster).nodes('master') : [client as Redis];
  }

  health(keyspaces: Partial<Record<RedisKeyspaceName, string>>): RedisRoleHealth {
    const { url, cluster } = this.config;
    const up = (client: RedisClient) => (client.status === 'ready' ? 'up' : 'down');
    const status = url === undefined ? 'memory' : this.closing ? 'closed' : this.client ? up(this.client) : 'idle';
    return {
      status,
      cluster,
      ...(this.subscriber && !this.closing ? { subscriber: up(this.subscriber) } : {}),
      keyspaces,
    };
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.listeners.clear();
      const clients = [this.client, this.subscriber].filter((client) => client !== undefined);
      await Promise.all(clients.map(quit));
    })();
    return this.closing;
  }
}

/**
 * What one user of Redis sees: its role's connection and its own key prefix. Without a URL for
 * the role the keyspace is local (`shared` is false, no client): the user keeps its data in its
 * own memory layer, and messages published go to this process's subscribers only. The same
 * holds while Redis is down: commands fail at once (or after the role's command timeout when
 * Redis hangs), and the user answers from memory.
 */
export class RedisKeyspace {
  constructor(
    readonly name: RedisKeyspaceName,
    private readonly role: Role,
    private readonly config: RedisKeyspaceConfig,
  ) {}

  get prefix(): string {
    return this.config.prefix;
  }

  /** Whether the keyspace lives in Redis, shared by the replicas, rather than in each process. */
  get shared(): boolean {
    return this.role.config.url !== undefined;
  }

  get cluster(): boolean {
    return this.role.config.cluster;
  }

  get commandTimeoutMs(): number {
    return this.role.config.commandTimeoutMs;
  }

  /** Memory in use on the role's Redis past which nothing more should be written there. */
  get maxBytes(): number | undefined {
    return this.role.config.maxBytes;
  }

  /** The prefix and the parts, joined by ':'; a part made by `hashTag` places the key's slot. */
  key(...parts: string[]): string {
    return this.config.prefix + parts.join(':');
  }

  /** The role's command client, connected on first use; none when the role has no URL. */
  client(): RedisClient | undefined {
    return this.role.command();
  }

  /** Whether a command sent now can reach Redis. */
  available(): boolean {
    return this.client()?.status === 'ready';
  }

  /**
   * Sends commands on keys of any slots together, without a cross-slot command: one pipeline on
   * a single Redis; on a Cluster one pipeline per slot, all at once (a Cluster pipeline must stay
   * on one node, and one slot always is). Never rejects: each command has its reply or its
   * error, in the order given, so a slot whose node is failing over costs its own commands only.
   * A slot not answered within the role's command timeout fails too: a Cluster client retries a
   * command through a failover (slots read again, redirections followed), but not past that.
   */
  async pipeline(commands: readonly RedisKeyCommand[]): Promise<RedisReply[]> {
    const client = this.client();
    const groups = new Map<number, number[]>();
    commands.forEach((command, index) => {
      const slot = this.cluster ? keySlot(command[1]) : 0;
      const group = groups.get(slot);
      if (group) group.push(index);
      else groups.set(slot, [index]);
    });
    const replies: RedisReply[] = commands.map(() => [new Error('Redis is not configured or closed'), null]);
    if (!client) return replies;
    await Promise.all(
      [...groups.values()].map(async (indexes) => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`Redis did not answer within ${this.commandTimeoutMs} ms`)),
            this.commandTimeoutMs,
          );
          timer.unref();
        });
        try {
          const sent = client.pipeline(indexes.map((index) => [...commands[index]!])).exec();
          // A reply after the timeout is dropped, and so is a late failure.
          sent.catch(() => undefined);
          const results = (await Promise.race([sent, timeout])) ?? [];
          indexes.forEach((index, position) => {
            replies[index] = results[position] ?? [new Error('Redis sent no reply'), null];
          });
        } catch (error) {
          const failed = error instanceof Error ? error : new Error(String(error));
          for (const index of indexes) replies[index] = [failed, null];
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    return replies;
  }

  /** Calls `down` on every connection failure and `up` whenever the connection is ready again; returns the way to stop. */
  watch(events: { down(error: unknown): void; up(): void }): () => void {
    const client = this.client();
    if (!client) return () => undefined;
    const down = (error: unknown) => events.down(error);
    const up = () => events.up();
    client.on('error', down);
    client.on('ready', up);
    return () => {
      client.off('error', down);
      client.off('ready', up);
    };
  }

  private channel(): string {
    if (this.config.channel === undefined) throw new Error(`The ${this.name} keyspace has no channel`);
    return this.config.channel;
  }

  /** Sends a message to every replica's subscribers of the keyspace's channel, this one's included. */
  publish(message: string): Promise<void> {
    return this.role.publish(this.channel(), message);
  }

  /** Listens on the keyspace's channel; returns the way to stop. */
  subscribe(listener: RedisMessageListener): () => void {
    return this.role.subscribe(this.channel(), listener);
  }

  /** Bytes in use on the role's Redis, every master of a Cluster summed (`INFO memory`). */
  async usedMemory(): Promise<number> {
    let used = 0;
    for (const node of this.role.nodes()) {
      const info = await node.info('memory');
      used += Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? Infinity);
    }
    return used;
  }

  /** Every key of this keyspace that begins with `start` after the prefix, on every master. */
  async *scan(start: string): AsyncGenerator<string> {
    const pattern = `${escapeGlob(this.key(start))}*`;
    for (const node of this.role.nodes()) {
      let cursor = '0';
      do {
        const [next, found] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        yield* found;
      } while (cursor !== '0');
    }
  }
}

export interface RedisProvider {
  keyspace(name: RedisKeyspaceName): RedisKeyspace;
  /** Each role's connection, for /metrics: Redis being down degrades to memory, never to unready. */
  health(): RedisHealth;
  /** Closes every connection, once; a second call waits for the first. */
  close(): Promise<void>;
}

/**
 * The gateway's one way to Redis, the only state shared across requests and replicas. It owns a
 * command connection per role (the cache's also a subscriber, for pub/sub), opened when a keyspace
 * of the role is first used, and hands each user its keyspace.
 */
export function createRedisProvider(
  config: RedisConfig,
  options: { logger: Logger; connect?: RedisConnector },
): RedisProvider {
  const connect = options.connect ?? connectRedis;
  const roles: Record<RedisRoleName, Role> = {
    state: new Role(config.roles.state, connect, options.logger),
    cache: new Role(config.roles.cache, connect, options.logger),
  };
  const names = Object.keys(config.keyspaces) as RedisKeyspaceName[];
  const keyspaces = new Map(
    names.map((name) => {
      const keyspace = config.keyspaces[name];
      return [name, new RedisKeyspace(name, roles[keyspace.role], keyspace)];
    }),
  );
  const held = (role: RedisRoleName) =>
    Object.fromEntries(
      names.filter((name) => config.keyspaces[name].role === role).map((name) => [name, config.keyspaces[name].prefix]),
    );
  let closing: Promise<void> | undefined;
  return {
    keyspace: (name) => keyspaces.get(name)!,
    health: () => ({ state: roles.state.health(held('state')), cache: roles.cache.health(held('cache')) }),
    close() {
      closing ??= Promise.all([roles.state.close(), roles.cache.close()]).then(() => undefined);
      return closing;
    },
  };
}
