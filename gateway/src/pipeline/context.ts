import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  CONSENT_GROUPS,
  type ConsentDenial,
  type ConsentGroup,
  type DepartmentId,
  type InternalClaims,
  type Logger,
  type SubgraphName,
} from '@credit-gateway/common';
import { PUBLIC_CALLER, type Caller } from '../auth/index.js';
import type { QueryRecordInput } from '../register/index.js';
import type {
  DocumentResolved,
  End,
  ExecutionEnd,
  ExecutionStart,
  RegisterEnd,
  RequestEnd,
  StageEnd,
  StageStart,
  SubgraphFetchEnd,
  SubgraphFetchStart,
  SubgraphMergeEnd,
  SubgraphMergeStart,
} from './hook-events.js';

/**
 * What the subgraphs are told of the caller, decided once by the policy stage: the claims of the
 * gateway's internal token, and the key two requests share a subgraph fetch by.
 */
export interface Access extends InternalClaims {
  readonly department: DepartmentId | null;
}

/** The GraphQL-over-HTTP parameters of a document the gateway supplies itself. */
export interface SuppliedDocument {
  query: string;
  operationName?: string;
  variables: Record<string, unknown>;
}

/** What the register records of a request as far as it is known, should the deadline pass first. */
export interface Progress {
  operationName?: string | null;
  operationHash?: string;
  subjects?: readonly string[];
}

/**
 * One request, from arrival to answer: created once when the request arrives (stage 1) and carried
 * by every stage, the planner and each subgraph fetch. Stages fill in what they decide (`caller`,
 * `access`); the subgraph stage adds what the subgraphs reported (`staleSources`, `consentDenials`).
 */
export class RequestContext {
  /** PUBLIC until the caller is identified (stage 2). */
  caller: Caller = PUBLIC_CALLER;
  /** Set by the policy stage (6); subgraph fetches (8) are signed and shared by it. */
  access: Access | undefined = undefined;
  readonly progress: Progress = {};
  /** Sources this request was answered for from stale cache entries (entity cache). */
  readonly staleSources = new Set<SubgraphName>();
  /** Fields the subgraphs refused for want of a subject's consent, as they decided them. */
  consentDenials: ConsentDenial[] | undefined = undefined;
  /** The internal token, signed on the request's first subgraph fetch. */
  internalToken: Promise<string> | undefined = undefined;
  /** `access` as a dedupe and merge key, made on the first subgraph fetch. */
  accessKey: string | undefined = undefined;
  /**
   * A document the gateway itself supplies for this request, in place of one read from the HTTP
   * request (a credit report's query, chosen once the caller is known); undefined for /graphql.
   */
  supplied: SuppliedDocument | undefined = undefined;
  /** performance.now() at arrival. */
  readonly startedAt = performance.now();
  private readonly timer: NodeJS.Timeout;
  private readonly controller = new AbortController();

  constructor(
    readonly request: IncomingMessage,
    readonly response: ServerResponse,
    readonly url: URL,
    readonly requestId: string,
    readonly logger: Logger,
    readonly hooks: Hooks,
    /** Arrival, as the register records it. */
    readonly time: string,
    /** The stated purpose (x-credit-purpose), or null. */
    readonly purpose: string | null,
    /**
     * The client's address, resolved once on arrival (ClientAddresses): the TCP peer's, or behind a
     * trusted proxy (TRUSTED_PROXIES) the caller's it names in X-Forwarded-For.
     */
    readonly address: string,
    requestTimeoutMs: number,
  ) {
    // Cleared once answered: thousands of requests a second would otherwise each leave a timer.
    this.timer = setTimeout(() => this.controller.abort(new Error('deadline')), requestTimeoutMs);
  }

  /** Aborts at REQUEST_TIMEOUT_MS after arrival. */
  get deadline(): AbortSignal {
    return this.controller.signal;
  }

  /** The request is answered: its deadline no longer runs. */
  close(): void {
    clearTimeout(this.timer);
  }
}

/**
 * What a subgraph's answer depends on in the caller's access: tier, client, purpose, department and
 * consents (codes sorted, groups in their canonical order). Fetches of requests with the same key
 * may be shared and merged.
 */
export function accessKey(access: Access): string {
  let key = `${access.tier}\n${access.client ?? ''}\n${access.purpose ?? ''}\n${access.department ?? ''}`;
  const codes = Object.keys(access.consents);
  if (codes.length === 0) return key;
  for (const code of codes.sort()) {
    const groups: readonly ConsentGroup[] = access.consents[code] ?? [];
    if (groups.length === 0) continue;
    key += `\n${code}:${CONSENT_GROUPS.filter((group) => groups.includes(group)).join(',')}`;
  }
  return key;
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
  onStage?(context: RequestContext, stage: StageStart): End<StageEnd> | undefined;
  onSubgraphMerge?(merge: SubgraphMergeStart): End<SubgraphMergeEnd> | undefined;
}
