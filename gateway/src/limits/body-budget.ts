/**
 * The request-body bytes one gateway process holds in memory at once, across every connection and
 * every endpoint that reads a body (/graphql, /report, /report/verify). Each body reserves its
 * bytes as they arrive, chunk by chunk, so that what it holds is what is in memory, never the
 * length it announces; it gives them back once its request is answered or its connection is gone.
 * A chunk that would take the process past BODY_BUDGET_BYTES, or its client address past
 * BODY_BUDGET_PER_ADDRESS_BYTES, is refused with RATE_LIMITED and the rest of its body dropped
 * unkept; a declared length that could never fit either is refused at once. One client announcing
 * thousands of bodies and stalling holds at most its share, and only the bytes it has sent, never
 * the process's memory. A body is read after its headers, so its address is the request's client
 * address (http/client-address.ts): behind a proxy named in TRUSTED_PROXIES, the caller's, not the
 * proxy's.
 */
import { CreditGatewayError, type BodyAllowance, type EnvReader } from '@credit-gateway/common';

export interface BodyBudgetConfig {
  /** BODY_BUDGET_BYTES: request-body bytes one gateway process holds at once. */
  totalBytes: number;
  /** BODY_BUDGET_PER_ADDRESS_BYTES: the most of them one client address holds; 0 is no share of its own. */
  perAddressBytes: number;
}

/** Which budget a body was refused by: the whole process's, or its client address's share. */
export type BodyBudgetScope = 'body-bytes' | 'address-body-bytes';

/** A body refused because the budget it would be held against is spent: 429 with Retry-After. */
export class BodyBudgetExceeded extends CreditGatewayError {
  /** The bodies held now are read within BODY_TIMEOUT_MS; most are done within the second. */
  static readonly RETRY_AFTER_SECONDS = 1;

  constructor(
    readonly scope: BodyBudgetScope,
    limit: number,
  ) {
    super(
      'RATE_LIMITED',
      scope === 'address-body-bytes'
        ? `Requests from this address are already sending ${limit} bytes of bodies; retry shortly`
        : 'The gateway is reading as many request bodies as it holds at once; retry shortly',
      { extensions: { scope, limit, retryAfterSeconds: BodyBudgetExceeded.RETRY_AFTER_SECONDS } },
    );
  }

  /** The headers its answer carries. */
  get headers(): Record<string, string> {
    return { 'retry-after': String(BodyBudgetExceeded.RETRY_AFTER_SECONDS) };
  }
}

/** The budget's state, for the metrics. */
export interface BodyBudgetReport {
  /** Bytes reserved now by bodies not yet answered. */
  heldBytes: number;
  /** Client addresses holding some of them. */
  addresses: number;
  /** Bodies refused since the process started, by the budget that refused them. */
  refused: Readonly<Record<BodyBudgetScope, number>>;
}

export class BodyBudget {
  private held = 0;
  private readonly heldByAddress = new Map<string, number>();
  private readonly refusals: Record<BodyBudgetScope, number> = { 'body-bytes': 0, 'address-body-bytes': 0 };

  constructor(readonly config: BodyBudgetConfig) {}

  /** An account for one request's body from `address`; release it once the request is answered. */
  open(address: string): BodyAccount {
    return new BodyAccount(this, address);
  }

  report(): BodyBudgetReport {
    return { heldBytes: this.held, addresses: this.heldByAddress.size, refused: { ...this.refusals } };
  }

  /** Bytes `address` holds now. */
  heldBy(address: string): number {
    return this.heldByAddress.get(address) ?? 0;
  }

  /** @internal Takes `bytes` for `address`, or says which budget they would overdraw. */
  take(address: string, bytes: number): BodyBudgetExceeded | null {
    const { totalBytes, perAddressBytes } = this.config;
    const mine = this.heldBy(address);
    // The address's share first: a client over its own share is told so, whatever the others hold.
    if (perAddressBytes > 0 && mine + bytes > perAddressBytes) {
      this.refusals['address-body-bytes']++;
      return new BodyBudgetExceeded('address-body-bytes', perAddressBytes);
    }
    if (this.held + bytes > totalBytes) {
      this.refusals['body-bytes']++;
      return new BodyBudgetExceeded('body-bytes', totalBytes);
    }
    this.held += bytes;
    this.heldByAddress.set(address, mine + bytes);
    return null;
  }

  /** @internal Which budget a body of `bytes` would overdraw even alone, counted as a refusal. */
  never(bytes: number): BodyBudgetExceeded | null {
    const { totalBytes, perAddressBytes } = this.config;
    const scope: BodyBudgetScope | null =
      perAddressBytes > 0 && bytes > perAddressBytes ? 'address-body-bytes' : bytes > totalBytes ? 'body-bytes' : null;
    if (scope === null) return null;
    this.refusals[scope]++;
    return new BodyBudgetExceeded(scope, scope === 'address-body-bytes' ? perAddressBytes : totalBytes);
  }

  /** @internal Gives back `bytes` `address` held. */
  give(address: string, bytes: number): void {
    this.held -= bytes;
    const left = this.heldBy(address) - bytes;
    if (left > 0) this.heldByAddress.set(address, left);
    else this.heldByAddress.delete(address);
  }
}

/** One body's reservation: what it holds of the budget, given back once by `release`. */
export class BodyAccount implements BodyAllowance {
  private holding = 0;
  private released = false;

  constructor(
    private readonly budget: BodyBudget,
    readonly address: string,
  ) {}

  /** Bytes this body holds now. */
  get held(): number {
    return this.holding;
  }

  reserve(bytes: number): BodyBudgetExceeded | null {
    if (bytes <= 0) return null;
    // A released account reserves nothing more: whatever still reads through it would leak.
    if (this.released) return new BodyBudgetExceeded('body-bytes', this.budget.config.totalBytes);
    const refused = this.budget.take(this.address, bytes);
    if (refused === null) this.holding += bytes;
    return refused;
  }

  /** Why a body of `bytes` could never be held, even with nothing else held: null when it could. */
  unfit(bytes: number): BodyBudgetExceeded | null {
    return this.budget.never(bytes);
  }

  /** Gives back everything held; later calls do nothing. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.budget.give(this.address, this.holding);
    this.holding = 0;
  }
}

/** BODY_BUDGET_BYTES, BODY_BUDGET_PER_ADDRESS_BYTES. */
export function readBodyBudgetConfig(reader: EnvReader): BodyBudgetConfig {
  const totalBytes = reader.int(
    'BODY_BUDGET_BYTES',
    32 * 1024 * 1024,
    { min: 1024, max: 1024 * 1024 * 1024 },
    'Request-body bytes one gateway process holds in memory at once, over every connection, counted as they arrive; a body that would pass it is refused with RATE_LIMITED (429, Retry-After) and the rest of it dropped unkept. At least BODY_LIMIT_BYTES and REPORT_UPLOAD_LIMIT_BYTES',
  );
  const perAddressBytes = reader.int(
    'BODY_BUDGET_PER_ADDRESS_BYTES',
    8 * 1024 * 1024,
    { min: 0, max: 1024 * 1024 * 1024 },
    'The most of BODY_BUDGET_BYTES one client address holds (behind a proxy named in TRUSTED_PROXIES, the caller it forwards for), so that one address cannot spend the rest; 0 gives addresses no share of their own',
  );
  if (perAddressBytes > totalBytes)
    reader.problem(`BODY_BUDGET_PER_ADDRESS_BYTES (${perAddressBytes}) is above BODY_BUDGET_BYTES (${totalBytes})`);
  return { totalBytes, perAddressBytes };
}

/** Why a body of `largestBody` bytes, which one request may send, could never fit the budget; null when it fits. */
export function bodyBudgetProblem(
  config: BodyBudgetConfig,
  largestBody: { name: string; bytes: number },
): string | null {
  const { totalBytes, perAddressBytes } = config;
  const [name, bytes] =
    perAddressBytes > 0 ? ['BODY_BUDGET_PER_ADDRESS_BYTES', perAddressBytes] : ['BODY_BUDGET_BYTES', totalBytes];
  return bytes < largestBody.bytes
    ? `${name} (${bytes}) is below ${largestBody.name} (${largestBody.bytes}): a body that large could never be read`
    : null;
}
