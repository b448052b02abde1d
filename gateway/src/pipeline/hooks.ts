/**
 * Hooks into the request pipeline, for features that cut across its stages (metrics, tracing,
 * audit): such a feature is a plugin, and no stage changes for it. Each hook is called at one point
 * of the pipeline; a hook that times or traces something returns the function to call when that
 * something ends, as Hive Gateway's `onExecute` returns `onExecuteDone`.
 *
 * Hooks run inline on the request path: they must be quick and must not block. A hook that throws
 * is logged and otherwise ignored, so a faulty metric never fails a request.
 */
import type { OperationTypeNode } from 'graphql';
import type { Logger, SourceErrorCode } from '@credit-gateway/common';
import type { QueryOutcome, QueryRecordInput } from '../register/index.js';
import type { RequestContext } from './context.js';

/** How a request ended: what the caller got and whether the register holds it. */
export interface RequestEnd {
  /** The HTTP status sent. */
  status: number;
  outcome: QueryOutcome;
  /** False for liveness probes, sampled refusals and answers the register could not take. */
  registered: boolean;
  durationMs: number;
}

/** A document that parsed, validated and chose its operation, with its variables coerced. */
export interface DocumentResolved {
  /** The name of the operation chosen, whether or not the request named it. */
  operationName: string | null;
  operationType: OperationTypeNode;
  /** sha256 of the query text, as the register records it. */
  operationHash: string;
}

export interface ExecutionStart {
  operationName: string | null;
  /** Hash of the operation as planned, after the tier's fields were removed: the plan's key. */
  queryHash: string;
}

export interface ExecutionEnd {
  durationMs: number;
  /** Errors the planner and the subgraphs returned, before shaping. */
  errors: number;
}

export interface SubgraphFetchStart {
  subgraph: string;
  operationName: string | null;
}

export interface SubgraphFetchEnd {
  durationMs: number;
  /** `OK`, or the SOURCE_* code the fetch failed with as a whole. */
  outcome: 'OK' | SourceErrorCode;
  /** Errors in the subgraph's answer (field errors included). */
  errors: number;
}

export interface RegisterEnd {
  durationMs: number;
  /** False when the register could not take the record and the request was answered 503. */
  committed: boolean;
}

type End<T> = (end: T) => void;

/** What a plugin may implement; every hook is optional. */
export interface GatewayPlugin {
  readonly name: string;
  /** A request arrived (stage 1, its context just created). */
  onRequest?(context: RequestContext): End<RequestEnd> | void;
  /** Its document is resolved (stage 4). */
  onDocument?(context: RequestContext, document: DocumentResolved): void;
  /** Planning (when the plan is not cached) and execution (stage 7). */
  onExecute?(context: RequestContext, execution: ExecutionStart): End<ExecutionEnd> | void;
  /** One fetch the plan makes of a subgraph (stage 8), cache and shared fetches included. */
  onSubgraphFetch?(context: RequestContext, fetch: SubgraphFetchStart): End<SubgraphFetchEnd> | void;
  /** The register append (stage 10). */
  onRegister?(context: RequestContext, record: QueryRecordInput): End<RegisterEnd> | void;
}

/**
 * The plugins' hooks as the stages call them: a hook no plugin implements is undefined, so a
 * pipeline without plugins pays one property read per hook point and nothing else.
 */
export interface Hooks {
  onRequest?(context: RequestContext): End<RequestEnd> | undefined;
  onDocument?(context: RequestContext, document: DocumentResolved): void;
  onExecute?(context: RequestContext, execution: ExecutionStart): End<ExecutionEnd> | undefined;
  onSubgraphFetch?(context: RequestContext, fetch: SubgraphFetchStart): End<SubgraphFetchEnd> | undefined;
  onRegister?(context: RequestContext, record: QueryRecordInput): End<RegisterEnd> | undefined;
}

export const NO_HOOKS: Hooks = Object.freeze({});

type StartHook<P> = (context: RequestContext, payload: P) => End<never> | void;

/** Calls each plugin's hook; their end callbacks are called together, in the same order. */
function combine<P, E>(
  plugins: readonly GatewayPlugin[],
  hook: (plugin: GatewayPlugin) => StartHook<P> | undefined,
  logger: Logger,
): ((context: RequestContext, payload: P) => End<E> | undefined) | undefined {
  const starts = plugins.flatMap((plugin) => {
    const start = hook(plugin);
    return start ? [{ name: plugin.name, start }] : [];
  });
  if (starts.length === 0) return undefined;
  const failed = (name: string, error: unknown) => logger.error({ err: error, plugin: name }, 'plugin hook failed');
  return (context, payload) => {
    let ends: { name: string; end: End<E> }[] | undefined;
    for (const { name, start } of starts) {
      try {
        const end = start(context, payload) as End<E> | undefined;
        if (end) (ends ??= []).push({ name, end });
      } catch (error) {
        failed(name, error);
      }
    }
    if (!ends) return undefined;
    const done = ends;
    return (result) => {
      for (const { name, end } of done) {
        try {
          end(result);
        } catch (error) {
          failed(name, error);
        }
      }
    };
  };
}

export function composeHooks(plugins: readonly GatewayPlugin[], logger: Logger): Hooks {
  if (plugins.length === 0) return NO_HOOKS;
  const onRequest = combine<undefined, RequestEnd>(
    plugins,
    (plugin) => plugin.onRequest && ((context) => plugin.onRequest!(context)),
    logger,
  );
  const onDocument = combine<DocumentResolved, never>(
    plugins,
    (plugin) => plugin.onDocument && ((context, document) => plugin.onDocument!(context, document)),
    logger,
  );
  return {
    onRequest: onRequest && ((context) => onRequest(context, undefined)),
    onDocument: onDocument && ((context, document) => void onDocument(context, document)),
    onExecute: combine<ExecutionStart, ExecutionEnd>(
      plugins,
      (plugin) => plugin.onExecute && ((context, execution) => plugin.onExecute!(context, execution)),
      logger,
    ),
    onSubgraphFetch: combine<SubgraphFetchStart, SubgraphFetchEnd>(
      plugins,
      (plugin) => plugin.onSubgraphFetch && ((context, fetch) => plugin.onSubgraphFetch!(context, fetch)),
      logger,
    ),
    onRegister: combine<QueryRecordInput, RegisterEnd>(
      plugins,
      (plugin) => plugin.onRegister && ((context, record) => plugin.onRegister!(context, record)),
      logger,
    ),
  };
}
