import { createInternalSigner, loadCreditCodePolicy, type InternalSigner, type Logger } from '@credit-gateway/common';
import {
  createCallerVerifier,
  createConsentVerifier,
  type CallerVerifier,
  type ConsentVerifier,
} from './auth/index.js';
import type { GatewayConfig } from './config.js';
import { createRateLimiter, rateLimitedError, type RateDecision, type RateLimiter } from './limits/rate-limit.js';
import { createPersistedOperations, type PersistedOperations } from './performance/persisted-operations.js';
import { createRedisProvider, type RedisProvider } from './redis/provider.js';
import { openQueryRegister, type QueryRegister } from './register/index.js';
import { SubjectKeys } from './subjects.js';

/** The gateway's collaborators, built once at start-up from config and shared by every request. */
export interface GatewayServices {
  callers: CallerVerifier;
  consents: ConsentVerifier;
  internalSigner: InternalSigner;
  /** Every Redis connection of this process; the users below are given their keyspaces. */
  redis: RedisProvider;
  rateLimiter: RateLimiter;
  rateLimitedError: (decision: RateDecision) => Error;
  persistedOperations: PersistedOperations;
  register: QueryRegister;
  subjects: SubjectKeys;
  close(): Promise<void>;
}

export async function createGatewayServices(config: GatewayConfig, logger: Logger): Promise<GatewayServices> {
  const register = await openQueryRegister(config.register, logger.child({ component: 'register' }));
  const redis = createRedisProvider(config.redis, { logger: logger.child({ component: 'redis' }) });
  let persistedOperations: PersistedOperations;
  try {
    persistedOperations = createPersistedOperations({
      config: config.performance,
      redis: redis.keyspace('persistedOperations'),
      logger: logger.child({ component: 'persisted-operations' }),
    });
  } catch (error) {
    // An unreadable safelist: nothing is left open behind the failed start.
    await Promise.all([redis.close(), register.close()]);
    throw error;
  }
  const rateLimiter = createRateLimiter({
    redis: redis.keyspace('rateLimits'),
    limits: config.rateLimit.limits,
    logger: logger.child({ component: 'rate-limit' }),
  });
  return {
    callers: createCallerVerifier(config.auth.caller),
    consents: createConsentVerifier({
      ...config.auth.consent,
      creditCodePolicy: loadCreditCodePolicy(config.allowListFile),
    }),
    internalSigner: createInternalSigner(config.auth.internal.signingKey, {
      ttlSeconds: config.auth.internal.tokenTtlSeconds,
    }),
    redis,
    rateLimiter,
    rateLimitedError,
    persistedOperations,
    register,
    subjects: new SubjectKeys(config.pseudonymKey),
    async close() {
      await rateLimiter.close();
      await persistedOperations.close();
      await register.close();
      await redis.close();
    },
  };
}
