/**
 * Stage 5, limits: what one request may reach and cost, before anything is planned or fetched. The
 * subjects it names (every credit code and ID number in its arguments, coerced) are counted once:
 * against MAX_BATCH_SIZE per list, MAX_SUBJECTS_PER_REQUEST per request and tier, and the caller's
 * subjects budget (查询量); then the operation's cost against MAX_COST.
 */
import type { GraphQLSchema } from 'graphql';
import type { GatewayConfig } from '../config.js';
import { findOversizedBatch } from '../execution/batch-limit.js';
import { identifierArguments } from '../execution/identifier-arguments.js';
import { countSubjects, findTooManySubjects } from '../execution/subject-limit.js';
import { checkMeasuredCost, measureChosenOperation, type OperationMeasure } from '../limits/operation-limits.js';
import type { GatewayServices } from '../services.js';
import { refusal, refusalFacts, throttled, type Answer } from './answer.js';
import type { RequestContext } from './context.js';
import type { ResolvedDocument } from './resolve-document.js';

/** What the limits found: the subjects the request names, as the register keys them. */
export interface Limited {
  readonly subjects: readonly string[];
}

export interface LimitsOptions {
  schema: GraphQLSchema;
  config: Pick<GatewayConfig, 'maxBatchSize' | 'maxSubjectsPerRequest' | 'limits'>;
  services: Pick<GatewayServices, 'rateLimiter' | 'rateLimitedError' | 'subjects'>;
}

export class Limits {
  /**
   * Costs that hold whatever the variables (no list sized by a variable, no `@skip` / `@include`),
   * by the operation's node: parsed documents are cached (resolve-document.ts), so the same
   * operation comes back as the same node, and a measure lives no longer than its document.
   */
  private readonly costs = new WeakMap<object, OperationMeasure>();

  constructor(private readonly options: LimitsOptions) {}

  async run(context: RequestContext, document: ResolvedDocument): Promise<Limited | Answer> {
    const { schema, config, services } = this.options;
    const { caller, logger, progress } = context;
    const identifiers = identifierArguments(schema, document.document, document.coerced);
    const subjects = services.subjects.keys(identifiers);
    progress.subjects = subjects;
    const oversized = findOversizedBatch(identifiers, config.maxBatchSize);
    if (oversized) return refusal(400, [oversized], logger, refusalFacts(document, subjects));
    // Counted once: the same number bounds the request and spends the caller's budget.
    const count = countSubjects(identifiers);
    const tooMany = findTooManySubjects(count, caller.tier, config.maxSubjectsPerRequest);
    if (tooMany) return refusal(400, [tooMany], logger, refusalFacts(document, subjects));
    let measure = this.costs.get(document.operation);
    if (measure === undefined) {
      measure = measureChosenOperation(schema, document.operation, document.fragments, document.coerced, {
        listSize: config.limits.listSize,
      });
      if (!measure.readsVariables) this.costs.set(document.operation, measure);
    }
    const costly = checkMeasuredCost(measure, config.limits);
    if (costly) return refusal(400, [costly], logger, refusalFacts(document, subjects));
    // 查询量: the subjects named count against the caller's budget, before anything is fetched.
    const spent = await services.rateLimiter.consume(
      { tier: caller.tier, client: caller.client, ip: context.address },
      count,
    );
    if (spent && !spent.allowed)
      return throttled(spent, services.rateLimitedError(spent), logger, refusalFacts(document, subjects));
    return { subjects };
  }
}
