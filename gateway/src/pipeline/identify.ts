/**
 * Stage 2, identify the caller: who (the token), why (the purpose) and how often (the caller's
 * request budgets). An address past its failed authentications has no token verified until it
 * recovers; a refusal names the subjects the request's text named.
 */
import type { GraphQLSchema } from 'graphql';
import { CreditGatewayError, PURPOSE_TIERS } from '@credit-gateway/common';
import type { Caller } from '../auth/index.js';
import type { GatewayConfig } from '../config.js';
import { subjectsNamedInRequest } from '../execution/named-subjects.js';
import { RefusalSampler } from '../limits/rate-limit.js';
import type { GatewayServices } from '../services.js';
import { refusal, throttled, type Answer } from './answer.js';
import type { RequestContext } from './context.js';
import { PURPOSE_HEADER, type BodyRead } from './read-request.js';

export interface IdentifyOptions {
  schema: GraphQLSchema;
  config: Pick<GatewayConfig, 'rateLimit'>;
  services: Pick<GatewayServices, 'callers' | 'rateLimiter' | 'rateLimitedError' | 'subjects'>;
}

export class Identify {
  private readonly authRefusals: RefusalSampler;

  constructor(private readonly options: IdentifyOptions) {
    this.authRefusals = new RefusalSampler(options.config.rateLimit.limits.authFailures?.periodMs ?? 60_000);
  }

  /** The caller, also kept in the context; or the refusal. */
  async run(context: RequestContext, body: BodyRead | undefined): Promise<Caller | Answer> {
    const { services } = this.options;
    const { request, address, logger, purpose } = context;
    if (request.headers.authorization !== undefined) {
      const failures = await services.rateLimiter.checkAuthFailures(address);
      if (failures && !failures.allowed) {
        const sample = this.authRefusals.take(address);
        if (sample.skipped > 0)
          logger.warn({ skipped: sample.skipped }, 'throttled authentication refusals not registered');
        const error = services.rateLimitedError(failures);
        return sample.register
          ? throttled(failures, error, logger, { subjects: this.namedSubjects(context, body) })
          : throttled(failures, error, logger, { unregistered: true });
      }
    }
    let caller: Caller;
    try {
      caller = await services.callers.verify(request.headers.authorization);
    } catch (error) {
      if (!(error instanceof CreditGatewayError)) throw error;
      await services.rateLimiter.recordAuthFailure(address);
      return refusal(401, [error], logger, {
        transport: true,
        subjects: this.namedSubjects(context, body),
        headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
      });
    }
    context.caller = caller;
    if (PURPOSE_TIERS.has(caller.tier) && purpose === null) {
      const error = new CreditGatewayError(
        'PURPOSE_REQUIRED',
        `${caller.tier} callers must state the purpose of the query in the ${PURPOSE_HEADER} header`,
        { extensions: { header: PURPOSE_HEADER } },
      );
      return refusal(400, [error], logger, { transport: true, subjects: this.namedSubjects(context, body) });
    }
    const decision = await services.rateLimiter.check({ tier: caller.tier, client: caller.client, ip: address });
    if (!decision.allowed)
      return throttled(decision, services.rateLimitedError(decision), logger, {
        subjects: this.namedSubjects(context, body),
      });
    return caller;
  }

  /** The subjects a request refused before its document was read names in its text. */
  private namedSubjects(context: RequestContext, body: BodyRead | undefined): string[] {
    const { schema, services } = this.options;
    return services.subjects.keys(subjectsNamedInRequest(schema, context.url, body?.ok ? body.value : undefined));
  }
}
