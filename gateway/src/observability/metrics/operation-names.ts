/**
 * Operation names come from callers: as metric labels they are bounded, so that no caller can grow
 * the registry (each label value is a series kept for the life of the process), and none can take
 * the labels the gateway's real users need. A name is a label only when the gateway knows it:
 * - the client package's operations and the safelist's, for every caller;
 * - a document the gateway supplies itself (a credit report's), for every caller;
 * - a name an authenticated caller (a token of a tier above PUBLIC, with its `client_id`) used,
 *   learned in slots: at most `max` in all, and at most `maxPerClient` for any one client, so
 *   that one client cannot take them all either (it would need `max / maxPerClient` clients,
 *   each a system the identity provider issued tokens to). A learned name is then a label for
 *   every caller.
 * Anonymous and PUBLIC callers never learn a name: their other names are all `__public__`.
 * A name that may carry personal data (`mayCarryPersonalData`, the rule spans follow too) is never
 * a label, known or not: it is `__screened__`.
 */
import { mayCarryPersonalData, type Tier } from '@credit-gateway/common';

/** A request whose document was never resolved, or an anonymous operation. */
export const NO_OPERATION = '__none__';
/** A name that is not a plain GraphQL name of reasonable length, or an authenticated caller's past the slots. */
export const OTHER_OPERATIONS = '__other__';
/** A name the gateway does not know, from an anonymous or PUBLIC caller. */
export const PUBLIC_OPERATIONS = '__public__';
/** A name that may carry personal data (six digits or more, whatever stands between them). */
export const SCREENED_OPERATION = '__screened__';
export const MAX_OPERATION_NAME_LENGTH = 64;

const GRAPHQL_NAME = /^[A-Za-z][_0-9A-Za-z]*$/;

/** Who named the operation: the caller, or the gateway for a document it supplies itself. */
export type Namer = { readonly tier: Tier; readonly client: string | null } | 'gateway';

export interface OperationNamesOptions {
  /** Names that are labels for every caller: the client package's and the safelist's operations. */
  known?: Iterable<string>;
  /** Names learned from authenticated callers, in all. */
  max: number;
  /** Names learned from any one authenticated client. */
  maxPerClient: number;
}

export class OperationNames {
  private readonly known = new Set<string>();
  private readonly learned = new Set<string>();
  /** Names each client has learned; a client is here only once it learned one. */
  private readonly perClient = new Map<string, number>();
  private readonly max: number;
  private readonly maxPerClient: number;

  constructor(options: OperationNamesOptions) {
    this.max = options.max;
    this.maxPerClient = options.maxPerClient;
    for (const name of options.known ?? []) if (plain(name)) this.known.add(name);
  }

  label(name: string | null | undefined, by: Namer): string {
    if (!name) return NO_OPERATION;
    // Names starting with `_` are left out too: the labels above stay unambiguous.
    if (name.length > MAX_OPERATION_NAME_LENGTH || !GRAPHQL_NAME.test(name)) return OTHER_OPERATIONS;
    if (mayCarryPersonalData(name)) return SCREENED_OPERATION;
    if (by === 'gateway' || this.known.has(name) || this.learned.has(name)) return name;
    if (by.tier === 'PUBLIC' || by.client === null) return PUBLIC_OPERATIONS;
    const used = this.perClient.get(by.client) ?? 0;
    if (this.learned.size >= this.max || used >= this.maxPerClient) return OTHER_OPERATIONS;
    this.perClient.set(by.client, used + 1);
    this.learned.add(name);
    return name;
  }

  /**
   * The most distinct labels callers can make it give: the known names, the learned slots and the
   * four fixed labels above. The gateway's own documents add their names (one: `CreditReport`).
   */
  get bound(): number {
    return this.known.size + this.max + 4;
  }

  /** Names learned from authenticated callers so far. */
  get size(): number {
    return this.learned.size;
  }
}

function plain(name: string): boolean {
  return name.length <= MAX_OPERATION_NAME_LENGTH && GRAPHQL_NAME.test(name) && !mayCarryPersonalData(name);
}
