import { createHash } from 'node:crypto';
import { parse, specifiedRules, validate, type DocumentNode, type GraphQLError, type GraphQLSchema } from 'graphql';
import { LruCache } from '@credit-gateway/common';
import { maxDepthRule, type OperationLimits } from '../limits/operation-limits.js';
import { withCode } from './errors.js';

export type PreparedDocument =
  | { ok: true; document: DocumentNode; queryHash: string }
  | { ok: false; errors: readonly GraphQLError[]; queryHash: string };

/**
 * Parses and validates each query text once: clients send the same few operations over and over.
 * Validation includes the depth limit, so a too-deep operation is refused before anything else.
 */
export class DocumentCache {
  private readonly cache = new LruCache<string, PreparedDocument>(1_000);
  private readonly rules;

  constructor(
    private readonly schema: GraphQLSchema,
    limits: Pick<OperationLimits, 'maxDepth'>,
  ) {
    this.rules = [...specifiedRules, maxDepthRule(limits.maxDepth)];
  }

  prepare(query: string): PreparedDocument {
    const cached = this.cache.get(query);
    if (cached) return cached;
    const queryHash = createHash('sha256').update(query).digest('hex');
    let prepared: PreparedDocument;
    try {
      const document = parse(query, { maxTokens: 10_000 });
      const errors = validate(this.schema, document, this.rules);
      prepared =
        errors.length > 0
          ? { ok: false, errors: errors.map((e) => withCode(e, 'GRAPHQL_VALIDATION_FAILED')), queryHash }
          : { ok: true, document, queryHash };
    } catch (error) {
      prepared = { ok: false, errors: [withCode(error as GraphQLError, 'GRAPHQL_PARSE_FAILED')], queryHash };
    }
    this.cache.set(query, prepared);
    return prepared;
  }
}
