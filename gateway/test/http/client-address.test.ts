import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EnvReader, type Env } from '@credit-gateway/common';
import { loadConfig } from '../../src/config.js';
import { recordingLogger } from '../limits/support.js';
import {
  canonicalAddress,
  ClientAddresses,
  MAX_FORWARDED_HOPS,
  readTrustedProxies,
  resolveClientAddress,
  TrustedProxies,
} from '../../src/http/client-address.js';

function trust(...entries: string[]): TrustedProxies {
  const parsed = TrustedProxies.parse(entries);
  if (Array.isArray(parsed)) throw new Error(parsed.join('; '));
  return parsed;
}

const TRUSTED = trust('10.0.0.0/8', '2001:db8::/32', '192.0.2.7');

/** An address of a trusted proxy, written in any of the ways one may be. */
const trustedHop: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255)).map(([a, b, c]) => `10.${a}.${b}.${c}`),
  fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255)).map(([a, b, c]) => `::ffff:10.${a}.${b}.${c}`),
  fc.tuple(fc.nat(0xffff), fc.nat(0xffff)).map(([a, b]) => `2001:DB8:${a.toString(16)}::${b.toString(16)}`),
  fc.constant('192.0.2.7'),
);

/** An address no trusted proxy has: a client's, or an untrusted proxy's. */
const untrustedHop: fc.Arbitrary<string> = fc
  .oneof(fc.ipV4(), fc.ipV6())
  .filter((address) => isIP(address) !== 0 && !TRUSTED.has(canonicalAddress(address)!));

/** Entries that are no IP address at all. */
const malformed: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('unknown', '1.2.3.4:5678', '[2001:db8::1]', '300.1.1.1', '01.2.3.4', 'example.com', '_hidden'),
  fc
    .string({ unit: 'grapheme', minLength: 1, maxLength: 20 })
    .filter((text) => !text.includes(',') && text.trim() !== '' && isIP(text.trim()) === 0),
);

const space = fc.constantFrom('', ' ', '  ', '\t');

/** An X-Forwarded-For header of `entries`, left to right, spaced as a proxy might. */
function header(entries: readonly string[], spaces: readonly string[]): string {
  return entries.map((entry, at) => `${spaces[at % spaces.length] ?? ''}${entry}`).join(',');
}

/** A chain as it reaches the gateway: X-Forwarded-For left to right, then the TCP peer. */
const chain = fc.record({
  hops: fc.array(fc.record({ address: fc.oneof(trustedHop, untrustedHop) }), { minLength: 1, maxLength: 12 }),
  spaces: fc.array(space, { minLength: 1, maxLength: 4 }),
});

describe('the client address of a request', () => {
  it('is the rightmost untrusted hop, or the leftmost entry when every hop is trusted', () => {
    fc.assert(
      fc.property(chain, ({ hops, spaces }) => {
        const addresses = hops.map((hop) => hop.address);
        const peer = addresses.at(-1)!;
        const forwarded = addresses.slice(0, -1);
        let expected = addresses[0]!;
        for (let at = addresses.length - 1; at >= 0; at--) {
          if (!TRUSTED.has(canonicalAddress(addresses[at]!)!)) {
            expected = addresses[at]!;
            break;
          }
        }
        const resolved = resolveClientAddress(
          peer,
          forwarded.length > 0 ? header(forwarded, spaces) : undefined,
          TRUSTED,
        );
        expect(resolved).toBe(canonicalAddress(expected));
      }),
      { numRuns: 500 },
    );
  });

  it('is always the TCP peer when no proxy is trusted, whatever X-Forwarded-For says', () => {
    fc.assert(
      fc.property(
        fc.oneof(trustedHop, untrustedHop),
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.array(fc.oneof(trustedHop, untrustedHop, malformed)).map((entries) => entries.join(', ')),
        ),
        (peer, forwardedFor) => {
          expect(resolveClientAddress(peer, forwardedFor, TrustedProxies.NONE)).toBe(canonicalAddress(peer));
        },
      ),
    );
  });

  it('stops at the hop that reported a malformed entry, and never throws on one', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(untrustedHop, malformed)),
        malformed,
        fc.array(trustedHop, { maxLength: 5 }),
        trustedHop,
        (left, bad, trustedRight, peer) => {
          // Every hop right of the malformed entry is trusted: the walk reaches it, and ends there.
          const forwarded = header([...left, bad, ...trustedRight], [' ']);
          expect(resolveClientAddress(peer, forwarded, TRUSTED)).toBe(canonicalAddress(trustedRight[0] ?? peer));
        },
      ),
    );
    fc.assert(
      fc.property(fc.oneof(trustedHop, untrustedHop), fc.string({ unit: 'binary', maxLength: 300 }), (peer, text) => {
        const resolved = resolveClientAddress(peer, text, TRUSTED);
        expect(isIP(resolved)).not.toBe(0);
      }),
    );
  });

  it(`walks at most the rightmost ${MAX_FORWARDED_HOPS} entries of X-Forwarded-For`, () => {
    const proxies = Array.from({ length: MAX_FORWARDED_HOPS + 5 }, (_, at) => `10.0.${at >> 8}.${at & 255}`);
    // Every one trusted: the walk ends at the last it reads, and what lies left of it is never read.
    const forwarded = ['203.0.113.1', 'not an address', ...proxies].join(', ');
    expect(resolveClientAddress('10.255.255.255', forwarded, TRUSTED)).toBe(proxies.at(-MAX_FORWARDED_HOPS));
    // A header of 100,000 entries costs no more.
    const long = `${'1.1.1.1, '.repeat(100_000)}10.0.0.1`;
    expect(resolveClientAddress('10.0.0.2', long, TRUSTED)).toBe('1.1.1.1');
  });

  it('charges a spoofed left-most entry to the address the trusted proxy saw', () => {
    expect(resolveClientAddress('10.1.2.3', '203.0.113.66, 198.51.100.4', TRUSTED)).toBe('198.51.100.4');
    // Through two trusted proxies, each appending what it saw.
    expect(resolveClientAddress('10.1.2.3', '203.0.113.66, 198.51.100.4, 10.9.9.9', TRUSTED)).toBe('198.51.100.4');
    // From an untrusted peer, the header is not read at all.
    expect(resolveClientAddress('198.51.100.4', '10.1.2.3', TRUSTED)).toBe('198.51.100.4');
    // A trusted proxy that forwards no header is the client itself.
    expect(resolveClientAddress('10.1.2.3', undefined, TRUSTED)).toBe('10.1.2.3');
  });

  it('writes each address one way: IPv4-mapped IPv6 as IPv4, IPv6 compressed and in lower case', () => {
    expect(resolveClientAddress('::ffff:10.1.2.3', '2001:0DB9:0:0::0001', TRUSTED)).toBe('2001:db9::1');
    expect(resolveClientAddress('::ffff:198.51.100.4', undefined, TRUSTED)).toBe('198.51.100.4');
    expect(resolveClientAddress('10.1.2.3', '::FFFF:198.51.100.4', TRUSTED)).toBe('198.51.100.4');
    expect(resolveClientAddress(undefined, '198.51.100.4', TRUSTED)).toBe('unknown');
  });

  it('is resolved once per request, however often and late it is asked for', () => {
    const socket: { remoteAddress: string | undefined } = { remoteAddress: '10.1.2.3' };
    const request = { socket, headers: { 'x-forwarded-for': '198.51.100.4' } } as unknown as IncomingMessage;
    const addresses = new ClientAddresses(TRUSTED);
    expect(addresses.of(request)).toBe('198.51.100.4');
    // A socket that has closed reads as no address; the request keeps the one it had.
    socket.remoteAddress = undefined;
    expect(addresses.of(request)).toBe('198.51.100.4');
  });
});

/** TRUSTED_PROXIES as the gateway's configuration reads it from `env`. */
function readFrom(env: Env): TrustedProxies {
  const reader = new EnvReader(env);
  const trusted = readTrustedProxies(reader);
  reader.done();
  return trusted;
}

describe('X-Forwarded-For from a peer that is not trusted', () => {
  const request = (remoteAddress: string, forwardedFor?: string) =>
    ({
      socket: { remoteAddress },
      headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
    }) as unknown as IncomingMessage;

  it('is ignored, and the operator told so once, without the address', () => {
    const { logger, entries } = recordingLogger();
    const addresses = new ClientAddresses(TRUSTED, logger);
    expect(addresses.of(request('10.1.2.3', '198.51.100.4'))).toBe('198.51.100.4');
    expect(addresses.of(request('10.1.2.3', 'garbage'))).toBe('10.1.2.3');
    expect(addresses.of(request('198.51.100.9'))).toBe('198.51.100.9');
    expect(entries).toEqual([]);
    expect(addresses.of(request('198.51.100.9', '203.0.113.1'))).toBe('198.51.100.9');
    expect(addresses.of(request('198.51.100.8', '203.0.113.2'))).toBe('198.51.100.8');
    expect(entries).toEqual([
      {
        level: 'warn',
        message:
          'X-Forwarded-For came from a peer TRUSTED_PROXIES does not name, and was ignored: if that peer is your proxy, every caller behind it counts as one address',
        fields: { trustedProxies: 3 },
      },
    ]);
  });
});

describe('TRUSTED_PROXIES', () => {
  it('trusts none unless set', () => {
    expect(readFrom({}).none).toBe(true);
    expect(readFrom({ TRUSTED_PROXIES: ' ' }).none).toBe(true);
  });

  it('takes IP addresses and CIDR blocks, IPv4 and IPv6, IPv4-mapped ones as IPv4', () => {
    const trustedProxies = readFrom({
      TRUSTED_PROXIES: '10.244.0.0/16, fd00::/8,192.0.2.7, ::ffff:172.16.0.0/108',
    });
    expect(trustedProxies.entries).toEqual(['10.244.0.0/16', 'fd00::/8', '192.0.2.7', '172.16.0.0/12']);
    expect(['10.244.3.4', 'fd12::1', '192.0.2.7', '172.31.0.1'].map((address) => trustedProxies.has(address))).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['10.245.0.1', 'fe80::1', '192.0.2.8', '172.32.0.1'].map((address) => trustedProxies.has(address))).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });

  it('refuses what is not an address or a block, and a block of every address, all at once', () => {
    expect(() => loadConfig({ TRUSTED_PROXIES: 'ingress.local,10.0.0.0/33,0.0.0.0/0,10.0.0.1:80' })).toThrow(
      expect.objectContaining({
        message: expect.stringMatching(
          /'ingress\.local' is not an IP address[\s\S]*'10\.0\.0\.0\/33' has a prefix length outside 0 to 32[\s\S]*'0\.0\.0\.0\/0' trusts every address[\s\S]*'10\.0\.0\.1:80' is not an IP address/,
        ),
      }),
    );
  });
});
