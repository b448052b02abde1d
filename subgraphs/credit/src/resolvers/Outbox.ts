import { CreditGatewayError } from '@credit-gateway/common';
import type { Resolvers } from '../__generated__/resolvers-types.js';
import type { SubgraphContext } from '../context.js';
import { isDepartmentId, OutboxInputError, type DurableOutbox } from '../outbox/index.js';
import { badInput, throwProblems } from '../store/caller.js';

const MAX_FIRST = 500;

/** The outbox the server was given; its absence is a wiring fault, reported as internal. */
export function requireOutbox(context: Pick<SubgraphContext, 'outbox'>): DurableOutbox {
  if (!context.outbox) throw new Error('The credit subgraph has no outbox');
  return context.outbox;
}

/**
 * The department the caller acts for, from its token: endpoints, dead letters and message bodies
 * are a department's own. A caller whose token names none is refused with FORBIDDEN_DEPARTMENT.
 */
function callerDepartment(
  context: Pick<SubgraphContext, 'caller'>,
  action: string,
): { department: string; client: string } {
  const { department, client } = context.caller;
  if (!isDepartmentId(department) || client === null) {
    throw new CreditGatewayError(
      'FORBIDDEN_DEPARTMENT',
      `Only a department, named in the caller's token, may ${action}; the caller acts for none`,
      { extensions: { department: null } },
    );
  }
  return { department, client };
}

function forbidden(own: string, other: string, action: string): CreditGatewayError {
  return new CreditGatewayError('FORBIDDEN_DEPARTMENT', `The ${own} department may not ${action} of ${other}`, {
    extensions: { department: own, owner: other },
  });
}

/** The outbox's refusals of an input, as BAD_USER_INPUT naming every problem. */
async function checked<T>(task: () => Promise<T>): Promise<T> {
  try {
    return await task();
  } catch (error) {
    if (error instanceof OutboxInputError) throwProblems(error.problems);
    throw error;
  }
}

/** Webhook endpoints, deliveries and the signing key (信息推送), for mergeResolvers. */
export const outboxResolvers: Resolvers = {
  Query: {
    webhookEndpoints: (_, __, context) => {
      const { department } = callerDepartment(context, 'read webhook endpoints');
      return requireOutbox(context).book.endpointsOf(department);
    },
    outboxDeliveries: (_, { department, state, first, after }, context) => {
      const problems: string[] = [];
      if (!isDepartmentId(department)) problems.push('department must be a department id, like TAX');
      const count = first ?? 100;
      if (!Number.isInteger(count) || count < 1 || count > MAX_FIRST) problems.push(`first must be 1 to ${MAX_FIRST}`);
      throwProblems(problems);
      // Analysts see every department's deliveries; a department its own.
      if (context.access.tier !== 'ANALYST') {
        const own = callerDepartment(context, 'read deliveries').department;
        if (own !== department) throw forbidden(own, department, 'read the deliveries');
      }
      return requireOutbox(context).deliveries(department, state ?? null, count, after ?? null);
    },
    outboxSigningKey: (_, __, context) => requireOutbox(context).signingKey,
  },
  Mutation: {
    registerWebhookEndpoint: (_, { input }, context) => {
      const { department, client } = callerDepartment(context, 'register a webhook endpoint');
      return checked(() => requireOutbox(context).registerEndpoint(department, client, input));
    },
    removeWebhookEndpoint: (_, { id }, context) => {
      const { department, client } = callerDepartment(context, 'remove a webhook endpoint');
      const endpoint = requireOutbox(context).book.endpoint(id);
      if (endpoint && endpoint.department !== department)
        throw forbidden(department, endpoint.department, 'remove an endpoint');
      return checked(() => requireOutbox(context).removeEndpoint(department, client, id));
    },
    redeliverDeadLetters: (_, { deliveryIds }, context) => {
      const { department, client } = callerDepartment(context, 'redeliver dead letters');
      if (deliveryIds && deliveryIds.length > MAX_FIRST) {
        throw badInput(`deliveryIds names at most ${MAX_FIRST} deliveries`, { field: 'deliveryIds' });
      }
      return requireOutbox(context).redeliver(department, client, deliveryIds ?? null);
    },
  },
  OutboxDelivery: {
    messageId: (delivery) => delivery.message.id,
    department: (delivery) => delivery.message.department,
    topic: (delivery) => delivery.message.topic,
    idempotencyKey: (delivery) => delivery.message.idempotencyKey,
    enqueuedAt: (delivery) => delivery.message.enqueuedAt,
    payload: (delivery, _, context) => {
      const own = callerDepartment(context, 'read what was pushed').department;
      if (own !== delivery.message.department)
        throw forbidden(own, delivery.message.department, 'read what was pushed');
      return JSON.stringify(delivery.message.payload);
    },
  },
  WebhookEndpoint: {
    topics: (endpoint) => [...endpoint.topics],
  },
  OutboxSigningKey: {
    algorithm: () => 'ed25519',
    publicKeyJwk: (key) => JSON.stringify(key.publicJwk),
    publicKeyPem: (key) => key.publicPem,
  },
};
