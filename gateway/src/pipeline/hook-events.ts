/** What the pipeline's hooks are told (hooks.ts): the start and the end of each hook point. */
import type { OperationTypeNode } from 'graphql';
import type { SourceErrorCode } from '@credit-gateway/common';
import type { QueryOutcome } from '../register/index.js';

export type End<T> = (end: T) => void;

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
  /**
   * Headers sent to a remote subgraph with this fetch, for a plugin to carry its own context in
   * (W3C `traceparent` and `tracestate`): the one thing a plugin adds to a request. Empty unless a
   * plugin fills it; never read by the register subgraph, which is served in this process.
   */
  propagation: Record<string, string>;
}

export interface SubgraphFetchEnd {
  durationMs: number;
  /** `OK`, or the SOURCE_* code the fetch failed with as a whole. */
  outcome: 'OK' | SourceErrorCode;
  /** Errors in the subgraph's answer (field errors included). */
  errors: number;
  /**
   * When the fetch shared the request of an identical fetch in flight (DEDUPE): that fetch's
   * `propagation` headers.
   */
  sharedWith?: Readonly<Record<string, string>>;
}

export interface RegisterEnd {
  durationMs: number;
  /** False when the register could not take the record and the request was answered 503. */
  committed: boolean;
}

/** A stage the request passes through before and around execution, as `onStage` names it. */
export type StageName = 'identify' | 'resolve-document' | 'limits' | 'policy' | 'plan';

export interface StageStart {
  stage: StageName;
}

export interface StageEnd {
  durationMs: number;
  /** The stage refused the request (its answer, or an error it threw, ends the request). */
  refused: boolean;
  /** For `plan`: the plan came from the cache and the planner did not run. */
  cached?: boolean;
}

/**
 * Several fetches of one subgraph, from one request or several, sent as one HTTP request
 * (performance/subgraph-transport.ts).
 */
export interface SubgraphMergeStart {
  subgraph: string;
  /** Each merged fetch's `propagation` headers, in the order of the merged request's copies. */
  operations: readonly Readonly<Record<string, string>>[];
  /** Headers the merged request carries for a plugin's own context (see SubgraphFetchStart). */
  propagation: Record<string, string>;
}

export interface SubgraphMergeEnd {
  durationMs: number;
  /**
   * `OK` when each fetch got its own answer from the merged one; `UNMERGED` when the answer could not
   * be split and each fetch was sent again alone; `FAILED` when the request failed as a whole.
   */
  outcome: 'OK' | 'UNMERGED' | 'FAILED';
}
