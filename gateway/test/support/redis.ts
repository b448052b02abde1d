import { EnvReader, silentLogger, type Env, type Logger } from '@credit-gateway/common';
import { readRedisConfig } from '../../src/redis/config.js';
import { createRedisProvider, type RedisConnector, type RedisProvider } from '../../src/redis/provider.js';

/** A Redis provider configured from environment variables, read as the gateway reads them. */
export function redisProvider(env: Env, options: { logger?: Logger; connect?: RedisConnector } = {}): RedisProvider {
  const reader = new EnvReader(env);
  const config = readRedisConfig(reader);
  reader.done();
  return createRedisProvider(config, { logger: options.logger ?? silentLogger(), connect: options.connect });
}
