/**
 * Stage 6, policy: what this caller may read, decided once, here. The fields its tier may not read
 * are removed before planning (once per operation and tier, cached), so no subgraph is asked
 * for them; the subjects' consents are verified; and the access the subgraphs are told of (tier,
 * client, purpose, consents, department) is fixed in the request context. Shaping (stage 9) only
 * nulls what this stage removed. The subgraphs still enforce tiers and consents on their own side
 * (common/access-enforcement.ts), as a second line of defence should a request reach one some other
 * way; consent is decided there row by row, where each row's subject is known.
 */
import type { GraphQLSchema } from 'graphql';
import { CreditGatewayError, LruCache, TIERS, type AccessRule, type Tier } from '@credit-gateway/common';
import { filterOperation, type FilteredOperation } from '../access/filter.js';
import { CONSENT_HEADER, consentsClaim } from '../auth/index.js';
import type { GatewayConfig } from '../config.js';
import type { GatewayServices } from '../services.js';
import { refusal, refusalFacts, type Answer } from './answer.js';
import type { Access, RequestContext } from './context.js';
import type { Limited } from './limits.js';
import type { ResolvedDocument } from './resolve-document.js';

export interface AccessDecision {
  /** The operation as planned: the caller's document without the fields its tier may not read. */
  readonly filtered: FilteredOperation;
  readonly access: Access;
}

export interface PolicyOptions {
  schema: GraphQLSchema;
  accessRules: ReadonlyMap<string, AccessRule>;
  config: Pick<GatewayConfig, 'rejectUnauthorized'>;
  services: Pick<GatewayServices, 'consents'>;
}

export class Policy {
  /** Filtered operations per tier and query text; each carries the hash its query plan is cached by. */
  private readonly filtered = new Map<Tier, LruCache<string, FilteredOperation>>(
    TIERS.map((tier) => [tier, new LruCache<string, FilteredOperation>(1_000)]),
  );

  constructor(private readonly options: PolicyOptions) {}

  /** Synchronous unless the caller is AUTHORIZED, whose consents are verified. */
  run(
    context: RequestContext,
    document: ResolvedDocument,
    limited: Limited,
  ): AccessDecision | Answer | Promise<AccessDecision | Answer> {
    const { caller, logger } = context;
    const filtered = this.filterFor(document, caller.tier);
    if (filtered.denied.size > 0 && this.options.config.rejectUnauthorized) {
      const errors = [...filtered.denied].map(
        (coordinate) =>
          new CreditGatewayError(
            'UNAUTHORIZED_FIELD_OR_TYPE',
            `Not authorized to read ${coordinate} as a ${caller.tier} caller`,
            {
              extensions: { field: coordinate, tier: caller.tier },
            },
          ),
      );
      return refusal(403, errors, logger, {
        ...refusalFacts(document, limited.subjects),
        outcome: 'DENIED',
        fieldsDenied: [...filtered.denied],
      });
    }
    if (caller.tier !== 'AUTHORIZED') return this.decided(context, filtered, {});
    return this.options.services.consents
      .verify(context.request.headers[CONSENT_HEADER], { caller, purpose: context.purpose })
      .then(
        ({ granted }) => this.decided(context, filtered, consentsClaim(granted)),
        (error: unknown) => {
          // Too many consents, or too many bytes of them: the caller's to fix, never a 500.
          if (!(error instanceof CreditGatewayError)) throw error;
          return refusal(400, [error], logger, { ...refusalFacts(document, limited.subjects), transport: true });
        },
      );
  }

  private decided(context: RequestContext, filtered: FilteredOperation, consents: Access['consents']): AccessDecision {
    const { caller, purpose } = context;
    const access: Access = {
      tier: caller.tier,
      client: caller.client,
      purpose,
      consents,
      department: caller.department ?? null,
    };
    context.access = access;
    return { filtered, access };
  }

  private filterFor(document: ResolvedDocument, tier: Tier): FilteredOperation {
    const byQuery = this.filtered.get(tier)!;
    let result = byQuery.get(document.queryHash);
    if (!result) {
      result = filterOperation(this.options.schema, document.document, this.options.accessRules, tier);
      byQuery.set(document.queryHash, result);
    }
    return result;
  }
}
