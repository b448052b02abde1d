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
