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
import { openQueryRegister, type QueryRegister } from './register/index.js';
import { SubjectKeys } from './subjects.js';

/** The gateway's collaborators, built once at start-up from config and shared by every request. */
export interface GatewayServices {
  callers: CallerVerifier;
  consents: ConsentVerifier;
  internalSigner: InternalSigner;
  rateLimiter: RateLimiter;
  rateLimitedError: (decision: RateDecision) => Error;
  /** Automatic persisted queries and the safelist. */
  persistedOperations: PersistedOperations;
  register: QueryRegister;
  subjects: SubjectKeys;
  close(): Promise<void>;
}

export async function createGatewayServices(config: GatewayConfig, logger: Logger): Promise<GatewayServices> {
  const register = await openQueryRegister(config.register, logger.child({ component: 'register' }));
  const rateLimiter = createRateLimiter({
    redis: config.rateLimit.redisUrl
      ? { url: config.rateLimit.redisUrl, cluster: config.rateLimit.redisCluster }
      : undefined,
    prefix: config.rateLimit.prefix,
    limits: config.rateLimit.limits,
    logger: logger.child({ component: 'rate-limit' }),
  });
  const persistedOperations = createPersistedOperations({
    config: config.performance,
    // Stored queries are a cache: they go to the cache's Redis, which evicts, when there is one, and
    // never fill the rate limits' Redis, which must not.
    redis: config.entityCache.redisUrl
      ? { url: config.entityCache.redisUrl, cluster: config.entityCache.redisCluster }
      : config.rateLimit.redisUrl
        ? { url: config.rateLimit.redisUrl, cluster: config.rateLimit.redisCluster }
        : undefined,
    logger: logger.child({ component: 'persisted-operations' }),
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
    rateLimiter,
    rateLimitedError,
    persistedOperations,
    register,
    subjects: new SubjectKeys(config.pseudonymKey),
    async close() {
      await persistedOperations.close();
      await rateLimiter.close();
      await register.close();
    },
  };
}
