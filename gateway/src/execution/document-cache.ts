import { createHash } from 'node:crypto';
import {
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import { CreditGatewayError, LruCache } from '@credit-gateway/common';
import { maxDepthRule, type OperationLimits } from '../limits/operation-limits.js';
import {
  DocumentTooDeepError,
  exceedsDocumentNesting,
  MAX_DOCUMENT_NESTING,
  MAX_DOCUMENT_TOKENS,
  MAX_MERGED_FIELDS,
  mostMergedField,
  TooManyMergedFieldsError,
} from './document-limits.js';
import { withCode } from './errors.js';

export type PreparedDocument =
  | { ok: true; document: DocumentNode; queryHash: string }
  | { ok: false; errors: readonly GraphQLError[]; queryHash: string };

/**
 * Names that begin with `__` belong to introspection (GraphQL spec, "Names"): an alias such as
 * `__typename: enterprise(…)` would hand clients and caches an object where they read a type name.
 */
export const reservedAliasRule: ValidationRule = (context) => ({
  Field(node) {
    if (node.alias?.value.startsWith('__')) {
      context.reportError(
        new GraphQLError(
          `The alias '${node.alias.value}' is reserved: names beginning with '__' belong to introspection`,
          {
            nodes: node.alias,
          },
        ),
      );
    }
  },
});

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
    this.rules = [...specifiedRules, maxDepthRule(limits.maxDepth), reservedAliasRule];
  }

  prepare(query: string): PreparedDocument {
    const cached = this.cache.get(query);
    if (cached) return cached;
    const queryHash = createHash('sha256').update(query).digest('hex');
    let prepared: PreparedDocument;
    if (exceedsDocumentNesting(query, MAX_DOCUMENT_NESTING)) {
      // Not cached: such a text is refused in one pass anyway, and may be large.
      return { ok: false, errors: [new DocumentTooDeepError(MAX_DOCUMENT_NESTING)], queryHash };
    }
    let document: DocumentNode;
    try {
      document = parse(query, { maxTokens: MAX_DOCUMENT_TOKENS });
    } catch (error) {
      prepared = { ok: false, errors: [requestError(error, 'GRAPHQL_PARSE_FAILED')], queryHash };
      this.cache.set(query, prepared);
      return prepared;
    }
    const merged = mostMergedField(document);
    if (merged.fields > MAX_MERGED_FIELDS) {
      prepared = {
        ok: false,
        errors: [new TooManyMergedFieldsError(merged.path, merged.fields, MAX_MERGED_FIELDS)],
        queryHash,
      };
      this.cache.set(query, prepared);
      return prepared;
    }
    try {
      const errors = validate(this.schema, document, this.rules);
      prepared =
        errors.length > 0
          ? { ok: false, errors: errors.map((e) => withCode(e, 'GRAPHQL_VALIDATION_FAILED')), queryHash }
          : { ok: true, document, queryHash };
    } catch (error) {
      prepared = { ok: false, errors: [requestError(error, 'GRAPHQL_VALIDATION_FAILED')], queryHash };
    }
    this.cache.set(query, prepared);
    return prepared;
  }
}

/**
 * A parse or validation failure as the caller sees it. graphql-js reports what it refuses as a
 * GraphQLError; anything else it throws (a RangeError from a stack it ran out of) says nothing a
 * caller should read, so it is refused with a plain message of our own.
 */
function requestError(error: unknown, code: 'GRAPHQL_PARSE_FAILED' | 'GRAPHQL_VALIDATION_FAILED'): GraphQLError {
  if (error instanceof GraphQLError) return withCode(error, code);
  return new CreditGatewayError(
    code,
    code === 'GRAPHQL_PARSE_FAILED' ? 'The document could not be parsed' : 'The document could not be validated',
  );
}
