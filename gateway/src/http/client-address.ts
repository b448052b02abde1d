/**
 * The client address a request is counted by: the per-address rate limits, the failed-authentication
 * budget, the body budget's per-address share, report verification and upload slots.
 *
 * Without TRUSTED_PROXIES it is the TCP peer, whatever the request says. Behind a proxy (an ingress
 * controller, a load balancer) every caller has the proxy's address; naming the proxy in
 * TRUSTED_PROXIES lets the gateway read the caller's address from X-Forwarded-For instead, as
 * Express's proxy-addr does: from the peer leftwards through the header, each hop is believed only
 * while the one that reported it is trusted. The first hop that is not trusted is the client; what
 * lies left of it is whatever that client chose to send and is never read. So a caller behind the
 * proxy cannot pass for another by sending `X-Forwarded-For: <someone else>`: the proxy appends the
 * address it saw, and that is the hop the walk stops at.
 */
import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';
import type { EnvReader, Logger } from '@credit-gateway/common';

/**
 * The most X-Forwarded-For entries walked, from the right. A chain of proxies is a few hops; a
 * header of thousands of entries costs no more than this to read.
 */
export const MAX_FORWARDED_HOPS = 32;

/** The proxies whose X-Forwarded-For is believed (TRUSTED_PROXIES). */
export class TrustedProxies {
  private readonly list = new BlockList();

  /** `entries`: IP addresses and CIDR blocks, already checked by `TrustedProxies.parse`. */
  private constructor(readonly entries: readonly string[]) {
    for (const entry of entries) {
      const [address = '', prefix] = entry.split('/');
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (prefix === undefined) this.list.addAddress(address, family);
      else this.list.addSubnet(address, Number(prefix), family);
    }
  }

  /** Trusts no proxy: every request's address is its TCP peer's. */
  static readonly NONE = new TrustedProxies([]);

  /** The proxies `entries` names, or the problems with them (each entry's, at once). */
  static parse(entries: readonly string[]): TrustedProxies | string[] {
    const problems: string[] = [];
    const kept: string[] = [];
    for (const entry of entries) {
      const problem = entryProblem(entry);
      if (problem === null) kept.push(canonicalEntry(entry));
      else problems.push(problem);
    }
    return problems.length > 0 ? problems : new TrustedProxies(kept);
  }

  /** Whether no proxy is trusted (TRUSTED_PROXIES unset). */
  get none(): boolean {
    return this.entries.length === 0;
  }

  /** Whether `address`, a canonical IP address (`canonicalAddress`), is a trusted proxy's. */
  has(address: string): boolean {
    if (this.none) return false;
    try {
      return this.list.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
    } catch {
      return false;
    }
  }
}

/** Why `entry` is not an IP address or a CIDR block; null when it is one. */
function entryProblem(entry: string): string | null {
  const [address = '', prefix, extra] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined || address.includes('%'))
    return `TRUSTED_PROXIES: '${entry}' is not an IP address or a CIDR block (10.0.0.0/8, fd00::/8)`;
  if (prefix === undefined) return null;
  const bits = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > bits)
    return `TRUSTED_PROXIES: '${entry}' has a prefix length outside 0 to ${bits}`;
  if (Number(prefix) === 0)
    return `TRUSTED_PROXIES: '${entry}' trusts every address, so any caller could say what its address is; name the proxies' own network`;
  return null;
}

/**
 * An entry as the block list holds it: an IPv4-mapped IPv6 address (`::ffff:10.0.0.1`), or a block
 * of them only (`::ffff:10.0.0.0/104`), is the IPv4 one.
 */
function canonicalEntry(entry: string): string {
  const [address = '', prefix] = entry.split('/');
  const canonical = canonicalAddress(address) ?? address;
  if (prefix === undefined) return canonical;
  if (isIP(canonical) === isIP(address)) return `${canonical}/${prefix}`;
  return Number(prefix) >= 96 ? `${canonical}/${Number(prefix) - 96}` : `${address}/${prefix}`;
}

/**
 * One spelling per address, so that one client is one key however its address is written: IPv6
 * compressed and in lower case, and an IPv4-mapped IPv6 address as the IPv4 address it maps. Undefined
 * when `text` is not an IP address (a port, brackets, a name, garbage).
 */
export function canonicalAddress(text: string): string | undefined {
  const family = isIP(text);
  if (family === 4) return text;
  if (family !== 6) return undefined;
  // A zone (fe80::1%eth0) means nothing beyond the host that wrote it; kept as written.
  if (text.includes('%')) return text.toLowerCase();
  let compressed: string;
  try {
    compressed = new URL(`http://[${text}]/`).hostname.slice(1, -1);
  } catch {
    return text.toLowerCase();
  }
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(compressed);
  if (!mapped) return compressed;
  const high = parseInt(mapped[1]!, 16);
  const low = parseInt(mapped[2]!, 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

/**
 * The rightmost `max` entries of an X-Forwarded-For header, rightmost first, each trimmed; empty
 * ones (`a,,b`) are skipped but counted. Only those are read, however long the header.
 */
function lastEntries(header: string, max: number): string[] {
  const entries: string[] = [];
  let end = header.length;
  for (let taken = 0; taken < max; taken++) {
    const comma = end > 0 ? header.lastIndexOf(',', end - 1) : -1;
    const entry = header.slice(comma + 1, end).trim();
    if (entry !== '') entries.push(entry);
    if (comma < 0) break;
    end = comma;
  }
  return entries;
}

/**
 * The client address of a request whose TCP peer is `peer` and whose X-Forwarded-For is
 * `forwardedFor`: the peer, unless it is a trusted proxy; then, walking the header from the right,
 * the first hop that is not a trusted proxy, or the leftmost walked when every one is. An entry that
 * is not an IP address ends the walk at the hop before it, which reported it; only the rightmost
 * MAX_FORWARDED_HOPS entries are walked. Never throws, whatever the header holds.
 */
export function resolveClientAddress(
  peer: string | undefined,
  forwardedFor: string | readonly string[] | undefined,
  trusted: TrustedProxies,
): string {
  const peerAddress = peer === undefined ? undefined : canonicalAddress(peer);
  if (peerAddress === undefined) return peer ?? 'unknown';
  if (!trusted.has(peerAddress) || forwardedFor === undefined) return peerAddress;
  const header = typeof forwardedFor === 'string' ? forwardedFor : forwardedFor.join(',');
  let client = peerAddress;
  for (const entry of lastEntries(header, MAX_FORWARDED_HOPS)) {
    const hop = canonicalAddress(entry);
    if (hop === undefined) return client;
    client = hop;
    if (!trusted.has(hop)) return client;
  }
  return client;
}

/**
 * Each request's client address, resolved once when first asked for and the same for the rest of
 * the request, whichever part of the gateway asks (the pipeline, the report endpoints): a socket
 * that closes later reads as no address.
 */
export class ClientAddresses {
  private readonly resolved = new WeakMap<IncomingMessage, string>();
  private warned = false;

  /** `logger` hears once if X-Forwarded-For comes from a peer TRUSTED_PROXIES does not name. */
  constructor(
    readonly trusted: TrustedProxies,
    private readonly logger?: Logger,
  ) {}

  of(request: IncomingMessage): string {
    let address = this.resolved.get(request);
    if (address === undefined) {
      const peer = request.socket.remoteAddress;
      const forwardedFor = request.headers['x-forwarded-for'];
      address = resolveClientAddress(peer, forwardedFor, this.trusted);
      this.resolved.set(request, address);
      if (forwardedFor !== undefined && !this.warned && !this.trusted.has(canonicalAddress(peer ?? '') ?? '')) {
        this.ignored();
      }
    }
    return address;
  }

  /**
   * Said once a process: a proxy left out of TRUSTED_PROXIES (or a placeholder never replaced)
   * makes every caller behind it one address. No address is logged: a caller may have sent it.
   */
  private ignored(): void {
    this.warned = true;
    this.logger?.warn(
      { trustedProxies: this.trusted.entries.length },
      'X-Forwarded-For came from a peer TRUSTED_PROXIES does not name, and was ignored: if that peer is your proxy, every caller behind it counts as one address',
    );
  }
}

/** TRUSTED_PROXIES. */
export function readTrustedProxies(reader: EnvReader): TrustedProxies {
  const entries = reader.section('rate limits').list('TRUSTED_PROXIES', [], {
    text: "Proxies in front of the gateway (the ingress controller, a load balancer) whose X-Forwarded-For is believed. A request from one is counted, in every per-address budget but MAX_CONNECTIONS_PER_ADDRESS, by the first address in that header, read from the right (32 entries at most), that is not one of them. Unset trusts none: the address is the TCP peer's and X-Forwarded-For is ignored, so no caller can choose its own",
    values: 'comma-separated IP addresses and CIDR blocks, IPv4 or IPv6',
  });
  const parsed = TrustedProxies.parse(entries);
  if (!Array.isArray(parsed)) return parsed;
  for (const problem of parsed) reader.problem(problem);
  return TrustedProxies.NONE;
}
