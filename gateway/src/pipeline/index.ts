/**
 * GraphQL over HTTP (GET and POST) in front of the query planner, as one pipeline of stages, each
 * in its own module with a typed input and output. This file is the only place they are composed.
 * A stage that refuses the request returns an Answer instead of its output; the request then goes
 * straight to the register and the response. A cross-cutting feature is a plugin (hooks.ts), or a
 * stage of its own added here; it does not edit the others.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CreditGatewayError, type Logger } from '@credit-gateway/common';
import type { GatewayConfig } from '../config.js';
import type { AdmissionReport } from '../http/health.js';
import { BodyBudgetExceeded, type BodyBudget } from '../limits/body-budget.js';
import type { ClientAddresses } from '../http/client-address.js';
import type { GatewayServices } from '../services.js';
import type { LoadedSupergraph } from '../supergraph.js';
import { Admit } from './admit.js';
import { Answer, answerForError, refusal } from './answer.js';
import type { RequestContext, SuppliedDocument } from './context.js';
import type { Caller } from '../auth/index.js';
import { Execute } from './execute.js';
import { composeHooks, type GatewayPlugin, type StageName } from './hooks.js';
import { Identify } from './identify.js';
import { Limits } from './limits.js';
import { Policy } from './policy.js';
import { ReadRequest, type BodyRead } from './read-request.js';
import { Register } from './register.js';
import { ResolveDocument } from './resolve-document.js';
import { respond } from './respond.js';
import { Shape } from './shape.js';

export type { GatewayPlugin } from './hooks.js';
export type { RequestContext, SuppliedDocument } from './context.js';
export { Answer } from './answer.js';

export interface PipelineOptions {
  supergraph: LoadedSupergraph;
  config: GatewayConfig;
  services: GatewayServices;
  logger: Logger;
  /** What request bodies may hold in memory at once, shared with the report endpoints. */
  bodies: BodyBudget;
  /** Each request's client address (TRUSTED_PROXIES), shared with the report endpoints. */
  addresses: ClientAddresses;
  plugins?: readonly GatewayPlugin[];
}

/** The document for the caller, or why the request is refused. */
export type Supply = (caller: Caller) => SuppliedDocument | CreditGatewayError;

export interface GraphQLPipeline {
  (request: IncomingMessage, response: ServerResponse, url: URL): Promise<void>;
  /** The admission line, for /readyz and /metrics. */
  admission(): AdmissionReport;
  /**
   * A document the gateway supplies itself, chosen once the caller is identified (a credit
   * report's query), answered through every stage with the request's own headers (token,
   * purpose, consents) and registered like any query; the answer is returned, not sent. `supply`
   * may refuse the request instead (a bad parameter, a missing header): the refusal is answered
   * and registered like any other.
   */
  supplied(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    supply: Supply,
  ): Promise<{ answer: Answer; context: RequestContext }>;
}

export function createPipeline({
  supergraph,
  config,
  services,
  logger,
  bodies,
  addresses,
  plugins = [],
}: PipelineOptions): GraphQLPipeline {
  const { schema } = supergraph;
  const hooks = composeHooks(plugins, logger.child({ component: 'plugins' }));
  const readRequest = new ReadRequest({ config, logger, hooks, bodies, addresses });
  const identify = new Identify({ schema, config, services });
  const admit = new Admit(config);
  const resolveDocument = new ResolveDocument({ schema, config, services });
  const limits = new Limits({ schema, config, services });
  const policy = new Policy({ schema, accessRules: supergraph.accessRules, config, services });
  const execute = new Execute(supergraph.executable);
  const shape = new Shape({ schema, personalFields: supergraph.personalFields, services });
  const register = new Register(services);

  /** Stages 2 and 4 to 9, admitted: the answer to the request, or the first refusal. */
  async function answer(context: RequestContext, body: BodyRead | undefined, supply?: Supply): Promise<Answer> {
    const caller = await staged(context, 'identify', () => identify.run(context, body)); // 2. identify the caller
    if (caller instanceof Answer) return caller;
    if (supply) {
      const supplied = supply(caller);
      if (supplied instanceof CreditGatewayError) return refusal(400, [supplied], context.logger);
      context.supplied = supplied;
    }
    const document = await staged(context, 'resolve-document', () => resolveDocument.run(context, body)); // 4. resolve the document
    if (document instanceof Answer) return document;
    const limited = await staged(context, 'limits', () => limits.run(context, document)); // 5. limits
    if (limited instanceof Answer) return limited;
    const decided = staged(context, 'policy', () => policy.run(context, document, limited)); // 6. policy
    const allowed = decided instanceof Promise ? await decided : decided;
    if (allowed instanceof Answer) return allowed;
    const result = await execute.run(context, document, allowed); // 7. plan and execute (8: subgraph-fetch.ts)
    return shape.run(context, document, limited, allowed, result); // 9. shape
  }

  /** Runs a stage between the `onStage` hook's start and end; without the hook, just runs it. */
  function staged<T>(context: RequestContext, stage: StageName, run: () => T): T {
    const end = hooks.onStage?.(context, { stage });
    if (!end) return run();
    const started = performance.now();
    const ended = (refused: boolean) => end({ durationMs: performance.now() - started, refused });
    let result: T;
    try {
      result = run();
    } catch (error) {
      ended(true);
      throw error;
    }
    if (!(result instanceof Promise)) {
      ended(result instanceof Answer);
      return result;
    }
    return result.then(
      (value: unknown) => {
        ended(value instanceof Answer);
        return value;
      },
      (error: unknown) => {
        ended(true);
        throw error;
      },
    ) as T;
  }

  async function handle(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const context = readRequest.open(request, response, url); // 1. read the HTTP request
    const end = hooks.onRequest?.(context);
    try {
      const reading = readRequest.body(context);
      const body = reading && (await reading);
      let answered: Answer;
      if (body?.ok === false && body.error instanceof BodyBudgetExceeded) {
        answered = readRequest.overBudget(context, body.error);
      } else {
        try {
          answered = await admit.run(context, () => answer(context, body)); // 3. admit, around 2 and 4–9
        } catch (error) {
          answered = answerForError(error, context);
        }
      }
      const registered = await register.run(context, answered); // 10. register
      const status = respond(context, registered.answer); // 11. respond
      end?.({
        status,
        outcome: registered.answer.outcome,
        registered: registered.registered,
        durationMs: performance.now() - context.startedAt,
      });
    } finally {
      context.close();
    }
  }

  async function supplied(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    supply: Supply,
  ): Promise<{ answer: Answer; context: RequestContext }> {
    const context = readRequest.open(request, response, url); // 1. the request; its body is the caller's
    const end = hooks.onRequest?.(context);
    try {
      let answered: Answer;
      try {
        answered = await admit.run(context, () => answer(context, undefined, supply)); // 3. admit, around 2 and 4–9
      } catch (error) {
        answered = answerForError(error, context);
      }
      const registered = await register.run(context, answered); // 10. register
      end?.({
        status: registered.answer.status,
        outcome: registered.answer.outcome,
        registered: registered.registered,
        durationMs: performance.now() - context.startedAt,
      });
      return { answer: registered.answer, context };
    } finally {
      context.close();
    }
  }

  return Object.assign(handle, { admission: () => admit.report(), supplied });
}
