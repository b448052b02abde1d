/**
 * Stage 9, shape: the executed result as the caller may see it. The fields the policy stage removed
 * come back null, each with its own error; personal data is masked as the caller's tier and its
 * `@personal` kind say; every subject the answer reached is collected before masking, for the
 * register. Nothing is decided here that the policy stage or a subgraph has not decided.
 */
import type { GatewayExecutionResult } from '@apollo/server-gateway-interface';
import type { GraphQLSchema } from 'graphql';
import type { PersonalKind } from '@credit-gateway/common';
import { shapeResponse } from '../access/response.js';
import { formatErrors } from '../execution/errors.js';
import { reachedIdentifiers } from '../execution/named-subjects.js';
import { isProbe } from '../execution/operation-shape.js';
import type { QueryOutcome } from '../register/index.js';
import type { GatewayServices } from '../services.js';
import { Answer } from './answer.js';
import type { RequestContext } from './context.js';
import type { Limited } from './limits.js';
import type { AccessDecision } from './policy.js';
import type { ResolvedDocument } from './resolve-document.js';

export interface ShapeOptions {
  schema: GraphQLSchema;
  personalFields: ReadonlyMap<string, PersonalKind>;
  services: Pick<GatewayServices, 'subjects'>;
}

export class Shape {
  constructor(private readonly options: ShapeOptions) {}

  run(
    context: RequestContext,
    document: ResolvedDocument,
    limited: Limited,
    decision: AccessDecision,
    result: GatewayExecutionResult,
  ): Answer {
    const { schema, personalFields, services } = this.options;
    const { denied } = decision.filtered;
    const data = (result.data ?? null) as Record<string, unknown> | null;
    const shaped = shapeResponse(data, {
      schema,
      operation: document.operation,
      fragments: document.fragments,
      denied,
      tier: decision.access.tier,
      personal: personalFields,
      variables: document.coerced,
    });
    const errors = [...shaped.errors, ...formatErrors(result.errors ?? [], context.logger)];
    const outcome: QueryOutcome =
      errors.length === 0
        ? 'OK'
        : data === null
          ? 'ERROR'
          : shaped.returned.size === 0 && denied.size > 0
            ? 'DENIED'
            : 'PARTIAL';
    const fieldsDenied = new Set(denied);
    for (const denial of context.consentDenials ?? []) fieldsDenied.add(denial.field);
    // Sections answered from the entity cache past their TTL because their source failed.
    const { staleSources } = context;
    const extensions = staleSources.size > 0 ? { extensions: { staleSources: [...staleSources] } } : {};
    const reached = services.subjects.keys(reachedIdentifiers(shaped.reached));
    return new Answer({
      status: 200,
      body: errors.length > 0 ? { data, errors, ...extensions } : { data, ...extensions },
      outcome,
      probe: outcome === 'OK' && isProbe(schema, document.operation, document.fragments),
      operationHash: document.queryHash,
      operationName: document.operationName ?? null,
      subjects: reached.length > 0 ? [...new Set([...limited.subjects, ...reached])] : limited.subjects,
      fieldsReturned: [...shaped.returned],
      fieldsDenied: [...fieldsDenied],
    });
  }
}
