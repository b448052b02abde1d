import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { expect, vi } from 'vitest';
import { EnvReader, silentLogger, type Env, type Logger } from '@credit-gateway/common';
import { readRedisConfig } from '../../src/redis/config.js';
import { createRedisProvider, type RedisConnector, type RedisProvider } from '../../src/redis/provider.js';
import { closedPort } from '../limits/support.js';

/** A Redis provider configured from environment variables, read as the gateway reads them. */
export function redisProvider(env: Env, options: { logger?: Logger; connect?: RedisConnector } = {}): RedisProvider {
  const reader = new EnvReader(env);
  const config = readRedisConfig(reader);
  reader.done();
  return createRedisProvider(config, { logger: options.logger ?? silentLogger(), connect: options.connect });
}

export interface PrivateRedis {
  url: string;
  /** Kills the server with SIGKILL, as a crash would. */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty, and waits until it answers. */
  start(): Promise<void>;
}

/** A redis-server of the test's own, to take away and bring back; nothing is saved to disk. */
export async function privateRedis(): Promise<PrivateRedis> {
  const port = await closedPort();
  let server: ChildProcess | undefined;
  const start = async () => {
    server = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    await vi.waitFor(
      async () => {
        const probe = new Redis(port, '127.0.0.1', {
          lazyConnect: true,
          maxRetriesPerRequest: 0,
          retryStrategy: () => null,
        });
        probe.on('error', () => undefined);
        try {
          await probe.connect();
          expect(await probe.ping()).toBe('PONG');
        } finally {
          probe.disconnect();
        }
      },
      { timeout: 10_000, interval: 50 },
    );
  };
  const kill = async () => {
    const running = server;
    server = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = once(running, 'exit');
    running.kill('SIGKILL');
    await exited;
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, kill, start };
}
