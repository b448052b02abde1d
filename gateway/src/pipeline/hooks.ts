/**
 * Hooks into the request pipeline, for features that cut across its stages (metrics, tracing,
 * audit): such a feature is a plugin, and no stage changes for it. Each hook is called at one point
 * of the pipeline; a hook that times or traces something returns the function to call when that
 * something ends, as Hive Gateway's `onExecute` returns `onExecuteDone`.
 *
 * Hooks run inline on the request path: they must be quick and must not block. A hook that throws
 * is logged and otherwise ignored, so a faulty metric never fails a request.
 */
import type { Logger } from '@credit-gateway/common';
import type { QueryRecordInput } from '../register/index.js';
import type { Hooks, RequestContext } from './context.js';
import type * as events from './hook-events.js';

export type * from './hook-events.js';
export type { Hooks } from './context.js';

/** What a plugin may implement; every hook is optional. */
export interface GatewayPlugin {
  readonly name: string;
  /** A request arrived (stage 1, its context just created). */
  onRequest?(context: RequestContext): events.End<events.RequestEnd> | void;
  /** Its document is resolved (stage 4). */
  onDocument?(context: RequestContext, document: events.DocumentResolved): void;
  /** Planning (when the plan is not cached) and execution (stage 7). */
  onExecute?(context: RequestContext, execution: events.ExecutionStart): events.End<events.ExecutionEnd> | void;
  /** One fetch the plan makes of a subgraph (stage 8), cache and shared fetches included. */
  onSubgraphFetch?(
    context: RequestContext,
    fetch: events.SubgraphFetchStart,
  ): events.End<events.SubgraphFetchEnd> | void;
  /** The register append (stage 10). */
  onRegister?(context: RequestContext, record: QueryRecordInput): events.End<events.RegisterEnd> | void;
  /**
   * A stage before execution (identify, resolve-document, limits, policy; stage 2 and 4 to 6), and
   * planning inside execution (stage 7), whether or not its plan was cached.
   */
  onStage?(context: RequestContext, stage: events.StageStart): events.End<events.StageEnd> | void;
  /**
   * Fetches of several requests merged into one HTTP request to a subgraph (stage 8). Told of no
   * single request: each merged fetch has had its own `onSubgraphFetch`.
   */
  onSubgraphMerge?(merge: events.SubgraphMergeStart): events.End<events.SubgraphMergeEnd> | void;
}

export const NO_HOOKS: Hooks = Object.freeze({});

type StartHook<P, C> = (context: C, payload: P) => events.End<never> | void;

/**
 * Calls each plugin's hook; their end callbacks are called together, in the same order. `C` is the
 * request the hook point belongs to (none for a merge, which serves several).
 */
function combine<P, E, C = RequestContext>(
  plugins: readonly GatewayPlugin[],
  hook: (plugin: GatewayPlugin) => StartHook<P, C> | undefined,
  logger: Logger,
): ((context: C, payload: P) => events.End<E> | undefined) | undefined {
  const starts = plugins.flatMap((plugin) => {
    const start = hook(plugin);
    return start ? [{ name: plugin.name, start }] : [];
  });
  if (starts.length === 0) return undefined;
  const failed = (name: string, error: unknown) => logger.error({ err: error, plugin: name }, 'plugin hook failed');
  return (context, payload) => {
    let ends: { name: string; end: events.End<E> }[] | undefined;
    for (const { name, start } of starts) {
      try {
        const end = start(context, payload) as events.End<E> | undefined;
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
  const onRequest = combine<undefined, events.RequestEnd>(
    plugins,
    (plugin) => plugin.onRequest && ((context) => plugin.onRequest!(context)),
    logger,
  );
  const onDocument = combine<events.DocumentResolved, never>(
    plugins,
    (plugin) => plugin.onDocument && ((context, document) => plugin.onDocument!(context, document)),
    logger,
  );
  const onSubgraphMerge = combine<events.SubgraphMergeStart, events.SubgraphMergeEnd, undefined>(
    plugins,
    (plugin) => plugin.onSubgraphMerge && ((_context, merge) => plugin.onSubgraphMerge!(merge)),
    logger,
  );
  return {
    onRequest: onRequest && ((context) => onRequest(context, undefined)),
    onDocument: onDocument && ((context, document) => void onDocument(context, document)),
    onExecute: combine<events.ExecutionStart, events.ExecutionEnd>(
      plugins,
      (plugin) => plugin.onExecute && ((context, execution) => plugin.onExecute!(context, execution)),
      logger,
    ),
    onSubgraphFetch: combine<events.SubgraphFetchStart, events.SubgraphFetchEnd>(
      plugins,
      (plugin) => plugin.onSubgraphFetch && ((context, fetch) => plugin.onSubgraphFetch!(context, fetch)),
      logger,
    ),
    onRegister: combine<QueryRecordInput, events.RegisterEnd>(
      plugins,
      (plugin) => plugin.onRegister && ((context, record) => plugin.onRegister!(context, record)),
      logger,
    ),
    onStage: combine<events.StageStart, events.StageEnd>(
      plugins,
      (plugin) => plugin.onStage && ((context, stage) => plugin.onStage!(context, stage)),
      logger,
    ),
    // A merge belongs to no one request: the hook is called without one.
    onSubgraphMerge: onSubgraphMerge && ((merge) => onSubgraphMerge(undefined, merge)),
  };
}
